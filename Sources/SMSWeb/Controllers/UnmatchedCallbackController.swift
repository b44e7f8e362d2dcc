import Foundation
import Hummingbird
import SMSCore

/// `GET /api/v1/callbacks/unmatched?limit=N`: callback items whose meta (or provider message id)
/// still matches no message 24 hours after they arrived (`docs/DOMAIN.md` §3: kept aside, re-matched
/// when the message appears and periodically for 24 h, then listed for an operator). Oldest first;
/// `limit` 1…1000, default 100, anything else 400 (``ListLimit``, the rule of every list).
struct UnmatchedCallbackController {
    let store: any SMSStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("callbacks/unmatched") { request, _ in
            let limit = try ListLimit.httpParse(request)
            let cutoff = Int64(Date().timeIntervalSince1970) - UnmatchedCallback.retryWindowSeconds
            return try JSON.response(try await store.unmatchedCallbacks(receivedBefore: cutoff, limit: limit))
        }
    }
}
