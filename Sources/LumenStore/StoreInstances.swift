import Foundation
import PostgresNIO

/// One running `lumen serve` as the store knows it.
package struct StoreInstance: Sendable, Hashable {
    /// Unique per process start: `NAME-xxxxxxxx`. Also the id of the instance's audit chain.
    package var id: String
    package var name: String
}

/// What `lumen store status` shows of an instance.
package struct StoreInstanceStatus: Sendable, Hashable {
    package var id: String
    package var name: String
    package var host: String
    package var pid: Int
    package var heartbeatAgeSeconds: Double
    package var stopped: Bool
    package var policyVersion: Int?
    package var policyHash: String?
}

extension SharedStore {
    /// Registers this process under `name` (a new id per start).
    package func registerInstance(name: String) async throws(StoreError) -> StoreInstance {
        var random = SystemRandomNumberGenerator()
        let suffix = String(format: "%08x", UInt32.random(in: 0...UInt32.max, using: &random))
        let id = "\(name)-\(suffix)"
        let host = ProcessInfo.processInfo.hostName
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        try await run(
            "register instance", "INSERT INTO lumen_instances (instance_id, name, host, pid) VALUES (\(id), \(name), \(host), \(pid))")
        return StoreInstance(id: id, name: name)
    }

    /// Marks the instance alive.
    package func heartbeat(_ instance: StoreInstance) async throws(StoreError) {
        try await run("heartbeat", "UPDATE lumen_instances SET heartbeat_at = now() WHERE instance_id = \(instance.id)", on: heartbeatClient)
    }

    /// Marks the instance stopped (its open reservations then expire at once).
    package func stopInstance(_ instance: StoreInstance) async throws(StoreError) {
        try await run("stop instance", "UPDATE lumen_instances SET stopped_at = now() WHERE instance_id = \(instance.id)")
    }

    /// Notes which policy version the instance now serves.
    package func notePolicy(_ instance: StoreInstance, version: Int, hash: String) async throws(StoreError) {
        try await run(
            "note policy version",
            "UPDATE lumen_instances SET policy_version = \(version), policy_hash = \(hash) WHERE instance_id = \(instance.id)")
    }

    /// Every instance, newest first.
    package func instances() async throws(StoreError) -> [StoreInstanceStatus] {
        let rows = try await run(
            "list instances",
            """
            SELECT instance_id, name, host, pid, extract(epoch FROM now() - heartbeat_at)::float8, stopped_at IS NOT NULL, policy_version, policy_hash
            FROM lumen_instances ORDER BY started_at DESC
            """)
        var out: [StoreInstanceStatus] = []
        for row in rows {
            guard
                let (id, name, host, pid, age, stopped, version, hash) = try? row.decode(
                    (String, String, String, Int, Double, Bool, Int?, String?).self)
            else { continue }
            out.append(
                StoreInstanceStatus(
                    id: id, name: name, host: host, pid: pid, heartbeatAgeSeconds: age, stopped: stopped, policyVersion: version, policyHash: hash))
        }
        return out
    }
}
