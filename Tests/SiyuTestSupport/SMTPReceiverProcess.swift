import Foundation

/// One message as the Python receiver (Tests/Clients/smtp_receiver.py) got it and Python's email package decoded it.
public struct ReceivedMail: Decodable, Sendable {
    public var queue_id: String
    public var mail_from: String
    public var rcpt_tos: [String]
    public var tls: Bool
    public var authenticated: Bool
    public var helo: String?
    public var subject: String
    public var from_name: String
    public var from_address: String
    public var to: [String]
    public var cc: [String]
    public var bcc_header: Bool
    public var message_id: String?
    public var date: String?
    public var list_unsubscribe: String?
    public var list_unsubscribe_post: String?
    public var content_type: String
    public var text: String?
    public var html: String?
    public var defects: [String]
    public var raw: String
}

/// The aiosmtpd receiver run as a child process on a free port of 127.0.0.1.
public final class SMTPReceiverProcess: @unchecked Sendable {
    /// The user name and password the receiver accepts.
    public static let username = "siyu"
    public static let password = "s3cret-pass"

    let process: Process
    public let port: Int
    public let directory: URL
    public var logPath: String { directory.appendingPathComponent("mail.jsonl").path }
    /// The PEM of the CA that issued the receiver's certificate.
    public var caPath: String { directory.appendingPathComponent("ca.pem").path }

    /// Starts the receiver and waits (at most 30 s) until it says which port it listens on.
    public init(tls: String = "starttls", auth: String = "required", ehlo: Bool = true) throws {
        guard let python = TestPython.executable else { throw TestSupportError("SIYU_TEST_PYTHON is not set") }
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
            throw TestSupportError("the SMTP receiver did not start (is aiosmtpd installed?); output: \(seen)")
        }
        port = found
    }

    /// Starts a receiver on a thread of its own, so the wait for it does not hold one of the few threads the tests'
    /// tasks run on.
    public static func start(tls: String, auth: String, ehlo: Bool) async throws -> SMTPReceiverProcess {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try SMTPReceiverProcess(tls: tls, auth: auth, ehlo: ehlo) })
            }
        }
    }

    /// The messages received so far.
    public func messages() throws -> [ReceivedMail] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(ReceivedMail.self, from: Data($0)) }
    }

    /// Kills the receiver (SIGKILL: a child of the test process may inherit SIGTERM blocked) and removes its files.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
