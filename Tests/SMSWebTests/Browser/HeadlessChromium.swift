import Foundation
import SMSTestSupport

/// Drives Debian's headless Chromium from tests: `--dump-dom` (the DOM after scripts ran) and
/// `--screenshot`. Found on `PATH` as `chromium` (or `$CHROMIUM`); tests that need it are
/// enabled only when ``path`` is set (`scripts/setup/chromium.sh` installs it).
struct HeadlessChromium {
    static let path: String? = {
        let env = ProcessInfo.processInfo.environment
        if let p = env["CHROMIUM"], FileManager.default.isExecutableFile(atPath: p) { return p }
        for dir in (env["PATH"] ?? "/usr/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let p = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let binary: String
    /// A fresh profile directory per run, so runs never share cookies.
    let profile: URL

    init() throws {
        guard let p = Self.path else { throw Failure(description: "chromium not found") }
        binary = p
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: profile) }

    var commonArguments: [String] {
        [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-extensions", "--mute-audio", "--hide-scrollbars", "--no-default-browser-check",
            "--user-data-dir=\(profile.path)", "--lang=en-US",
        ]
    }

    /// The DOM of `url` after its scripts ran for `virtualTimeMs` of virtual time.
    func dumpDOM(_ url: String, virtualTimeMs: Int = 2_000, windowSize: String = "1280,2000") async throws -> String {
        let out = try await run(commonArguments + ["--window-size=\(windowSize)", "--virtual-time-budget=\(virtualTimeMs)", "--dump-dom", url])
        guard out.contains("<html") else { throw Failure(description: "chromium printed no DOM for \(url): \(out.prefix(500))") }
        return out
    }

    /// Saves a PNG screenshot of `url` to `file`.
    func screenshot(_ url: String, to file: URL, windowSize: String = "1280,2000") async throws {
        try? FileManager.default.removeItem(at: file)
        _ = try await run(commonArguments + ["--window-size=\(windowSize)", "--virtual-time-budget=1500", "--screenshot=\(file.path)", url])
        guard FileManager.default.fileExists(atPath: file.path) else { throw Failure(description: "no screenshot written for \(url)") }
    }

    /// Runs Chromium off the Swift concurrency pool (the server under test runs on it), returns its
    /// standard output; kills it after `timeout` seconds.
    func run(_ arguments: [String], timeout: TimeInterval = 90) async throws -> String {
        let stdout = try SpawnedProcess.pipe()
        let process: SpawnedProcess
        do {
            process = try SpawnedProcess(executable: binary, arguments: arguments, standardOutput: stdout.write)
        } catch {
            close(stdout.read)
            close(stdout.write)
            throw error
        }
        close(stdout.write)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { process.terminate() }
        let data: Data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                // Read while it runs: a large DOM would fill the pipe and block Chromium.
                let data = FileHandle(fileDescriptor: stdout.read, closeOnDealloc: true).readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: data)
            }
        }
        if case .signal = process.waitUntilExit() {
            throw Failure(description: "chromium was stopped after \(Int(timeout)) s or crashed: \(arguments.last ?? "")")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
