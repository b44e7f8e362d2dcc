/// One SMS as a simulated phone received it: destination, final text (links rewritten), and the
/// `ref` (our meta) the provider request carried.
public struct SimulatedSMS: Sendable, Equatable {
    public var to: String
    public var text: String
    public var ref: String
    public init(to: String, text: String, ref: String) {
        self.to = to
        self.text = text
        self.ref = ref
    }
}

extension ProviderSimulator {
    /// Every message accepted so far (one per ref), in arrival order: the simulated phones' inbox.
    public func inbox() -> [SimulatedSMS] { inboxMessages }
}
