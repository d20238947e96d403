import Foundation
import Testing

@testable import SiyuTools

/// Settings come from the command line, then `SIYU_*` variables, then the JSON file, then the
/// defaults; a bad value is an error naming where it came from, never quietly the default.
@Suite struct ConfigurationTests {
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-config-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theCommandLineBeatsTheEnvironmentWhichBeatsTheFile() throws {
        let path = try file(#"{"port": 9000, "host": "0.0.0.0", "dataDir": "/srv/siyu", "trustedProxies": ["10.0.0.1", "10.0.0.0/8"]}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try SiyuConfiguration(
            arguments: ["port": "8081"],
            environment: ["SIYU_HOST": "127.0.0.2", "SIYU_IDLE_TIMEOUT": "45", "HOST": "ignored"],
            file: path
        )
        #expect(try configuration.int("port", in: 0...65_535) == 8081)
        #expect(configuration.source("port") == "the command line")
        #expect(configuration.string("host") == "127.0.0.2")
        #expect(configuration.source("host") == "SIYU_HOST")
        #expect(try configuration.int("idleTimeout", in: 1...3_600) == 45)
        #expect(configuration.string("dataDir") == "/srv/siyu")
        #expect(configuration.source("dataDir") == path)
        #expect(configuration.string("trustedProxies") == "10.0.0.1,10.0.0.0/8")
        #expect(configuration.string("databaseUrl") == nil)
        #expect(configuration.source("databaseUrl") == "the defaults")
    }

    @Test func theFileComesFromSIYU_CONFIGToo() throws {
        let path = try file(#"{"logLevel": "debug"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try SiyuConfiguration(arguments: [:], environment: ["SIYU_CONFIG": path])
        #expect(configuration.string("logLevel") == "debug")
    }

    @Test func environmentNamesFollowTheKeys() {
        #expect(SiyuConfiguration.environmentName("dataDir") == "SIYU_DATA_DIR")
        #expect(SiyuConfiguration.environmentName("databaseUrl") == "SIYU_DATABASE_URL")
        #expect(SiyuConfiguration.environmentName("trustedProxies") == "SIYU_TRUSTED_PROXIES")
        #expect(SiyuConfiguration.environmentName("port") == "SIYU_PORT")
    }

    @Test func badValuesAreErrorsNamingTheirSource() throws {
        let environment = try SiyuConfiguration(arguments: [:], environment: ["SIYU_PORT": "80a", "SIYU_RATE_LIMIT": "fast"])
        #expect(throws: CommandFailure.self) { try environment.int("port", in: 0...65_535) }
        do {
            _ = try environment.double("rateLimit", in: 0...1_000_000)
            Issue.record("a rate limit of `fast` was accepted")
        } catch let failure as CommandFailure {
            #expect(failure.description == "rateLimit `fast` from SIYU_RATE_LIMIT must be a number from 0.0 to 1000000.0")
        }
        let range = try SiyuConfiguration(arguments: ["port": "70000"], environment: [:])
        #expect(throws: CommandFailure.self) { try range.int("port", in: 0...65_535) }

        let unknown = try file(#"{"prot": 8080}"#)
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        #expect(throws: CommandFailure.self) { try SiyuConfiguration(arguments: [:], environment: [:], file: unknown) }
        let notObject = try file(#"[1, 2]"#)
        defer { try? FileManager.default.removeItem(atPath: notObject) }
        #expect(throws: CommandFailure.self) { try SiyuConfiguration(arguments: [:], environment: [:], file: notObject) }
        #expect(throws: CommandFailure.self) { try SiyuConfiguration(arguments: [:], environment: [:], file: "/nonexistent/siyu.json") }
        // A file over 64 KB (here 70,000 bytes of valid JSON) is refused by its size, before it is read.
        let large = try file(#"{"port": 8080, "logLevel": ""# + String(repeating: " ", count: 69_970) + #"info"}"#)
        defer { try? FileManager.default.removeItem(atPath: large) }
        do {
            _ = try SiyuConfiguration(arguments: [:], environment: [:], file: large)
            Issue.record("a 70,000-byte file was read")
        } catch let failure as CommandFailure {
            #expect(failure.description.contains("larger than 64 KB"))
        }
    }
}
