import Foundation
import Testing

@testable import SiyuMessaging

@Suite struct MIMEMessageTests {
    @Test func quotedPrintableEncodesWhatIsNotPrintableASCII() {
        // Python: quopri.encodestring("café = 5 €".encode()) == b'caf=C3=A9 =3D 5 =E2=82=AC'
        #expect(MIMEEncoding.quotedPrintable("café = 5 €") == "caf=C3=A9 =3D 5 =E2=82=AC")
        // A space or tab ending a line is encoded (RFC 2045 §6.7 rule 3); line breaks of every kind become CRLF.
        #expect(MIMEEncoding.quotedPrintable("a \nb\t\r\nc\rd") == "a=20\r\nb=09\r\nc\r\nd")
        // 100 letters: 75, a soft break, 25 (every encoded line within 76 characters).
        let long = String(repeating: "a", count: 100)
        #expect(MIMEEncoding.quotedPrintable(long) == String(repeating: "a", count: 75) + "=\r\n" + String(repeating: "a", count: 25))
        // An escape is never split by a soft break: 74 letters then é (=C3=A9) moves the whole =C3 to the next line.
        let split = MIMEEncoding.quotedPrintable(String(repeating: "b", count: 74) + "é")
        #expect(split == String(repeating: "b", count: 74) + "=\r\n=C3=A9")
    }

    @Test func encodedWordsCarryChineseInPiecesOfWholeCharacters() {
        // Python: base64.b64encode("你好".encode()) == b'5L2g5aW9'
        #expect(MIMEEncoding.encodedWords("你好") == ["=?UTF-8?B?5L2g5aW9?="])
        // 21 characters × 3 bytes = 63 bytes: 15 characters (45 bytes) in the first word, 6 in the second.
        // Python: base64.b64encode(s.encode()[:45]) and [45:] for s = "私域运营周报：本周新增会员一千二百三十四人".
        let words = MIMEEncoding.encodedWords("私域运营周报：本周新增会员一千二百三十四人")
        #expect(
            words == [
                "=?UTF-8?B?56eB5Z+f6L+Q6JCl5ZGo5oql77ya5pys5ZGo5paw5aKe5Lya5ZGY5LiA5Y2D?=",
                "=?UTF-8?B?5LqM55m+5LiJ5Y2B5Zub5Lq6?=",
            ]
        )
        #expect(words.allSatisfy { $0.count <= 75 })
        // A plain short subject stays as it is; one that looks like an encoded word does not.
        #expect(MIMEEncoding.unstructuredHeader("Subject", "Your weekly report") == "Subject: Your weekly report")
        #expect(MIMEEncoding.unstructuredHeader("Subject", "=?x?") == "Subject: =?UTF-8?B?PT94Pw==?=")
    }

    @Test func mailboxesQuoteOrEncodeTheirNames() {
        #expect(MIMEEncoding.mailbox(EmailAddress("z@example.com")) == "z@example.com")
        #expect(MIMEEncoding.mailbox(EmailAddress("z@example.com", displayName: "Zhang Wei")) == "Zhang Wei <z@example.com>")
        #expect(MIMEEncoding.mailbox(EmailAddress("z@example.com", displayName: #"Wei, "Z""#)) == #""Wei, \"Z\"" <z@example.com>"#)
        #expect(MIMEEncoding.mailbox(EmailAddress("z@example.com", displayName: "你好")) == "=?UTF-8?B?5L2g5aW9?= <z@example.com>")
    }

    @Test func datesAreRFC5322InUTC() {
        // Python: email.utils.formatdate(1700000000) == 'Tue, 14 Nov 2023 22:13:20 -0000'.
        #expect(MIMEEncoding.date(Date(timeIntervalSince1970: 1_700_000_000)) == "Tue, 14 Nov 2023 22:13:20 +0000")
        #expect(MIMEEncoding.date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func aMessageHasItsHeadersAndBothParts() {
        let email = EmailMessage(
            from: EmailAddress("news@brand.example", displayName: "品牌"),
            to: [EmailAddress("a@example.com"), EmailAddress("b@example.com", displayName: "B")],
            subject: "Hi",
            textBody: "Hello\n.dot",
            htmlBody: "<p>Hello</p>",
            unsubscribeURL: "https://brand.example/u/abc"
        )
        let mime = MIMEMessage(email, messageID: "<id@brand.example>", date: Date(timeIntervalSince1970: 0), boundary: "=_b")
        let expected = [
            "Date: Thu, 01 Jan 1970 00:00:00 +0000",
            "From: =?UTF-8?B?5ZOB54mM?= <news@brand.example>",
            "To: a@example.com,",
            " B <b@example.com>",
            "Subject: Hi",
            "Message-ID: <id@brand.example>",
            "MIME-Version: 1.0",
            "List-Unsubscribe: <https://brand.example/u/abc>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            #"Content-Type: multipart/alternative; boundary="=_b""#,
            "",
            "--=_b",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Hello",
            ".dot",
            "--=_b",
            "Content-Type: text/html; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "<p>Hello</p>",
            "--=_b--",
            "",
        ].joined(separator: "\r\n")
        #expect(String(decoding: mime.bytes, as: UTF8.self) == expected)
        // Python: hashlib.sha256(b"key-1").hexdigest()[:32] == "be2974546978e3739e6d6da85c4be9f3"
        #expect(MIMEMessage.messageID(idempotencyKey: "key-1", domain: "brand.example") == "<be2974546978e3739e6d6da85c4be9f3@brand.example>")
    }

    @Test func mostlyChineseBodiesGoAsBase64() {
        #expect(
            MIMEEncoding.prefersBase64("你好") && !MIMEEncoding.prefersBase64("Hello 张伟, your weekly report is ready.")
                && !MIMEEncoding.prefersBase64("")
        )
        // Python: base64.b64encode("你好\r\n世界".encode()) == b'5L2g5aW9DQrkuJbnlYw='
        #expect(MIMEEncoding.base64("你好\n世界") == "5L2g5aW9DQrkuJbnlYw=")
        // 60 bytes of UTF-8 are 80 characters of base64: 76, CRLF, 4.
        let lines = MIMEEncoding.base64(String(repeating: "营", count: 20)).components(separatedBy: "\r\n")
        #expect(lines.map(\.count) == [76, 4])
        let email = EmailMessage(from: EmailAddress("a@brand.example"), to: [EmailAddress("b@example.com")], subject: "s", textBody: "你好")
        let rendered = String(decoding: MIMEMessage(email, messageID: "<i@brand.example>", date: Date(timeIntervalSince1970: 0)).bytes, as: UTF8.self)
        #expect(rendered.hasSuffix("Content-Transfer-Encoding: base64\r\n\r\n5L2g5aW9\r\n"))
    }

    @Test func dataIsDotStuffedWithCRLFOnly() {
        func block(_ text: String) -> String {
            String(decoding: SMTPConversation.dataBlock(Array(text.utf8)), as: UTF8.self)
        }
        #expect(block("a\r\n.b\r\n..c") == "a\r\n..b\r\n...c\r\n.\r\n")
        #expect(block(".start\r\n") == "..start\r\n.\r\n")
        // Bare LF and bare CR never reach the wire (SMTP smuggling needs them).
        #expect(block("x\ny\rz\r\n.\r\n") == "x\r\ny\r\nz\r\n..\r\n.\r\n")
        #expect(block("") == ".\r\n")
    }
}
