import Crypto
import Foundation
import Hummingbird

/// The dashboard's static files (`Resources/static/`: the stylesheet and the small progressive
/// script), read once at start and served from memory at `/static/{name}` with an ETag. No CDN:
/// the page works on an offline network.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        var body: Data
        var contentType: String
        var etag: String
    }

    static let files: [(name: String, type: String)] = [
        ("dashboard.css", "text/css; charset=utf-8"),
        ("dashboard.js", "text/javascript; charset=utf-8"),
    ]

    let assets: [String: Asset]

    static func load() throws -> StaticAssets {
        var assets: [String: Asset] = [:]
        for file in files {
            let data = try Data(contentsOf: Resources.url("static/" + file.name))
            let hash = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
            assets[file.name] = Asset(body: data, contentType: file.type, etag: "\"\(hash)\"")
        }
        return StaticAssets(assets: assets)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("static/{name}") { request, context in
            let name = try context.parameters.require("name")
            guard let asset = assets[name] else { throw HTTPError(.notFound, message: "no static file '\(name)'") }
            if request.headers[.ifNoneMatch] == asset.etag {
                return Response(status: .notModified, headers: [.eTag: asset.etag])
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "public, max-age=300",
                    .xContentTypeOptions: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: asset.body)))
        }
    }
}
