import NIOCore
import Testing

@testable import SiyuMessaging

@Suite struct SMTPReplyParserTests {
    @Test func multiLineRepliesArriveWholeWhateverTheChunks() throws {
        var parser = SMTPReplyParser()
        var first = ByteBuffer(string: "250-mail.example Hello\r\n250-SIZE 10240000\r\n250-AUTH=PLAIN LOGIN\r\n250-STAR")
        #expect(try parser.feed(&first).isEmpty)
        #expect(parser.hasUnfinishedInput)
        var second = ByteBuffer(string: "TTLS\r\n250 8BITMIME\r\n220 2.0.0 Ready\n")
        let replies = try parser.feed(&second)
        #expect(replies.count == 2)
        #expect(replies[0].code == 250 && replies[0].lines.count == 5)
        #expect(replies[0].extensions == ["SIZE": ["10240000"], "AUTH": ["PLAIN", "LOGIN"], "STARTTLS": [], "8BITMIME": []])
        #expect(replies[1] == SMTPReply(code: 220, lines: ["2.0.0 Ready"]))
        #expect(!parser.hasUnfinishedInput)
    }

    @Test func aBareCodeIsAReply() throws {
        var parser = SMTPReplyParser()
        var bytes = ByteBuffer(string: "354\r\n")
        #expect(try parser.feed(&bytes) == [SMTPReply(code: 354, lines: [""])])
    }

    @Test func whatIsNotAReplyIsRefused() {
        for text in ["HTTP/1.1 200 OK\r\n", "250\tx\r\n", "650 no\r\n", "25\r\n", "250-a\r\n251 b\r\n"] {
            var parser = SMTPReplyParser()
            var bytes = ByteBuffer(string: text)
            #expect(throws: SMTPProtocolError.self, "\(text.debugDescription)") { try parser.feed(&bytes) }
        }
        // A line that never ends is refused once it passes 2,048 bytes, before it can grow without bound.
        var parser = SMTPReplyParser()
        var endless = ByteBuffer(string: "250-" + String(repeating: "x", count: 3_000))
        #expect(throws: SMTPProtocolError.self) { try parser.feed(&endless) }
    }
}
