import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// The login limit holds against guesses sent in parallel and against a rotated `X-Forwarded-For`.
@Suite struct LoginThrottleTests {
    /// 40 wrong passwords for one address at once: before, all 40 were hashed and checked (the wait
    /// was read before bcrypt and the failure written after it). Now each attempt is reserved first:
    /// 5 are checked, 35 are told to wait.
    @Test func parallelGuessesGetFiveChecks() async throws {
        try await ServerHarness.run { _, harness in
            try await ConsoleFixtures.user(harness, "ops@acme.cn", .operator)
            let authenticator = ConsoleAuthenticator(
                store: harness.store,
                hasher: PasswordHasher(cost: 4),
                throttle: LoginThrottle(),
                clock: { serverNow }
            )
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        switch try await authenticator.login(email: "ops@acme.cn", password: "guess \(i)", client: "10.0.0.\(i)") {
                        case .success: return "success"
                        case .failure: return "failure"
                        case .throttled: return "throttled"
                        }
                    }
                }
                var counts: [String: Int] = [:]
                for try await outcome in group { counts[outcome, default: 0] += 1 }
                return counts
            }
            #expect(outcomes == ["failure": 5, "throttled": 35])
        }
    }

    @Test func reservedAttemptsCountUntilSettled() async {
        let throttle = LoginThrottle()
        let t0: Int64 = 1_000_000
        // Five attempts in flight fill the allowance; a sixth waits the base delay.
        for i in 0..<5 { #expect(await throttle.begin(email: "a@b.cn", client: "c\(i)", now: t0) == nil) }
        #expect(await throttle.begin(email: "a@b.cn", client: "c9", now: t0) == 15_000)
        // Four succeed-less failures and one success: the address is cleared by the success.
        for i in 0..<4 { await throttle.end(email: "a@b.cn", client: "c\(i)", succeeded: false, now: t0) }
        await throttle.end(email: "a@b.cn", client: "c4", succeeded: true, now: t0)
        #expect(await throttle.begin(email: "a@b.cn", client: "c9", now: t0) == nil)
        await throttle.end(email: "a@b.cn", client: "c9", succeeded: false, now: t0)
        // Once throttled, one attempt at a time after the delay.
        for _ in 0..<5 { await throttle.recordFailure(email: "x@b.cn", client: "k", now: t0) }
        #expect(await throttle.begin(email: "x@b.cn", client: "k", now: t0 + 14_999) == 1)
        #expect(await throttle.begin(email: "x@b.cn", client: "k", now: t0 + 15_000) == nil)
        #expect(await throttle.begin(email: "x@b.cn", client: "k", now: t0 + 15_000) == 15_000)
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let none = TrustedProxies()
        // A client on this machine (or a proxy nobody declared) cannot choose its address.
        #expect(none.client(peer: "127.0.0.1", forwardedFor: "1.2.3.4") == "127.0.0.1")
        #expect(none.client(peer: "203.0.113.9", forwardedFor: "1.2.3.4") == "203.0.113.9")
        #expect(none.client(peer: nil, forwardedFor: "1.2.3.4") == "unknown")
        let proxies = try TrustedProxies.parse("127.0.0.1, 10.0.0.0/8,fd00::/8")
        // The nearest hop that is not a trusted proxy: what a client prepends is not believed.
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: "9.9.9.9, 1.2.3.4") == "1.2.3.4")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: "5.6.7.8, 10.1.2.3") == "5.6.7.8")
        #expect(proxies.client(peer: "fd12::1", forwardedFor: "2001:db8::7") == "2001:db8::7")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: "not-an-address") == "127.0.0.1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: nil) == "127.0.0.1")
        #expect(proxies.client(peer: "11.0.0.1", forwardedFor: "1.2.3.4") == "11.0.0.1")
        #expect(proxies.contains("10.255.255.255") && !proxies.contains("11.0.0.0") && !proxies.contains("fe00::1"))
        for bad in ["10.0.0.0/33", "abc", "10.0.0", "::1/129", "1.2.3.4/-1"] {
            #expect(throws: TrustedProxies.InvalidProxy.self, "\(bad)") { try TrustedProxies.parse(bad) }
        }
    }

    /// Over a real socket from 127.0.0.1: rotating `X-Forwarded-For` does not reset the limit
    /// unless 127.0.0.1 is a declared proxy, and then the forwarded client is what is limited.
    @Test func rotatingForwardedForDoesNotDodgeTheLimit() async throws {
        try await ServerHarness.run(mode: .live) { client, _ async throws in
            for i in 0..<5 {
                var browser = ConsoleBrowser(headers: [.xForwardedFor: "198.51.100.\(i)"])
                #expect(try await browser.login(client, email: "nobody\(i)@acme.cn", password: "guess").status == .unauthorized)
            }
            var sixth = ConsoleBrowser(headers: [.xForwardedFor: "198.51.100.77"])
            #expect(try await sixth.login(client, email: "nobody9@acme.cn", password: "guess").status == .tooManyRequests)
        }
        try await ServerHarness.run(trustedProxies: try TrustedProxies.parse("127.0.0.1"), mode: .live) { client, _ async throws in
            for i in 0..<5 {
                var browser = ConsoleBrowser(headers: [.xForwardedFor: "198.51.100.1"])
                #expect(try await browser.login(client, email: "nobody\(i)@acme.cn", password: "guess").status == .unauthorized)
            }
            var same = ConsoleBrowser(headers: [.xForwardedFor: "198.51.100.1"])
            #expect(try await same.login(client, email: "nobody9@acme.cn", password: "guess").status == .tooManyRequests)
            var other = ConsoleBrowser(headers: [.xForwardedFor: "198.51.100.2"])
            #expect(try await other.login(client, email: "nobody9@acme.cn", password: "guess").status == .unauthorized)
        }
    }
}
