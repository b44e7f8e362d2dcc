import Foundation

/// One horizontal bar as a tiny inline SVG (a grey track and a filled part), for the conversion
/// funnel and the Split of Clicks. Decorative (`aria-hidden`): the number it shows is always
/// written as text beside it. Presentation attributes only, so a strict CSP does not block it.
enum BarSVG {
    /// - Parameters:
    ///   - percent: the filled share, 0–100 (clamped; NaN draws an empty bar).
    ///   - color: a CSS colour for the filled part.
    ///   - hatched: draw the bar as a hatched outline (a number that is not tracked).
    static func bar(percent: Double, color: String = "#0a5bd3", hatched: Bool = false) -> String {
        let p = percent.isFinite ? min(max(percent, 0), 100) : 0
        let w = (p * 10).rounded() / 10
        let e = LineChartSVG.escape
        var out = "<svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\">"
        out += "<rect x=\"0\" y=\"0\" width=\"100\" height=\"10\" fill=\"#eaeef2\"/>"
        if hatched {
            out += "<rect x=\"0.5\" y=\"0.5\" width=\"99\" height=\"9\" fill=\"none\" stroke=\"#8c959f\" stroke-dasharray=\"2 2\""
            out += " vector-effect=\"non-scaling-stroke\"/>"
        } else {
            out += "<rect class=\"fill\" x=\"0\" y=\"0\" width=\"\(w)\" height=\"10\" fill=\"\(e(color))\"/>"
        }
        return out + "</svg>"
    }
}
