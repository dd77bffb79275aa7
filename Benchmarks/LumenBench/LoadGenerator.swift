import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP endpoint and the request body the load generators send to it.
struct Endpoint: Sendable {
    var port: Int
    var path: String
    var body: String
    var authorization: String?

    var requestBytes: [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        if let authorization { head += "Authorization: \(authorization)\r\n" }
        head += "\r\n"
        return Array((head + body).utf8)
    }
}

/// Blocking-socket HTTP/1.1 load generators on their own threads (keep-alive connections).
enum LoadGenerator {
    final class Results: @unchecked Sendable {
        // Guarded by `lock`; threads append their own results once, at the end.
        let lock = NSLock()
        var latencies: [Double] = []
        var errors = 0
        var firstBadStatus: Int?
        var seconds: Double = 0

        func add(_ values: [Double], errors: Int, badStatus: Int?) {
            lock.lock()
            latencies.append(contentsOf: values)
            self.errors += errors
            if firstBadStatus == nil { firstBadStatus = badStatus }
            lock.unlock()
        }

        /// Nearest-rank percentile of the latencies (`BenchDecision.percentile`); NaN when there are none.
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : BenchDecision.percentile(latencies.sorted(), p)
        }
    }

    static func connectTo(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// One request/response on a keep-alive connection; returns the status or nil on error.
    static func exchange(_ fd: Int32, request: [UInt8], buffer: inout [UInt8]) -> Int? {
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var received: [UInt8] = []
        var headerEnd: Int?
        var contentLength = 0
        var status = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            received.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let end = find(received, [13, 10, 13, 10]) {
                headerEnd = end + 4
                let head = String(decoding: received[0..<end], as: UTF8.self)
                let lines = head.split(separator: "\r\n")
                status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
                for line in lines.dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        contentLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let headerEnd, received.count >= headerEnd + contentLength { return status }
        }
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }

    static func nowSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Fixed-rate load: request i is scheduled at start + i/rate (spread over `connections`);
    /// latency (µs) runs from the scheduled time to the end of the response.
    static func paced(_ endpoint: Endpoint, rate: Int, duration: Double, connections: Int) -> Results {
        let results = Results()
        let request = endpoint.requestBytes
        let start = nowSeconds() + 0.05
        let total = Int(Double(rate) * duration)
        let threads: [@Sendable () -> Void] = (0..<connections).map { c in
            {
                var latencies: [Double] = []
                var errors = 0
                var badStatus: Int?
                var buffer = [UInt8](repeating: 0, count: 65_536)
                guard var fd = connectTo(port: endpoint.port) else {
                    results.add([], errors: 1, badStatus: nil)
                    return
                }
                var i = c
                while i < total {
                    let scheduled = start + Double(i) / Double(rate)
                    let wait = scheduled - nowSeconds()
                    if wait > 0 { usleep(UInt32(wait * 1e6)) }
                    let status = exchange(fd, request: request, buffer: &buffer)
                    let done = nowSeconds()
                    if status == 200 {
                        latencies.append((done - scheduled) * 1e6)
                    } else {
                        errors += 1
                        if badStatus == nil { badStatus = status ?? -1 }
                        close(fd)
                        guard let again = connectTo(port: endpoint.port) else { break }
                        fd = again
                    }
                    i += connections
                }
                close(fd)
                results.add(latencies, errors: errors, badStatus: badStatus)
            }
        }
        runAll(threads)
        return results
    }

    /// As fast as possible until `total` requests were answered.
    static func closedLoop(_ endpoint: Endpoint, total: Int, connections: Int) -> Results {
        let results = Results()
        let request = endpoint.requestBytes
        let perConnection = (total + connections - 1) / connections
        let started = nowSeconds()
        let threads: [@Sendable () -> Void] = (0..<connections).map { _ in
            {
                var errors = 0
                var badStatus: Int?
                var buffer = [UInt8](repeating: 0, count: 65_536)
                guard var fd = connectTo(port: endpoint.port) else {
                    results.add([], errors: perConnection, badStatus: nil)
                    return
                }
                for _ in 0..<perConnection {
                    let status = exchange(fd, request: request, buffer: &buffer)
                    if status != 200 {
                        errors += 1
                        if badStatus == nil { badStatus = status ?? -1 }
                        close(fd)
                        guard let again = connectTo(port: endpoint.port) else { break }
                        fd = again
                    }
                }
                close(fd)
                results.add([], errors: errors, badStatus: badStatus)
            }
        }
        runAll(threads)
        results.seconds = nowSeconds() - started
        return results
    }

    static func runAll(_ bodies: [@Sendable () -> Void]) {
        let group = DispatchGroup()
        for body in bodies {
            group.enter()
            Thread.detachNewThread {
                body()
                group.leave()
            }
        }
        group.wait()
    }
}
