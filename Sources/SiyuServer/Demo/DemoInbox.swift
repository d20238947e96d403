import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// Where the demo brand's messages go: its SMS provider and WeCom group robot are this server's own
/// `/demo-inbox/sms` and `/demo-inbox/wecom`, which accept what a provider would (and answer as one
/// does), so that journeys send real messages through the outbox without any outside account.
/// Only `siyu demo` mounts these routes.
public enum DemoInbox {
    /// The two inboxes: each reads the request (up to 64 KiB) and answers as the provider would; the
    /// outbox is the record of what was sent.
    public static func addRoutes(to router: Router<AppRequestContext>) {
        router.post("demo-inbox/sms") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 64 * 1024)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"queued"}"#))
            )
        }
        router.post("demo-inbox/wecom") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 64 * 1024)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"errcode":0,"errmsg":"ok"}"#))
            )
        }
    }

    /// Points the workspace's SMS provider and WeCom robot at this server's inboxes (`base`, e.g.
    /// `http://127.0.0.1:8080`), and unsubscribe links at the server itself; caps SMS at 2 a day and
    /// 5 a week per person unless caps are set.
    public static func configure(store: any SiyuStore, workspace: Workspace, base: String) async throws {
        var settings = MessagingSettings.read(try await store.settings(workspaceId: workspace.id))
        settings.sms = .init(url: base + "/demo-inbox/sms", sender: "QINGHE")
        settings.wecomRobot = .init(url: base + "/demo-inbox/wecom", markdown: false)
        settings.publicURL = base
        if settings.caps == nil { settings.caps = .init(sms: .init(perDay: 2, perWeek: 5)) }
        _ = try await store.saveSetting(
            workspaceId: workspace.id,
            key: MessagingSettings.key,
            value: try JSONParser.parse(String(decoding: try JSONEncoder().encode(settings), as: UTF8.self))
        )
    }

    /// Loads the demo people's phone numbers (as their sign-up traits had them) into the contact vault.
    public static func loadContacts(store: any SiyuStore, workspace: Workspace, phones: [String: String], now: Int64) async throws {
        let vault = ContactVault(store: store)
        var sealed: [SealedContact] = []
        for (userId, phone) in phones.sorted(by: { $0.key < $1.key }) {
            guard let person = try await store.personId(identity: IdentityKey(IdentityKey.userId, userId), workspaceId: workspace.id),
                let number = ContactVault.phoneNumber(phone)
            else { continue }
            sealed.append(
                SealedContact(personId: person, kind: "phone", sealed: try await vault.seal(number, workspaceId: workspace.id), updatedAt: now)
            )
            if sealed.count == 1000 {
                try await store.saveContacts(workspaceId: workspace.id, sealed)
                sealed = []
            }
        }
        try await store.saveContacts(workspaceId: workspace.id, sealed)
    }
}
