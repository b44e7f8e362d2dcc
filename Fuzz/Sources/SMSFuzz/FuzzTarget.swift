import Foundation

/// The libFuzzer entry point of every fuzz target; `SMSSTATS_FUZZ_TARGET` chooses the target
/// (one binary, one corpus directory per target under `Fuzz/Corpus/<target>/`).
///
/// Each target checks properties of the code under test, not only that it returns: a violated
/// property prints what was expected and aborts, which libFuzzer reports as a crash and saves the
/// input as `crash-<sha1>`.
enum FuzzTarget: String, CaseIterable {
    /// A callback body read by every JSON dialect (generic, Sinch, Gupshup, Vonage).
    case callbackJSON = "callback-json"
    /// Form/query fields (`k=v&k2=v2`, percent-encoded) read by every field dialect (Twilio, Plivo,
    /// Jasmin, Kannel, Vonage).
    case callbackFields = "callback-fields"
    /// A body read by the strict JSON reader, JSONSerialization and the events route's JSONDecoder.
    case json
    /// A profile CSV upload.
    case csv
    /// A message body compiled and rendered by the Mustache engine, and profile fields rendered.
    case template

    func run(_ bytes: [UInt8]) {
        switch self {
        case .callbackJSON: CallbackFuzz.json(bytes)
        case .callbackFields: CallbackFuzz.fields(bytes)
        case .json: JSONFuzz.run(bytes)
        case .csv: CSVFuzz.run(bytes)
        case .template: TemplateFuzz.run(bytes)
        }
    }

    /// The target named by `SMSSTATS_FUZZ_TARGET`; exits with the list of names when unset or unknown.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["SMSSTATS_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("set SMSSTATS_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// libFuzzer's callback: one input, 0 when it was looked at. Exported under libFuzzer's name too,
/// for its own `main` (which the linker may pull in with `-sanitize=fuzzer`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.selected.run(bytes)
    return 0
}

/// libFuzzer's driver (`-sanitize=fuzzer` links it): the executable's `main` hands it the command
/// line and the callback, since SwiftPM gives an executable its own `main` rather than libFuzzer's.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Aborts with `message` when `condition` is false (libFuzzer then keeps the input).
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

/// Prints a violated property and aborts.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("property violated (\(FuzzTarget.selected.rawValue)): \(message)\n".utf8))
    abort()
}
