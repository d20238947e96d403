import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuStore

/// Phone numbers and e-mail addresses never reach the store in clear, and an erased person stays
/// erased: replays and re-imports are answered but not stored, and nothing of them is left on disk.
@Suite struct PrivacyTests {
    /// Everything the store holds, as text: the SQLite files' bytes, or every row of PostgreSQL's tables.
    static func rawStore(_ store: any SiyuStore) async throws -> String {
        if let sqlite = store as? SQLiteStore, let path = sqlite.database.path {
            var text = ""
            for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
                text += String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            }
            return text
        }
        var text = ""
        for table in ["events", "persons", "identities", "merges", "merge_conflicts", "suppressions", "segment_members"] {
            text += try await RawTable.text(table, store: store)
        }
        return text
    }

    static let identifyAndOrder = #"""
        {"batch": [
          {"type": "identify", "userId": "u1", "messageId": "m1", "timestamp": "2024-04-30T09:00:00Z",
           "traits": {"Email": "Li.Lei@Example.com", "phoneNumber": "+86 139-1234-5671", "mobile_phone": "13912345672",
                      "emails": ["second@example.org"], "address": {"city": "上海", "phone": "13912345673"}, "手机号": "13912345674"},
           "context": {"externalIds": [{"id": "13912345675", "type": "phone_number", "collection": "users"},
                                       {"id": "third@example.net", "type": "email_address"},
                                       {"id": "13912345676", "type": "tel"}, {"id": "13912345677", "type": "mobilePhone"}],
                       "traits": {"phone": "13912345678"}}},
          {"type": "track", "userId": "u1", "event": "Order Completed", "messageId": "m2", "timestamp": "2024-04-30T10:00:00Z",
           "properties": {"order_id": "13900000001", "revenue": 10, "billing_phone": "13912345679",
                          "receiver": {"name": "韩梅梅", "mobile": 13912345680}, "note": "13912345681", "contacts": ["fourth@example.com"]}}
        ]}
        """#

    /// Every clear value above, as a client might write it.
    static let clearValues =
        [
            "Li.Lei@Example.com", "li.lei@example.com", "second@example.org", "third@example.net", "fourth@example.com", "139-1234-5671",
        ] + (71...81).map { "139123456\($0)" }

    @Test(arguments: TestStoreKind.available)
    func personalDataIsNeverStoredInClear(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let response = try await client.send("/v1/batch", Self.identifyAndOrder, harness)
            #expect(response.json["stored"] == 2)
            let raw = try await Self.rawStore(harness.store)
            for value in Self.clearValues {
                #expect(!raw.contains(value), "\(value) is stored in clear")
            }
            // An identifier is no contact: the order id stays as sent.
            #expect(raw.contains("13900000001"))
            // Masked where they are shown; the exactly named ones (and external ids) are identities.
            let person = try #require(try await harness.store.searchPeople(workspaceId: harness.workspace.id, query: PeopleQuery()).items.first)
            #expect(person.traits["Email"] == "l***@example.com")
            #expect(person.traits["phoneNumber"] == "139****5671")
            #expect(person.traits["address"] == ["city": "上海", "phone": "139****5673"])
            #expect(person.traits["emails"] == ["s***@example.org"])
            let identities = try await harness.store.identities(personId: person.id, workspaceId: harness.workspace.id)
            #expect(identities.filter { $0.kind == IdentityKey.phone }.count == 7)  // 5671, 5672, 5674, 5675, 5676, 5677, 5678
            #expect(identities.filter { $0.kind == IdentityKey.email }.count == 3)  // li.lei, second, third
            // The same phone number typed another way finds the person.
            let typed = IdentityKey(IdentityKey.phone, "139 1234 5671")
            #expect(try await harness.store.personId(identity: typed, workspaceId: harness.workspace.id) == person.id)
            let order = try #require(try await harness.events().last)
            #expect(order.message.properties["receiver"] == ["name": "韩梅梅", "mobile": "139****5680"])
            #expect(order.message.properties["note"] == "139****5681")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func anErasedPersonDoesNotComeBack(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let batch = #"""
                {"batch": [
                  {"type": "identify", "userId": "u1", "anonymousId": "a1", "messageId": "m1", "traits": {"phone": "13912345671"}},
                  {"type": "track", "userId": "u1", "event": "Viewed", "messageId": "m2", "properties": {"note": "secret-note-of-u1"}},
                  {"type": "track", "anonymousId": "a1", "event": "Viewed", "messageId": "m3"},
                  {"type": "track", "userId": "u2", "event": "Viewed", "messageId": "m4"}
                ]}
                """#
            #expect(try await client.send("/v1/batch", batch, harness).json["stored"] == 4)
            let shop = TrackingAPITests()
            let segment = try await shop.post(client, harness, "/api/v1/segments", #"{"name": "viewers", "rule": {"event": "Viewed"}}"#)
            #expect(segment.json["size"] == 2)
            let segmentId = try #require(segment.json["id"]?.int64Value)
            let u1 = try #require(
                try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: harness.workspace.id)
            )

            let sqlite = harness.store as? SQLiteStore
            if let sqlite {
                // The note is in the database file itself (not only in the write-ahead log) before the erasure.
                try await sqlite.database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
                #expect(try await Self.rawStore(sqlite).contains("secret-note-of-u1"))
            }
            let erased = try await client.execute(uri: "/api/v1/people/\(u1)", method: .delete, headers: harness.bearer)
            #expect(erased.json["erased"]?["events"] == 3)
            if let sqlite, let path = sqlite.database.path {
                // secure_delete zeroed the deleted rows, and the write-ahead log was emptied.
                #expect(!(try await Self.rawStore(sqlite)).contains("secret-note-of-u1"))
                #expect((try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) == 0)
            }
            // The segment is one smaller at once.
            #expect(try await shop.get(client, harness, "/api/v1/segments/\(segmentId)").json["size"] == 1)

            // The SDK retries the whole batch: answered, the three of u1 not stored, u2's a duplicate.
            let replay = try await client.send("/v1/batch", batch, harness)
            #expect(replay.status == .ok)
            #expect(replay.json["stored"] == 0 && replay.json["duplicates"] == 1 && replay.json["suppressed"] == 3)
            // New events of the erased user id, device or phone number are kept out too.
            for body in [
                #"{"userId": "u1", "event": "Viewed", "messageId": "n1"}"#, #"{"anonymousId": "a1", "event": "Viewed", "messageId": "n2"}"#,
            ] {
                let single = try await client.send("/v1/track", body, harness)
                #expect(single.status == .ok && single.json == ["success": true])
            }
            let identify = try await client.send("/v1/identify", #"{"userId": "u9", "traits": {"phone": "139 1234 5671"}}"#, harness)
            #expect(identify.status == .ok)
            // A CSV re-import of the member is answered, not stored.
            var headers = harness.bearer
            headers[.contentType] = "text/csv"
            let imported = try await client.execute(
                uri: "/api/v1/imports/people",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "user_id,name\nu1,李雷\nu3,韩梅梅\n")
            )
            #expect(imported.json["stored"] == 1 && imported.json["suppressed"] == 1)
            #expect(try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: harness.workspace.id) == nil)
            #expect(try await harness.events().map { $0.message.userId ?? "-" } == ["u2", "u3"])

            let listed = try await shop.get(client, harness, "/api/v1/suppressions")
            #expect(listed.json["messageIds"] == 3)
            #expect(listed.json["identities"] == ["anonymous_id": 1, "phone": 1, "user_id": 1])
            // Lifted (the customer signed up again): the user id is stored again, as a new person.
            let lifted = try await client.execute(uri: "/api/v1/suppressions?identity=user_id:u1", method: .delete, headers: harness.bearer)
            #expect(lifted.json["lifted"] == true)
            #expect(try await client.send("/v1/track", #"{"userId": "u1", "event": "Back", "messageId": "n3"}"#, harness).status == .ok)
            #expect(try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: harness.workspace.id) != nil)

        }
    }

    @Test func keysAndValuesAreRecognised() {
        for key in [
            "phone", "Phone_Number", "mobile-phone", "手机号", "tel", "cellPhone2", "billing_phone", "receiverMobile", "emergency contact phone",
        ] {
            #expect(PersonalData.kind(ofKey: key) == .phone, "\(key)")
        }
        for key in ["email", "E-mail", "emailAddress", "邮箱", "contact_email", "Emails"] {
            #expect(PersonalData.kind(ofKey: key) == .email, "\(key)")
        }
        for key in ["phone_verified", "hotel", "mailing_list", "telegram", "order_id", "name"] {
            #expect(PersonalData.kind(ofKey: key) == nil, "\(key)")
        }
        // Only exact names become identities.
        #expect(PersonalData.identityKind(ofKey: "phone_number") == .phone && PersonalData.identityKind(ofKey: "billing_phone") == nil)
        #expect(PersonalData.kind(ofValue: "13800138000") == .phone)
        #expect(PersonalData.kind(ofValue: "+86 138-0013-8000") == .phone)
        #expect(PersonalData.kind(ofValue: "12800138000") == nil)  // no mainland mobile starts 12
        #expect(PersonalData.kind(ofValue: "021-6123-4567") == nil)  // a landline is not recognised by value alone
        #expect(PersonalData.kind(ofValue: "a.b@example.cn") == .email)
        #expect(PersonalData.kind(ofValue: "price@2.5") == nil)
        #expect(PersonalData.kind(ofValue: "@handle") == nil)
        let masked = PersonalData.masked(["sku_id": "13800138000", "n": 13_800_138_000, "list": [["e": "x@y.com"]], "ok": 1])
        #expect(masked == ["sku_id": "13800138000", "n": "138****8000", "list": [["e": "x***@y.com"]], "ok": 1])
    }
}

/// Every row of a PostgreSQL table as text (`row_to_json`).
enum RawTable {
    static func text(_ table: String, store: any SiyuStore) async throws -> String {
        guard let postgres = store as? PostgresStore else { return "" }
        return try await postgres.read { connection in
            try await connection.value(
                String.self,
                PostgresQuery(unsafeSQL: "SELECT COALESCE(string_agg(row_to_json(t)::text, ''), '') FROM \(table) t"),
                logger: postgres.logger
            ) ?? ""
        }
    }
}
