import Configuration
import Foundation
import SiyuCore

/// Where Siyu's settings come from, first match wins: the command line, then `SIYU_*` environment
/// variables, then a JSON file (`--config FILE` or `SIYU_CONFIG`), then the defaults.
///
/// Keys are camelCase (`dataDir`, `databaseUrl`, `port`, …): the environment variable of `dataDir`
/// is `SIYU_DATA_DIR`, and the file is one flat JSON object `{"dataDir": "/var/lib/siyu",
/// "port": 8080}`. Values are read as text and checked here, so a bad one is a clear error naming
/// where it came from, never silently replaced by the default.
public struct SiyuConfiguration: Sendable {
    /// Every key Siyu reads; a file naming another is refused.
    public static let keys: Set<String> = [
        "dataDir", "databaseUrl", "host", "port", "rateLimit", "logLevel", "passwordCost", "trustedProxies", "idleTimeout",
        "analyticsDir",
    ]

    private let reader: ConfigReader
    private let sources: [String: String]

    /// `arguments`: the options given on the command line, by key; `environment`: the process's
    /// environment; `file`: the configuration file's path, if any (else `SIYU_CONFIG`'s).
    public init(
        arguments: [String: String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String? = nil
    )
        throws
    {
        let siyuEnvironment = environment.filter { $0.key.hasPrefix("SIYU_") }
        var fileValues: [AbsoluteConfigKey: ConfigValue] = [:]
        var fileKeys: Set<String> = []
        let path = file ?? siyuEnvironment["SIYU_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let path {
            for (key, value) in try Self.readFile(path) {
                fileValues[Self.key(key)] = ConfigValue(.string(value), isSecret: key == "databaseUrl")
                fileKeys.insert(key)
            }
        }
        let commandLine = Dictionary(
            uniqueKeysWithValues: arguments.map { key, value in (Self.key(key), ConfigValue(.string(value), isSecret: key == "databaseUrl")) }
        )
        reader = ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: commandLine),
            EnvironmentVariablesProvider(environmentVariables: siyuEnvironment, secretsSpecifier: .specific(["SIYU_DATABASE_URL"])),
            InMemoryProvider(name: "file", values: fileValues),
        ])
        var sources: [String: String] = [:]
        for key in Self.keys {
            if arguments[key] != nil {
                sources[key] = "the command line"
            } else if siyuEnvironment[Self.environmentName(key)] != nil {
                sources[key] = Self.environmentName(key)
            } else if fileKeys.contains(key), let path {
                sources[key] = path
            }
        }
        self.sources = sources
    }

    /// The key's text, from the first source that has it.
    public func string(_ key: String) -> String? {
        reader.string(forKey: ConfigKey(["siyu", key]))
    }

    /// The key as a whole number in `range`; a value that is not one is an error naming its source.
    public func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw CommandFailure("\(key) `\(text)` from \(source(key)) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The key as a number in `range`.
    public func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let text = string(key) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, range.contains(value) else {
            throw CommandFailure("\(key) `\(text)` from \(source(key)) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// Where the key's value came from, for error messages.
    public func source(_ key: String) -> String { sources[key] ?? "the defaults" }

    /// `SIYU_` and the key in upper case with `_` between words: `dataDir` → `SIYU_DATA_DIR`.
    public static func environmentName(_ key: String) -> String {
        var name = "SIYU_"
        for character in key {
            if character.isUppercase { name += "_" }
            name += character.uppercased()
        }
        return name
    }

    static func key(_ name: String) -> AbsoluteConfigKey { AbsoluteConfigKey(["siyu", name]) }

    /// The file's keys and values as text: one flat JSON object of strings, numbers and booleans
    /// (`trustedProxies` may also be a list of strings), at most 64 KB, only the known keys.
    static func readFile(_ path: String) throws -> [String: String] {
        let text = try readTextFile(path, maximumBytes: 65_536)
        let object: JSONValue
        do {
            object = try JSONParser.parse(text)
        } catch {
            throw CommandFailure("\(path) is not JSON: \(error)")
        }
        guard case .object(let fields) = object else { throw CommandFailure("\(path) must hold one JSON object of settings") }
        var values: [String: String] = [:]
        for (key, value) in fields {
            guard keys.contains(key) else {
                throw CommandFailure("\(path): unknown setting `\(key)`; the settings are \(keys.sorted().joined(separator: ", "))")
            }
            switch value {
            case .string(let text): values[key] = text
            case .bool(let flag): values[key] = flag ? "true" : "false"
            case .int(let number): values[key] = String(number)
            case .double(let number): values[key] = String(number)
            case .array(let items) where key == "trustedProxies":
                let texts = items.compactMap(\.stringValue)
                guard texts.count == items.count else { throw CommandFailure("\(path): trustedProxies must be a list of addresses") }
                values[key] = texts.joined(separator: ",")
            default:
                throw CommandFailure("\(path): `\(key)` must be text or a number")
            }
        }
        return values
    }
}
