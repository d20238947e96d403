import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import SiyuTestSupport
import Testing

/// One request a test receiver got.
struct RecordedRequest: Sendable {
    var path: String
    /// By lower-case name.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// The requests a test receiver got, in order.
actor RequestLog {
    private(set) var requests: [RecordedRequest] = []

    func append(_ request: RecordedRequest) { requests.append(request) }
}

/// A local HTTP receiver with scripted answers, standing in for a webhook endpoint, an SMS provider and a WeCom robot:
/// - `/status/<code>` answers that status (429 and 503 with `Retry-After: 7`);
/// - `/slow` answers 200 after two seconds;
/// - `/big` answers 200 with 100,000 bytes;
/// - `/wecom/<errcode>` answers 200 with the robot's `{"errcode":…,"errmsg":…}`;
/// - `/html` answers 200 with an HTML page.
func buildReceiver(log: RequestLog) -> some ApplicationProtocol {
    let router = Router()
    router.post("**") { request, context -> Response in
        let body = try await request.body.collect(upTo: 1_048_576)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let path = request.uri.path
        await log.append(RecordedRequest(path: path, headers: headers, body: Array(body.readableBytesView)))
        let parts = path.split(separator: "/")
        switch parts.first {
        case "status":
            let code = Int(parts.dropFirst().first ?? "") ?? 500
            var fields = HTTPFields()
            if code == 429 || code == 503 { fields[.retryAfter] = "7" }
            if (300..<400).contains(code) { fields[.location] = "http://127.0.0.1:1/elsewhere" }
            return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(string: "scripted \(code)")))
        case "slow":
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "late")))
        case "big":
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: 100_000)))
        case "wecom":
            let code = parts.dropFirst().first ?? "0"
            let message = code == "0" ? "ok" : "scripted error"
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"errcode":\#(code),"errmsg":"\#(message)"}"#))
            )
        case "html":
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>hi</html>")))
        default:
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
}

/// A TCP port on 127.0.0.1 that nothing listens on: bound, read, and closed again.
func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 1
    try await channel.close()
    return port
}

/// A server that accepts connections and never says a word, until closed.
func silentServer() async throws -> any Channel {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
}

typealias TestSetupError = TestSupportError

extension TestPython {
    static let skipReason: Comment = "SIYU_TEST_PYTHON is not set (scripts/test sets it up with aiosmtpd and trustme)"
}
