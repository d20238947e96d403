import Foundation

/// Runs Python (SIYU_TEST_PYTHON) on a script in Tests/Clients; nil when there is no Python.
public enum TestPython {
    public static var executable: String? { ProcessInfo.processInfo.environment["SIYU_TEST_PYTHON"] }

    /// Whether the tests that need Python run: when it is configured, or when it is required (they then fail).
    public static var isEnabled: Bool { executable != nil || ProcessInfo.processInfo.environment["SIYU_TEST_REQUIRE_SDKS"] == "1" }

    public static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Clients/\(name)").path
    }

    /// Runs `script` with `arguments` to completion; its exit status.
    public static func run(_ name: String, _ arguments: [String]) throws -> Int32 {
        guard let python = executable else { throw TestSupportError("SIYU_TEST_PYTHON is not set") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script(name)] + arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
