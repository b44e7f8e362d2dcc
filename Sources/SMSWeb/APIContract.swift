import Foundation

/// What `openapi.json` (the API contract) says each admin operation takes, read once at start: the
/// query parameters it names and the media types of its request body. The server enforces exactly
/// this (``AdminRequestContractMiddleware``), so the contract and the server cannot drift apart:
/// a query parameter the contract does not list is a 400, a body type it does not list a 415.
struct APIContract: Sendable {
    /// One operation (`GET /api/v1/campaigns`).
    struct Operation: Sendable, Equatable {
        /// The method in capitals (`GET`).
        var method: String
        /// The path template as in the contract (`/api/v1/campaigns/{id}`).
        var template: String
        /// The query parameters it names, in the contract's order.
        var queryNames: [String]
        /// Name prefixes of open-ended query parameters (`x-query-prefixes`: `property.` for
        /// `property.<name>=<value>` filters).
        var queryPrefixes: [String]
        /// The media types its request body may have (`application/json`), `nil` when it takes none.
        var bodyTypes: [String]?

        /// Whether the query parameter `name` is one it takes.
        func takes(query name: String) -> Bool {
            queryNames.contains(name) || queryPrefixes.contains { name.hasPrefix($0) }
        }

        /// What it takes, for a 400: `archived, include, limit`, `property.<name>`, or `none`.
        var allowedQueryText: String {
            let all = queryNames.sorted() + queryPrefixes.map { $0 + "<name>" }
            return all.isEmpty ? "none" : all.joined(separator: ", ")
        }
    }

    private var operations: [(segments: [Substring], operation: Operation)] = []

    /// Reads the contract's `paths` whose template starts with `prefix`.
    /// - Throws: `DecodingError` when the document is not the JSON object of an OpenAPI document.
    init(openAPI data: Data, prefix: String = "/api/") throws {
        guard let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let paths = doc["paths"] as? [String: Any]
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "openapi.json has no paths object"))
        }
        for (template, item) in paths where template.hasPrefix(prefix) {
            guard let item = item as? [String: Any] else { continue }
            let shared = item["parameters"] as? [[String: Any]] ?? []
            for (method, op) in item where method != "parameters" {
                guard let op = op as? [String: Any] else { continue }
                let parameters = shared + (op["parameters"] as? [[String: Any]] ?? [])
                let names = parameters.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String }
                let body = (op["requestBody"] as? [String: Any])?["content"] as? [String: Any]
                let operation = Operation(
                    method: method.uppercased(), template: template, queryNames: names,
                    queryPrefixes: op["x-query-prefixes"] as? [String] ?? [], bodyTypes: body.map { $0.keys.sorted() })
                operations.append((RouteMethods.segments(template), operation))
            }
        }
    }

    /// The operation `method` `path` is, by the most literal template that matches (as
    /// ``RouteMethods/methods(forPath:)`` chooses: `/api/v1/profiles/import` before
    /// `/api/v1/profiles/{userId}`); `nil` when the contract has none.
    func operation(method: String, path: String) -> Operation? {
        let parts = RouteMethods.segments(path)
        var found: Operation?
        var fewest = Int.max
        for (segments, operation) in operations where operation.method == method && RouteMethods.matches(segments, parts) {
            let parameters = segments.filter { $0.hasPrefix("{") }.count
            if parameters < fewest {
                fewest = parameters
                found = operation
            }
        }
        return found
    }

    /// Every operation, for tests that hold the router and the contract side by side.
    var all: [Operation] { operations.map(\.operation) }
}
