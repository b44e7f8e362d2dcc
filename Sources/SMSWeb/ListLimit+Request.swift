import Hummingbird
import SMSCore

extension ListLimit {
    /// The request's `?limit=` by the one list rule (``InputLimits/listLimit``, default 100).
    /// - Throws: `HTTPError(.badRequest)` naming `limit` and its range (`limit must be an integer
    ///   from 1 to 1000 (got '-5')`).
    static func httpParse(_ request: Request) throws -> Int {
        do {
            return try parse(try QueryParameter.single("limit", in: request))
        } catch let error as InputRangeError {
            throw HTTPError(.badRequest, message: error.message)
        }
    }
}
