import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// Console login, sessions, CSRF and roles, through the router on every available store.
@Suite struct ConsoleAuthTests {
    @Test(arguments: TestStoreKind.available)
    func loginSucceedsOnlyWithTheRightPasswordAndSetsAStrictCookie(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await ConsoleFixtures.user(harness, "li.na@acme.cn", .owner, name: "李娜")
            var browser = ConsoleBrowser()
            // Not logged in: pages send the browser to the login form, remembering where it wanted to go.
            let board = try await browser.get(client, "/console")
            #expect(board.status == .seeOther)
            #expect(board.headers[.location] == "/console/login")
            let team = try await browser.get(client, "/console/team?x=1")
            #expect(team.headers[.location] == "/console/login?next=/console/team%3Fx%3D1")

            // A wrong password and an unknown address get the same answer (no user enumeration).
            let wrong = try await browser.login(client, email: "li.na@acme.cn", password: "wrong password")
            let unknown = try await browser.login(client, email: "nobody@acme.cn", password: "wrong password")
            for response in [wrong, unknown] {
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("邮箱或密码不正确"))  // zh-CN: no Accept-Language was sent
                #expect(response.setCookie("siyu_session") == nil)
            }

            // The right one: a session cookie, HttpOnly, SameSite=Lax, Path=/, 14 days = 1,209,600 s, not Secure over plain HTTP.
            let ok = try await browser.login(client, email: "LI.NA@acme.cn", password: ConsoleFixtures.password, next: "/console/team")
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location] == "/console/team")
            let cookie = try #require(ok.setCookie("siyu_session"))
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes == ["Max-Age=1209600", "Path=/", "HttpOnly", "SameSite=Lax"])
            // The token is 43 characters and only its SHA-256 is stored.
            let token = try #require(browser.cookies["siyu_session"])
            #expect(token.count == 43)
            let session = try #require(try await harness.store.session(tokenHash: Secrets.hashToken(token)))
            #expect(session.expiresAt == serverNow + 14 * 86_400_000)
            #expect(try await harness.store.session(tokenHash: token) == nil)

            let page = try await browser.get(client, "/console/team")
            #expect(page.status == .ok)
            #expect(page.text.contains("李娜"))
        }
    }

    @Test func theCookieIsSecureBehindATLSProxy() async throws {
        try await ServerHarness.run { client, harness in
            try await ConsoleFixtures.user(harness, "ops@acme.cn", .operator)
            var browser = ConsoleBrowser(headers: [.xForwardedProto: "https"])
            let ok = try await browser.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password)
            #expect(ok.setCookie("siyu_session")?.contains("; Secure") == true)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func sessionsSlideForFourteenQuietDaysThenExpire(_ kind: TestStoreKind) async throws {
        let clock = TestClock(serverNow)
        let day: Int64 = 86_400_000
        try await ServerHarness.run(store: kind, clock: clock.read) { client, harness in
            try await ConsoleFixtures.user(harness, "ops@acme.cn", .operator)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password)
            // Day 13: still in; being active slides the expiry to day 13 + 14 = 27 and re-sends the cookie.
            clock.advance(by: 13 * day)
            let day13 = try await browser.get(client, "/console/team")
            #expect(day13.status == .ok)
            #expect(day13.setCookie("siyu_session") != nil)
            // Day 26: 13 days after the last visit, still in (without sliding it would have ended on day 14).
            clock.advance(by: 13 * day)
            #expect(try await browser.get(client, "/console/team").status == .ok)
            // Day 41: 15 quiet days after day 26: expired, back to the login form, and the cookie is cleared.
            clock.advance(by: 15 * day)
            let expired = try await browser.get(client, "/console/team")
            #expect(expired.status == .seeOther)
            #expect(expired.headers[.location] == "/console/login?next=/console/team")
            #expect(browser.cookies["siyu_session"] == nil)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func logoutEndsTheSessionOnTheServer(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await ConsoleFixtures.user(harness, "ops@acme.cn", .operator)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password)
            let token = try #require(browser.cookies["siyu_session"])
            let csrf = try await browser.csrfToken(client)
            let out = try await browser.post(client, "/console/logout", form: [("_csrf", csrf)])
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/console/login")
            #expect(out.setCookie("siyu_session")?.contains("Max-Age=0") == true)
            #expect(try await harness.store.session(tokenHash: Secrets.hashToken(token)) == nil)
            // Replaying the old cookie does not work either.
            var replay = ConsoleBrowser(cookies: ["siyu_session": token])
            #expect(try await replay.get(client, "/console/team").status == .seeOther)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func postsWithoutTheSessionsCSRFTokenAreRefused(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await ConsoleFixtures.user(harness, "boss@acme.cn", .owner)
            var browser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await browser.login(client, email: "boss@acme.cn", password: ConsoleFixtures.password)
            let csrf = try await browser.csrfToken(client)
            let form = [("email", "new@acme.cn"), ("role", "viewer")]

            let missing = try await browser.post(client, "/console/team", form: form)
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("Form expired"))
            let forged = try await browser.post(client, "/console/team", form: form + [("_csrf", String(csrf.reversed()))])
            #expect(forged.status == .forbidden)
            let wrongHeader = try await browser.post(client, "/console/team", form: form, headers: [.xCSRFToken: "nope"])
            #expect(wrongHeader.status == .forbidden)
            #expect(try await harness.store.user(workspaceId: harness.workspace.id, email: "new@acme.cn") == nil)
            // Logging out also needs the token: a forged logout leaves the session alone.
            #expect(try await browser.post(client, "/console/logout", form: []).status == .forbidden)

            // With the token (as a form field, or as the header scripts use) the post goes through.
            let accepted = try await browser.post(client, "/console/team", form: form + [("_csrf", csrf)])
            #expect(accepted.status == .created)
            #expect(accepted.text.contains("Added new@acme.cn"))
            let viaHeader = try await browser.post(
                client,
                "/console/team",
                form: [("email", "second@acme.cn"), ("role", "analyst")],
                headers: [.xCSRFToken: csrf]
            )
            #expect(viaHeader.status == .created)
            #expect(try await harness.store.user(workspaceId: harness.workspace.id, email: "second@acme.cn")?.role == .analyst)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aViewerSeesNoEditControlsAndIsRefusedTheEdit(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await ConsoleFixtures.user(harness, "boss@acme.cn", .owner)
            try await ConsoleFixtures.user(harness, "look@acme.cn", .viewer)
            var owner = ConsoleBrowser()
            _ = try await owner.login(client, email: "boss@acme.cn", password: ConsoleFixtures.password)
            #expect(try await owner.get(client, "/console/team").text.contains("data-edit-control=\"add-user\""))

            var viewer = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await viewer.login(client, email: "look@acme.cn", password: ConsoleFixtures.password)
            let page = try await viewer.get(client, "/console/team")
            #expect(page.status == .ok)
            #expect(!page.text.contains("data-edit-control"))
            #expect(!page.text.contains("action=\"/console/team\""))
            let csrf = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
            let refused = try await viewer.post(client, "/console/team", form: [("_csrf", csrf), ("email", "x@acme.cn"), ("role", "viewer")])
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("Not allowed"))
            #expect(refused.text.contains("Your role: Viewer. Needed: Admin or above."))
            #expect(try await harness.store.user(workspaceId: harness.workspace.id, email: "x@acme.cn") == nil)
            // An admin cannot hand out the owner role.
            try await ConsoleFixtures.user(harness, "adm@acme.cn", .admin)
            var admin = ConsoleBrowser()
            _ = try await admin.login(client, email: "adm@acme.cn", password: ConsoleFixtures.password)
            let token = try await admin.csrfToken(client)
            #expect(
                try await admin.post(client, "/console/team", form: [("_csrf", token), ("email", "y@acme.cn"), ("role", "owner")]).status
                    == .badRequest
            )
        }
    }

    @Test func repeatedFailuresAreSlowedDown() async throws {
        let clock = TestClock(serverNow)
        try await ServerHarness.run(clock: clock.read) { client, harness in
            try await ConsoleFixtures.user(harness, "ops@acme.cn", .operator)
            var browser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            for _ in 0..<5 {
                #expect(try await browser.login(client, email: "ops@acme.cn", password: "guess").status == .unauthorized)
            }
            // The sixth try, even with the right password, waits the first delay: 15 s after the fifth failure.
            let refused = try await browser.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "15")
            #expect(refused.text.contains("wait 15 seconds"))
            clock.advance(by: 15_000)
            #expect(try await browser.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password).status == .seeOther)
        }
    }

    @Test func throttleDelaysDoubleAreCappedAndDecay() async {
        let throttle = LoginThrottle()
        let t0: Int64 = 1_000_000
        for i in 0..<4 { await throttle.recordFailure(email: "a@b.cn", client: "10.0.0.\(i)", now: t0) }
        #expect(await throttle.wait(email: "a@b.cn", client: "10.0.0.9", now: t0) == nil)  // 4 failures: no delay yet
        await throttle.recordFailure(email: "A@b.cn ", client: "10.0.0.9", now: t0)
        // 5th failure → 15 s; by e-mail (any client) but not for another address from a fresh client.
        #expect(await throttle.wait(email: "a@b.cn", client: "10.0.0.8", now: t0 + 1_000) == 14_000)
        #expect(await throttle.wait(email: "c@d.cn", client: "10.0.0.8", now: t0) == nil)
        // 6th → 30 s, 7th → 60 s; the 12th would be 15 s × 2⁷ = 1,920 s, capped at 900 s.
        await throttle.recordFailure(email: "a@b.cn", client: "x", now: t0)
        #expect(await throttle.wait(email: "a@b.cn", client: "y", now: t0) == 30_000)
        for _ in 0..<6 { await throttle.recordFailure(email: "a@b.cn", client: "x", now: t0) }
        #expect(await throttle.wait(email: "a@b.cn", client: "y", now: t0) == 900_000)
        // 30 quiet minutes forget it all.
        #expect(await throttle.wait(email: "a@b.cn", client: "x", now: t0 + 1_800_000) == nil)
    }

    @Test func onlyConsolePathsAreFollowedAfterLogin() {
        #expect(ConsoleRedirect.safe("/console/team?x=1") == "/console/team?x=1")
        for hostile in [
            "//evil.example/console", "https://evil.example", "/consolex", "/console\\@evil", "/console/\r\nSet-Cookie:", "javascript:alert(1)",
        ] {
            #expect(ConsoleRedirect.safe(hostile) == "/console", "\(hostile)")
        }
    }
}
