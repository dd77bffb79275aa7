import Foundation
import NIOSSL
import PostgresNIO

/// A failure of the shared store, with a stable code and a message a user can act on.
package struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Code: String, Sendable, Hashable {
        /// The URL does not parse or names something unsupported.
        case invalidURL = "invalid_url"
        /// The server cannot be reached, refuses the login, or the database does not exist.
        case unreachable
        /// A query failed or timed out.
        case query
        /// The schema is newer than this binary, or not migrated.
        case schema
        /// A request that makes no sense (unknown policy version, …).
        case invalidArgument = "invalid_argument"
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }

    /// A readable message for a PostgresNIO error (its own description hides the details).
    static func explain(_ error: any Error) -> String {
        if let store = error as? StoreError { return store.message }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let sqlState = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + sqlState
            }
            if psql.code == .sslUnsupported {
                return
                    "the server does not offer TLS, and the URL asks for it (sslmode=require): enable ssl on the server, or use sslmode=prefer or disable"
            }
            if let underlying = psql.underlying { return "\(underlying)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }
}

/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]` (also
/// `postgresql://`), as given to `--store` or `LUMEN_STORE`.
package struct StoreURL: Sendable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var user: String
    package var password: String?
    package var database: String
    package var tls: TLSMode

    package enum TLSMode: String, Sendable { case disable, prefer, require }

    /// Whether `text` names a PostgreSQL store (else it is taken as a directory).
    package static func isStoreURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    package init(parsing text: String) throws(StoreError) {
        guard Self.isStoreURL(text) else {
            throw StoreError(
                .invalidURL, "store URL '\(Self.redact(text))' must start with postgres:// (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        guard let components = URLComponents(string: text) else {
            throw StoreError(.invalidURL, "store URL '\(Self.redact(text))' does not parse (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError(.invalidURL, "store URL '\(Self.redact(text))' names no host (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError(.invalidURL, "store URL '\(Self.redact(text))' names no user (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError(.invalidURL, "store URL '\(Self.redact(text))' names no database (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw StoreError(.invalidURL, "store URL port \(port) is out of range") }
        var tls = TLSMode.disable
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw StoreError(.invalidURL, "sslmode '\(item.value ?? "")' is not one of disable, prefer, require")
                }
                tls = mode
            default:
                throw StoreError(.invalidURL, "unknown store URL parameter '\(item.name)' (only sslmode is read)")
            }
        }
        self.host = host
        self.port = port
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        self.tls = tls
    }

    /// The URL with its password replaced, for messages and logs.
    package var description: String { "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" }

    static func redact(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// The TLS mode of one direct connection (the probe `SharedStore.connect` makes first).
    func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    var clientConfiguration: PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: mode = .disable
        case .prefer: mode = .prefer(.makeClientConfiguration())
        case .require: mode = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 16
        configuration.options.minimumConnections = 1
        configuration.options.keepAliveBehavior = .init(frequency: .seconds(10))
        return configuration
    }
}
