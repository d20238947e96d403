import Foundation

/// Prints to standard error (progress and messages that are not the command's output).
public func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A command-line failure with a message for the user and exit code 1.
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The UTF-8 text of a file, or a failure naming what is wrong with it.
public func readTextFile(_ path: String, maximumBytes: Int? = nil) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure("no such file: \(path)") }
    // Checked before reading: a configuration path pointed at a huge file must not be read into memory.
    if let maximumBytes, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumBytes {
        throw CommandFailure("\(path) is larger than \(maximumBytes / 1024) KB")
    }
    guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
    guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("\(path) is not UTF-8 text") }
    return text
}
