import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SMSCore

/// `GET /l/{code}` (and HEAD): the click redirect (`docs/DOMAIN.md` §2, §6; PITFALLS.md #8–11).
///
/// 302 to the stored URL exactly as written in the campaign body (never a URL from the request,
/// so no open redirect); unknown or expired code → a friendly 404 page. Every hit is recorded with
/// its time, user agent and a salted SHA-256 of the IP; HEAD requests and crawler / preview user
/// agents are bot hits: stored, not clicks.
struct RedirectController {
    let store: any SMSStore
    let config: AppConfig
    /// The secret salt of ``ipHash(_:)`` (``IPHashSalt``): resolved by ``buildRouter``.
    let ipHashSalt: String
    let bots: BotDetector
    /// Group commit of concurrent hits (one store transaction per batch): the synchronous path,
    /// used without a journal and as its fallback.
    let recorder: ClickRecorder
    /// The write-behind click journal (``ClickJournal``): a hit is journaled, then answered; `nil`
    /// = every hit waits for its commit.
    let journal: ClickJournal?
    /// Code → target for journaled redirects (set with `journal`).
    let targets: LinkTargetCache?
    let logger: Logger
    /// ``BotDetector``'s verdicts, remembered per user agent.
    let verdicts: BotVerdictCache
    /// Hits by kind, journal fallbacks.
    let metrics: AppMetrics

    init(
        store: any SMSStore, config: AppConfig, ipHashSalt: String, bots: BotDetector, journal: ClickJournal? = nil,
        logger: Logger, metrics: AppMetrics = .shared
    ) {
        self.store = store
        self.config = config
        self.ipHashSalt = ipHashSalt
        self.bots = bots
        self.recorder = ClickRecorder(store: store)
        self.journal = journal
        self.targets = journal.map { LinkTargetCache(store: $0.store) }
        self.logger = logger
        self.verdicts = BotVerdictCache(detector: bots)
        self.metrics = metrics
    }

    /// Every path under `/l/` lands here, so a malformed one (extra segments, encoded slashes,
    /// a URL in place of the code) gets the same friendly 404 as an unknown code.
    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("l/**") { request, context in try await handle(request, context) }
        router.head("l/**") { request, context in try await handle(request, context) }
    }

    /// The code of a request path: exactly `/l/{code}` with a well-formed code (as sent, before any
    /// percent-decoding), else `nil`.
    static func code(ofPath path: String) -> String? {
        guard path.hasPrefix("/l/") else { return nil }
        let code = String(path.dropFirst(3))
        return ShortCode.isWellFormed(code) ? code : nil
    }

    func handle(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let code = Self.code(ofPath: request.uri.path) else {
            metrics.redirect(.notFound)
            return Self.notFound("This link does not exist.")
        }
        let ua = request.headers[.userAgent]
        let reason = verdicts.botReason(method: request.method.rawValue, userAgent: ua)
        let click = ClickInput(
            code: code, at: Int64(Date().timeIntervalSince1970), userAgent: ua.map { StoredText.withoutNUL(String($0.prefix(512))) },
            ipHash: ipHash(context), isBot: reason != nil, botReason: reason,
            clickId: ClickJournalRecord.newClickId())
        let hit: AppMetrics.RedirectKind = reason == nil ? .human : .bot
        do {
            if let journal, let targets {
                // Journaled: answer from the link cache once the hit is in the journal.
                guard let link = try await targets.info(code: code) else {
                    metrics.redirect(.notFound)
                    return Self.notFound("This link does not exist.")
                }
                if click.at > link.expiresAt {
                    metrics.redirect(.expired)
                    return Self.notFound("This link has expired.")
                }
                if journal.append(click) {
                    metrics.redirect(hit)
                    return Self.found(link.url)
                }
                // Backlog over its limit, store failing, or the write failed: wait for the commit.
                metrics.journalFallbacks.increment()
            }
            guard let target = try await recorder.record(click) else {
                metrics.redirect(.notFound)
                return Self.notFound("This link does not exist.")
            }
            if target.expired {
                metrics.redirect(.expired)
                return Self.notFound("This link has expired.")
            }
            metrics.redirect(hit)
            return Self.found(target.url)
        } catch {
            logger.error("redirect: storage failure", metadata: ["error": "\(error)"])
            return Self.unavailable()
        }
    }

    static func found(_ url: String) -> Response {
        Response(status: .found, headers: [.location: url, .cacheControl: "no-store", referrerPolicy: "no-referrer"])
    }

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    /// 503 with `Retry-After: 5` when the hit cannot be recorded (the store fails): a person
    /// retries a link; the hit is not lost silently behind a 302.
    static func unavailable() -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>Try again</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}</style>
            </head><body><h1>Temporarily unavailable</h1><p>This link cannot be opened right now. Please try again in a few seconds.</p></body></html>
            """
        return Response(
            status: .serviceUnavailable,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .retryAfter: "5"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `hex(SHA-256(salt + "|" + ip))` of the peer address (64 lowercase hex characters), `nil`
    /// without one. Stable while the salt is (``IPHashSalt``: stored in the database).
    func ipHash(_ context: AppRequestContext) -> String? {
        guard let ip = context.remoteAddress?.ipAddress else { return nil }
        return Self.ipHash(ip: ip, salt: ipHashSalt)
    }

    /// `hex(SHA-256(salt + "|" + ip))`.
    static func ipHash(ip: String, salt: String) -> String {
        Hex.encode(SHA256.hash(data: Data((salt + "|" + ip).utf8)))
    }

    static func notFound(_ message: String) -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>Link not found</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}</style>
            </head><body><h1>Link not found</h1><p>\(message)</p><p>If you got this link in a text message, the offer may have ended.</p></body></html>
            """
        return Response(
            status: .notFound, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
