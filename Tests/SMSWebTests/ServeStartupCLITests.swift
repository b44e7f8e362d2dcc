import Foundation
import SMSStoreTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `smsstats serve` refusing to start: the cause told in one line, exit status 1, no usage text
/// and no noise from the parts that were starting.
@Suite("smsstats serve: start-up failures")
struct ServeStartupCLITests {
    @Test("a port already in use is one clear line and exit status 1, not a bind() dump")
    func portInUse() throws {
        // Hold a listening socket on a free loopback port, then ask serve for that port.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        #expect(bound == 0)
        #expect(listen(fd, 1) == 0)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let dir = NSTemporaryDirectory() + "smsstats-port-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let run = try SMSStatsCLI.run(["serve", "--database", dir + "/db.sqlite", "--port", String(port)])
        #expect(run.status == 1)
        #expect(run.err.contains("Error: cannot listen on 127.0.0.1:\(port): the address is already in use (another smsstats serve? choose another --port)"))
        #expect(!run.err.contains("Usage:"))
        #expect(!run.err.contains("dispatch step failed"))
    }

    @Test("a SQLite path that cannot be opened is named in the error")
    func unopenableDatabaseNamed() throws {
        let run = try SMSStatsCLI.run(["serve", "--database", "/nonexistent/dir/db.sqlite", "--port", "0"])
        #expect(run.status != 0)
        #expect(run.err.contains("cannot open the SQLite database at /nonexistent/dir/db.sqlite: SQLite error 14: unable to open database file"))
    }

    @Test("--retain-raw-days 0 (or out of 1…36500) is refused naming the range; 1 and 36500 pass validation")
    func retainRawDaysRange() throws {
        for bad in ["0", "36501", "-1"] {
            let run = try SMSStatsCLI.run(["serve", "--database", "/nonexistent/dir/db.sqlite", "--port", "0", "--retain-raw-days=" + bad])
            #expect(run.status != 0)
            #expect(
                run.err.contains(
                    "--retain-raw-days must be from 1 to 36500 (days; leave it out to keep raw history, or run smsstats purge --older-than 0d once); got \(bad)"),
                "\(run.err)")
        }
        // In range: validation passes and start-up goes on to the database (which cannot open here).
        let ok = try SMSStatsCLI.run(["serve", "--database", "/nonexistent/dir/db.sqlite", "--port", "0", "--retain-raw-days", "1"])
        #expect(ok.err.contains("cannot open the SQLite database at /nonexistent/dir/db.sqlite"))
    }
}
