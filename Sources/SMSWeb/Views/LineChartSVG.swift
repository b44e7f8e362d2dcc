import Foundation

/// A small server-side line chart: one polyline per series over shared x labels, drawn as an SVG
/// string (no JavaScript, no external library). Used by the Message Trend.
///
/// Shape of the output:
/// - `<svg role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {width} {height}">` with a
///   `<title>` (the chart title) and a `<desc>` (one sentence per series: total and peak), so
///   screen readers get a text alternative; the page also shows the data as a table.
/// - y axis: ticks from ``niceTicks(max:)`` (0 and multiples of 1, 2 or 5 × 10ⁿ, ending at or above
///   the largest value), a grid line and a label for each.
/// - x axis: the labels, thinned to at most ``maxXLabels`` evenly spaced ones.
/// - each series: a `<polyline>` (colour plus a dash pattern, so lines differ without colour) and a
///   `<circle>` per point with a `<title>` tooltip `"{label} · {series}: {value}"`.
/// - no point at all: the frame and the text ``emptyText``.
///
/// Every text that comes from outside (title, labels, series names) is XML-escaped
/// (``escape(_:)``). Only presentation attributes are used (no `style`), so a strict
/// Content-Security-Policy (`style-src 'self'`) does not block anything.
struct LineChartSVG {
    struct Series {
        var name: String
        /// A CSS colour, e.g. `#0a5bd3`.
        var color: String
        /// SVG `stroke-dasharray`, `nil` for a solid line.
        var dash: String?
        /// One value per x label.
        var values: [Int64]
    }

    var id: String
    var title: String
    var labels: [String]
    var series: [Series]
    var width = 720
    var height = 300
    var emptyText = "No data yet"
    /// At most this many x labels are written.
    var maxXLabels = 8

    // Plot area margins.
    let left = 56.0
    let right = 16.0
    let top = 36.0
    let bottom = 36.0

    /// The chart as an SVG element.
    func render() -> String {
        let e = Self.escape
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" id=\"\(e(id))\""
        out += " aria-labelledby=\"\(e(id))-title \(e(id))-desc\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\""
        out += " preserveAspectRatio=\"xMidYMid meet\">"
        out += "<title id=\"\(e(id))-title\">\(e(title))</title>"
        out += "<desc id=\"\(e(id))-desc\">\(e(description))</desc>"
        let plotW = Double(width) - left - right
        let plotH = Double(height) - top - bottom
        let maxValue = series.flatMap(\.values).max() ?? 0
        let ticks = Self.niceTicks(max: maxValue)
        let yMax = Double(ticks.last ?? 1)
        func y(_ v: Int64) -> Double { top + plotH - Double(v) / yMax * plotH }
        let n = labels.count
        func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + Double(i) / Double(n - 1) * plotW }

        // Legend.
        var lx = left
        for s in series {
            out += "<line x1=\"\(f(lx))\" y1=\"14\" x2=\"\(f(lx + 22))\" y2=\"14\" stroke=\"\(e(s.color))\" stroke-width=\"3\""
            if let d = s.dash { out += " stroke-dasharray=\"\(e(d))\"" }
            out += "/><text x=\"\(f(lx + 28))\" y=\"18\" font-size=\"13\" fill=\"#1b1f24\">\(e(s.name))</text>"
            lx += 40 + Double(s.name.count) * 7.5
        }
        // Frame, grid and y ticks.
        for t in ticks {
            let ty = y(t)
            out += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(left + plotW))\" y2=\"\(f(ty))\""
            out += " stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            out += "<text class=\"ytick\" x=\"\(f(left - 8))\" y=\"\(f(ty + 4))\" text-anchor=\"end\" font-size=\"12\""
            out += " fill=\"#57606a\">\(DisplayFormat.count(t))</text>"
        }
        guard n > 0 else {
            out += "<text class=\"empty\" x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\""
            out += " font-size=\"15\" fill=\"#57606a\">\(e(emptyText))</text></svg>"
            return out
        }
        // X labels.
        for i in Self.labelIndices(count: n, max: maxXLabels) {
            out += "<text class=\"xtick\" x=\"\(f(x(i)))\" y=\"\(f(top + plotH + 20))\" text-anchor=\"middle\" font-size=\"12\""
            out += " fill=\"#57606a\">\(e(labels[i]))</text>"
        }
        // Series.
        for s in series {
            let points = (0..<min(n, s.values.count)).map { "\(f(x($0))),\(f(y(s.values[$0])))" }
            out += "<polyline class=\"series\" fill=\"none\" stroke=\"\(e(s.color))\" stroke-width=\"2.5\""
            if let d = s.dash { out += " stroke-dasharray=\"\(e(d))\"" }
            out += " points=\"\(points.joined(separator: " "))\"/>"
            for i in 0..<min(n, s.values.count) {
                out += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(s.values[i])))\" r=\"3.5\" fill=\"\(e(s.color))\">"
                out += "<title>\(e(labels[i])) · \(e(s.name)): \(DisplayFormat.count(s.values[i]))</title></circle>"
            }
        }
        out += "</svg>"
        return out
    }

    /// A sentence per series for the `<desc>` text alternative.
    var description: String {
        guard !labels.isEmpty else { return "\(title): \(emptyText)." }
        let parts = series.map { s -> String in
            let total = s.values.reduce(0, +)
            let peak = s.values.indices.max { s.values[$0] < s.values[$1] }
            let peakText = peak.map { " (peak \(DisplayFormat.count(s.values[$0])) on \(labels[$0]))" } ?? ""
            return "\(s.name): \(DisplayFormat.count(total)) in total\(peakText)"
        }
        return "\(title), \(labels.first ?? "") to \(labels.last ?? ""). " + parts.joined(separator: "; ") + "."
    }

    /// Y-axis ticks: `0, step, 2·step, …` up to the first tick ≥ `max`, with `step` the smallest of
    /// 1, 2, 5 × 10ⁿ (n ≥ 0) that needs at most 5 intervals. `max ≤ 0` gives `[0, 1]`.
    static func niceTicks(max: Int64) -> [Int64] {
        guard max > 0 else { return [0, 1] }
        var magnitude: Int64 = 1
        var step: Int64 = 1
        search: while true {
            for m in [1, 2, 5] as [Int64] {
                step = m * magnitude
                if (max + step - 1) / step <= 5 { break search }
            }
            magnitude *= 10
        }
        let count = (max + step - 1) / step
        return (0...count).map { $0 * step }
    }

    /// Indices of the x labels to write: all when `count ≤ max`, else evenly spaced ones that
    /// always include the first and the last.
    static func labelIndices(count: Int, max: Int) -> [Int] {
        guard count > max, max >= 2 else { return Array(0..<count) }
        let stride = Int((Double(count - 1) / Double(max - 1)).rounded(.up))
        var result = Array(Swift.stride(from: 0, to: count - 1, by: stride))
        if let last = result.last, count - 1 - last < stride / 2, result.count > 1 { result.removeLast() }
        result.append(count - 1)
        return result
    }

    /// XML-escapes text for SVG content and attribute values: `& < > " '`.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A coordinate with at most one decimal.
    private func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }
}
