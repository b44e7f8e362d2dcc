import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// Issue 18: how the Delivery tab writes the API's numbers (``DeliveryTabModel``).
@Suite("Delivery tab model")
struct DeliveryTabModelTests {
    @Test("histogram buckets as ranges in the largest whole unit", arguments: [
        (LatencyHistogram.Bucket(upToSeconds: 0, widthSeconds: 1, count: 1), "≤ 0 s"),
        (LatencyHistogram.Bucket(upToSeconds: 7, widthSeconds: 1, count: 1), "7 s"),
        (LatencyHistogram.Bucket(upToSeconds: 75, widthSeconds: 15, count: 1), "60–75 s"),
        (LatencyHistogram.Bucket(upToSeconds: 240, widthSeconds: 60, count: 1), "3–4 min"),
        (LatencyHistogram.Bucket(upToSeconds: 5_400, widthSeconds: 1_800, count: 1), "60–90 min"),
        (LatencyHistogram.Bucket(upToSeconds: 172_800, widthSeconds: 86_400, count: 1), "1–2 days"),
        (LatencyHistogram.Bucket(upToSeconds: nil, widthSeconds: nil, count: 1), "over 7 days"),
    ])
    func bucketLabels(bucket: LatencyHistogram.Bucket, label: String) {
        #expect(DeliveryTabModel.bucketLabel(bucket) == label)
    }

    @Test("percentiles and money as the API has them")
    func formats() {
        #expect(DeliveryTabModel.seconds(12) == "≤ 12 s" && DeliveryTabModel.seconds(420) == "≤ 7 min")
        #expect(DeliveryTabModel.seconds(7_200) == "≤ 2 h" && DeliveryTabModel.seconds(604_800) == "≤ 7 days" && DeliveryTabModel.seconds(nil) == "–")
        #expect(DeliveryTabModel.money(0.76, "EUR") == "0.76 EUR" && DeliveryTabModel.money(0.095, "EUR") == "0.095 EUR")
        #expect(DeliveryTabModel.money(1_234.5, "USD") == "1,234.50 USD" && DeliveryTabModel.money(-0.000001, "EUR") == "-0.000001 EUR")
    }

    /// Every bucket of ``LatencyHistogram/bounds`` gets a label that names its upper bound.
    @Test("every bucket of the histogram has a label")
    func allBuckets() {
        let bounds = LatencyHistogram.bounds
        for (i, up) in bounds.enumerated() {
            let width = i == 0 ? 1 : up - bounds[i - 1]
            let label = DeliveryTabModel.bucketLabel(.init(upToSeconds: up, widthSeconds: width, count: 1))
            #expect(!label.isEmpty && !label.contains("–0"), "\(up): \(label)")
        }
    }
}
