import AsyncHTTPClient
import Foundation
import Logging

/// A WeCom (企业微信) group robot: its webhook URL, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
/// Keep it secret: the key in the URL is the only credential.
public struct WeComRobot: Sendable, Hashable {
    public var url: String
    /// The whole exchange ends within this time.
    public var timeout: Duration

    public init(url: String, timeout: Duration = .seconds(10)) {
        self.url = url
        self.timeout = timeout
    }
}

/// A message to a WeCom group robot, in the robot's documented JSON.
public enum WeComRobotMessage: Sendable, Hashable {
    /// The robot's limit on a text message's content, in bytes of UTF-8 (群机器人配置说明: 最长不超过2048个字节).
    public static let maximumTextBytes = 2_048
    /// The robot's limit on a markdown message's content, in bytes of UTF-8 (最长不超过4096个字节).
    public static let maximumMarkdownBytes = 4_096

    /// `{"msgtype":"text","text":{"content":…,"mentioned_list":[…],"mentioned_mobile_list":[…]}}`. The lists hold
    /// WeCom user ids or phone numbers of members to @-mention; `@all` mentions everyone.
    case text(content: String, mentionedUserIds: [String] = [], mentionedMobiles: [String] = [])
    /// `{"msgtype":"markdown","markdown":{"content":…}}`, in the robot's markdown subset.
    case markdown(content: String)

    /// Why this message cannot be sent, or nil.
    public var problem: String? {
        switch self {
        case .text(let content, let userIds, let mobiles):
            guard !content.isEmpty else { return "the text is empty" }
            guard content.utf8.count <= Self.maximumTextBytes else {
                return "the text is \(content.utf8.count) bytes of UTF-8, above the robot's \(Self.maximumTextBytes)-byte limit"
            }
            guard userIds.count + mobiles.count <= 100 else { return "more than 100 members mentioned" }
            if let bad = userIds.first(where: { $0.isEmpty || $0.count > 64 || $0.contains(where: \.isWhitespace) }) {
                return "\"\(bad)\" is not a WeCom user id"
            }
            if let bad = mobiles.first(where: { $0 != "@all" && !Self.isMobile($0) }) {
                return "\"\(bad)\" is not a phone number (digits, optionally after +) nor @all"
            }
            return nil
        case .markdown(let content):
            guard !content.isEmpty else { return "the markdown is empty" }
            guard content.utf8.count <= Self.maximumMarkdownBytes else {
                return "the markdown is \(content.utf8.count) bytes of UTF-8, above the robot's \(Self.maximumMarkdownBytes)-byte limit"
            }
            return nil
        }
    }

    private static func isMobile(_ value: String) -> Bool {
        let digits = value.hasPrefix("+") ? value.utf8.dropFirst() : value.utf8[...]
        return (5...15).contains(digits.count) && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The JSON document the robot expects.
    var json: [UInt8] {
        struct Text: Encodable {
            var content: String
            var mentioned_list: [String]?
            var mentioned_mobile_list: [String]?
        }
        struct Markdown: Encodable { var content: String }
        struct Document: Encodable {
            var msgtype: String
            var text: Text?
            var markdown: Markdown?
        }
        let document: Document
        switch self {
        case .text(let content, let userIds, let mobiles):
            document = Document(
                msgtype: "text",
                text: Text(
                    content: content,
                    mentioned_list: userIds.isEmpty ? nil : userIds,
                    mentioned_mobile_list: mobiles.isEmpty ? nil : mobiles
                )
            )
        case .markdown(let content):
            document = Document(msgtype: "markdown", markdown: Markdown(content: content))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, arrays of strings: encoding cannot fail.
        return (try? Array(encoder.encode(document))) ?? []
    }
}

/// Sends to a WeCom group robot and reads its `{"errcode":…,"errmsg":…}` answer.
public struct WeComRobotSender: MessageSender {
    public let robot: WeComRobot
    let client: HTTPClient
    let logger: Logger

    public init(robot: WeComRobot, client: HTTPClient = .messaging, logger: Logger = Logger(label: "siyu.messaging.wecom")) {
        self.robot = robot
        self.client = client
        self.logger = logger
    }

    public func send(_ message: WeComRobotMessage, attempt: DeliveryAttempt) async -> DeliveryOutcome {
        if let problem = HTTPPost.problem(with: robot.url) { return .misconfigured("WeCom robot: \(problem)") }
        if let problem = message.problem { return .invalid("WeCom robot: \(problem)") }
        let headers = [("Content-Type", "application/json"), ("User-Agent", "Siyu-WeCom/1")]
        let outcome: DeliveryOutcome
        switch await HTTPPost(client: client, timeout: robot.timeout).post(url: robot.url, headers: headers, body: message.json) {
        case .success(let answer): outcome = Self.classify(status: answer.status, body: answer.body, retryAfter: answer.retryAfter)
        case .failure(let failure): outcome = .retryableFailure(failure)
        }
        logger.debug("WeCom robot attempt", metadata: ["delivery": "\(attempt.deliveryId)", "outcome": "\(outcome.summary)"])
        return outcome
    }

    /// The robot's answer: `{"errcode":0,"errmsg":"ok"}` delivered; errcode 45009 (too frequent; a robot may send 20
    /// messages a minute) and -1 (system busy) retryable; any other errcode (93000 invalid webhook URL, 40008 invalid
    /// message type, …) permanent. An HTTP status other than 200 is classified as for any HTTP channel; a 200 whose
    /// body is not the robot's JSON means the URL is not a robot's, a permanent configuration error.
    static func classify(status: Int, body: [UInt8], retryAfter: Duration?) -> DeliveryOutcome {
        let text = String(decoding: body, as: UTF8.self)
        guard (200..<300).contains(status) else { return .http(status: status, body: text, retryAfter: retryAfter) }
        struct Answer: Decodable {
            var errcode: Int
            var errmsg: String?
        }
        let response = ProviderResponse(code: status, text: text)
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)) else {
            return .permanentFailure(
                DeliveryFailure(.configuration, "WeCom robot: the answer is not the robot's JSON; is the URL a robot's webhook?", response: response)
            )
        }
        let reason = "WeCom robot errcode \(answer.errcode): \(answer.errmsg ?? "")"
        switch answer.errcode {
        case 0: return .delivered(response)
        case 45009: return .retryableFailure(DeliveryFailure(.rateLimited, reason, response: response))
        case -1: return .retryableFailure(DeliveryFailure(.rejected, reason, response: response))
        default: return .permanentFailure(DeliveryFailure(.rejected, reason, response: response))
        }
    }
}
