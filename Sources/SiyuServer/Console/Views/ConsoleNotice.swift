/// A message shown at the top of a console page after an action (a save, a refit); errors are
/// shown as such. Pages pass it with their ``ConsoleView``; templates read `notice` and `noticeIsError`.
struct ConsoleNotice {
    var text: String
    var isError: Bool

    /// For the screens not yet converted: the notice, if any, in a page's dictionary.
    static func add(_ notice: ConsoleNotice?, to data: inout [String: Any]) {
        guard let notice else { return }
        data["notice"] = notice.text
        data["noticeIsError"] = notice.isError
    }
}
