/// A message shown at the top of a console page after an action (a save, a refit); errors are
/// shown as such. Pages pass it with their ``ConsoleView``; templates read `notice` and `noticeIsError`.
struct ConsoleNotice {
    var text: String
    var isError: Bool
}
