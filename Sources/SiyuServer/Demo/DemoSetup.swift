import Logging
import SiyuCore
import SiyuDemo
import SiyuStore

/// What the demo brand starts with besides its events, so that an operator opening the console
/// sees every page filled: customer value fitted, tiers, RFM classes and journey stages saved as
/// labels (what the server's daily job does), and three sample segments — dynamic, refreshed
/// hourly, computed once when created.
public enum DemoSetup {
    /// (name, description, rule) in the rule format of docs/admin-api.md.
    static let samples: [(String, String, String)] = [
        (
            "复购高价值客户 · Repeat high spenders",
            "2+ orders in the last 90 days and more than ¥300 in total",
            #"{"all": [{"event": "Order Completed", "count": {"op": "gte", "value": 2}, "withinDays": 90}, {"revenue": {"op": "gt", "value": "300"}}]}"#
        ),
        (
            "沉睡会员 · Dormant members",
            "Identified members not seen for more than 30 days",
            #"{"all": [{"identity": "user_id"}, {"lastSeenDaysAgo": {"op": "gt", "value": 30}}]}"#
        ),
        (
            "抖音小红书新客 · New from Douyin and Xiaohongshu",
            "First reached on Douyin or Xiaohongshu and seen in the last 14 days",
            #"{"all": [{"firstChannel": {"op": "in", "value": ["douyin", "xiaohongshu"]}}, {"lastSeenDaysAgo": {"op": "lte", "value": 14}}]}"#
        ),
    ]

    /// Fits customer value, saves the standard labels and creates the sample segments, when
    /// `workspace` has no segments yet (a freshly generated demo).
    public static func completeIfNew(store: any SiyuStore, workspace: Workspace, now: Int64, logger: Logger) async throws {
        guard try await store.segments(workspaceId: workspace.id).isEmpty else { return }
        let cache = AnalyticsCache(store: store, clock: { now }, logger: logger)
        try await LabelEvaluation(store: store, cache: cache).run(workspace: workspace, now: now)
        let refresher = SegmentRefresher(store: store, cache: cache)
        for (name, description, rule) in samples {
            let segment = try await store.createSegment(
                workspaceId: workspace.id,
                draft: SegmentDraft(name: name, description: description, kind: .dynamic, rule: rule, refreshMinutes: 60)
            )
            _ = try await refresher.refresh(segment, workspace: workspace, now: now)
        }
    }
}
