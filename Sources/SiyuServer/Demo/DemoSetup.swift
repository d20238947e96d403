import Foundation
import Logging
import SiyuAPI
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

    /// The demo's message templates by role, with their ids once created.
    struct Templates {
        var thanks: Int64
        var vipAlert: Int64
        var winBack: Int64
        var birthday: Int64
    }

    /// (role, name, channel, transactional, marketing group, zh-CN text, en text).
    static let templates: [(String, String, MessageChannel, Bool, Bool, String, String)] = [
        (
            "thanks", "下单感谢 · Order thanks", .sms, true, false,
            "{{traits.name}}您好，青禾已收到您的订单 {{event.order_id}}，我们会尽快为您发货。",
            "Hi {{traits.name}}, Qinghe has your order {{event.order_id}} and will ship it soon."
        ),
        (
            "vipAlert", "大额订单提醒 · VIP order alert", .wecomRobot, true, false,
            "大额订单提醒：会员 {{person.userId}}（{{labels.rfm8}}）刚下单 {{event.order_id}}，金额 ¥{{event.revenue}}，请门店跟进。",
            "VIP order: member {{person.userId}} ({{labels.rfm8}}) just placed order {{event.order_id}} (¥{{event.revenue}}); please follow up."
        ),
        (
            "winBack", "回归券 · Win-back offer", .sms, false, true,
            "{{traits.name}}，好久不见！青禾送您 20 元回归券，14 天内有效。退订回复 TD",
            "{{traits.name}}, we miss you! Here is a ¥20 coupon from Qinghe, valid for 14 days. Reply TD to opt out"
        ),
        (
            "birthday", "生日祝福 · Birthday wish", .sms, false, true,
            "{{traits.name}}，生日快乐！青禾为您准备了一杯生日饮品，7 天内到店或小程序领取。退订回复 TD",
            "Happy birthday, {{traits.name}}! A birthday drink from Qinghe awaits you in store or in the mini-program for 7 days. Reply TD to opt out"
        ),
    ]

    /// The four journeys the brand runs (name, definition in the admin API's JSON): care after each
    /// order (a thank-you SMS, a WeCom alert to the store for big spenders, a staff call), an SMS
    /// win-back offer for RFM's important win-back class, a staff call for valuable buyers at risk of
    /// churning, and a birthday SMS. Messages go to the demo's own inboxes (``DemoInbox``).
    static func journeys(_ templates: Templates) -> [(String, String)] {
        [
            (
                "下单关怀 · Post-purchase care",
                #"""
                {"entry": {"event": {"event": "Order Completed"}, "key": "order_id"}, "start": "thanks",
                 "nodes": [
                   {"id": "thanks", "action": {"message": {"template": \#(templates.thanks)}}, "next": "big"},
                   {"id": "big", "condition": {"revenue": {"op": "gt", "value": "1000"}}, "yes": "alert", "no": "call"},
                   {"id": "alert", "action": {"message": {"template": \#(templates.vipAlert)}}, "next": "call"},
                   {"id": "call", "action": {"task": {"title": "订单回访：询问饮用体验", "assignee": "客服组", "dueMinutes": 1440}}, "next": "wait"},
                   {"id": "wait", "delay": {"value": 3, "unit": "day"}, "next": "again"},
                   {"id": "again", "condition": {"orders": {"op": "gte", "value": 2}}, "yes": "regular", "no": "done"},
                   {"id": "regular", "action": {"addTag": "复购客户"}, "next": "done"},
                   {"id": "done", "exit": {}}],
                 "goal": {"event": "Order Completed", "withinDays": 30}}
                """#
            ),
            (
                "RFM 挽留 · RFM win-back",
                #"""
                {"entry": {"label": {"scheme": "rfm8", "values": ["importantWinBack"]}}, "start": "offer", "holdout": 0.1,
                 "nodes": [
                   {"id": "offer", "action": {"addTag": "挽留中"}, "next": "sms"},
                   {"id": "sms", "action": {"message": {"template": \#(templates.winBack), "cap": {"perWeek": 1}, "whenCapped": "skip"}}, "next": "call"},
                   {"id": "call", "action": {"task": {"title": "挽留电话：赠 20 元券", "assignee": "会员运营", "dueMinutes": 2880}}, "next": "wait"},
                   {"id": "wait", "waitFor": {"event": {"event": "Order Completed"}}, "timeout": {"value": 14, "unit": "day"}, "next": "won", "timeoutNext": "done"},
                   {"id": "won", "action": {"removeTag": "挽留中"}, "next": "done"},
                   {"id": "done", "exit": {}}],
                 "goal": {"event": "Order Completed", "withinDays": 14}}
                """#
            ),
            (
                "流失预警回访 · Churn-risk staff call",
                #"""
                {"entry": {"label": {"scheme": "value.churn", "values": ["red"]}}, "start": "valuable", "holdout": 0.1,
                 "nodes": [
                   {"id": "valuable", "condition": {"orders": {"op": "gte", "value": 2}}, "yes": "call", "no": "done"},
                   {"id": "call", "action": {"task": {"title": "流失预警：电话回访", "assignee": "客服组", "dueMinutes": 1440}}, "next": "done"},
                   {"id": "done", "exit": {}}],
                 "goal": {"event": "Order Completed", "withinDays": 30}}
                """#
            ),
            (
                "生日关怀 · Birthday care",
                #"""
                {"entry": {"label": {"scheme": "journey", "values": ["purchase", "loyalty"]}}, "start": "known",
                 "nodes": [
                   {"id": "known", "condition": {"trait": "birthday", "op": "isSet"}, "yes": "wait", "no": "done"},
                   {"id": "wait", "delayUntilDate": {"trait": "birthday", "time": "10:00", "yearly": true, "zone": "person"}, "next": "gift"},
                   {"id": "gift", "action": {"addTag": "生日关怀"}, "next": "sms"},
                   {"id": "sms", "action": {"message": {"template": \#(templates.birthday)}}, "next": "wish"},
                   {"id": "wish", "action": {"task": {"title": "生日祝福：赠生日饮品券", "assignee": "会员运营", "dueMinutes": 720}}, "next": "done"},
                   {"id": "done", "exit": {}}]}
                """#
            ),
        ]
    }

    /// Creates the demo's subscription group and templates, then creates and publishes its journeys,
    /// when the workspace has no journeys.
    static func addJourneysIfNone(store: any SiyuStore, workspace: Workspace, now: Int64) async throws {
        guard try await store.journeys(workspaceId: workspace.id).isEmpty else { return }
        let context = try QueryContext(workspace: workspace, now: now)
        let groupName = "营销短信 · Marketing SMS"
        var marketing = try await store.subscriptionGroups(workspaceId: workspace.id).first { $0.name == groupName }
        if marketing == nil {
            marketing = try await store.createSubscriptionGroup(workspaceId: workspace.id, name: groupName, channel: .sms, optIn: false)
        }
        var ids: [String: Int64] = [:]
        let existing = try await store.templates(workspaceId: workspace.id)
        for (role, name, channel, transactional, isMarketing, chinese, english) in templates {
            if let found = existing.first(where: { $0.name == name }) {
                ids[role] = found.id
                continue
            }
            let fields = MessageTemplateFields(
                name: name,
                channel: channel,
                groupId: isMarketing ? marketing?.id : nil,
                transactional: transactional,
                variants: ["zh-CN": MessageVariant(text: chinese), "en": MessageVariant(text: english)],
                defaultLanguage: "zh-CN"
            )
            ids[role] = try await store.createTemplate(workspaceId: workspace.id, fields).id
        }
        let made = Templates(thanks: ids["thanks"]!, vipAlert: ids["vipAlert"]!, winBack: ids["winBack"]!, birthday: ids["birthday"]!)
        for (name, json) in journeys(made) {
            let definition = try JSONDecoder().decode(Components.Schemas.JourneyDefinition.self, from: Data(json.utf8))
            _ = try JourneyReader(context: context).journey(definition, id: 0, version: 1)
            let journey = try await store.createJourney(workspaceId: workspace.id, name: name, definition: try AdminAPI.text(definition))
            _ = try await store.publishJourney(id: journey.id, workspaceId: workspace.id)
        }
    }

    /// Fits customer value, saves the standard labels and creates the sample segments, when
    /// `workspace` has no segments yet (a freshly generated demo); adds the journeys when it has none.
    public static func completeIfNew(store: any SiyuStore, workspace: Workspace, now: Int64, logger: Logger) async throws {
        try await addJourneysIfNone(store: store, workspace: workspace, now: now)
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
