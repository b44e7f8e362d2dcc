import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// One item of the generic callback contract (`docs/DOMAIN.md` §3).
struct ReceiptItem: Sendable, Equatable, Encodable {
    var event: String
    var meta: String
    var ts: Int64
    var code: String?
    var description: String?

    enum CodingKeys: String, CodingKey { case meta, ts, code, description }
}

/// A receipt item with what it is and what must follow it once it has been acknowledged.
struct ReceiptEntry: Sendable {
    enum Kind: Sendable { case original, duplicate, outOfOrder }
    var item: ReceiptItem
    var kind: Kind
    /// Queued only after this entry was acknowledged, so they travel in a later request.
    var followUps: [ReceiptEntry]
}

/// A receipt waiting for its delay.
struct ScheduledReceipt: Sendable {
    var due: ContinuousClock.Instant
    var entry: ReceiptEntry
}

/// One group of a callback request.
struct ReceiptGroup: Encodable {
    var event: String
    var data: [ReceiptItem]
}

extension ProviderSimulator {
    /// Posts due receipts every `flushInterval` until cancelled.
    func flushLoop() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: config.flushInterval)
            } catch {
                return
            }
            await flushOnce()
        }
    }

    /// Moves due receipts to the queue and posts up to `maxItemsPerCallback` of them as one request.
    func flushOnce() async {
        let now = ContinuousClock.now
        if !scheduled.isEmpty {
            var remaining: [ScheduledReceipt] = []
            for receipt in scheduled {
                if receipt.due <= now { queue.append(receipt.entry) } else { remaining.append(receipt) }
            }
            scheduled = remaining
        }
        guard !queue.isEmpty, inFlight.isEmpty, let url = callbackURL, now >= nextPostAllowed else { return }
        let count = min(queue.count, max(1, config.maxItemsPerCallback))
        inFlight = Array(queue.prefix(count))
        queue.removeFirst(count)
        let body = Self.callbackBody(inFlight.map(\.item))

        let acknowledged = await post(body, to: url)
        let batch = inFlight
        inFlight = []
        if acknowledged {
            consecutivePostFailures = 0
            tally.callbackRequests += 1
            tally.callbackItems += batch.count
            for entry in batch {
                switch entry.kind {
                case .original: break
                case .duplicate: tally.duplicatesPosted += 1
                case .outOfOrder: tally.outOfOrderPosted += 1
                }
                queue.append(contentsOf: entry.followUps)
            }
        } else {
            consecutivePostFailures += 1
            queue.insert(contentsOf: batch, at: 0)
            let exponent = min(consecutivePostFailures - 1, 6)
            let backoff = min(Duration.milliseconds(100 * (1 << exponent)), .seconds(5))
            nextPostAllowed = ContinuousClock.now + backoff
        }
    }

    /// Posts one callback request. Returns whether it is acknowledged (2xx, or 4xx which retrying
    /// cannot fix); 5xx and transport errors return `false`.
    func post(_ body: Data, to url: String) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await httpClient.execute(
                request,
                timeout: .nanoseconds(Self.nanoseconds(config.callbackTimeout)),
                logger: logger
            )
            let answer = try? await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            switch status {
            case 200..<300:
                return true
            case 400..<500:
                logger.warning(
                    "callback receiver refused a callback request",
                    metadata: [
                        "status": "\(status)",
                        "answer": "\(answer.map { String(buffer: $0) } ?? "")",
                    ]
                )
                return true
            default:
                logger.debug("callback receiver failed, will retry", metadata: ["status": "\(status)"])
                return false
            }
        } catch {
            logger.debug("callback post failed, will retry", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The request body: items grouped by event in order of first appearance.
    static func callbackBody(_ items: [ReceiptItem]) -> Data {
        var groups: [ReceiptGroup] = []
        for item in items {
            if let index = groups.firstIndex(where: { $0.event == item.event }) {
                groups[index].data.append(item)
            } else {
                groups.append(ReceiptGroup(event: item.event, data: [item]))
            }
        }
        return (try? encoder.encode(groups)) ?? Data("[]".utf8)
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}
