/// A message shown at the top of a console page after an action (a save, a refit); errors are
/// shown as such. Templates read `notice` and `noticeIsError`.
struct ConsoleNotice {
    var text: String
    var isError: Bool

    /// Puts the notice, if any, into a page's template data.
    static func add(_ notice: ConsoleNotice?, to data: inout [String: Any]) {
        guard let notice else { return }
        data["notice"] = notice.text
        data["noticeIsError"] = notice.isError
    }
}
