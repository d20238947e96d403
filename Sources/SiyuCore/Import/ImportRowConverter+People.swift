import OrderedCollections

extension ImportRowConverter {
    /// A people row as an `identify` call.
    ///
    /// Traits hold the mapped `trait.` columns as text plus `email`, `phone`, `openid`, `unionid`
    /// (normalised; ingestion hashes and masks e-mail and phone) and `createdAt`. Empty cells set
    /// nothing, so they never erase a trait. `context.channel` carries the first-touch channel and
    /// `context.externalIds` the WeChat ids. The message id is
    /// `import:person:<userId or anonymousId or unionid or openid>:<hash>` — or
    /// `import:person:<hash>` when only a phone or e-mail names the person, which never appears in
    /// clear in an id — where the hash is FNV-1a 64 of the row's mapped values: the same row
    /// imported twice is one event, a changed row is a new one that updates the profile.
    mutating func person(_ row: Row) throws(ImportRowIssue) -> Message {
        let keys = try personKeys(row)
        let createdAt = try date(row)
        let channel = try row.value(.channel, ImportValue.channel)

        var traits = JSONObject()
        var hashed: [(String, String)] = []
        for column in mapping.columns {
            guard case .trait(let name) = column.field, let text = try row.text(column.field) else { continue }
            traits[name] = .string(text)
            hashed.append((column.field.name, text))
        }
        let identities: [(String, String?)] = [("email", keys.email), ("phone", keys.phone), ("openid", keys.openid), ("unionid", keys.unionid)]
        for (name, value) in identities {
            guard let value else { continue }
            traits[name] = .string(value)
            hashed.append((name, value))
        }
        if let createdAt {
            traits["createdAt"] = .string(Timestamp.iso8601(createdAt))
            hashed.append(("createdAt", String(createdAt)))
        }
        for (name, value) in [("userId", keys.userId), ("anonymousId", keys.anonymousId), ("channel", channel)] {
            if let value { hashed.append((name, value)) }
        }

        var context = JSONObject()
        if let channel { context["channel"] = .string(channel) }
        if let external = Self.externalIds([("openid", keys.openid), ("unionid", keys.unionid)]) { context["externalIds"] = external }

        let key = keys.userId ?? keys.anonymousId ?? keys.unionid ?? keys.openid
        let hash = Self.contentHash(hashed)
        let messageId = key.map { $0.utf8.count <= 200 ? "import:person:\($0):\(hash)" : "import:person:\(hash)" } ?? "import:person:\(hash)"
        return Message(
            type: .identify,
            messageId: messageId,
            userId: keys.userId,
            anonymousId: keys.anonymousId,
            traits: traits,
            context: context,
            timestamp: createdAt ?? options.now,
            originalTimestamp: createdAt,
            receivedAt: options.now,
            flags: .imported
        )
    }

    /// FNV-1a 64 of `name=value` pairs in name order, so that the hash depends only on what the
    /// row says, not on column order.
    static func contentHash(_ pairs: [(String, String)]) -> String {
        var hasher = FNV1a()
        for (name, value) in pairs.sorted(by: { $0.0 < $1.0 }) {
            hasher.add(name)
            hasher.add([0x1F])
            hasher.add(value)
            hasher.add([0x1E])
        }
        return hasher.hex
    }
}
