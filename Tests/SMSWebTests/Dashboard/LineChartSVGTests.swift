import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import SMSWeb

@Suite("Line chart SVG (Message Trend)")
struct LineChartSVGTests {
    static func chart(labels: [String], _ series: [(String, [Int64])]) -> LineChartSVG {
        LineChartSVG(
            id: "t", title: "Trend", labels: labels,
            series: series.map { LineChartSVG.Series(name: $0.0, color: "#0a5bd3", dash: nil, values: $0.1) })
    }

    /// Texts of the elements with a class, in order (a tiny scan, enough for our own output).
    static func texts(_ svg: String, cls: String) -> [String] {
        svg.components(separatedBy: "class=\"\(cls)\"").dropFirst().compactMap { part in
            guard let open = part.firstIndex(of: ">"), let close = part.range(of: "</text>") else { return nil }
            return String(part[part.index(after: open)..<close.lowerBound])
        }
    }

    static let tickCases: [(Int64, [Int64])] = [
        (0, [0, 1]), (1, [0, 1]), (5, [0, 1, 2, 3, 4, 5]), (7, [0, 2, 4, 6, 8]), (10, [0, 2, 4, 6, 8, 10]),
        (100, [0, 20, 40, 60, 80, 100]), (101, [0, 50, 100, 150]), (1_234, [0, 500, 1_000, 1_500]),
        (2_000_000, [0, 500_000, 1_000_000, 1_500_000, 2_000_000]),
    ]

    @Test("y ticks are 0 and multiples of 1, 2 or 5 × 10ⁿ up to the first one at or above the maximum", arguments: tickCases)
    func niceTicks(max: Int64, expected: [Int64]) {
        #expect(LineChartSVG.niceTicks(max: max) == expected)
    }

    @Test("nice ticks for random maxima: cover the maximum, at most 5 intervals, a 1-2-5 step, no idle interval")
    func niceTicksProperty() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let max = Int64.random(in: 1...2_000_000_000, using: &rng)
            let ticks = LineChartSVG.niceTicks(max: max)
            let step = ticks[1] - ticks[0]
            #expect(ticks.first == 0)
            #expect(ticks.last! >= max)
            #expect(ticks.last! - step < max, "an interval above the maximum is wasted: \(max) → \(ticks)")
            #expect(ticks.count - 1 <= 5)
            var mantissa = step
            while mantissa % 10 == 0 { mantissa /= 10 }
            #expect([1, 2, 5].contains(mantissa), "step \(step) for \(max)")
            #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 - $0 == step })
        }
    }

    @Test("the y axis labels are the ticks, with thousands separators")
    func axisLabels() {
        let svg = Self.chart(labels: ["1 Mar", "2 Mar", "3 Mar"], [("Sent", [1_234, 0, 700])]).render()
        #expect(Self.texts(svg, cls: "ytick") == ["0", "500", "1,000", "1,500"])
        #expect(Self.texts(svg, cls: "xtick") == ["1 Mar", "2 Mar", "3 Mar"])
        #expect(svg.components(separatedBy: "<polyline").count == 2)
        #expect(svg.components(separatedBy: "<circle").count == 4)
        // 3 points spread over the plot width: x = 56, 380, 704 (width 720, margins 56 / 16).
        #expect(svg.contains("points=\"56,"))
        #expect(svg.contains(" 380,"))
        #expect(svg.contains(" 704,"))
    }

    @Test("x labels thin to at most 8, always keeping the first and the last")
    func labelThinning() {
        #expect(LineChartSVG.labelIndices(count: 30, max: 8) == [0, 5, 10, 15, 20, 25, 29])
        #expect(LineChartSVG.labelIndices(count: 5, max: 8) == [0, 1, 2, 3, 4])
        #expect(LineChartSVG.labelIndices(count: 0, max: 8) == [])
        for n in 1...400 {
            let idx = LineChartSVG.labelIndices(count: n, max: 8)
            #expect(idx.count <= 8 && idx.first == 0 && idx.last == n - 1, "count \(n): \(idx)")
            #expect(idx == idx.sorted() && Set(idx).count == idx.count)
        }
    }

    @Test("labels, series names and the title are escaped: markup in them stays text")
    func escaping() {
        var c = Self.chart(labels: ["<b>1 & 2</b>"], [("\"><script>alert(1)</script>", [3])])
        c.title = "Tom's <i>trend</i>"
        let svg = c.render()
        #expect(!svg.contains("<script>"))
        #expect(!svg.contains("<b>"))
        #expect(!svg.contains("<i>"))
        #expect(svg.contains("&lt;b&gt;1 &amp; 2&lt;/b&gt;"))
        #expect(svg.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(svg.contains("Tom&#39;s &lt;i&gt;trend&lt;/i&gt;"))
        #expect(Self.wellFormed(svg))
    }

    @Test("no data: the frame, the empty text, no line")
    func emptyData() {
        var c = Self.chart(labels: [], [("Sent", []), ("Clicked", [])])
        c.emptyText = "Nothing sent yet"
        let svg = c.render()
        #expect(svg.contains(">Nothing sent yet</text>"))
        #expect(!svg.contains("<polyline"))
        #expect(!svg.contains("<circle"))
        #expect(Self.texts(svg, cls: "ytick") == ["0", "1"])
        #expect(c.description == "Trend: Nothing sent yet.")
        #expect(Self.wellFormed(svg))
    }

    @Test("one point is drawn in the middle; the text alternative names totals and peaks")
    func singlePointAndDescription() {
        let c = Self.chart(labels: ["10 Mar"], [("Sent", [42]), ("Clicked", [7])])
        let svg = c.render()
        #expect(svg.contains("<circle cx=\"380\""))
        #expect(c.description == "Trend, 10 Mar to 10 Mar. Sent: 42 in total (peak 42 on 10 Mar); Clicked: 7 in total (peak 7 on 10 Mar).")
        #expect(svg.contains("role=\"img\""))
        #expect(svg.contains("aria-labelledby=\"t-title t-desc\""))
        #expect(svg.contains("<title>10 Mar · Sent: 42</title>"))
        #expect(Self.wellFormed(svg))
    }

    @Test("only presentation attributes: no style attribute or element a strict CSP would block")
    func noInlineStyle() {
        let svg = Self.chart(labels: ["a", "b"], [("Sent", [1, 2])]).render()
        #expect(!svg.contains("style="))
        #expect(!svg.contains("<style"))
        #expect(!BarSVG.bar(percent: 42).contains("style"))
    }

    @Test("bars clamp to 0…100 and round to a tenth", arguments: [(42.04, "42.0"), (150.0, "100.0"), (-3.0, "0.0"), (Double.nan, "0.0"), (33.36, "33.4")])
    func bars(percent: Double, width: String) {
        #expect(BarSVG.bar(percent: percent).contains("class=\"fill\" x=\"0\" y=\"0\" width=\"\(width)\""))
        #expect(!BarSVG.bar(percent: 50, hatched: true).contains("class=\"fill\""))
    }

    static func wellFormed(_ svg: String) -> Bool {
        let parser = XMLParser(data: Data(svg.utf8))
        return parser.parse()
    }
}
