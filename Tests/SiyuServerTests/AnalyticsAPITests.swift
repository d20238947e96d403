import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuDemo
import SiyuStore
import SiyuTestSupport
import Testing

/// Every analytics query through the admin API: hand-worked answers on a tiny shop, and the same
/// answers from both stores on a generated brand.
@Suite struct AnalyticsAPITests {
    let segments = TrackingAPITests()

    func query(_ client: some TestClientProtocol, _ harness: ServerHarness, _ path: String, _ json: String) async throws -> JSONValue {
        let response = try await segments.post(client, harness, "/api/v1/analytics/" + path, json)
        #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
        return response.json
    }

    /// The shop of ``TrackingAPITests/seed``: orders u1 ¥100 (Apr 28) + ¥50 (Apr 29), u2 ¥300 (Apr 28)
    /// + ¥20 (Apr 30), u3 ¥80 (Apr 29); u4 viewed a product on Apr 30; u5 only identified.
    /// All at 10:00Z = 18:00 in Shanghai; the clock is 2024-05-01T00:00Z.
    @Test(arguments: TestStoreKind.available)
    func handWorkedAnswers(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await segments.seed(client, harness)

            // Concentration among the 3 buyers, revenues 80 / 150 / 320 (total 550):
            // Gini = Σ(2i−n−1)xᵢ / (n Σx) = (−2·80 + 0·150 + 2·320) / (3·550) = 480 / 1650 = 0.290909;
            // the top 1 % is ⌈0.03⌉ = 1 person holding 320 / 550 = 0.581818.
            let concentration = try await query(client, harness, "concentration", #"{"from": "2024-04-01", "to": "2024-04-30"}"#)
            #expect(concentration["buyers"] == 3)
            #expect(concentration["revenue"]?["amount"] == "550.00")
            #expect(concentration["gini"] == .double(0.290909))
            #expect(concentration["top"]?.arrayValue?.first?["share"] == .double(0.581818))

            // RFM as of the clock: recency in whole days u1 1 (38 h), u2 0 (14 h), u3 1; means R 2/3, F 5/3, M 183.33.
            // u2 beats every mean → 重要价值; u1 only on F → 一般保持; u3 on none → 一般挽留.
            let rfm = try await query(client, harness, "rfm", #"{"save": true}"#)
            #expect(rfm["buyers"] == 3)
            let classes = rfm["groups"]?.arrayValue?.first?["classes"]?.arrayValue ?? []
            func size(_ code: String) -> JSONValue? { classes.first { $0["code"] == .string(code) }?["people"] }
            #expect(size("importantValue") == 1)
            #expect(size("generalRetention") == 1)
            #expect(size("generalWinBack") == 1)
            #expect(classes.first { $0["code"] == "importantValue" }?["revenueShare"] == .double(0.581818))
            let winBack = try await query(client, harness, "rfm/people", #"{"class": "generalWinBack"}"#)
            #expect(winBack["people"]?.arrayValue?.first?["userId"] == "u3")
            // u3's own values and scores: 1 day, 1 order, ¥80; the lowest of each ranking, so R = F = M = 1
            // (quintile 1 + ⌊5·b/n⌋ with nobody strictly below) and segment Lost (R 1, FM 1).
            #expect(winBack["asOf"] == "2024-05-01T00:00:00.000Z")
            let u3 = winBack["people"]?.arrayValue?.first
            #expect(u3?["recencyDays"] == 1 && u3?["frequency"] == 1 && u3?["monetary"]?["amount"] == "80.00")
            #expect(u3?["r"] == 1 && u3?["f"] == 1 && u3?["m"] == 1)
            #expect(u3?["segment"] == "lost" && u3?["class"] == "generalWinBack")
            #expect(u3?["lastOrder"] == "2024-04-29T10:00:00.000Z")
            // As of the end of 10 May in Shanghai (16:00Z): 11 days and 6 hours after the order → 11 days.
            let later = try await query(client, harness, "rfm/people", #"{"class": "generalWinBack", "asOf": "2024-05-10"}"#)
            #expect(later["asOf"] == "2024-05-10T16:00:00.000Z")
            #expect(later["people"]?.arrayValue?.first?["recencyDays"] == 11)
            let csv = try await segments.post(client, harness, "/api/v1/analytics/rfm/people?format=csv", #"{"segment": "lost"}"#)
            let lines = String(buffer: csv.body).split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.first?.hasSuffix(",asOf,recencyDays,frequency,monetary,lastOrder,r,f,m,segment,class") == true)
            // Lost also holds u1: R 1 and F, M 2 each (one buyer below: 1 + ⌊5·1/3⌋), FM ⌈(2 + 2) / 2⌉ = 2.
            #expect(lines.count == 3)
            #expect(
                lines.dropFirst().first?.hasSuffix(",2024-05-01T00:00:00.000Z,1,2,150.00,2024-04-29T10:00:00.000Z,1,2,2,lost,generalRetention")
                    == true
            )
            #expect(lines.last?.hasSuffix(",2024-05-01T00:00:00.000Z,1,1,80.00,2024-04-29T10:00:00.000Z,1,1,1,lost,generalWinBack") == true)
            // Saved: a segment can use the class.
            let preview = try await segments.post(
                client,
                harness,
                "/api/v1/segments/preview",
                #"{"rule": {"label": "rfm8", "value": "importantValue"}}"#
            )
            #expect(preview.json["count"] == 1)

            // Value pyramid 10/60/30 over the 5 people: the top tier ends at rank round(0.5) = 1 (u2),
            // the middle at round(3.5) = 4, but people without revenue always go to the bottom:
            // top u2; middle u1, u3; bottom u4, u5.
            let pyramid = try await query(client, harness, "tiers", #"{"scheme": "pyramid", "save": true}"#)
            let tiers = pyramid["tiers"]?.arrayValue ?? []
            #expect(tiers.map { $0["people"] } == [1, 2, 2])
            #expect(tiers.map { $0["code"] } == ["top", "middle", "bottom"])
            #expect(pyramid["saved"]?["changed"] == 5)
            let movements = try await query(client, harness, "tiers/movements", #"{"scheme": "tier.pyramid", "from": "2024-04-30"}"#)
            #expect(movements["current"] == ["bottom": 2, "middle": 2, "top": 1])

            // Journey: everyone was reached; u5 only identified (not aware); nobody viewed twice; u1–u3 bought.
            let journey = try await query(client, harness, "journey", "{}")
            let stages = journey["groups"]?.arrayValue?.first?["stages"]?.arrayValue ?? []
            #expect(stages.map { $0["cumulative"] } == [5, 4, 3, 3, 0])
            #expect(stages.map { $0["people"] } == [1, 1, 0, 3, 0])

            // KPIs per local day. Apr 28: 2 orders, ¥400, AOV ¥200. Apr 30: u2's order and u4's view
            // make 2 active people; revenue ¥20 → ARPU ¥10, paying penetration 1/2, 1 exposure.
            let kpis = try await query(client, harness, "kpis", #"{"from": "2024-04-28", "to": "2024-04-30", "byChannel": false}"#)
            let points = kpis["series"]?.arrayValue?.first?["points"]?.arrayValue ?? []
            #expect(points.count == 3)
            #expect(points.first?["values"]?["orders"]?.doubleValue == 2)
            #expect(points.first?["values"]?["revenue"]?.doubleValue == 400)
            #expect(points.first?["values"]?["averageOrderValue"]?.doubleValue == 200)
            #expect(points.last?["values"]?["activePeople"]?.doubleValue == 2)
            #expect(points.last?["values"]?["arpu"]?.doubleValue == 10)
            #expect(points.last?["values"]?["payingPenetration"]?.doubleValue == 0.5)
            #expect(points.last?["values"]?["exposures"]?.doubleValue == 1)

            // Lifecycle by day of any event (identify included): Apr 28 u1, u2 new; Apr 29 u1 returning,
            // u3 new, u2 dormant; Apr 30 u2 resurrecting, u4 & u5 new, u1 & u3 dormant.
            let lifecycle = try await query(client, harness, "lifecycle", #"{"period": "day", "from": "2024-04-28", "to": "2024-04-30"}"#)
            let periods = lifecycle["groups"]?.arrayValue?.first?["periods"]?.arrayValue ?? []
            #expect(periods.map { $0["new"] } == [2, 1, 2])
            #expect(periods.map { $0["returning"] } == [0, 1, 0])
            #expect(periods.map { $0["resurrecting"] } == [0, 0, 1])
            #expect(periods.map { $0["dormant"] } == [0, -1, -2])

            // Stickiness of orders over the three days: u1 on 2 days, u2 on 2, u3 on 1.
            let stickiness = try await query(
                client,
                harness,
                "stickiness",
                #"{"event": "Order Completed", "window": "range", "from": "2024-04-28", "to": "2024-04-30"}"#
            )
            #expect(stickiness["groups"]?.arrayValue?.first?["windows"]?.arrayValue?.first?["counts"] == [1, 2, 0])

            // Any event with revenue ≥ 100 (`"any": true` instead of a name): u1's ¥100 and u2's ¥300
            // orders, both on Apr 28, so two people on 1 day and nobody on 2 or 3.
            let large = try await query(
                client,
                harness,
                "stickiness",
                #"{"event": {"any": true, "where": [{"key": "revenue", "op": "gte", "value": 100}]}, "window": "range", "from": "2024-04-28", "to": "2024-04-30"}"#
            )
            #expect(large["groups"]?.arrayValue?.first?["windows"]?.arrayValue?.first?["counts"] == [2, 0, 0])
            // Without a name and without `any`, the event is missing, and the field says where.
            let unnamed = try await segments.post(client, harness, "/api/v1/analytics/stickiness", #"{"event": {"where": []}}"#)
            #expect(unnamed.status == .badRequest && unnamed.json["error"]?["field"] == "event.event")
            let step = try await segments.post(client, harness, "/api/v1/analytics/funnel", #"{"steps": ["Order Completed", {"optional": false}]}"#)
            #expect(step.status == .badRequest && step.json["error"]?["field"] == "steps[1].event")
        }
    }

    /// A field a query does not read is refused with 400 naming it, never ignored.
    @Test(arguments: TestStoreKind.available)
    func fieldsAQueryDoesNotReadAreRefused(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await segments.seed(client, harness)
            let filter = #"[{"key": "plan", "op": "eq", "value": "pro"}]"#
            for (path, body, field) in [
                ("journey", #"{"from": "2024-04-01", "to": "2024-04-30"}"#, "from"),
                ("kpis", #"{"where": \#(filter)}"#, "where"),
                ("rfm", #"{"where": \#(filter)}"#, "where"),
                ("rfm/people", #"{"class": "generalWinBack", "save": true}"#, "save"),
                ("tiers", #"{"scheme": "pyramid", "breakdown": "firstTouchChannel"}"#, "breakdown"),
                ("tiers", #"{"scheme": "colours", "from": "2024-04-01"}"#, "from"),
                ("concentration", #"{"breakdown": "firstTouchChannel"}"#, "breakdown"),
                ("funnel", #"{"steps": ["Product Viewed", "Order Completed"], "windw": 60}"#, "windw"),
                ("retention", #"{"start": "Order Completed", "limit": 5}"#, "limit"),
            ] {
                let response = try await segments.post(client, harness, "/api/v1/analytics/" + path, body)
                #expect(response.status == .badRequest, "\(path) accepted \(field)")
                #expect(response.json["error"]?["field"] == .string(field), "\(path): \(String(buffer: response.body))")
            }
            // The same queries without the field answer.
            #expect(try await segments.post(client, harness, "/api/v1/analytics/journey", "{}").status == .ok)
            #expect(try await segments.post(client, harness, "/api/v1/analytics/tiers", #"{"scheme": "colours"}"#).status == .ok)
            // An unknown scheme is named as such.
            let scheme = try await segments.post(client, harness, "/api/v1/analytics/tiers", #"{"scheme": "diamond"}"#)
            #expect(scheme.status == .badRequest && scheme.json["error"]?["field"] == "scheme")
        }
    }

    /// A generated brand, each query answered by the API on every available store: the answers must
    /// be identical, and agree with each other where two queries count the same people.
    @Test func everyQueryAnswersTheSameOnBothStores() async throws {
        let bodies: [(String, String)] = [
            (
                "funnel",
                #"{"steps": ["Product Viewed", "Product Added", "Order Completed"], "window": {"value": 7, "unit": "day"}, "breakdown": "firstTouchChannel", "from": "2024-04-10", "to": "2024-04-30", "compare": true}"#
            ),
            (
                "funnel/people",
                #"{"steps": ["Product Viewed", "Product Added", "Order Completed"], "step": 1, "from": "2024-04-10", "to": "2024-04-30", "limit": 1000}"#
            ),
            (
                "retention",
                #"{"start": "Product Viewed", "period": "day", "periods": 7, "from": "2024-04-10", "to": "2024-04-30", "breakdown": "firstTouchChannel"}"#
            ),
            ("stickiness", #"{"event": "Product Viewed", "window": "week", "from": "2024-04-10", "to": "2024-04-30"}"#),
            ("lifecycle", #"{"period": "week", "from": "2024-04-10", "to": "2024-04-30"}"#),
            ("kpis", #"{"period": "week", "from": "2024-04-10", "to": "2024-04-30"}"#),
            ("rfm", #"{"from": "2024-04-01", "to": "2024-04-30", "breakdown": "firstTouchChannel"}"#),
            ("tiers", #"{"scheme": "fiveThreeTwo", "from": "2024-04-01", "to": "2024-04-30"}"#),
            ("tiers", #"{"scheme": "colours"}"#),
            ("tiers", #"{"scheme": "ladder"}"#),
            ("concentration", #"{"from": "2024-04-01", "to": "2024-04-30", "population": "everyone"}"#),
            ("journey", #"{"breakdown": "firstTouchChannel"}"#),
        ]
        var answers: [TestStoreKind: [JSONValue]] = [:]
        for kind in TestStoreKind.available {
            let collected = Collected()
            try await ServerHarness.run(store: kind) { client, harness in
                try await Self.generate(DemoBrand(endingAt: serverNow, people: 300, days: 21, seed: 11), into: harness)
                var results: [JSONValue] = []
                for (path, body) in bodies { results.append(try await query(client, harness, path, body)) }
                // Customer value: the fit and its summary (minus the fit's own timestamps and id).
                let fit = try await segments.post(client, harness, "/api/v1/value/fit", "{}")
                #expect(fit.status == .ok, "\(String(buffer: fit.body))")
                results.append(fit.json["report"] ?? .null)
                results.append(try await segments.get(client, harness, "/api/v1/value/summary").json)
                collected.values = results
            }
            answers[kind] = collected.values
        }
        let sqlite = try #require(answers[.sqlite])
        // Sanity on SQLite: the queries see real data, and two ways of counting buyers agree.
        let funnelSteps = sqlite[0]["steps"]?.arrayValue?.compactMap { $0["count"]?.int64Value } ?? []
        #expect(funnelSteps.count == 3 && funnelSteps[0] > funnelSteps[1] && funnelSteps[1] >= funnelSteps[2] && funnelSteps[2] > 0)
        #expect(sqlite[1]["total"]?.int64Value == funnelSteps[0] - funnelSteps[1])
        let rfmBuyers = try #require(sqlite[6]["buyers"]?.int64Value)
        #expect(rfmBuyers > 10)
        #expect(sqlite[10]["buyers"]?.int64Value == rfmBuyers)
        // Customer value on the demo brand: parameters and predictions that make sense.
        let report = sqlite[bodies.count]
        #expect(report["model"] == "bgnbd")
        let r = try #require(report["parameters"]?["r"]?.doubleValue)
        #expect(r > 0 && r.isFinite)
        let summary = sqlite[bodies.count + 1]
        let customers = try #require(summary["customers"]?.int64Value)
        #expect(customers > 10)
        let bands = summary["churnBands"]
        #expect(
            (bands?["red"]?.int64Value ?? 0) + (bands?["yellow"]?.int64Value ?? 0) + (bands?["green"]?.int64Value ?? 0) >= customers
        )
        let means = summary["deciles"]?.arrayValue?.compactMap { $0["meanCLV"]?.doubleValue } ?? []
        #expect(means.count == 10 && zip(means, means.dropFirst()).allSatisfy { $0 >= $1 } && means[0] > 0)
        if let postgres = answers[.postgres] {
            for (index, path) in (bodies.map(\.0) + ["value/fit", "value/summary"]).enumerated() {
                #expect(JSONWriter.string(postgres[index]) == JSONWriter.string(sqlite[index]), "\(path) differs between SQLite and PostgreSQL")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func valueFitsWriteOntoPeopleAndRefuseBadInput(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            // No orders yet: a clear refusal, nothing stored.
            let empty = try await segments.post(client, harness, "/api/v1/value/fit", "{}")
            #expect(empty.status == .unprocessableContent)
            #expect(empty.errorCode == "cannot_fit")
            #expect(try await harness.store.valueFits(workspaceId: harness.workspace.id, limit: 10).isEmpty)
            let unfitted = try await segments.get(client, harness, "/api/v1/value/summary")
            #expect(unfitted.status == .conflict)

            try await Self.generate(DemoBrand(endingAt: serverNow, people: 300, days: 21, seed: 5), into: harness)
            let badModel = try await segments.post(client, harness, "/api/v1/value/fit", #"{"model": "magic"}"#)
            #expect(badModel.status == .badRequest)
            #expect(badModel.json["error"]?["field"] == "model")
            let fit = try await segments.post(client, harness, "/api/v1/value/fit", #"{"model": "pareto"}"#)
            #expect(fit.status == .ok)
            #expect(fit.json["model"] == "pareto")
            let models = try await segments.get(client, harness, "/api/v1/value/models")
            #expect(models.json["fits"]?.arrayValue?.count == 1)

            // Every predicted person has P(alive) in [0, 1]; a segment on it counts exactly the stored values.
            let stored = try await harness.store.allAttributes(workspaceId: harness.workspace.id)
            let alive = try #require(stored["p_alive"])
            #expect(!alive.isEmpty && alive.values.allSatisfy { $0 >= 0 && $0 <= 1 })
            let atRisk = alive.values.filter { $0 < 0.6 }.count
            let preview = try await segments.post(
                client,
                harness,
                "/api/v1/segments/preview",
                #"{"rule": {"attribute": "p_alive", "op": "lt", "value": 0.6}}"#
            )
            #expect(preview.json["count"]?.int64Value == Int64(atRisk))
            let person = try #require(alive.keys.min())
            let page = try await segments.get(client, harness, "/api/v1/people/\(person)/segments")
            #expect(page.json["values"]?["p_alive"]?.doubleValue != nil)
            #expect(page.json["labels"]?.arrayValue?.contains { $0["scheme"] == "value.churn" } == true)
        }
    }

    /// Too little history for the model (300 people over 21 days: far fewer than 100 repeat
    /// customers, no holdout under 28 days): every buyer's CLV is the simple formula's, whose inputs
    /// the operator sets per fit or saves for every fit.
    @Test(arguments: TestStoreKind.available)
    func valueFitFallsBackToTheSimpleFormulaWithTheOperatorsInputs(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await Self.generate(DemoBrand(endingAt: serverNow, people: 300, days: 21, seed: 5), into: harness)
            func put(_ key: String, _ json: String) async throws -> TestResponse {
                var headers = harness.bearer
                headers[.contentType] = "application/json"
                return try await client.execute(uri: "/api/v1/settings/\(key)", method: .put, headers: headers, body: ByteBuffer(string: json))
            }
            let bad = try await segments.post(client, harness, "/api/v1/value/fit", #"{"simple": {"retentionRate": 1.5}}"#)
            #expect(bad.status == .badRequest && bad.json["error"]?["field"] == "simple.retentionRate")
            let unknown = try await segments.post(client, harness, "/api/v1/value/fit", #"{"simple": {"margin": 0.3}}"#)
            #expect(unknown.status == .badRequest && unknown.json["error"]?["field"] == "simple.margin")
            let badSetting = try await put("valueSimple", #"{"coefficient": -1}"#)
            #expect(badSetting.status == .badRequest && badSetting.json["error"]?["field"] == "coefficient")
            #expect(try await harness.store.valueFits(workspaceId: harness.workspace.id, limit: 10).isEmpty)

            // All four set: ¥10 a week × 0.5 × 8 weeks × 0.5 = ¥20 for every buyer.
            let body = #"{"simple": {"averageRevenuePerUser": 10, "retentionRate": 0.5, "averageLifetime": 8, "coefficient": 0.5}}"#
            let fit = try await segments.post(client, harness, "/api/v1/value/fit", body)
            #expect(fit.status == .ok, "\(String(buffer: fit.body))")
            let report = try #require(fit.json["report"])
            #expect(report["recommendsSimpleFormula"] == true)
            #expect(report["simple"]?["value"] == 20)
            #expect(report["simple"]?["set"]?.arrayValue?.count == 4)
            #expect(report["holdout"] == nil)
            let clv = try #require(try await harness.store.allAttributes(workspaceId: harness.workspace.id)["clv"])
            #expect(!clv.isEmpty && clv.values.allSatisfy { $0 == 20 })

            // The summary says where the values come from, and bands every buyer by recency as well:
            // as many as RFM counts buyers over the last year.
            let summary = try await segments.get(client, harness, "/api/v1/value/summary")
            #expect(summary.json["clvSource"] == "simple" && summary.json["clvMonths"] == 12)
            let recency = try #require(summary.json["recencyBands"]?.objectValue)
            let banded = recency.values.compactMap(\.int64Value).reduce(0, +)
            let rfm = try await query(client, harness, "rfm", "{}")
            #expect(banded == rfm["buyers"]?.int64Value)
            let cycle = try #require(summary.json["recencyRule"]?["repurchaseCycleDays"]?.doubleValue)
            #expect(summary.json["recencyRule"]?["redAfterDays"]?.doubleValue == 4 * cycle)

            // A saved coefficient is used by the next fit (the daily one too); the rest is estimated.
            #expect(try await put("valueSimple", #"{"coefficient": 2}"#).status == .ok)
            let saved = try #require(try await segments.post(client, harness, "/api/v1/value/fit", "{}").json["report"]?["simple"])
            #expect(saved["coefficient"] == 2 && saved["set"] == ["coefficient"])
            let product = try ["averageRevenuePerUser", "retentionRate", "averageLifetime"].map { try #require(saved[$0]?.doubleValue) }.reduce(2, *)
            #expect(abs(product - (saved["value"]?.doubleValue ?? 0)) < 1e-9 * max(1, product))
            // Each buyer carries their recency band as a label.
            let buyer = try #require(clv.keys.min())
            let labels = try await segments.get(client, harness, "/api/v1/people/\(buyer)/segments")
            #expect(labels.json["labels"]?.arrayValue?.contains { $0["scheme"] == "value.recency" } == true)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func savedSettingsConfigureTheQueries(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await segments.seed(client, harness)
            func put(_ key: String, _ json: String) async throws -> TestResponse {
                var headers = harness.bearer
                headers[.contentType] = "application/json"
                return try await client.execute(uri: "/api/v1/settings/\(key)", method: .put, headers: headers, body: ByteBuffer(string: json))
            }
            // A two-tier pyramid, 20 % / 80 % of 5 people: the top ends at rank round(1.0) = 1 (u2).
            let saved = try await put("tiers.pyramid", #"{"tiers": [{"code": "vip", "fraction": 0.2}, {"code": "rest", "fraction": 0.8}]}"#)
            #expect(saved.status == .ok)
            let pyramid = try await query(client, harness, "tiers", #"{"scheme": "pyramid"}"#)
            #expect(pyramid["tiers"]?.arrayValue?.map { $0["code"] } == ["vip", "rest"])
            #expect(pyramid["tiers"]?.arrayValue?.map { $0["people"] } == [1, 4])
            // A request's own configuration still wins.
            let explicit = try await query(
                client,
                harness,
                "tiers",
                #"{"scheme": "pyramid", "tiers": [{"code": "a", "fraction": 0.5}, {"code": "b", "fraction": 0.5}]}"#
            )
            #expect(explicit["tiers"]?.arrayValue?.map { $0["code"] } == ["a", "b"])
            // Fractions that do not add up to 1 are refused and the saved setting stays.
            let bad = try await put("tiers.pyramid", #"{"tiers": [{"code": "vip", "fraction": 0.5}, {"code": "rest", "fraction": 0.8}]}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.json["error"]?["field"] == "tiers")
            #expect(try await put("colour", "{}").status == .notFound)
            // What a query does is not a setting: a saved `"save": true` would store labels on every read.
            let doing = try await put(
                "tiers.pyramid",
                #"{"tiers": [{"code": "vip", "fraction": 0.2}, {"code": "rest", "fraction": 0.8}], "save": true}"#
            )
            #expect(doing.status == .badRequest && doing.json["error"]?["field"] == "save")
            let typo = try await put("kpiMapping", #"{"conversion": ["Order Completed"]}"#)
            #expect(typo.status == .badRequest && typo.json["error"]?["field"] == "conversion")
            let settings = try await segments.get(client, harness, "/api/v1/settings")
            #expect(settings.json["tiers.pyramid"]?["tiers"]?.arrayValue?.count == 2)

            // The KPI mapping: u4's product view on Apr 30 also counts as a conversion, with u2's order: 2.
            #expect(try await put("kpiMapping", #"{"conversions": ["Product Viewed", "Order Completed"]}"#).status == .ok)
            let kpis = try await query(client, harness, "kpis", #"{"from": "2024-04-30", "to": "2024-04-30", "byChannel": false}"#)
            #expect(kpis["series"]?.arrayValue?.first?["points"]?.arrayValue?.first?["values"]?["conversions"]?.doubleValue == 2)
            let reset = try await client.execute(uri: "/api/v1/settings/kpiMapping", method: .delete, headers: harness.bearer)
            #expect(reset.status == .ok)
            let again = try await query(client, harness, "kpis", #"{"from": "2024-04-30", "to": "2024-04-30", "byChannel": false}"#)
            // With the default mapping, conversions are orders: u2's one on Apr 30.
            #expect(again["series"]?.arrayValue?.first?["points"]?.arrayValue?.first?["values"]?["conversions"]?.doubleValue == 1)
        }
    }

    /// Stores a generated brand the way `siyu demo` does.
    static func generate(_ brand: DemoBrand, into harness: ServerHarness) async throws {
        let store = harness.store
        for channel in brand.channels { try await store.saveChannel(channel, workspaceId: harness.workspace.id) }
        let channels = try await store.channels(workspaceId: harness.workspace.id)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: harness.workspace.currency, channels: channels),
            extractor: Secrets.extractor(for: harness.workspace)
        )
        var batches = brand.batches(batchSize: 2_000)
        while let (batch, _) = batches.next() {
            _ = try await store.ingest([IngestBatch(workspaceId: harness.workspace.id, events: batch.map(preparer.prepare))])
        }
    }
}

/// Results handed out of a harness run.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [JSONValue] = []
    var values: [JSONValue] {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// The OpenAPI document: served, complete for the analytics endpoints, and its examples work.
@Suite struct OpenAPITests {
    @Test func theDocumentIsServedAndEveryAnalyticsExampleAnswers() async throws {
        try await ServerHarness.run { client, harness in
            try await TrackingAPITests().seed(client, harness)
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            let document = response.json
            #expect(document["openapi"] == "3.1.0")
            let paths = try #require(document["paths"]?.objectValue)
            for path in [
                "funnel", "funnel/people", "retention", "stickiness", "lifecycle", "kpis", "rfm", "rfm/people", "tiers", "tiers/movements",
                "concentration", "journey",
            ] {
                let documented = try #require(paths["/api/v1/analytics/" + path]?["post"], "analytics/\(path) is not documented")
                let example = try #require(documented["requestBody"]?["content"]?["application/json"]?["example"])
                var headers = harness.bearer
                headers[.contentType] = "application/json"
                let answer = try await client.execute(
                    uri: "/api/v1/analytics/" + path,
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: JSONWriter.string(example))
                )
                #expect(answer.status == .ok, "the documented example of analytics/\(path) fails: \(String(buffer: answer.body))")
            }
            for path in ["/api/v1/segments", "/api/v1/segments/{id}/members", "/api/v1/value/fit", "/v1/batch", "/api/v1/people/{id}/segments"] {
                #expect(paths[path] != nil, "\(path) is not documented")
            }
        }
    }
}
