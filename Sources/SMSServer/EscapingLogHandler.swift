import Logging

/// The log handler of every `smsstats` command: writes through another handler (standard error)
/// with each control character of the message and of the metadata values escaped, so that text
/// from outside (a callback's `meta`, a user agent, a provider's answer) can never start a line of
/// its own, move the terminal's cursor or put a NUL in the log file (log injection,
/// docs/PITFALLS.md #26).
///
/// Escaped: C0 controls U+0000–U+001F (`\n`, `\r`, `\t` by name, others as `\u{1B}`), DEL U+007F,
/// C1 controls U+0080–U+009F, and the line and paragraph separators U+2028 / U+2029. Everything
/// else, a backslash included, is kept as it is.
public struct EscapingLogHandler: LogHandler {
    /// The handler that writes the escaped event.
    public var inner: any LogHandler

    /// - Parameter inner: the handler that writes (e.g. `StreamLogHandler.standardError(label:)`).
    public init(wrapping inner: any LogHandler) { self.inner = inner }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.escaped) }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.escaped) }
    }

    public func log(event: LogEvent) {
        var escaped = event
        escaped.message = Logger.Message(stringLiteral: Self.escaped(event.message.description))
        escaped.metadata = event.metadata?.mapValues(Self.escaped)
        inner.log(event: escaped)
    }

    /// `value` with every string in it escaped (``escaped(_:)-swift.type.method``); a
    /// `stringConvertible` becomes the escaped string of its description.
    public static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): return .string(escaped(s))
        case .stringConvertible(let c): return .string(escaped(c.description))
        case .array(let a): return .array(a.map(escaped))
        case .dictionary(let d): return .dictionary(d.mapValues(escaped))
        }
    }

    /// `text` with its control characters escaped (see the type's documentation); a text without
    /// any is returned as it is.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029
    }
}
