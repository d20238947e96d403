import Testing

@testable import SiyuCore

/// Walking people through journeys: each case's path is read off the journey drawn in its comment.
@Suite struct JourneyWalkerTests {
    static let now: Int64 = 1_715_904_000_000  // 2024-05-17T00:00:00Z
    static let day: Int64 = 86_400_000

    /// welcome (message) → wait1 (1 day) → vip? (tag vip) ─yes→ vipGift (add tag) → done (exit)
    ///                                                     └no→ ab (50/50) → a (message) → done | b → done
    static let journey = Journey(
        id: 3,
        version: 1,
        entry: .event(EventMatcher("Order Completed"), key: .property("order_id")),
        start: "welcome",
        nodes: [
            JourneyNode("welcome", .action(.message(JourneyMessage(templateId: 1)), next: "wait1")),
            JourneyNode("wait1", .delay(.fixed(millis: day), next: "vip")),
            JourneyNode("vip", .condition(.tag("vip"), yes: "vipGift", no: "ab")),
            JourneyNode("vipGift", .action(.addTag("gifted"), next: "done")),
            JourneyNode("ab", .randomSplit([.init(weight: 1, next: "a"), .init(weight: 1, next: "done")])),
            JourneyNode("a", .action(.message(JourneyMessage(templateId: 2)), next: "done")),
            JourneyNode("done", .exit),
        ]
    )

    func person(_ id: Int64, tags: Set<String> = []) -> JourneyWalker.Person {
        JourneyWalker.Person(id: id, traits: [:], workspaceCalendar: .shanghai) { rule in
            if case .tag(let tag) = rule { return tags.contains(tag) }
            return false
        }
    }

    @Test func theDefinitionIsSound() {
        #expect(Self.journey.problems().isEmpty)
    }

    @Test func aWalkRunsActionsUntilADelayHoldsThePerson() {
        let walker = JourneyWalker(Self.journey)
        let entered = walker.walk(from: .init(node: "welcome", waiting: false), person: person(1), now: Self.now)
        #expect(entered.actions.map(\.node) == ["welcome"])
        #expect(entered.actions.first?.action == .message(JourneyMessage(templateId: 1)))
        #expect(entered.end == .waitUntil(node: "wait1", until: Self.now + Self.day))
        #expect(entered.steps == [.init("welcome", .passed), .init("wait1", .waiting)])
        // A day later a VIP goes through the gift and out.
        let vip = walker.walk(from: .init(node: "wait1", waiting: true), person: person(1, tags: ["vip"]), now: Self.now + Self.day)
        #expect(vip.actions.map(\.action) == [.addTag("gifted")])
        #expect(vip.end == .exited(node: "done"))
        #expect(vip.steps.map(\.node) == ["wait1", "vip", "vipGift", "done"])
    }

    @Test func aRandomSplitSendsEachPersonTheSameWayEveryTime() {
        let walker = JourneyWalker(Self.journey)
        for id in Int64(1)...40 {
            let expected = JourneyBucket.branch([.init(weight: 1, next: "a"), .init(weight: 1, next: "done")], journey: 3, node: "ab", person: id)?
                .next
            let walk = walker.walk(from: .init(node: "vip", waiting: false), person: person(id), now: Self.now)
            #expect(walk.steps.map(\.node) == (expected == "a" ? ["vip", "ab", "a", "done"] : ["vip", "ab", "done"]))
            #expect(walk == walker.walk(from: .init(node: "vip", waiting: false), person: person(id), now: Self.now + 99))
        }
    }

    @Test func waitsEndByTheEventOrTheTimeout() {
        let journey = Journey(
            id: 4,
            version: 1,
            entry: .segment(id: 1),
            start: "cart",
            nodes: [
                JourneyNode(
                    "cart",
                    .waitFor(.event(EventMatcher("Order Completed")), timeoutMillis: 30 * 60_000, next: "thanks", timeoutNext: "nudge")
                ),
                JourneyNode("thanks", .exit),
                JourneyNode("nudge", .action(.staffTask(title: "call", assignee: nil, dueMinutes: 60), next: nil)),
            ]
        )
        let walker = JourneyWalker(journey)
        let arrived = walker.walk(from: .init(node: "cart", waiting: false), person: person(9), now: Self.now)
        #expect(arrived.end == .waitFor(node: "cart", what: .event(EventMatcher("Order Completed")), until: Self.now + 30 * 60_000))
        let bought = walker.walk(from: .init(node: "cart", waiting: true), wake: .matched, person: person(9), now: Self.now + 60_000)
        #expect(bought.end == .exited(node: "thanks") && bought.actions.isEmpty)
        #expect(bought.steps.first == .init("cart", .passed))
        let timedOut = walker.walk(from: .init(node: "cart", waiting: true), wake: .due, person: person(9), now: Self.now + 30 * 60_000)
        #expect(timedOut.steps.first == .init("cart", .timedOut))
        #expect(timedOut.actions.map(\.node) == ["nudge"])
        // An action with nowhere to go leaves the journey after it.
        #expect(timedOut.end == .exited(node: "nudge"))
    }

    @Test func aRateLimitHoldsThoseOverTheLimit() {
        let journey = Journey(
            id: 5,
            version: 1,
            entry: .segment(id: 1),
            start: "gate",
            nodes: [JourneyNode("gate", .rateLimit(count: 2, periodMillis: 60_000, next: "out")), JourneyNode("out", .exit)]
        )
        let walker = JourneyWalker(journey)
        var through = 0
        var held: [JourneyWalker.End] = []
        // The gate as the scheduler runs it: two per minute, the rest wait for the next minute.
        for id in Int64(1)...3 {
            let walk = walker.walk(from: .init(node: "gate", waiting: false), person: person(id), now: Self.now + 5_000) { _, count, period in
                guard through < count else { return (Self.now / period + 1) * period }
                through += 1
                return nil
            }
            if case .waitUntil = walk.end { held.append(walk.end) }
        }
        #expect(through == 2)
        #expect(held == [.waitUntil(node: "gate", until: Self.now + 60_000)])
    }

    @Test func problemsNameTheFieldAtFault() {
        var broken = Self.journey
        broken.nodes["vip"] = JourneyNode("vip", .condition(.tag("vip"), yes: "nowhere", no: "ab"))
        broken.start = "missing"
        broken.holdout = 0.7
        let paths = broken.problems().map(\.path)
        #expect(paths.contains("start"))
        #expect(paths.contains("holdout"))
        #expect(paths.contains("nodes[vip]"))
        // A loop of nodes that never wait would never end a walk: refused.
        var loop = Self.journey
        loop.nodes["vipGift"] = JourneyNode("vipGift", .action(.addTag("gifted"), next: "vip"))
        #expect(loop.problems().contains { $0.message.contains("never waits") })
        // A loop through a delay is fine (a monthly reminder).
        var monthly = Self.journey
        monthly.nodes["vipGift"] = JourneyNode("vipGift", .action(.addTag("gifted"), next: "wait1"))
        #expect(monthly.problems().isEmpty)
        // Numbers out of range.
        var numbers = Self.journey
        numbers.nodes["wait1"] = JourneyNode("wait1", .delay(.fixed(millis: 400 * Self.day), next: "vip"))
        numbers.nodes["ab"] = JourneyNode("ab", .randomSplit([.init(weight: 0, next: "a"), .init(weight: 0, next: "done")]))
        #expect(Set(numbers.problems().map(\.path)) == ["nodes[wait1].delay", "nodes[ab].branches"])
    }
}
