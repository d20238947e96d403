import SiyuCore

/// The OpenAPI 3.1 description of Siyu's HTTP API, served at `GET /openapi.json`.
///
/// Every route the server registers is listed here with a summary, its parameters and, for JSON
/// requests, a working example body (the test suite sends each analytics example to a server).
enum OpenAPIDocument {
    struct Operation {
        var method: String
        var path: String
        var tag: String
        var summary: String
        var description: String = ""
        var example: String? = nil
        var query: [(String, String)] = []
        var security: String = "adminToken"
    }

    static let operations: [Operation] = [
        // Ingestion (Segment HTTP Tracking API).
        Operation(
            method: "post",
            path: "/v1/track",
            tag: "Ingestion",
            summary: "Record an event (Segment `track`)",
            example: #"{"userId": "u1", "event": "Order Completed", "properties": {"order_id": "o1", "revenue": 99.5}}"#,
            security: "writeKey"
        ),
        Operation(
            method: "post",
            path: "/v1/identify",
            tag: "Ingestion",
            summary: "Identify a person and set traits",
            example: #"{"userId": "u1", "traits": {"name": "张伟", "city": "上海"}}"#,
            security: "writeKey"
        ),
        Operation(
            method: "post",
            path: "/v1/alias",
            tag: "Ingestion",
            summary: "Link a previous id to a user id",
            example: #"{"userId": "u1", "previousId": "a1"}"#,
            security: "writeKey"
        ),
        Operation(
            method: "post",
            path: "/v1/page",
            tag: "Ingestion",
            summary: "Record a page view",
            example: #"{"anonymousId": "a1", "name": "Home"}"#,
            security: "writeKey"
        ),
        Operation(
            method: "post",
            path: "/v1/screen",
            tag: "Ingestion",
            summary: "Record a screen view",
            example: #"{"anonymousId": "a1", "name": "Cart"}"#,
            security: "writeKey"
        ),
        Operation(
            method: "post",
            path: "/v1/group",
            tag: "Ingestion",
            summary: "Associate a person with a group",
            example: #"{"userId": "u1", "groupId": "wecom-group-7"}"#,
            security: "writeKey"
        ),
        Operation(
            method: "post",
            path: "/v1/batch",
            tag: "Ingestion",
            summary: "Up to 2,500 messages of any type",
            description: "Valid items are stored even when others are refused; the answer lists the refused indexes and reasons.",
            example: #"{"batch": [{"type": "track", "userId": "u1", "event": "Product Viewed"}]}"#,
            security: "writeKey"
        ),
        Operation(method: "post", path: "/v1/import", tag: "Ingestion", summary: "Synonym of /v1/batch", security: "writeKey"),
        // Operations.
        Operation(method: "get", path: "/healthz", tag: "Operations", summary: "Liveness and store check", security: "none"),
        Operation(method: "get", path: "/metrics", tag: "Operations", summary: "Prometheus metrics", security: "none"),
        Operation(method: "get", path: "/openapi.json", tag: "Operations", summary: "This document", security: "none"),
        // Workspace.
        Operation(method: "get", path: "/api/v1/workspace", tag: "Workspace", summary: "The workspace of the token"),
        Operation(method: "get", path: "/api/v1/channels", tag: "Workspace", summary: "Channels and their tracking codes"),
        Operation(method: "get", path: "/api/v1/keys", tag: "Workspace", summary: "Live write keys (masked, with ids) and admin tokens (names, ids)"),
        Operation(method: "post", path: "/api/v1/keys/write", tag: "Workspace", summary: "Issue a write key (answered in full once)"),
        Operation(
            method: "delete",
            path: "/api/v1/keys/write/{id}",
            tag: "Workspace",
            summary: "Revoke a write key by its id: its events are refused at once"
        ),
        Operation(
            method: "post",
            path: "/api/v1/keys/admin",
            tag: "Workspace",
            summary: "Issue an admin token (answered in full once, stored hashed)",
            example: #"{"name": "erp-sync"}"#
        ),
        Operation(method: "delete", path: "/api/v1/keys/admin/{id}", tag: "Workspace", summary: "Revoke an admin token by its id"),
        Operation(
            method: "put",
            path: "/api/v1/channels/{key}",
            tag: "Workspace",
            summary: "Register or edit a channel",
            example: #"{"name": "抖音", "kind": "social", "trackingCodes": ["douyin"]}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/imports/{kind}",
            tag: "Workspace",
            summary: "Import a CSV of `events`, `people` or `orders`",
            query: [("delimiter", "comma, tab or semicolon"), ("dryRun", "true to check only"), ("currency", "ISO 4217 code")]
        ),
        // People.
        Operation(
            method: "get",
            path: "/api/v1/people",
            tag: "People",
            summary: "Search people",
            query: [
                ("q", "text"), ("identity", "kind:value"), ("channel", "channel key"), ("tag", "tag"), ("trait.NAME", "trait value"),
                ("limit", "1–1000"), ("cursor", "from the previous page"),
            ]
        ),
        Operation(method: "get", path: "/api/v1/people/{id}", tag: "People", summary: "A person's profile, identities, tags and merges"),
        Operation(
            method: "get",
            path: "/api/v1/people/{id}/events",
            tag: "People",
            summary: "A person's timeline, newest first",
            query: [("limit", "1–1000"), ("cursor", "from the previous page")]
        ),
        Operation(
            method: "get",
            path: "/api/v1/people/{id}/segments",
            tag: "People",
            summary: "A person's segments, labels (tiers, RFM class, journey stage, churn band) and predicted values"
        ),
        Operation(
            method: "post",
            path: "/api/v1/people/{id}/tags",
            tag: "People",
            summary: "Add and remove tags",
            example: #"{"add": ["vip"], "remove": ["trial"]}"#
        ),
        Operation(method: "put", path: "/api/v1/people/{id}/tags/{tag}", tag: "People", summary: "Add one tag"),
        Operation(method: "delete", path: "/api/v1/people/{id}/tags/{tag}", tag: "People", summary: "Remove one tag"),
        Operation(method: "delete", path: "/api/v1/people/{id}", tag: "People", summary: "Erase a person with all their data"),
        Operation(
            method: "get",
            path: "/api/v1/merges",
            tag: "People",
            summary: "Identity merges",
            query: [("person", "person id"), ("limit", "1–1000")]
        ),
        Operation(method: "post", path: "/api/v1/merges/{id}/undo", tag: "People", summary: "Split a merge"),
        Operation(method: "get", path: "/api/v1/conflicts", tag: "People", summary: "Merges refused because identities conflict"),
        Operation(
            method: "get",
            path: "/api/v1/suppressions",
            tag: "People",
            summary: "How many message ids and identities of erased people are kept out (hashed)"
        ),
        Operation(
            method: "delete",
            path: "/api/v1/suppressions",
            tag: "People",
            summary: "Take an identity off the suppression list, so that its events are stored again",
            query: [("identity", "kind:value, e.g. user_id:u-1001 or phone:13800138000")]
        ),
        // Analytics.
        Operation(
            method: "post",
            path: "/api/v1/analytics/funnel",
            tag: "Analytics",
            summary: "Funnel: per-step counts, conversion, time to convert, breakdown, trend, previous period",
            example:
                #"{"steps": ["Product Viewed", "Product Added", {"event": "Order Completed", "where": [{"key": "revenue", "op": "gte", "value": 100}]}], "window": {"value": 7, "unit": "day"}, "order": "ordered", "breakdown": "firstTouchChannel", "from": "2024-04-01", "to": "2024-04-30", "trend": "week", "compare": true}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/funnel/people",
            tag: "Analytics",
            summary: "People who dropped at (or reached) a funnel step; `?format=csv` exports all",
            example: #"{"steps": ["Product Viewed", "Order Completed"], "step": 1, "status": "dropped", "from": "2024-04-01", "to": "2024-04-30"}"#,
            query: [("format", "csv for a download")]
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/retention",
            tag: "Analytics",
            summary: "Retention cohorts: first-time or recurring, on or on-or-after, with D1/D7/D30",
            example: #"{"start": "Order Completed", "return": "Order Completed", "period": "week", "periods": 12, "breakdown": "firstTouchChannel"}"#
        ),
        Operation(
            method: "get",
            path: "/api/v1/analytics/status",
            tag: "Analytics",
            summary: "The in-memory dataset: events, people, bytes per event, builds and merges, read from its snapshot file"
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/stickiness",
            tag: "Analytics",
            summary: "People active on exactly 1, 2, … days of each week or month",
            example: #"{"event": "Product Viewed", "window": "week", "from": "2024-04-01", "to": "2024-04-30"}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/lifecycle",
            tag: "Analytics",
            summary: "New, returning, resurrecting and dormant people per period",
            example: #"{"period": "week", "from": "2024-04-01", "to": "2024-04-30"}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/kpis",
            tag: "Analytics",
            summary: "The KPI set per day/week/month and channel, with changes",
            example: #"{"period": "day", "from": "2024-04-24", "to": "2024-04-30", "byChannel": true}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/rfm",
            tag: "Analytics",
            summary: "RFM scores, the 11 segments and the 8 classes (重要价值客户 …), sizes and revenue share; recency as of `asOf`",
            example: #"{"from": "2024-01-01", "to": "2024-04-30", "breakdown": "firstTouchChannel"}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/rfm/people",
            tag: "Analytics",
            summary: "Buyers of one RFM class or segment, each with their R, F, M values and scores as of `asOf`",
            example: #"{"class": "importantWinBack", "from": "2024-01-01", "to": "2024-04-30", "asOf": "2024-04-30"}"#,
            query: [("format", "csv for a download")]
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/tiers",
            tag: "Analytics",
            summary: "Value pyramid, 5-3-2, intent colours or value ladder; `save` stores assignments and movements",
            example: #"{"scheme": "pyramid", "from": "2024-01-01", "to": "2024-04-30"}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/tiers/movements",
            tag: "Analytics",
            summary: "Stored movements between tiers (or RFM classes, journey stages) and current sizes",
            example: #"{"scheme": "tier.pyramid", "from": "2024-04-01", "to": "2024-04-30"}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/concentration",
            tag: "Analytics",
            summary: "Revenue share of the top 1/5/10/20 %, Lorenz curve and Gini",
            example: #"{"from": "2024-01-01", "to": "2024-04-30", "population": "buyers"}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/analytics/journey",
            tag: "Analytics",
            summary: "Customer journey stages: reach → awareness → interest → purchase → loyalty",
            example: #"{"breakdown": "firstTouchChannel"}"#
        ),
        // Segments.
        Operation(method: "get", path: "/api/v1/segments", tag: "Segments", summary: "All segments"),
        Operation(
            method: "post",
            path: "/api/v1/segments",
            tag: "Segments",
            summary: "Create a dynamic (rule) or static (list, or rule snapshot) segment",
            example:
                #"{"name": "复购客户", "rule": {"all": [{"orders": {"op": "gte", "value": 2}, "withinDays": 30}, {"lastSeenDaysAgo": {"op": "lte", "value": 14}}]}, "refreshMinutes": 60}"#
        ),
        Operation(
            method: "post",
            path: "/api/v1/segments/preview",
            tag: "Segments",
            summary: "Count the people a rule matches now, without saving",
            example: #"{"rule": {"any": [{"tag": "vip"}, {"revenue": {"op": "gt", "value": "500"}}]}}"#
        ),
        Operation(method: "get", path: "/api/v1/segments/{id}", tag: "Segments", summary: "One segment"),
        Operation(
            method: "patch",
            path: "/api/v1/segments/{id}",
            tag: "Segments",
            summary: "Rename, re-describe, change the rule or the schedule",
            example: #"{"name": "复购客户 (30 天)", "refreshMinutes": null}"#
        ),
        Operation(method: "delete", path: "/api/v1/segments/{id}", tag: "Segments", summary: "Delete a segment"),
        Operation(method: "post", path: "/api/v1/segments/{id}/refresh", tag: "Segments", summary: "Recompute a dynamic segment now"),
        Operation(
            method: "get",
            path: "/api/v1/segments/{id}/members",
            tag: "Segments",
            summary: "Members, paged; `?format=csv` exports all",
            query: [("limit", "1–1000"), ("cursor", "from the previous page"), ("format", "csv for a download")]
        ),
        Operation(
            method: "post",
            path: "/api/v1/segments/{id}/members",
            tag: "Segments",
            summary: "Replace a static segment's members from person ids, user ids or a CSV (`text/csv` with a personId or userId column)",
            example: #"{"userIds": ["u1", "u2"]}"#
        ),
        Operation(method: "get", path: "/api/v1/segments/{id}/sizes", tag: "Segments", summary: "Size at each refresh", query: [("days", "1–3660")]),
        // Settings.
        Operation(method: "get", path: "/api/v1/settings", tag: "Settings", summary: "Saved analytics settings and the KPI mapping defaults"),
        Operation(
            method: "put",
            path: "/api/v1/settings/{key}",
            tag: "Settings",
            summary:
                "Save `kpiMapping`, `journey` (stages) or a tier scheme (`tiers.pyramid`, `tiers.fiveThreeTwo`, `tiers.colours`, `tiers.ladder`)",
            example: #"{"tiers": [{"code": "vip", "fraction": 0.2}, {"code": "rest", "fraction": 0.8}]}"#
        ),
        Operation(method: "delete", path: "/api/v1/settings/{key}", tag: "Settings", summary: "Back to the default"),
        // Customer value.
        Operation(
            method: "post",
            path: "/api/v1/value/fit",
            tag: "Customer value",
            summary: "Fit BG/NBD, Pareto/NBD or MBG/NBD + Gamma-Gamma on the orders and write predictions onto people",
            example: #"{"model": "bgnbd"}"#
        ),
        Operation(method: "get", path: "/api/v1/value/models", tag: "Customer value", summary: "Stored fits with their quality report"),
        Operation(
            method: "get",
            path: "/api/v1/value/summary",
            tag: "Customer value",
            summary: "CLV deciles, churn bands and value by first-touch channel"
        ),
    ]

    static let json: JSONValue = {
        var paths = JSONObject()
        for operation in operations {
            var entry: JSONObject = [
                "tags": [.string(operation.tag)],
                "summary": .string(operation.summary),
                "operationId": .string(operationId(operation)),
            ]
            if !operation.description.isEmpty { entry["description"] = .string(operation.description) }
            var parameters: [JSONValue] = []
            for segment in operation.path.split(separator: "/") where segment.hasPrefix("{") {
                let name = String(segment.dropFirst().dropLast())
                parameters.append(["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]])
            }
            for (name, description) in operation.query {
                parameters.append(["name": .string(name), "in": "query", "description": .string(description), "schema": ["type": "string"]])
            }
            if !parameters.isEmpty { entry["parameters"] = .array(parameters) }
            if let example = operation.example {
                entry["requestBody"] = [
                    "required": true,
                    "content": ["application/json": ["schema": ["type": "object"], "example": (try? JSONParser.parse(example)) ?? .null]],
                ]
            }
            entry["responses"] = [
                "200": ["description": "Success (JSON; CSV where `format=csv`)"],
                "400": ["description": "Bad request: `{\"error\": {\"code\", \"message\", \"field\"}}`"],
                "401": ["description": "Missing or wrong credentials"],
                "404": ["description": "Not found"],
            ]
            switch operation.security {
            case "writeKey": entry["security"] = [["writeKey": []]]
            case "none": entry["security"] = []
            default: entry["security"] = [["adminToken": []]]
            }
            var item = paths[operation.path]?.objectValue ?? [:]
            item[operation.method] = .object(entry)
            paths[operation.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Siyu API",
                "version": .string(SiyuCoreVersion.version),
                "description":
                    "Ingestion (Segment-compatible), people, analytics, segments and customer value. Admin endpoints take `Authorization: Bearer <admin token>`; ingestion takes the write key as HTTP Basic user name.",
            ],
            "components": [
                "securitySchemes": [
                    "adminToken": ["type": "http", "scheme": "bearer"],
                    "writeKey": ["type": "http", "scheme": "basic", "description": "The write key as user name, empty password"],
                ]
            ],
            "paths": .object(paths),
        ]
    }()

    static func operationId(_ operation: Operation) -> String {
        let words = operation.path.split(separator: "/").filter { !$0.hasPrefix("{") && $0 != "api" && $0 != "v1" }
        return operation.method
            + words.map { word in word.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() }
            .joined()
            + (operation.path.hasSuffix("}") ? "ById" : "")
    }
}
