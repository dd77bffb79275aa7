/// Draws routing curves — quality against the share of prompts sent to the strong (remote) model —
/// as one self-contained SVG document (no scripts, fonts or links), one panel per prompt set.
package enum RoutingPlot {
    /// One router's curve.
    package struct Curve: Sendable, Hashable {
        package var name: String
        /// (strong share, PGR) points, sorted by share.
        package var points: [RoutingPoint]
        /// Area under the curve, shown in the legend.
        package var apgr: Double

        package init(name: String, points: [RoutingPoint], apgr: Double) {
            self.name = name
            self.points = points
            self.apgr = apgr
        }

        package init(name: String, metrics: RoutingMetrics) {
            self.init(name: name, points: metrics.points, apgr: metrics.apgr)
        }
    }

    /// One prompt set's curves.
    package struct Panel: Sendable, Hashable {
        package var title: String
        package var subtitle: String
        package var curves: [Curve]

        package init(title: String, subtitle: String = "", curves: [Curve]) {
            self.title = title
            self.subtitle = subtitle
            self.curves = curves
        }
    }

    static let colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    static let panelWidth = 440.0
    static let panelHeight = 360.0
    static let margin = (left: 56.0, right: 16.0, top: 58.0, bottom: 46.0)

    /// The SVG for `panels` (three per row) under `title`.
    package static func svg(title: String, panels: [Panel]) -> String {
        let columns = max(1, min(3, panels.count))
        let rows = max(1, (panels.count + columns - 1) / columns)
        let width = Double(columns) * panelWidth
        let height = 40 + Double(rows) * panelHeight
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width, 0))" height="\(f(height, 0))" \
            viewBox="0 0 \(f(width, 0)) \(f(height, 0))" font-family="sans-serif" font-size="12">
            <title>\(escape(title))</title>
            <rect x="0" y="0" width="\(f(width, 0))" height="\(f(height, 0))" fill="#ffffff"/>
            <text x="12" y="26" font-size="16" font-weight="bold">\(escape(title))</text>

            """
        for (index, panel) in panels.enumerated() {
            let x0 = Double(index % columns) * panelWidth
            let y0 = 40 + Double(index / columns) * panelHeight
            out += drawPanel(panel, x0: x0, y0: y0)
        }
        out += "</svg>\n"
        return out
    }

    private static func drawPanel(_ panel: Panel, x0: Double, y0: Double) -> String {
        let allPGR = panel.curves.flatMap { $0.points.map(\.pgr) }
        let lowest = min(0, allPGR.min() ?? 0)
        let highest = max(1, allPGR.max() ?? 1)
        let yMin = (lowest * 5).rounded(.down) / 5
        let yMax = (highest * 5).rounded(.up) / 5
        let left = x0 + margin.left
        let right = x0 + panelWidth - margin.right
        let top = y0 + margin.top
        let bottom = y0 + panelHeight - margin.bottom
        func px(_ share: Double) -> Double { left + share * (right - left) }
        func py(_ pgr: Double) -> Double { bottom - (pgr - yMin) / (yMax - yMin) * (bottom - top) }

        var s = "<g>\n"
        s += "<text x=\"\(f(x0 + 12, 1))\" y=\"\(f(y0 + 18, 1))\" font-size=\"14\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
        if !panel.subtitle.isEmpty {
            s += "<text x=\"\(f(x0 + 12, 1))\" y=\"\(f(y0 + 34, 1))\" fill=\"#555555\">\(escape(panel.subtitle))</text>\n"
        }
        // Grid and axes.
        for tick in stride(from: 0.0, through: 1.0001, by: 0.2) {
            let x = px(tick)
            s += "<line x1=\"\(f(x, 1))\" y1=\"\(f(top, 1))\" x2=\"\(f(x, 1))\" y2=\"\(f(bottom, 1))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(f(x, 1))\" y=\"\(f(bottom + 16, 1))\" text-anchor=\"middle\">\(Int((tick * 100).rounded()))%</text>\n"
        }
        for tick in stride(from: yMin, through: yMax + 1e-9, by: 0.2) {
            let y = py(tick)
            s += "<line x1=\"\(f(left, 1))\" y1=\"\(f(y, 1))\" x2=\"\(f(right, 1))\" y2=\"\(f(y, 1))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(f(left - 6, 1))\" y=\"\(f(y + 4, 1))\" text-anchor=\"end\">\(f(tick, 1))</text>\n"
        }
        s +=
            "<rect x=\"\(f(left, 1))\" y=\"\(f(top, 1))\" width=\"\(f(right - left, 1))\" height=\"\(f(bottom - top, 1))\" fill=\"none\" stroke=\"#333333\"/>\n"
        s +=
            "<text x=\"\(f((left + right) / 2, 1))\" y=\"\(f(bottom + 34, 1))\" text-anchor=\"middle\">share of prompts sent to the remote model</text>\n"
        s +=
            "<text transform=\"translate(\(f(x0 + 14, 1)) \(f((top + bottom) / 2, 1))) rotate(-90)\" text-anchor=\"middle\">quality: gap recovered (PGR)</text>\n"
        // Curves, then the legend (bottom right inside the plot, below the diagonal, where routers
        // better than random leave room).
        for (i, curve) in panel.curves.enumerated() {
            let colour = colours[i % colours.count]
            let dash = i == 0 ? "" : " stroke-dasharray=\"\(i % 2 == 1 ? "6 3" : "2 3")\""
            let path = curve.points.map { "\(f(px($0.strongShare), 2)),\(f(py($0.pgr), 2))" }.joined(separator: " ")
            s += "<polyline class=\"curve\" points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(i == 0 ? 2.5 : 1.5)\"\(dash)/>\n"
            for p in curve.points {
                s += "<circle cx=\"\(f(px(p.strongShare), 2))\" cy=\"\(f(py(p.pgr), 2))\" r=\"\(i == 0 ? 2.5 : 1.8)\" fill=\"\(colour)\"/>\n"
            }
            let ly = bottom - 10 - Double(panel.curves.count - 1 - i) * 16
            let lx = right - 210
            s +=
                "<line x1=\"\(f(lx, 1))\" y1=\"\(f(ly - 4, 1))\" x2=\"\(f(lx + 22, 1))\" y2=\"\(f(ly - 4, 1))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>\n"
            s += "<text x=\"\(f(lx + 28, 1))\" y=\"\(f(ly, 1))\">\(escape(curve.name)) (APGR \(f(curve.apgr, 3)))</text>\n"
        }
        s += "</g>\n"
        return s
    }

    /// `x` with `digits` decimals (no Foundation in this module).
    static func f(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        let negative = x < 0 && scaled > 0
        let whole = Int(scaled / scale)
        var text = (negative ? "-" : "") + String(whole)
        if digits > 0 {
            let fraction = Int(scaled - Double(whole) * scale)
            var part = String(fraction)
            while part.count < digits { part = "0" + part }
            text += "." + part
        }
        return text
    }

    /// XML text escaping.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
