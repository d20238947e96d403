import Foundation
import SiyuCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `siyu` executable run as a child process, as an operator runs it.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let dataDirectory: String
    private let output: Pipe

    /// The built `siyu` binary next to the test bundle (`swift build` builds it with the tests).
    static var binary: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("siyu"),
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent(".build/debug/siyu"),
            ]
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw ProcessError("the siyu binary was not found next to the tests; run `swift build` first")
            }
            return found
        }
    }

    /// Runs `siyu ARGS` to completion and returns its standard output.
    static func run(_ arguments: [String]) throws -> String {
        let (status, output) = try runWithStatus(arguments)
        guard status == 0 else { throw ProcessError("siyu \(arguments.joined(separator: " ")) exited with \(status)") }
        return output
    }

    /// Runs `siyu ARGS` to completion and returns its exit status and standard output.
    static func runWithStatus(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts `siyu serve` on a free port and waits until it listens.
    init(dataDirectory: String, extraArguments: [String] = []) throws {
        self.dataDirectory = dataDirectory
        process = Process()
        process.executableURL = try Self.binary
        process.arguments = ["serve", "--data-dir", dataDirectory, "--port", "0", "--log-level", "error"] + extraArguments
        output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil, Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                found = Int(seen[range].split(separator: ":").last ?? "")
            }
        }
        guard let found else {
            process.terminate()
            throw ProcessError("siyu serve did not report its address; output: \(seen)")
        }
        port = found
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status once the server has shut down gracefully.
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

struct ProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A minimal HTTP client for tests against a real socket.
enum HTTP {
    static func post(_ url: String, body: Data, writeKey: String) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Basic " + Data((writeKey + ":").utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 30
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

/// A new empty directory under the temporary folder.
func temporaryDirectory(_ prefix: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
