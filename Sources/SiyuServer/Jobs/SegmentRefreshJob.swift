import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// Recomputes dynamic segments: on demand, and on their schedule from ``SegmentScheduler``.
struct SegmentRefresher: Sendable {
    let store: any SegmentRepository & WorkspaceRepository
    let cache: AnalyticsCache

    func refresh(_ segment: SegmentRecord, workspace: Workspace, now: Int64) async throws -> SegmentRecord {
        guard let text = segment.rule else {
            return try await store.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: [])
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw APIError(.internalServerError, code: "internal_error", message: "segment \(segment.id) has a damaged rule")
        }
        let rule = try SegmentService.rule(value, workspace: workspace)
        return try await SegmentService.fill(segment, rule: rule, workspace: workspace, now: now, store: store, cache: cache)
    }

    /// Refreshes every dynamic segment whose schedule is due, each on its own: one that fails — a
    /// rule saved by an earlier version that no longer passes ``QueryLimits``, say — is logged and
    /// does not stop the others. Returns how many were refreshed.
    func refreshDue(now: @Sendable () -> Int64, logger: Logger) async throws -> Int {
        var refreshed = 0
        for segment in try await store.segmentsDue(at: now()) {
            guard !Task.isCancelled else { break }
            do {
                guard let workspace = try await store.workspace(id: segment.workspaceId) else { continue }
                let result = try await refresh(segment, workspace: workspace, now: now())
                refreshed += 1
                logger.info("segment refreshed", metadata: ["segment": "\(segment.id)", "size": "\(result.size)"])
            } catch let error as APIError where error.status == .badRequest {
                logger.warning(
                    "segment rule is out of range; edit the segment",
                    metadata: ["segment": "\(segment.id)", "field": "\(error.field ?? "")", "problem": "\(error.message)"]
                )
            } catch {
                logger.error("segment refresh failed", metadata: ["segment": "\(segment.id)", "error": "\(error)"])
            }
        }
        return refreshed
    }
}

extension PeriodicJob {
    /// Every minute: the dynamic segments whose schedule is due, each on its own (one failing does
    /// not stop the others).
    static func segmentRefresh(
        store: any SegmentRepository & WorkspaceRepository,
        cache: AnalyticsCache,
        clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) -> PeriodicJob {
        let refresher = SegmentRefresher(store: store, cache: cache)
        return PeriodicJob(firstDelay: .seconds(60), interval: .seconds(60)) {
            do {
                _ = try await refresher.refreshDue(now: clock, logger: logger)
            } catch {
                logger.error("could not list the segments due", metadata: ["error": "\(error)"])
            }
        }
    }
}
