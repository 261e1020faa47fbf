import Logging
import PostgresNIO

/// The tables every instance shares. Made on first connection by whichever instance comes first (an advisory lock
/// keeps two from racing on `CREATE TABLE`); an existing schema is left as it is.
///
/// - `cuecast_streams`: one row per channel or station, holding the last number given out. The row lock taken by
///   `UPDATE … RETURNING` makes concurrent publishes to one stream commit in the order of their numbers, so a
///   reader that has seen number n never finds n - 1 appearing later.
/// - `cuecast_events`: the events themselves, trimmed in steps: between one and two history limits of rows per
///   stream (`ClusterBatchStatement` says why). A `NOTIFY` carries
///   `stream:number` and the new rows when they fit under its 8000-byte limit (`ClusterNotice`); a 64 KiB event
///   is read from here.
enum ClusterSchema {
    /// The `LISTEN`/`NOTIFY` channel.
    static let notifyChannel = "cuecast"
    /// Any number unlikely to collide with another application's advisory locks on the same database.
    static let schemaLock: Int64 = 0x6375_6563_6173_7401

    static func create(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_lock(\(schemaLock))", logger: logger)
        do {
            for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(schemaLock))", logger: logger)
            throw error
        }
        try await connection.query("SELECT pg_advisory_unlock(\(schemaLock))", logger: logger)
    }

    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS cuecast_streams (
            stream text PRIMARY KEY,
            last_seq bigint NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS cuecast_events (
            stream text NOT NULL,
            seq bigint NOT NULL,
            kind smallint NOT NULL,
            event_type text,
            data text,
            event_id text,
            retry bigint,
            pass bigint NOT NULL DEFAULT 0,
            offset_us bigint NOT NULL DEFAULT 0,
            disconnect boolean NOT NULL DEFAULT false,
            created timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (stream, seq)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS cuecast_presence (
            instance text NOT NULL,
            stream text NOT NULL,
            subscribers bigint NOT NULL,
            updated timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (instance, stream)
        )
        """,
    ]
}
