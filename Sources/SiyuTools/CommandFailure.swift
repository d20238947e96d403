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
    let data: Data
    if let maximumBytes {
        // At most one byte past the limit is read, whatever the file is (a FIFO reports no size, a
        // file can grow): a configuration path pointed at something huge is never read into memory.
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure("cannot read \(path)") }
        defer { try? handle.close() }
        guard let read = try? handle.read(upToCount: maximumBytes + 1) ?? Data() else { throw CommandFailure("cannot read \(path)") }
        guard read.count <= maximumBytes else { throw CommandFailure("\(path) is larger than \(maximumBytes / 1024) KB") }
        data = read
    } else {
        guard let read = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        data = read
    }
    guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("\(path) is not UTF-8 text") }
    return text
}
