import SiyuCore

/// The suppression list: hashes of the message ids and identities of erased people, so that an
/// SDK retrying, or a CSV imported again, does not bring an erased person back. Events carrying one
/// are answered as accepted and not stored. Only salted hashes are kept: the list cannot be read
/// back into the ids it holds.
public enum Suppression {
    /// The kind under which message ids are listed (identities use their own kind).
    public static let messageKind = "message_id"

    /// The hash stored for one value: HMAC-SHA-256 under the workspace salt, apart from the
    /// personal-data hashes by its prefix.
    public static func hash(salt: String, kind: String, value: String) -> String {
        Secrets.personalDataHash(salt: salt, kind: "suppress:" + kind, normalized: value)
    }

    /// Every (kind, hash) to look up for a batch, with what each stands for.
    public static func probes(_ events: [PreparedEvent], salt: String) -> [(kind: String, hash: String, target: Target)] {
        var probes: [(String, String, Target)] = []
        var seen: Set<IdentityKey> = []
        for event in events {
            let id = event.message.messageId
            probes.append((messageKind, hash(salt: salt, kind: messageKind, value: id), .message(id)))
            for key in IdentityResolver.lookupKeys(event) where seen.insert(key).inserted {
                probes.append((key.kind, hash(salt: salt, kind: key.kind, value: key.value), .identity(key)))
            }
        }
        return probes
    }

    /// What a listed hash stands for in a batch.
    public enum Target: Sendable {
        case message(String)
        case identity(IdentityKey)
    }

    /// Marks a found target in the snapshot.
    static func mark(_ target: Target, in snapshot: inout IdentitySnapshot) {
        switch target {
        case .message(let id): snapshot.suppressedMessageIds.insert(id)
        case .identity(let key): snapshot.suppressedIdentities.insert(key)
        }
    }
}
