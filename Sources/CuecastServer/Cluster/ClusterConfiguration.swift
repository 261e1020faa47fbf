import Foundation
import Logging
import PostgresNIO

/// Where the cluster's PostgreSQL is (`--cluster postgres://user:password@host:port/database`), checked when the
/// server starts, so a typo is an error at once rather than a link that never comes up.
///
/// A Unix socket is named libpq's way: `postgres://user@/database?host=/run/postgresql` (and `&port=5433` for its
/// file name).
public struct ClusterConfiguration: Sendable {
    /// The address as given, with any password hidden, for logs.
    public let displayURL: String
    var connection: PostgresConnection.Configuration
    /// Names this instance in connection ids and the presence table; unique per process.
    public let instanceID: String

    public init(url text: String, instanceID: String = ClusterConfiguration.makeInstanceID()) throws(ClusterConfigurationError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw ClusterConfigurationError("expected postgres://user:password@host:port/database, got '\(text)'")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let user = url.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = url.password.flatMap { $0.removingPercentEncoding }
        let database = url.path.split(separator: "/").first.map(String.init) ?? user
        let port = url.port ?? query["port"].flatMap { Int($0) } ?? 5432
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            connection = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = url.host, !host.isEmpty else {
                throw ClusterConfigurationError("the cluster URL names no host: postgres://user@HOST:PORT/database, or ?host=/socket/folder")
            }
            connection = .init(host: host, port: port, username: user, password: password, database: database, tls: .disable)
        }
        // Each session says whose it is, for `pg_stat_activity` (and for the tests, which cut one instance off).
        connection.options.additionalStartupParameters = [("application_name", "cuecast-\(instanceID)")]
        var shown = url
        if shown.password != nil { shown.password = "***" }
        displayURL = shown.string ?? text
        self.instanceID = instanceID
    }

    /// Six random letters and digits: short in a connection id, and two processes sharing one is vanishingly rare.
    public static func makeInstanceID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<6).map { _ in alphabet.randomElement()! })
    }
}

/// A cluster URL that cannot be used.
public struct ClusterConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
