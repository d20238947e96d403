import Foundation
import Testing

/// One message as the Python receiver (Tests/Clients/smtp_receiver.py) got it and Python's email package decoded it.
struct ReceivedMail: Decodable {
    var queue_id: String
    var mail_from: String
    var rcpt_tos: [String]
    var tls: Bool
    var authenticated: Bool
    var helo: String?
    var subject: String
    var from_name: String
    var from_address: String
    var to: [String]
    var cc: [String]
    var bcc_header: Bool
    var message_id: String?
    var date: String?
    var list_unsubscribe: String?
    var list_unsubscribe_post: String?
    var content_type: String
    var text: String?
    var html: String?
    var defects: [String]
    var raw: String
}

/// The aiosmtpd receiver run as a child process on a free port of 127.0.0.1.
final class SMTPReceiverProcess: @unchecked Sendable {
    /// The user name and password the receiver accepts.
    static let username = "siyu"
    static let password = "s3cret-pass"

    let process: Process
    let port: Int
    let directory: URL
    var logPath: String { directory.appendingPathComponent("mail.jsonl").path }
    /// The PEM of the CA that issued the receiver's certificate.
    var caPath: String { directory.appendingPathComponent("ca.pem").path }

    /// Starts the receiver and waits (at most 30 s) until it says which port it listens on.
    init(tls: String = "starttls", auth: String = "required", ehlo: Bool = true) throws {
        guard let python = TestPython.executable else { throw TestSetupError("SIYU_TEST_PYTHON is not set") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments =
            [
                TestPython.script("smtp_receiver.py"), "--log", directory.appendingPathComponent("mail.jsonl").path,
                "--ca-out", directory.appendingPathComponent("ca.pem").path, "--tls", tls, "--auth", auth,
            ] + (ehlo ? [] : ["--no-ehlo"])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while found == nil, Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }) { found = Int(line.dropFirst(6)) }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSetupError("the SMTP receiver did not start (is aiosmtpd installed?); output: \(seen)")
        }
        port = found
    }

    /// Starts a receiver on a thread of its own, so the wait for it does not hold one of the few threads the tests'
    /// tasks run on.
    static func start(tls: String, auth: String, ehlo: Bool) async throws -> SMTPReceiverProcess {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try SMTPReceiverProcess(tls: tls, auth: auth, ehlo: ehlo) })
            }
        }
    }

    /// The messages received so far.
    func messages() throws -> [ReceivedMail] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(ReceivedMail.self, from: Data($0)) }
    }

    /// Kills the receiver (SIGKILL: a child of the test process may inherit SIGTERM blocked) and removes its files.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
