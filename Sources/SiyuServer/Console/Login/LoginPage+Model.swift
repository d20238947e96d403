/// What `login.mustache` shows.
extension LoginPage {
    struct Model {
        /// The login CSRF token, in the form and its cookie.
        var loginToken: String
        /// Where to go once logged in.
        var next: String
        /// The address as typed, kept after a failed try.
        var email: String
        /// Why the last try failed.
        var message: String?
    }
}
