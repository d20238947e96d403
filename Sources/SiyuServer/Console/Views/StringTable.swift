import Foundation
import Mustache
import SiyuCore

/// The console's words in one language, read from `Resources/strings/<locale>.json` and the
/// pages' `Resources/strings/<locale>/<page>.json` (nested keys).
///
/// Templates read them as `{{t.board.title}}`; Swift code reads them with ``text(_:_:)``.
/// `{name}` in a string is a placeholder that ``text(_:_:)`` fills.
public struct StringTable: Sendable {
    public let locale: ConsoleLocale
    /// The nested strings, as templates see them under `t`.
    public let tree: TextTree
    /// Every string by its dotted key (`board.title`).
    public let flat: [String: String]

    init(locale: ConsoleLocale, tree: TextTree, flat: [String: String]) {
        self.locale = locale
        self.tree = tree
        self.flat = flat
    }

    /// Reads a table from JSON text: nested objects whose leaves are strings.
    public init(locale: ConsoleLocale, json: String) throws {
        try self.init(locale: locale, files: [(locale.rawValue + ".json", json)])
    }

    /// Reads a table from several JSON files (the shared one and one per page), merged at the top
    /// level; a top-level key defined by two files is an error.
    public init(locale: ConsoleLocale, files: [(file: String, text: String)]) throws {
        var merged: JSONObject = [:]
        var owner: [String: String] = [:]
        for (file, text) in files {
            let value: JSONValue
            do {
                value = try JSONParser.parse(text)
            } catch {
                throw ConsoleResourceError("strings/\(file) is not valid JSON: \(error)")
            }
            guard case .object(let object) = value else { throw ConsoleResourceError("strings/\(file) must hold a JSON object") }
            for (key, section) in object {
                if let first = owner[key] {
                    throw ConsoleResourceError("strings/\(file): the section `\(key)` is already defined in strings/\(first)")
                }
                owner[key] = file
                merged[key] = section
            }
        }
        var flat: [String: String] = [:]
        self.locale = locale
        self.tree = try Self.tree(merged, prefix: "", file: locale.rawValue, flat: &flat)
        self.flat = flat
    }

    private static func tree(_ object: JSONObject, prefix: String, file: String, flat: inout [String: String]) throws -> TextTree {
        var children: [String: TextTree.Entry] = [:]
        for (key, value) in object {
            let path = prefix + key
            switch value {
            case .string(let text):
                children[key] = .text(text)
                flat[path] = text
            case .object(let nested):
                children[key] = .tree(try tree(nested, prefix: path + ".", file: file, flat: &flat))
            default:
                throw ConsoleResourceError("strings/\(file).json: `\(path)` must be a string or an object of strings")
            }
        }
        return TextTree(children: children)
    }

    /// The string under `key` with `{placeholders}` filled; a missing key shows itself, so that the
    /// gap is visible (the string-table tests keep it from happening).
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        var text = flat[key] ?? key
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{" + name + "}", with: value) }
        return text
    }
}

/// Nested strings that Mustache walks by dotted names (`t.board.title`).
public struct TextTree: Sendable, MustacheParent {
    public indirect enum Entry: Sendable {
        case text(String)
        case tree(TextTree)
    }

    public let children: [String: Entry]

    public func child(named name: String) -> Any? {
        switch children[name] {
        case .text(let text): return text
        case .tree(let tree): return tree
        case nil: return nil
        }
    }
}

/// A console resource (template, string table, static file) is missing or malformed.
public struct ConsoleResourceError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
