import Logging
import SiyuCore
import SiyuStore

/// The segments the demo brand starts with, so that an operator opening the console sees what
/// segments are for: each is dynamic, refreshed hourly, and computed once when created.
public enum DemoSegments {
    /// (name, description, rule) in the README's rule format.
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

    /// Creates the sample segments in `workspace` when it has none, and computes their members.
    public static func createIfMissing(store: any SiyuStore, workspace: Workspace, now: Int64, logger: Logger) async throws {
        guard try await store.segments(workspaceId: workspace.id).isEmpty else { return }
        let refresher = SegmentRefresher(store: store, cache: AnalyticsCache(store: store, clock: { now }, logger: logger))
        for (name, description, rule) in samples {
            let segment = try await store.createSegment(
                workspaceId: workspace.id,
                draft: SegmentDraft(name: name, description: description, kind: .dynamic, rule: rule, refreshMinutes: 60)
            )
            _ = try await refresher.refresh(segment, workspace: workspace, now: now)
        }
    }
}
