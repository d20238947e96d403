import Crypto
import Foundation
import SiyuCore
import SiyuStore

/// People's e-mail addresses and phone numbers for sending, kept apart from their profiles (which
/// hold them only masked): sealed with ChaCha20-Poly1305, each under the key it names.
///
/// The key is `SIYU_CONTACT_KEY` (32 bytes, as 64 hex digits or base64) when the server has it —
/// then a copy of the database alone reveals no address — else a key made for the workspace and
/// kept in its settings, which protects exports and single-table dumps only (docs/journeys.md says
/// to set the variable in production). A sealed value is `k:<base64>` (the server's key) or
/// `w:<base64>` (the workspace's), so either opens after the other is introduced.
struct ContactVault: Sendable {
    let store: any MessagingRepository & SettingsRepository
    /// `SIYU_CONTACT_KEY`'s 32 bytes.
    let serverKey: Data?

    static let settingsKey = "messaging.contactKey"

    init(store: any MessagingRepository & SettingsRepository, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.store = store
        serverKey = environment["SIYU_CONTACT_KEY"].flatMap(Self.key)
    }

    /// A phone number in E.164 form, as SMS providers take it: `+` and 8 to 15 digits; spaces, `-`
    /// and parentheses dropped; `00…` read as `+…`; a mainland mobile number (11 digits, 13…–19…) gets
    /// +86. Nil for anything else.
    static func phoneNumber(_ text: String) -> String? {
        var kept = text.filter { !" -()".contains($0) }
        if kept.hasPrefix("00") { kept = "+" + kept.dropFirst(2) }
        if !kept.hasPrefix("+"), kept.count == 11, kept.hasPrefix("1"), let second = kept.dropFirst().first, ("3"..."9").contains(second) {
            kept = "+86" + kept
        }
        let digits = kept.dropFirst()
        guard kept.hasPrefix("+"), (8...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return kept
    }

    /// 32 bytes from 64 hex digits or base64.
    static func key(_ text: String) -> Data? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, trimmed.allSatisfy(\.isHexDigit) {
            var bytes: [UInt8] = []
            var index = trimmed.startIndex
            while index < trimmed.endIndex {
                let next = trimmed.index(index, offsetBy: 2)
                bytes.append(UInt8(trimmed[index..<next], radix: 16)!)
                index = next
            }
            return Data(bytes)
        }
        guard let data = Data(base64Encoded: trimmed), data.count == 32 else { return nil }
        return data
    }

    func seal(_ value: String, workspaceId: Int64) async throws -> String {
        let (prefix, key) = try await sealingKey(workspaceId: workspaceId)
        let box = try ChaChaPoly.seal(Data(value.utf8), using: SymmetricKey(data: key))
        return prefix + box.combined.base64EncodedString()
    }

    /// The address, or nil when it cannot be opened (a key that is gone). `settings`: the workspace's,
    /// when the caller has read them already.
    func open(_ sealed: String, workspaceId: Int64, settings: JSONObject? = nil) async throws -> String? {
        guard let colon = sealed.firstIndex(of: ":"), let data = Data(base64Encoded: String(sealed[sealed.index(after: colon)...])) else {
            return nil
        }
        let key: Data?
        switch sealed[..<colon] {
        case "k": key = serverKey
        case "w": key = try await workspaceKey(workspaceId: workspaceId, create: false, settings: settings)
        default: key = nil
        }
        guard let key, let box = try? ChaChaPoly.SealedBox(combined: data), let plain = try? ChaChaPoly.open(box, using: SymmetricKey(data: key))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    /// A person's address of a kind (`email`, `phone`), when one was loaded.
    func address(_ kind: String, personId: Int64, workspaceId: Int64, settings: JSONObject? = nil) async throws -> String? {
        guard let sealed = try await store.contacts(personId: personId, workspaceId: workspaceId)[kind] else { return nil }
        return try await open(sealed, workspaceId: workspaceId, settings: settings)
    }

    private func sealingKey(workspaceId: Int64) async throws -> (String, Data) {
        if let serverKey { return ("k:", serverKey) }
        return ("w:", try await workspaceKey(workspaceId: workspaceId, create: true)!)
    }

    private func workspaceKey(workspaceId: Int64, create: Bool, settings: JSONObject? = nil) async throws -> Data? {
        var known = settings
        if known == nil { known = try await store.settings(workspaceId: workspaceId) }
        if let saved = known?[Self.settingsKey]?.stringValue { return Self.key(saved) }
        guard create else { return nil }
        // Made once: two first seals at the same time must not make two keys (one would be lost).
        return try await KeyMaking.shared.once { [store] in
            if let saved = try await store.settings(workspaceId: workspaceId)[Self.settingsKey]?.stringValue { return Self.key(saved) }
            let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            _ = try await store.saveSetting(workspaceId: workspaceId, key: Self.settingsKey, value: .string(key.base64EncodedString()))
            return key
        }
    }
}

/// Runs key making one at a time in the process: each call waits for the one before it to end
/// (an actor alone would let a second call in while the first waits on the store).
actor KeyMaking {
    static let shared = KeyMaking()
    private var last: Task<Void, Never>?

    func once<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = last
        let task = Task { () async throws -> T in
            await previous?.value
            return try await body()
        }
        last = Task { _ = try? await task.value }
        return try await task.value
    }
}
