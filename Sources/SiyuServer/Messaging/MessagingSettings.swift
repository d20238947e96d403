import Foundation
import SiyuAPI
import SiyuCore
import SiyuMessaging

/// A workspace's messaging settings (`messaging` in its settings object, the contract's
/// `MessagingSettings`): where each channel sends, quiet hours, caps and the public address that
/// unsubscribe links point at. Secrets are kept as given and never answered (``masked``).
enum MessagingSettings {
    typealias Settings = Components.Schemas.MessagingSettings
    static let key = "messaging"
    /// What GET shows for a saved secret, and what PUT reads as "keep the saved one".
    static let mask = "****"

    static func read(_ settings: JSONObject) -> Settings {
        (try? settings[key]?.decoded(as: Settings.self)) ?? Settings()
    }

    /// Quiet hours (21:00–09:00 unless set; nil when switched off).
    static func quietHours(_ settings: Settings) -> QuietHours? {
        guard settings.quietHours?.enabled ?? true else { return nil }
        return QuietHours(
            startMinute: minute(settings.quietHours?.start) ?? 21 * 60,
            endMinute: minute(settings.quietHours?.end) ?? 9 * 60
        )
    }

    /// The workspace-wide cap of a channel, nil when none.
    static func cap(_ settings: Settings, _ channel: MessageChannel) -> FrequencyCap? {
        let cap: Components.Schemas.FrequencyCapSetting? =
            switch channel {
            case .email: settings.caps?.email
            case .sms: settings.caps?.sms
            case .wecomRobot: settings.caps?.wecomRobot
            case .webhook: settings.caps?.webhook
            case .staffTask: nil
            }
        guard let cap, cap.perDay != nil || cap.perWeek != nil else { return nil }
        return FrequencyCap(perDay: cap.perDay, perWeek: cap.perWeek)
    }

    static func minute(_ text: String?) -> Int? {
        guard let text else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else {
            return nil
        }
        return hour * 60 + minute
    }

    /// The first mistake, with its field.
    static func check(_ settings: Settings) throws {
        // The contract's lengths, checked here: the generated decoder does not.
        let lengths: [(String, String?, Int)] = [
            ("email.smtp", settings.email?.smtp, 2000), ("email.from", settings.email?.from, 320), ("sms.url", settings.sms?.url, 2000),
            ("sms.sender", settings.sms?.sender, 64), ("sms.secret", settings.sms?.secret, 256), ("sms.bearerToken", settings.sms?.bearerToken, 1024),
            ("wecomRobot.url", settings.wecomRobot?.url, 2000), ("webhook.url", settings.webhook?.url, 2000), ("publicURL", settings.publicURL, 500),
        ]
        for (field, text, maximum) in lengths where (text?.utf8.count ?? 0) > maximum {
            throw APIError.badRequest("\(field) is at most \(maximum) bytes", field: field)
        }
        let caps = [
            ("email", settings.caps?.email), ("sms", settings.caps?.sms), ("wecomRobot", settings.caps?.wecomRobot),
            ("webhook", settings.caps?.webhook),
        ]
        for (channel, cap) in caps {
            guard let cap else { continue }
            guard cap.perDay.map { (1...100).contains($0) } ?? true, cap.perWeek.map { (1...700).contains($0) } ?? true else {
                throw APIError.badRequest("a cap's perDay is 1 to 100 and perWeek 1 to 700", field: "caps.\(channel)")
            }
        }
        if let email = settings.email {
            guard let smtp = SMTPConfiguration(url: email.smtp), smtp.host.count <= 253 else {
                throw APIError.badRequest("the SMTP address is smtp://user:password@host:587 or smtps://…:465", field: "email.smtp")
            }
            guard let from = sender(email.from), from.problem == nil else {
                throw APIError.badRequest("from is an address, or `Name <address>`", field: "email.from")
            }
        }
        for (field, url) in [("sms.url", settings.sms?.url), ("wecomRobot.url", settings.wecomRobot?.url), ("webhook.url", settings.webhook?.url)] {
            if let url, !isWebAddress(url) { throw APIError.badRequest("\(field) is an http(s) address", field: field) }
        }
        if let url = settings.publicURL, !isWebAddress(url) {
            throw APIError.badRequest("publicURL is an http(s) address such as https://siyu.example.com", field: "publicURL")
        }
        if let hours = settings.quietHours {
            for (field, text) in [("quietHours.start", hours.start), ("quietHours.end", hours.end)] where text != nil && minute(text) == nil {
                throw APIError.badRequest("a time of day is HH:MM, 00:00 to 23:59", field: field)
            }
            if let start = minute(hours.start ?? "21:00"), let end = minute(hours.end ?? "09:00"), start == end {
                throw APIError.badRequest("quiet hours start and end at different times (switch them off with enabled: false)", field: "quietHours")
            }
        }
    }

    static func isWebAddress(_ text: String) -> Bool {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), let host = url.host, !host.isEmpty else {
            return false
        }
        return true
    }

    /// `Name <address>` or an address.
    static func sender(_ text: String) -> EmailAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            return EmailAddress(address, displayName: name.isEmpty ? nil : name)
        }
        return EmailAddress(trimmed)
    }

    /// The settings as answered: the SMTP password, SMS secret and token shown as `****`.
    static func masked(_ settings: Settings) -> Settings {
        var masked = settings
        if let smtp = settings.email?.smtp, var components = URLComponents(string: smtp), components.password != nil {
            components.password = mask
            masked.email?.smtp = components.string ?? mask
        }
        if settings.sms?.secret != nil { masked.sms?.secret = mask }
        if settings.sms?.bearerToken != nil { masked.sms?.bearerToken = mask }
        return masked
    }

    /// New settings with each `****` replaced by the saved secret it stands for.
    static func keepingSecrets(_ new: Settings, saved: Settings) -> Settings {
        var merged = new
        if let smtp = new.email?.smtp, var components = URLComponents(string: smtp), components.password == mask {
            components.password = saved.email.flatMap { URLComponents(string: $0.smtp)?.password }
            merged.email?.smtp = components.string ?? smtp
        }
        if new.sms?.secret == mask { merged.sms?.secret = saved.sms?.secret }
        if new.sms?.bearerToken == mask { merged.sms?.bearerToken = saved.sms?.bearerToken }
        return merged
    }
}
