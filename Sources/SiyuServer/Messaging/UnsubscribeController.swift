import Foundation
import HTTPTypes
import Hummingbird
import SiyuCore
import SiyuStore

/// The page an unsubscribe link opens (`GET /u/<token>`), and the unsubscribe itself: a POST from
/// its button, or a mail client's one-click POST (RFC 8058, `List-Unsubscribe=One-Click`). A
/// second button subscribes again, for those who clicked by mistake. No login, no script, no
/// third-party resource: the signed token is the permission, for that person and group only.
struct UnsubscribeController: Sendable {
    typealias Store = any MessagingRepository & SettingsRepository
    let store: Store
    let clock: @Sendable () -> Int64

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("u/:token") { request, context in try await page(request, context, change: nil) }
        router.post("u/:token") { request, context in try await page(request, context, change: false) }
        router.post("u/:token/resubscribe") { request, context in try await page(request, context, change: true) }
    }

    func page(_ request: Request, _ context: AppRequestContext, change: Bool?) async throws -> Response {
        let english = request.headers[.acceptLanguage].flatMap { ConsoleLocale.preferred(acceptLanguage: $0) } == .en
        let words = Words(english: english)
        let token = context.parameters.get("token") ?? ""
        guard let target = UnsubscribeLink.target(token),
            let secret = try await store.settings(workspaceId: target.workspaceId)[UnsubscribeLink.secretKey]?.stringValue,
            UnsubscribeLink.verify(token, secret: secret) != nil,
            let group = try await store.subscriptionGroups(workspaceId: target.workspaceId).first(where: { $0.id == target.groupId })
        else { return html(words.page(title: words.invalid, body: "<p>\(words.invalidDetail)</p>"), status: .notFound) }
        if let change {
            _ = try await store.setSubscriptions(
                workspaceId: target.workspaceId,
                [SubscriptionChoice(groupId: group.id, personId: target.personId, subscribed: change, source: "link", updatedAt: clock())]
            )
        }
        let choice = try await store.subscriptions(personId: target.personId, workspaceId: target.workspaceId).first { $0.groupId == group.id }
        let name = ChartText.escaped(group.name)
        let action = "/u/" + ChartText.escaped(token)
        let body: String
        if group.admits(choice?.subscribed) {
            body = """
                <p>\(words.receiving(name))</p>
                <form method="post" action="\(action)"><button type="submit">\(words.unsubscribe)</button></form>
                """
        } else {
            body = """
                <p>\(words.unsubscribed(name))</p>
                <form method="post" action="\(action)/resubscribe"><button type="submit" class="secondary">\(words.resubscribe)</button></form>
                """
        }
        return html(words.page(title: group.admits(choice?.subscribed) ? words.title : words.done, body: body), status: .ok)
    }

    func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// The page's words in the reader's language.
    struct Words {
        var english: Bool

        var title: String { english ? "Unsubscribe" : "退订" }
        var done: String { english ? "You are unsubscribed" : "已退订" }
        var invalid: String { english ? "This link does not work" : "链接无效" }
        var invalidDetail: String {
            english ? "The link is incomplete or no longer valid. Copy the whole link from the message." : "链接不完整或已失效，请从消息中复制完整链接。"
        }
        var unsubscribe: String { english ? "Unsubscribe" : "退订" }
        var resubscribe: String { english ? "Subscribe again" : "重新订阅" }
        func receiving(_ group: String) -> String { english ? "You receive <strong>\(group)</strong>." : "您正在接收「\(group)」。" }
        func unsubscribed(_ group: String) -> String {
            english ? "You will no longer receive <strong>\(group)</strong>." : "您将不再收到「\(group)」。"
        }

        func page(title: String, body: String) -> String {
            """
            <!doctype html>
            <html lang="\(english ? "en" : "zh-CN")"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>
            body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;padding:2rem 1rem;background:#f6f7f9;color:#1f2328}
            main{max-width:28rem;margin:0 auto;background:#fff;border-radius:12px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
            h1{font-size:1.25rem;margin:0 0 1rem}button{font-size:1rem;padding:.7rem 1.2rem;border:0;border-radius:8px;background:#c62828;color:#fff;width:100%}
            button.secondary{background:#e8eaed;color:#1f2328}
            </style></head>
            <body><main><h1>\(title)</h1>\(body)</main></body></html>
            """
        }
    }
}
