import OrderedCollections
import SiyuCore

/// One phone or browser of a demo person, with the context its SDK attaches to every call.
struct DemoDevice: Sendable {
    var anonymousId: String
    var platform: DemoPlatform
    /// `page` (a placeholder, web and mini-program), `externalIds` (mini-program: the openid), `library`,
    /// `userAgent`, `locale`, `ip` and, in the app, `app`, `device` and `os`.
    var context: JSONObject
    /// The mini-program's openid (known from the silent `wx.login`, before any sign-up).
    var openid: String?
    /// `context.externalIds` once the person has signed up (openid and unionid).
    var identifiedExternalIds: JSONValue?
}

/// A pending referral invitation: who sent it, with which code, and when.
struct DemoInvite: Sendable {
    var inviter: Int
    var code: String
    var day: Int
}

/// Everything the simulation remembers about one person between days.
///
/// Rates are per day. `Int.max` marks a day that never comes.
struct DemoPerson: Sendable {
    var index: Int
    var random: DemoRandom
    var channel: Int
    var arrivalDay: Int
    var userId: String
    var devices: [DemoDevice] = []
    /// Platform of the first device (kept apart so the daily loop need not copy a device).
    var platform = DemoPlatform.web
    var identified = false
    var identifiedDay = Int.max
    var unionid: String
    var city: String
    /// The shop a person from `offline_store` was first met in (`-1`: none).
    var store = -1
    /// Mobile number given at sign-up.
    var phone = ""
    /// Sessions so far, and the session at which the person signs up (`Int.max`: never on their own).
    var sessions = 0
    var signUpSession = Int.max
    var joinsGroupOnSignUp = false
    // Visits: a gamma-distributed rate that fades with the time since the last purchase.
    var visitRate: Double
    var interestDays: Double
    var engagedDay: Int
    // Purchases: BG/NBD-like — a personal rate, and a personal chance to drop out after each order.
    var nextPurchaseDay = Int.max
    var purchaseRate: Double
    var dropout: Double
    var alive = true
    var orders = 0
    var basketMedian: Double
    // Community.
    var group = -1
    var groupDay = 0
    var groupMessageRate = 0.0
    /// Context of the WeCom bridge's calls about the person (with their unionid), built on first use.
    var bridgeContext = JSONObject()
    var checkInRate = 0.0
    /// Local date (days since 1970-01-01, China time) of the last check-in.
    var lastCheckInDate = Int.min
    var streak = 0
    var inviteRate = 0.0
    var surveyDay = Int.max
    var lastOrderId = ""
    var secondDeviceDay = Int.max
    var referral: DemoInvite?

    /// Whether anything can still happen to the person on `day` or later. (Static, taking the person
    /// `inout`, so that debug builds do not copy the person to ask.)
    static func isDormant(_ p: inout DemoPerson, on day: Int) -> Bool {
        guard p.nextPurchaseDay == Int.max, p.group < 0, p.checkInRate == 0, p.surveyDay == Int.max, p.secondDeviceDay == Int.max, !p.platform.isApp
        else { return false }
        return p.visitRate * DemoMath.exp(-Double(day - p.engagedDay) / p.interestDays) < 0.002
    }
}
