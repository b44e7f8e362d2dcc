import Foundation
import Testing

@testable import SMSDemo

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx on loopback in front of the cluster's nodes, configured with the shipped
/// template `deploy/nginx/smsstats.conf` (its `listen` and `server 127.0.0.1:…` lines pointed at the
/// test's ports). `scripts/setup/nginx.sh` installs nginx and exports `SMSSTATS_TEST_NGINX`.
final class NginxProxy: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let dir: URL

    /// `SMSSTATS_TEST_NGINX`, else `/usr/sbin/nginx` when it exists; `nil` when neither.
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["SMSSTATS_TEST_NGINX"], !path.isEmpty { return path }
        return FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") ? "/usr/sbin/nginx" : nil
    }

    /// The shipped site configuration.
    static var template: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/nginx/smsstats.conf")
    }

    /// The template with `listen` on `127.0.0.1:port` and one `server` line per node port (the
    /// template's parameters kept).
    static func siteConfig(listen port: Int, nodes: [Int]) throws -> String {
        let text = try String(contentsOf: template, encoding: .utf8)
        var out: [String] = []
        var serverLines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let r = line.range(of: #"^\s*server 127\.0\.0\.1:\d+"#, options: .regularExpression) {
                serverLines.append(String(line[r.upperBound...]))
                if serverLines.count == 1 { out.append("__SERVERS__") }
                continue
            }
            if line.trimmingCharacters(in: .whitespaces) == "listen 80;" {
                out.append("    listen 127.0.0.1:\(port);")
                continue
            }
            out.append(line)
        }
        let suffix = serverLines.first ?? ";"
        let servers = nodes.map { "    server 127.0.0.1:\($0)\(suffix)" }.joined(separator: "\n")
        return out.joined(separator: "\n").replacingOccurrences(of: "__SERVERS__", with: servers)
    }

    /// Starts nginx (master and one worker, in the foreground) and waits until it answers.
    /// Cancels the current test (skipped) when nginx is not installed.
    init(nodes: [Int], dir: URL) async throws {
        guard let bin = Self.binary else {
            try Test.cancel("nginx cluster test skipped: nginx is not installed (scripts/setup/nginx.sh installs Debian's nginx)")
        }
        guard let port = FreePort.find() else { throw CrashTestError("no free port") }
        self.port = port
        self.dir = dir.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: self.dir, withIntermediateDirectories: true)
        let p = self.dir.path
        try Self.siteConfig(listen: port, nodes: nodes).write(to: self.dir.appendingPathComponent("smsstats.conf"), atomically: true, encoding: .utf8)
        let user = getuid() == 0 ? "user root root;\n" : ""
        let main = """
            \(user)worker_processes 1;
            daemon off;
            pid \(p)/nginx.pid;
            error_log \(p)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log \(p)/access.log;
                client_body_temp_path \(p)/body;
                proxy_temp_path \(p)/proxy;
                fastcgi_temp_path \(p)/fastcgi;
                uwsgi_temp_path \(p)/uwsgi;
                scgi_temp_path \(p)/scgi;
                include \(p)/smsstats.conf;
            }

            """
        try main.write(to: self.dir.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        process = try ChildProcess(
            URL(fileURLWithPath: bin), ["-p", p, "-c", "\(p)/nginx.conf", "-e", "\(p)/error.log"],
            log: self.dir.appendingPathComponent("stdout.log"))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if try await ClusterRun.status("http://127.0.0.1:\(port)/health") == 200 { return }
            guard process.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CrashTestError("nginx did not start: \(errorLog)")
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var errorLog: String { (try? String(contentsOf: dir.appendingPathComponent("error.log"), encoding: .utf8)) ?? "" }

    /// The status nginx answered each request with (`access.log`, combined format).
    var accessStatuses: [Int] {
        let text = (try? String(contentsOf: dir.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
        let regex = try! NSRegularExpression(pattern: #"HTTP/[0-9.]+" ([0-9]{3}) "#)
        return text.split(separator: "\n").compactMap { sub in
            let line = String(sub)
            guard let m = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                let r = Range(m.range(at: 1), in: line)
            else { return nil }
            return Int(line[r])
        }
    }

    func stop() {
        process.kill(SIGQUIT)
    }
}

