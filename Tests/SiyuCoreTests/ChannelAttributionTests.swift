import Testing

@testable import SiyuCore

@Suite struct ChannelAttributionTests {
    let attribution = ChannelAttribution(
        channels: Channel.defaults + [
            Channel(key: "kol:lily", name: "Lily", kind: .partner, trackingCodes: [TrackingCode(utmSource: "douyin", utmCampaign: "lily-spring")]),
            Channel(key: "store_qr", name: "门店活码", kind: .privateDomain, trackingCodes: [TrackingCode(code: "QR-8")]),
        ]
    )

    func message(context: JSONObject, type: MessageType = .track) -> Message {
        Message(type: type, messageId: "m", anonymousId: "a", event: "x", context: context, timestamp: 0, receivedAt: 0)
    }

    @Test func explicitChannelWins() {
        #expect(attribution.channel(of: message(context: ["channel": "Offline_Store", "campaign": ["source": "douyin"]])) == "offline_store")
    }

    @Test func mostSpecificTrackingCodeWins() {
        // source+campaign matches the KOL's code; a plain douyin source alias would say `douyin`.
        #expect(attribution.channel(of: message(context: ["campaign": ["source": "douyin", "name": "LILY-spring"]])) == "kol:lily")
        #expect(attribution.channel(of: message(context: ["campaign": ["source": "douyin", "name": "other"]])) == "douyin")
        #expect(attribution.channel(of: message(context: ["campaign": ["code": "QR-8"]])) == "store_qr")
        #expect(attribution.channel(of: message(context: ["campaign": ["source": "XHS"]])) == "xiaohongshu")
    }

    @Test func referrerDomainsAndSubdomains() {
        #expect(attribution.channel(of: message(context: ["page": ["referrer": "https://www.zhihu.com/question/1"]])) == "zhihu")
        #expect(attribution.channel(of: message(context: ["page": ["referrer": "https://servicewechat.com/wx123/page"]])) == "wechat_miniprogram")
        #expect(attribution.channel(of: message(context: ["page": ["referrer": "https://user@work.weixin.qq.com:443/x"]])) == "wecom_group")
        #expect(attribution.channel(of: message(context: ["page": ["referrer": "https://example.org/"]])) == "direct")
    }

    @Test func appAndMiniProgramContexts() {
        #expect(attribution.channel(of: message(context: ["app": ["name": "Qinghe"]])) == "app")
        #expect(attribution.channel(of: message(context: [:], type: .screen)) == "app")
        #expect(attribution.channel(of: message(context: ["library": ["name": "analytics-miniprogram"]])) == "wechat_miniprogram")
        #expect(attribution.channel(of: message(context: [:])) == "direct")
    }

    @Test func channelKeys() {
        #expect(Channel.isValidKey("kol:lily"))
        #expect(Channel.isValidKey("kol:阿杰"))
        #expect(!Channel.isValidKey("Douyin"))
        #expect(!Channel.isValidKey("a:b:c"))
        #expect(!Channel.isValidKey("kol:"))
        #expect(!Channel.isValidKey(""))
    }
}
