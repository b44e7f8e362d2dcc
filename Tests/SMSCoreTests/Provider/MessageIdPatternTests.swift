import SMSCore
import Testing

/// `messageIdPattern`: a regular expression with exactly one capture group over a text answer.
@Suite("Message id pattern")
struct MessageIdPatternTests {
    static let jasminPattern = #"Success "([^"]+)""#

    /// The exact answer of Jasmin 0.11's `/send` (jasmin/protocols/http/endpoints/send.py:
    /// `'Success "%s"' % msgid`), as the Jasmin integration test receives it.
    @Test("golden: Jasmin's answer gives its message id")
    func jasmin() throws {
        let pattern = try MessageIdPattern(Self.jasminPattern)
        #expect(pattern.ids(in: #"Success "1b4a7f9e-3c1d-4e5f-9a0b-2c3d4e5f6a7b""#, count: 1) == ["1b4a7f9e-3c1d-4e5f-9a0b-2c3d4e5f6a7b"])
        // Jasmin's refusals are no success: no id, the message is still recorded as sent by status.
        #expect(pattern.ids(in: #"Error "Cannot charge submit_sm, check RouterPB log file for details""#, count: 1) == [nil])
    }

    /// Kannel's `sendsms` answers `0: Accepted for delivery` (HTTP 202) and no id: its DLRs are
    /// matched by the `meta` of the dlr-url, so a pattern for an id finds nothing.
    @Test("golden: Kannel's answer carries no id")
    func kannel() throws {
        #expect(try MessageIdPattern(Self.jasminPattern).ids(in: "0: Accepted for delivery", count: 1) == [nil])
        #expect(try MessageIdPattern(#"^(\d+): Accepted"#).ids(in: "0: Accepted for delivery", count: 1) == ["0"])
    }

    @Test("the i-th match is the i-th message of a batch; missing matches and groups are nil")
    func positions() throws {
        let pattern = try MessageIdPattern(#"id=(\w+)"#)
        #expect(pattern.ids(in: "id=a1 id=b2", count: 3) == ["a1", "b2", nil])
        #expect(pattern.ids(in: "id=a1 id=b2 id=c3", count: 1) == ["a1"])
        #expect(pattern.ids(in: "", count: 2) == [nil, nil])
        #expect(pattern.ids(in: "id=x", count: 0) == [])
        #expect(try MessageIdPattern("(a)?b").ids(in: "b", count: 1) == [nil])
        // Non-ASCII text around the id: ranges are taken in the text's own characters.
        #expect(try MessageIdPattern(#"→ ([0-9]+) ✓"#).ids(in: "é → 42 ✓", count: 1) == ["42"])
    }

    @Test("refused: no capture group, two groups, not a regular expression, empty, too long")
    func refused() {
        #expect(throws: MessageIdPatternError.captureGroups(0)) { try MessageIdPattern("Success") }
        #expect(throws: MessageIdPatternError.captureGroups(0)) { try MessageIdPattern("(?:a)b") }
        #expect(throws: MessageIdPatternError.captureGroups(2)) { try MessageIdPattern("(a)(b)") }
        #expect(throws: MessageIdPatternError.tooLong(0)) { try MessageIdPattern("") }
        #expect(throws: MessageIdPatternError.tooLong(501)) { try MessageIdPattern("(" + String(repeating: "a", count: 499) + ")") }
        #expect(throws: (any Error).self) { try MessageIdPattern("Success (\"") }
        #expect(((try? MessageIdPattern("(?<id>[0-9]+)")) != nil))
        #expect(MessageIdPatternError.captureGroups(2).description
            == #"messageIdPattern must have exactly one capture group, the id, e.g. Success "([^"]+)" (got 2)"#)
    }
}
