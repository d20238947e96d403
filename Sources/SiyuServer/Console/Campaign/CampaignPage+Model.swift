/// What `campaign.mustache` shows around its body, and the body itself (`campaign-body.mustache`,
/// also served alone to the page's script), every value already formatted for the reader's language.
extension CampaignPage {
    struct Model {
        var body: Body
        var refreshSeconds: String
        /// Where the meta refresh goes (the other view when rotating).
        var refreshURL: String
        var liveURL: String
        var rotate: Bool
        var rotateHref: String
        /// `channels` or `kols`.
        var view: String
        var views: [Link]
        var ranges: [Link]
    }

    /// A range or view switch.
    struct Link {
        var id: String
        var label: String
        var href: String
        var current: Bool
    }

    /// The period, the totals and both views' tiles.
    struct Body {
        var period: String
        var updated: String
        var totals: [Figure]
        var channelTiles: [Tile]
        var kolTiles: [Tile]
        var hasChannels: Bool
        var hasKOLs: Bool
        var showChannels: Bool
        var showKOLs: Bool
        var canManageChannels: Bool
    }

    /// A figure across the top of the screen.
    struct Figure {
        var key: String
        var label: String
        var value: String
        var exact: String
    }

    /// One channel's or KOL's tile.
    struct Tile {
        var key: String
        var name: String
        /// The KOL's kind, or empty.
        var kind: String
        var reach: String
        var reachExact: String
        var newPeople: String
        var newPeopleExact: String
        var conversions: String
        var conversionsExact: String
        var orders: String
        var revenue: String
        var cost: String
        var hasCost: Bool
        var costPerNewPerson: String
        var roi: String
        var roas: String
        /// `good`, `bad` or `none`.
        var roiTone: String
        var clv: String
        var revenueSpark: String
        var newPeopleSpark: String
    }
}
