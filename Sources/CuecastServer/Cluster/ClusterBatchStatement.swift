import PostgresNIO

/// The one statement that stores a batch of publishes (`ClusterInsertQueue`): it numbers every row of every stream
/// in the batch, stores them, trims the streams that are due, and notifies once per stream with its new last number
/// and, when they fit in the payload, the rows themselves (`ClusterNotice`). Its one parameter is the batch as a
/// JSON array; it answers each row's place in the batch (`ord`) and its event id.
///
/// Two measured costs shaped it (BENCHMARKS.md, the publish ceiling, 2026-12-07 evening; `pgbench`, 16 rows over 8
/// streams a statement, PostgreSQL 15):
/// - *Prepared once per connection.* Sent unnamed, PostgreSQL parsed and planned this CTE for every batch, about
///   a millisecond of CPU each; prepared, it plans a few times and then keeps a generic plan.
/// - *Trimmed in steps, not in every batch.* Deleting each stream's oldest rows in every batch cost more than all
///   the rest: the planner joined a small table by a sequential scan of all of it, and otherwise a bitmap scan
///   walked every dead index entry of the stream (bitmap scans never mark them dead), so the cost grew with every
///   batch until autovacuum ran: 4 to 8 ms of CPU per statement after a few thousand batches. Now a stream is
///   trimmed only in the batch whose numbers cross a multiple of its history limit, down to that limit, so it
///   holds between one and two histories of rows and is trimmed once per history's worth of rows. Readers never
///   depended on the exact count: `ClusterFeed` reads at most the newest history of rows after its last one.
///
/// Streams are numbered in name order, so two instances' batches lock their `cuecast_streams` rows in one order and
/// cannot deadlock.
struct ClusterBatchStatement: PostgresPreparedStatement {
    typealias Row = (Int64, String?)

    /// The batch: `[{ord, stream, kind, event_type, data, event_id, numbered, retry, pass, offset_us, disconnect,
    /// history}, …]`.
    let rows: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(rows)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }

    static let sql = """
        WITH input AS (
            SELECT * FROM json_to_recordset($1::json) AS r(ord bigint, stream text, kind smallint, event_type text, data text,
                event_id text, numbered boolean, retry bigint, pass bigint, offset_us bigint, disconnect boolean, history bigint)
        ), counts AS (
            SELECT stream, count(*) AS n, max(history) AS history FROM input GROUP BY stream
        ), next AS (
            INSERT INTO cuecast_streams (stream, last_seq) SELECT stream, n FROM counts ORDER BY stream
            ON CONFLICT (stream) DO UPDATE SET last_seq = cuecast_streams.last_seq + EXCLUDED.last_seq
            RETURNING stream, last_seq
        ), numbered AS (
            SELECT input.*, next.last_seq - counts.n + row_number() OVER (PARTITION BY input.stream ORDER BY input.ord) AS seq
            FROM input JOIN counts USING (stream) JOIN next USING (stream)
        ), added AS (
            INSERT INTO cuecast_events (stream, seq, kind, event_type, data, event_id, retry, pass, offset_us, disconnect)
            SELECT stream, seq, kind, event_type, data, CASE WHEN numbered THEN seq::text ELSE event_id END,
                retry, pass, offset_us, disconnect
            FROM numbered
            RETURNING stream, seq, event_id
        ), due AS (
            SELECT next.stream, next.last_seq - counts.history AS upto FROM next JOIN counts USING (stream)
            WHERE (next.last_seq - counts.n) / greatest(counts.history, 1) < next.last_seq / greatest(counts.history, 1)
        ), trimmed AS (
            DELETE FROM cuecast_events AS e
            WHERE e.stream = ANY (ARRAY(SELECT stream FROM due)) AND e.seq <= (SELECT upto FROM due WHERE due.stream = e.stream)
        ), notices AS (
            SELECT numbered.stream || ':' || max(numbered.seq) AS head,
                json_agg(json_build_array(numbered.seq, numbered.kind, numbered.event_type, numbered.data,
                    CASE WHEN numbered.numbered THEN numbered.seq::text ELSE numbered.event_id END,
                    numbered.retry, numbered.pass, numbered.offset_us, numbered.disconnect) ORDER BY numbered.seq)::text AS body
            FROM numbered GROUP BY numbered.stream
        ), notified AS (
            SELECT count(*) AS sent FROM (
                SELECT pg_notify('\(ClusterSchema.notifyChannel)',
                    CASE WHEN octet_length(head) + 1 + octet_length(body) <= \(ClusterNotice.payloadLimit) AND strpos(head, E'\\n') = 0
                        THEN head || E'\\n' || body ELSE head END)
                FROM notices ORDER BY head
            ) AS each
        )
        SELECT numbered.ord, added.event_id FROM added JOIN numbered USING (stream, seq), notified
        """
}
