import Foundation
import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// Journeys: drafts, publishing, pause/resume/stop, their per-node counts and goal against the
/// holdout, a dry run for one person; and the outbox of what they send.
extension AdminAPI {
    func listJourneys(_ input: Operations.ListJourneys.Input) async throws -> Operations.ListJourneys.Output {
        let context = try queryContext()
        let list = try await journeys.journeys(workspaceId: context.workspace.id)
        return .ok(.init(body: .json(.init(journeys: try list.map { try Self.answer($0, context) }))))
    }

    func createJourney(_ input: Operations.CreateJourney.Input) async throws -> Operations.CreateJourney.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        try Self.checkSave(body.definition, context)
        let journey = try await journeys.createJourney(workspaceId: context.workspace.id, name: body.name, definition: try Self.text(body.definition))
        return .created(.init(body: .json(try Self.answer(journey, context))))
    }

    func getJourney(_ input: Operations.GetJourney.Input) async throws -> Operations.GetJourney.Output {
        let context = try queryContext()
        return .ok(.init(body: .json(try Self.answer(try await journey(input.path.id, context), context))))
    }

    func updateJourney(_ input: Operations.UpdateJourney.Input) async throws -> Operations.UpdateJourney.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        if let definition = body.definition { try Self.checkSave(definition, context) }
        let journey = try await journeys.updateJourney(
            id: input.path.id,
            workspaceId: context.workspace.id,
            name: body.name,
            definition: try body.definition.map(Self.text)
        )
        return .ok(.init(body: .json(try Self.answer(journey, context))))
    }

    /// Publishes the draft once it reads as a journey (the first problem is the 400).
    func publishJourney(_ input: Operations.PublishJourney.Input) async throws -> Operations.PublishJourney.Output {
        let context = try queryContext()
        let current = try await journey(input.path.id, context)
        _ = try JourneyReader(context: context).journey(try Self.definition(current.draft), id: current.id, version: current.version + 1)
        try await JourneyPublishing.startEventCursor(journeys: journeys, events: events, workspaceId: context.workspace.id)
        let published = try await journeys.publishJourney(id: current.id, workspaceId: context.workspace.id)
        return .ok(.init(body: .json(try Self.answer(published, context))))
    }

    func pauseJourney(_ input: Operations.PauseJourney.Input) async throws -> Operations.PauseJourney.Output {
        .ok(.init(body: .json(try await setStatus(input.path.id, .paused))))
    }

    func resumeJourney(_ input: Operations.ResumeJourney.Input) async throws -> Operations.ResumeJourney.Output {
        .ok(.init(body: .json(try await setStatus(input.path.id, .active))))
    }

    func stopJourney(_ input: Operations.StopJourney.Input) async throws -> Operations.StopJourney.Output {
        .ok(.init(body: .json(try await setStatus(input.path.id, .stopped))))
    }

    func getJourneyReport(_ input: Operations.GetJourneyReport.Input) async throws -> Operations.GetJourneyReport.Output {
        let context = try queryContext()
        let journey = try await journey(input.path.id, context)
        let counts = try await journeys.journeyNodeCounts(journeyId: journey.id, workspaceId: context.workspace.id)
        let goal = try await journeys.journeyGoalCounts(journeyId: journey.id, workspaceId: context.workspace.id)
        let interval = ProportionDifference(
            treated: (goal.treatedConverted, goal.treated),
            control: (goal.heldOutConverted, goal.heldOut)
        )
        return .ok(
            .init(
                body: .json(
                    .init(
                        counts: counts.map { count in
                            .init(version: count.version, node: count.node, outcome: .init(rawValue: count.outcome) ?? .passed, people: count.count)
                        },
                        goal: .init(
                            treated: goal.treated,
                            treatedConverted: goal.treatedConverted,
                            heldOut: goal.heldOut,
                            heldOutConverted: goal.heldOutConverted,
                            difference: interval?.difference,
                            lower: interval?.lower,
                            upper: interval?.upper
                        )
                    )
                )
            )
        )
    }

    /// Walks one person through the draft: delays pass as if their time had come, a wait-for ends
    /// by its timeout (what it waits for did not happen), a rate limit lets them through.
    func testJourney(_ input: Operations.TestJourney.Input) async throws -> Operations.TestJourney.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let record = try await journey(input.path.id, context)
        let journey = try JourneyReader(context: context).journey(try Self.definition(record.draft), id: record.id, version: record.version + 1)
        let dataset = try await cache.dataset(workspaceId: context.workspace.id)
        guard let person = dataset.personIndex(of: body.personId) else { throw APIError.notFound("no person \(body.personId) in this workspace") }
        let walker = JourneyWalker(journey)
        let facts = JourneyWalker.Person(id: body.personId, traits: dataset.traits[person], workspaceCalendar: context.calendar) { rule in
            PersonRuleEvaluator(rule, dataset: dataset, now: context.now).matches(person)
        }
        var steps: [JourneyWalker.Step] = []
        var actions: [JourneyWalker.Act] = []
        var position = JourneyWalker.Position(node: journey.start, waiting: false)
        // A journey that loops through a delay (a monthly reminder) would walk for ever: 200 nodes show enough.
        while steps.count < 200 {
            let walk = walker.walk(from: position, wake: .due, person: facts, now: context.now)
            steps += walk.steps
            actions += walk.actions
            switch walk.end {
            case .exited: position.node = ""
            case .waitUntil(let node, _), .waitFor(let node, _, _): position = .init(node: node, waiting: true)
            }
            if position.node.isEmpty { break }
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        heldOut: JourneyBucket.isHeldOut(journey: journey.id, person: body.personId, share: journey.holdout),
                        steps: steps.prefix(200).map { .init(node: $0.node, outcome: $0.outcome.rawValue) },
                        actions: actions.map { .init(node: $0.node, action: Self.answer($0.action)) }
                    )
                )
            )
        )
    }

    func listOutbox(_ input: Operations.ListOutbox.Input) async throws -> Operations.ListOutbox.Output {
        let workspace = try self.workspace
        let limit = input.query.limit ?? 100
        guard (1...1000).contains(limit) else { throw APIError.badRequest("limit must be 1 to 1000", field: "limit") }
        let status = input.query.status.flatMap { OutboxStatus(rawValue: $0.rawValue) }
        let rows = try await journeys.outboxMessages(workspaceId: workspace.id, status: status, limit: limit)
        return .ok(.init(body: .json(.init(messages: rows.map(Self.answer)))))
    }

    func retryOutbox(_ input: Operations.RetryOutbox.Input) async throws -> Operations.RetryOutbox.Output {
        let workspace = try self.workspace
        guard let row = try await journeys.retryOutbox(id: input.path.id, workspaceId: workspace.id, now: clock()) else {
            throw APIError.notFound("no failed message \(input.path.id) in this workspace")
        }
        return .ok(.init(body: .json(Self.answer(row))))
    }

    // MARK: - Helpers

    func journey(_ id: Int64, _ context: QueryContext) async throws -> JourneyRecord {
        guard let journey = try await journeys.journey(id: id, workspaceId: context.workspace.id) else {
            throw APIError.notFound("no journey \(id) in this workspace")
        }
        return journey
    }

    func setStatus(_ id: Int64, _ status: JourneyStatus) async throws -> Components.Schemas.Journey {
        let context = try queryContext()
        let journey = try await journeys.setJourneyStatus(id: id, workspaceId: context.workspace.id, status: status)
        return try Self.answer(journey, context)
    }

    /// Refuses a draft holding a value the contract does not allow (the first one, naming its field);
    /// an unfinished shape is saved, and listed under `problems`.
    static func checkSave(_ definition: Components.Schemas.JourneyDefinition, _ context: QueryContext) throws {
        if let refused = JourneyReader(context: context).read(definition, id: 0, version: 1).problems.first(where: \.refusesSave) {
            throw APIError.badRequest(refused.message, field: refused.field)
        }
    }

    /// A definition as stored: the contract's JSON, keys in order.
    static func text(_ definition: Components.Schemas.JourneyDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(definition), as: UTF8.self)
    }

    /// A stored definition read back as the contract's type.
    static func definition(_ text: String) throws -> Components.Schemas.JourneyDefinition {
        do {
            return try JSONDecoder().decode(Components.Schemas.JourneyDefinition.self, from: Data(text.utf8))
        } catch {
            throw APIError(.internalServerError, code: "internal_error", message: "a stored journey definition cannot be read")
        }
    }

    static func answer(_ journey: JourneyRecord, _ context: QueryContext) throws -> Components.Schemas.Journey {
        let definition = try definition(journey.draft)
        let problems = JourneyReader(context: context).read(definition, id: journey.id, version: journey.version + 1).problems
        return .init(
            id: journey.id,
            name: journey.name,
            status: .init(rawValue: journey.status.rawValue) ?? .draft,
            version: journey.version,
            definition: definition,
            problems: problems.map { .init(field: $0.field, message: $0.message) },
            createdAt: Timestamp.iso8601(journey.createdAt),
            updatedAt: Timestamp.iso8601(journey.updatedAt)
        )
    }

    static func answer(_ action: JourneyAction) -> Components.Schemas.JourneyAction {
        switch action {
        case .addTag(let tag): .init(addTag: tag)
        case .removeTag(let tag): .init(removeTag: tag)
        case .addToSegment(let id): .init(addToSegment: id)
        case .staffTask(let title, let assignee, let minutes): .init(task: .init(title: title, assignee: assignee, dueMinutes: minutes))
        case .webhook(let url): .init(webhook: .init(url: url))
        case .message(let message):
            .init(
                message: .init(
                    template: message.templateId,
                    cap: message.cap.map { .init(perDay: $0.perDay, perWeek: $0.perWeek) },
                    whenCapped: message.deferWhenCapped ? ._defer : .skip
                )
            )
        }
    }

    static func answer(_ row: OutboxMessage) -> Components.Schemas.OutboxMessage {
        .init(
            id: row.id,
            key: row.key,
            channel: row.channel,
            status: .init(rawValue: row.status.rawValue) ?? .failed,
            attempts: row.attempts,
            dueAt: Timestamp.iso8601(row.dueAt),
            lastError: row.lastError,
            response: row.response,
            journeyId: row.journeyId,
            personId: row.personId,
            createdAt: Timestamp.iso8601(row.createdAt),
            deliveredAt: row.deliveredAt.map(Timestamp.iso8601)
        )
    }
}
