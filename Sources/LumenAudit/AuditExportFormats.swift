import Foundation
import LumenCore

/// CSV rows for `lumen audit export --format csv` (one row per record, flat columns).
package enum AuditCSV {
    package static let header =
        "seq,kind,id,ts,tenant,key_id,policy,policy_hash,model,target,route,action,rule,difficulty,sensitivity,findings,egress_host,bytes_sent,bytes_received,prompt_tokens,completion_tokens,cost_usd,status,http_status,error,streamed,fallbacks,hash,cache_read_tokens,cache_write_tokens,web_search_requests"

    /// The header, with a `chain` column for a store of several chains (each record's `seq` counts
    /// within its chain); a directory, or a store of one chain, has none.
    package static func header(chains: Bool) -> String { chains ? header + ",chain" : header }

    /// `chain`: the record's chain when the export has a chain column (`header(chains: true)`).
    package static func row(_ r: AuditRecord, chain: String? = nil) -> String {
        let findings = (r.findingCounts ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        let fallbacks = (r.fallbacks ?? []).map { "\($0.from)>\($0.to):\($0.reason)" }.joined(separator: ";")
        let fields: [String] =
            [
                String(r.seq), r.kind.rawValue, r.id, r.timestamp, r.tenant ?? "", r.keyID ?? "", r.policy?.name ?? "", r.policy?.hash ?? "",
                r.requestedModel ?? "", r.decision?.target ?? "", r.decision?.route.rawValue ?? "", r.decision?.action ?? "", r.decision?.rule ?? "",
                r.classification.map { String($0.difficulty) } ?? "", r.classification.map { String($0.sensitivity) } ?? "", findings,
                r.egress?.host ?? "", r.egress.map { String($0.bytesSent) } ?? "", r.egress.map { String($0.bytesReceived) } ?? "",
                r.usage.map { String($0.promptTokens) } ?? "", r.usage.map { String($0.completionTokens) } ?? "",
                r.costUSD.map { String($0) } ?? "", r.status?.state ?? "", r.status?.code.map { String($0) } ?? "", r.status?.error ?? "",
                r.streamed.map { String($0) } ?? "", fallbacks, r.hash ?? "",
                // Added after the first columns, so that a reader by position keeps its columns.
                r.usage?.cacheReadTokens.map { String($0) } ?? "", r.usage?.cacheWriteTokens.map { String($0) } ?? "",
                r.usage?.webSearches.map { String($0) } ?? "",
            ] + (chain.map { [$0] } ?? [])
        return fields.map(escape).joined(separator: ",")
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The self-contained HTML report (inline SVG and CSS, no external assets).
package enum AuditHTMLReport {
    package static func render(directory: String, since: String? = nil) throws -> String {
        try render(source: .directory(directory), since: since)
    }

    /// The report of an audit source (directory or store chains).
    /// `warning`: shown above everything (the chain does not verify).
    package static func render(source: AuditSource, since: String? = nil, warning: String? = nil) throws -> String {
        let byDay = try AuditSummary.compute(source: source, since: since, by: .day)
        let byRule = try AuditSummary.compute(source: source, since: since, by: .rule)
        let egress = try AuditEgressReport.compute(source: source, since: since)
        // cost per day per target
        var costs: [String: [String: Double]] = [:]
        var targetNames = Set<String>()
        _ = try AuditRequests.collect(in: source, since: since, as: AuditRequestView.self, kind: \.kind, id: \.id) { request in
            let target = request.decision.map { $0.target.isEmpty ? "(blocked)" : $0.target } ?? "(none)"
            costs[String(request.ts.prefix(10)), default: [:]][target, default: 0] += request.costUSD ?? 0
            targetNames.insert(target)
        }
        let days = costs.keys.sorted()
        let targets = targetNames.sorted()
        let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"]
        func color(_ i: Int) -> String { palette[i % palette.count] }

        var svg = ""
        let width = 720.0
        let height = 260.0
        let maxCost = max(days.map { costs[$0]!.values.reduce(0, +) }.max() ?? 0, 1e-9)
        let barWidth = days.isEmpty ? 0 : min(60, (width - 80) / Double(days.count) - 6)
        svg += "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(width))' height='\(Int(height + 40))' role='img' aria-label='cost per day'>"
        svg += "<line x1='60' y1='\(height)' x2='\(width)' y2='\(height)' stroke='#333'/>"
        svg += "<text x='4' y='14' font-size='11'>\(esc(String(format: "$%.2f", maxCost)))</text><text x='4' y='\(height)' font-size='11'>$0</text>"
        for (i, day) in days.enumerated() {
            let x = 64 + Double(i) * (barWidth + 6)
            var y = height
            for (t, target) in targets.enumerated() {
                let value = costs[day]?[target] ?? 0
                let h = value / maxCost * (height - 20)
                guard h > 0 else { continue }
                y -= h
                svg +=
                    "<rect x='\(f(x))' y='\(f(y))' width='\(f(barWidth))' height='\(f(h))' fill='\(color(t))'><title>\(esc(day)) \(esc(target)) \(esc(String(format: "$%.4f", value)))</title></rect>"
            }
            svg += "<text x='\(f(x))' y='\(f(height + 14))' font-size='10'>\(esc(String(day.suffix(5))))</text>"
        }
        svg += "</svg>"
        let legend = targets.enumerated().map { "<span class='key'><i style='background:\(color($0.offset))'></i>\(esc($0.element))</span>" }.joined()

        let total = byDay.total
        let localShare = total.localShare
        let shareSVG =
            "<svg xmlns='http://www.w3.org/2000/svg' width='400' height='30'><rect x='0' y='0' width='\(f(400 * localShare))' height='30' fill='#59a14f'/>"
            + "<rect x='\(f(400 * localShare))' y='0' width='\(f(400 * (1 - localShare)))' height='30' fill='#4e79a7'/></svg>"
        let maxBytes = max(egress.hosts.map(\.bytesSent).max() ?? 0, 1)
        var egressSVG = "<svg xmlns='http://www.w3.org/2000/svg' width='720' height='\(max(egress.hosts.count, 1) * 26)'>"
        for (i, host) in egress.hosts.enumerated() {
            let w = 400 * Double(host.bytesSent) / Double(maxBytes)
            egressSVG +=
                "<text x='0' y='\(i * 26 + 16)' font-size='12'>\(esc(host.host))</text><rect x='200' y='\(i * 26 + 4)' width='\(f(w))' height='18' fill='#e15759'/>"
            egressSVG += "<text x='\(f(205 + w))' y='\(i * 26 + 17)' font-size='11'>\(host.bytesSent) B</text>"
        }
        egressSVG += "</svg>"
        let rules = byRule.groups.sorted { $0.requests > $1.requests }.prefix(10)
            .map {
                "<tr><td>\(esc($0.key))</td><td>\($0.requests)</td><td>\(esc(String(format: "%.1f%%", $0.localShare * 100)))</td><td>\(esc(String(format: "$%.4f", $0.costUSD)))</td></tr>"
            }
            .joined()
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Lumen audit report</title>
            <style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
            td:first-child,th:first-child{text-align:left}.key{margin-right:12px;font-size:12px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}</style></head>
            <body><h1>Lumen audit report</h1>\(warning.map { "<p id=\"warning\" style=\"background:#fdd;border:2px solid #c00;padding:8px\">" + esc($0) + "</p>" } ?? "")
            <p id="totals">\(total.requests) requests, \(total.promptTokens.saturatingAdd(total.completionTokens)) tokens, cost \(esc(String(format: "$%.4f", total.costUSD))), savings \(esc(String(format: "$%.4f", total.savingsUSD)))\(since.map { " since " + esc($0) } ?? "")</p>
            <h2>Cost per day by target</h2>\(svg)<div>\(legend)</div>
            <h2>Local / remote share</h2><p>local \(esc(String(format: "%.1f%%", localShare * 100))) (green), remote \(total.remoteRequests), blocked \(total.blockedRequests)</p>\(shareSVG)
            <h2>Egress by host</h2>\(egress.hosts.isEmpty ? "<p>nothing left the machine</p>" : egressSVG)
            <p>kept local with findings: \(egress.keptLocalSensitive)</p>
            <h2>Top rules</h2><table id="rules"><tr><th>rule</th><th>requests</th><th>local</th><th>cost</th></tr>\(rules)</table>
            </body></html>
            """
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'": out += "&#39;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
