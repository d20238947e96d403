import Foundation
import SiyuCore
import SiyuStore

/// One configured tier scheme, ready to evaluate.
struct TierScheme: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case pyramid, fiveThreeTwo, colours, ladder

        /// The label scheme its assignments are stored under.
        var labelScheme: String { "tier.\(rawValue)" }
    }

    var kind: Kind
    var pyramid: ValuePyramid?
    var colours: IntentColours?
    var ladder: ValueLadder?

    init(kind: Kind, pyramid: ValuePyramid? = nil, colours: IntentColours? = nil, ladder: ValueLadder? = nil) {
        self.kind = kind
        self.pyramid = pyramid
        self.colours = colours
        self.ladder = ladder
    }

    /// The defaults of a kind, with revenue over the year up to `now`.
    static func standard(_ kind: Kind, now: Int64) -> TierScheme {
        let year = TimeRange(from: now - 365 * 86_400_000, to: now + 1)
        switch kind {
        case .pyramid: return TierScheme(kind: kind, pyramid: .standard(range: year))
        case .fiveThreeTwo: return TierScheme(kind: kind, pyramid: .fiveThreeTwo(range: year))
        case .colours: return TierScheme(kind: kind, colours: .standard)
        case .ladder: return TierScheme(kind: kind, ladder: .standard)
        }
    }

    var propertyKeys: [String] {
        (pyramid?.people?.propertyKeys ?? []) + (colours?.propertyKeys ?? []) + (ladder?.propertyKeys ?? [])
    }

    func assign(_ dataset: Dataset, now: Int64) -> TierAssignment {
        var assignment: TierAssignment
        if let pyramid {
            assignment = pyramid.assign(dataset)
        } else if let colours {
            assignment = colours.assign(dataset, now: now)
        } else {
            assignment = ladder!.assign(dataset, now: now)
        }
        assignment.scheme = kind.rawValue
        return assignment
    }
}
