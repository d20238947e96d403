import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// Fits customer value, then evaluates the standard labels of a workspace — the four tier schemes, the RFM classes over the
/// last year and the journey stage — and stores them (recording who moved).
struct LabelEvaluation: Sendable {
    let store: any AttributeRepository & LabelRepository & SettingsRepository
    let cache: AnalyticsCache

    @discardableResult
    func run(workspace: Workspace, now: Int64) async throws -> [String: LabelSaveSummary] {
        var summaries: [String: LabelSaveSummary] = [:]
        // Customer value first, so that tiers and segments evaluated next see fresh predictions;
        // a workspace without enough orders yet simply has none.
        _ = try? await ValueFitting(store: store, cache: cache).run(workspace: workspace, now: now)
        var dataset = try await cache.dataset(workspaceId: workspace.id)
        let settings = try await store.settings(workspaceId: workspace.id)
        let context = try QueryContext(workspace: workspace, now: now)
        for kind in TierScheme.Kind.allCases {
            let scheme = try AnalyticsSettings.tiers(settings["tiers." + kind.rawValue], kind)?.scheme(context) ?? TierScheme.standard(kind, now: now)
            let assignment = scheme.assign(dataset, now: now)
            summaries[kind.labelScheme] = try await store.saveLabels(
                workspaceId: workspace.id,
                scheme: kind.labelScheme,
                assignments: assignment.assignments
            )
        }
        let rfm = RFMEngine(dataset: dataset, query: RFMQuery(range: TimeRange(from: now - 365 * 86_400_000, to: now + 1), asOf: now)).run()
        summaries["rfm11"] = try await store.saveLabels(workspaceId: workspace.id, scheme: "rfm11", assignments: rfm.segmentLabels)
        summaries["rfm8"] = try await store.saveLabels(workspaceId: workspace.id, scheme: "rfm8", assignments: rfm.classLabels)
        dataset = try await cache.dataset(workspaceId: workspace.id)
        let journeyQuery = try AnalyticsSettings.journey(settings["journey"])?.query(context) ?? JourneyQuery()
        let journey = JourneyEngine(dataset: dataset, query: journeyQuery, now: now).run()
        summaries["journey"] = try await store.saveLabels(workspaceId: workspace.id, scheme: "journey", assignments: journey.assignments)
        return summaries
    }
}

extension PeriodicJob {
    /// Daily (the first pass five minutes after start): every workspace's customer value and
    /// standard labels.
    static func labelEvaluation(
        store: any AttributeRepository & LabelRepository & SettingsRepository & WorkspaceRepository,
        cache: AnalyticsCache,
        clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) -> PeriodicJob {
        let evaluation = LabelEvaluation(store: store, cache: cache)
        return PeriodicJob(firstDelay: .seconds(300), interval: .seconds(86_400)) {
            for workspace in (try? await store.workspaces()) ?? [] {
                guard !Task.isCancelled else { return }
                do {
                    let summaries = try await evaluation.run(workspace: workspace, now: clock())
                    let changed = summaries.values.reduce(0) { $0 + $1.changed }
                    logger.info("labels evaluated", metadata: ["workspace": "\(workspace.name)", "changed": "\(changed)"])
                } catch {
                    logger.error("label evaluation failed", metadata: ["workspace": "\(workspace.name)", "error": "\(error)"])
                }
            }
        }
    }
}
