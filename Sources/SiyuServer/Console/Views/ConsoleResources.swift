import Foundation
import Mustache

/// The console's templates, string tables and static files, loaded once when the application is built.
public struct ConsoleResources: Sendable {
    public let templates: MustacheLibrary
    /// The names of the loaded templates (file names without `.mustache`).
    public let templateNames: [String]
    /// The raw text of every template, for checks (which `{{t.…}}` keys they use).
    public let templateTexts: [String: String]
    public let strings: [ConsoleLocale: StringTable]
    public let assets: StaticAssets

    /// The templates every console page needs; loading fails without them.
    static let requiredTemplates = ["layout", "login", "error", "board"]

    /// Loads from `directory` (holding `templates/`, `strings/` and `static/`), failing with a clear
    /// message when any part is missing or malformed.
    public init(directory: String) throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: directory + "/templates", isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConsoleResourceError("the console templates are missing: no folder \(directory)/templates")
        }
        var library = MustacheLibrary()
        var texts: [String: String] = [:]
        for name in try files.contentsOfDirectory(atPath: directory + "/templates").sorted() where name.hasSuffix(".mustache") {
            let path = directory + "/templates/" + name
            guard let data = files.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConsoleResourceError("cannot read the console template \(path)")
            }
            let key = String(name.dropLast(".mustache".count))
            do {
                try library.register(text, named: key)
            } catch {
                throw ConsoleResourceError("the console template \(path) does not parse: \(error)")
            }
            texts[key] = text
        }
        for name in Self.requiredTemplates where texts[name] == nil {
            throw ConsoleResourceError("the console template \(directory)/templates/\(name).mustache is missing")
        }
        var strings: [ConsoleLocale: StringTable] = [:]
        for locale in ConsoleLocale.allCases {
            // `strings/<locale>.json` holds the shared strings; each page may add its own sections in
            // `strings/<locale>/<page>.json` (top-level keys may not repeat across files).
            var paths = [directory + "/strings/" + locale.rawValue + ".json"]
            let pageFolder = directory + "/strings/" + locale.rawValue
            if let names = try? files.contentsOfDirectory(atPath: pageFolder) {
                paths += names.filter { $0.hasSuffix(".json") }.sorted().map { pageFolder + "/" + $0 }
            }
            var texts: [(file: String, text: String)] = []
            for path in paths {
                guard let data = files.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw ConsoleResourceError("the console string table \(path) is missing or unreadable")
                }
                texts.append((String(path.dropFirst(directory.count + "/strings/".count)), text))
            }
            strings[locale] = try StringTable(locale: locale, files: texts)
        }
        self.templates = library
        self.templateNames = texts.keys.sorted()
        self.templateTexts = texts
        self.strings = strings
        self.assets = try StaticAssets(directory: directory + "/static")
    }

    /// The resources built into the server (`Sources/SiyuServer/Resources`), or those in the folder
    /// named by `SIYU_CONSOLE_RESOURCES` (to edit templates without rebuilding).
    public static func bundled() throws -> ConsoleResources {
        if let override = ProcessInfo.processInfo.environment["SIYU_CONSOLE_RESOURCES"], !override.isEmpty {
            return try ConsoleResources(directory: override)
        }
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw ConsoleResourceError("the console resources are missing from the server's bundle (\(Bundle.module.bundlePath))")
        }
        return try ConsoleResources(directory: url.path)
    }

    /// The string table of a locale (every locale has one: loading fails otherwise).
    public func strings(_ locale: ConsoleLocale) -> StringTable {
        strings[locale] ?? strings[.fallback] ?? StringTable.empty(locale)
    }
}

extension StringTable {
    /// A table without strings (keys show themselves); only reached if loading was bypassed.
    static func empty(_ locale: ConsoleLocale) -> StringTable {
        StringTable(locale: locale, tree: TextTree(children: [:]), flat: [:])
    }
}
