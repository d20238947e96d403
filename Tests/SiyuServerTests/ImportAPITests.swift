import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@Suite struct ImportAPITests {
    /// A member export of a Chinese shop: headers guessed, one row with a bad phone number.
    let members = """
        会员ID,姓名,手机号,城市,注册时间
        M001,张三,13800138000,上海,2024-03-01 10:00:00
        M002,李四,12345,北京,2024-03-02 11:00:00
        M003,王五,13900139000,杭州,2024/3/3

        """

    /// Orders of those members; one row has an amount that is not a number, one is refunded.
    let orders = """
        订单号,会员ID,实付金额,支付时间,订单状态
        A-1,M001,"1,299.90",2024-04-01 09:30:00,已完成
        A-2,M001,abc,2024-04-02 09:30:00,已完成
        A-3,M003,59.00,2024-04-03 09:30:00,已退款
        A-4,M003,88.80,2024-04-04 09:30:00,已完成

        """

    func post(_ client: some TestClientProtocol, _ harness: ServerHarness, _ path: String, _ csv: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: harness.bearer, body: ByteBuffer(string: csv))
    }

    @Test func importsPeopleAndOrdersIdempotently() async throws {
        try await ServerHarness.run { client, harness in
            let people = try await post(client, harness, "/api/v1/imports/people", members)
            #expect(people.status == .ok)
            #expect(people.json["rowsRead"] == 3 && people.json["stored"] == 2 && people.json["rejected"] == 1)
            let issue = people.json["issues"]?.arrayValue?.first
            // The header is line 1, so M002 is on line 3.
            #expect(issue?["line"] == 3 && issue?["column"] == "手机号")

            let first = try await post(client, harness, "/api/v1/imports/orders", orders)
            #expect(first.json["stored"] == 2 && first.json["rejected"] == 1 && first.json["skipped"] == 1)
            let again = try await post(client, harness, "/api/v1/imports/orders", orders)
            #expect(again.json["stored"] == 0 && again.json["alreadyImported"] == 2)
            let peopleAgain = try await post(client, harness, "/api/v1/imports/people", members)
            #expect(peopleAgain.json["stored"] == 0 && peopleAgain.json["alreadyImported"] == 2)

            let ws = harness.workspace.id
            let m001 = try #require(try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "M001"), workspaceId: ws))
            let profile = try #require(try await harness.store.person(id: m001, workspaceId: ws))
            // Order A-1 only (A-2 refused): ¥1,299.90.
            #expect(profile.orderCount == 1 && profile.revenueMinor == 129_990)
            #expect(profile.traits["name"] == "张三" && profile.traits["city"] == "上海")
            #expect(profile.traits["phone"] == "138****8000")
            #expect(try await harness.store.personId(identity: IdentityKey(IdentityKey.phone, "13800138000"), workspaceId: ws) == m001)
            let m003 = try #require(try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "M003"), workspaceId: ws))
            #expect(try await harness.store.person(id: m003, workspaceId: ws)?.revenueMinor == 8880)
            // 2 identify events + 2 orders, stored once each.
            #expect(try await harness.store.eventCount(workspaceId: ws) == 4)
        }
    }

    @Test func refusesBadMappingsAndFilesWithoutStoringAnything() async throws {
        try await ServerHarness.run { client, harness in
            let unknownColumn = try await post(client, harness, "/api/v1/imports/people?map=userId=no_such_column", members)
            #expect(unknownColumn.status == .badRequest && unknownColumn.errorCode == "invalid_file")
            let badField = try await post(client, harness, "/api/v1/imports/people?map=shoeSize=会员ID", members)
            #expect(badField.status == .badRequest && badField.json["error"]?["field"] == "map")
            let notUTF8 = try await client.execute(
                uri: "/api/v1/imports/people",
                method: .post,
                headers: harness.bearer,
                body: ByteBuffer(bytes: [0xBB, 0xE1, 0x49, 0x44, 0x0A])
            )
            #expect(notUTF8.status == .badRequest)
            let unknownKind = try await post(client, harness, "/api/v1/imports/coupons", members)
            #expect(unknownKind.status == .notFound)
            let viewerless = try await client.execute(uri: "/api/v1/imports/people", method: .post, body: ByteBuffer(string: members))
            #expect(viewerless.status == .unauthorized)
            #expect(try await harness.store.eventCount(workspaceId: harness.workspace.id) == 0)
        }
    }
}
