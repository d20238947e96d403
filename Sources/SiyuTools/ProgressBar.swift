import Foundation

/// A progress bar on standard error: redrawn in place on a terminal, a line every 10% otherwise
/// (so that logs of CI and scripts stay readable).
public final class ProgressBar {
    private let title: String
    private let total: Int
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastDrawn = -1
    private let start = Date()

    public init(_ title: String, total: Int) {
        self.title = title
        self.total = max(total, 1)
    }

    /// Shows `done` of the total, with an optional note such as "day 12/90".
    public func update(_ done: Int, note: String = "") {
        let fraction = min(1, Double(done) / Double(total))
        let percent = Int(fraction * 100)
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = "\r\(title) \(bar) \(String(format: "%3d", percent))%  \(note)  \(elapsed)"
            FileHandle.standardError.write(Data(line.utf8))
        } else if percent / 10 != lastDrawn / 10 || lastDrawn < 0 {
            FileHandle.standardError.write(Data("\(title) \(percent)% \(note)\n".utf8))
        }
        lastDrawn = percent
    }

    /// Draws 100% and ends the line.
    public func finish(note: String = "") {
        update(total, note: note)
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private var elapsed: String {
        let seconds = Int(Date().timeIntervalSince(start))
        return String(format: "%d:%02d", seconds / 60, seconds % 60)
    }
}
