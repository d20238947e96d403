import OrderedCollections
import Testing

@testable import SiyuCore

/// 2024-06-01T00:00:00Z: 2024-05-01 is day 19844, plus 31 days = 19875 × 86400 s.
let importNow: Int64 = 1_717_200_000_000

func importOptions(_ zone: String = "Asia/Shanghai", batchSize: Int = 500) -> ImportOptions {
    ImportOptions(now: importNow, timeZone: ImportTimeZone.named(zone) ?? .utc, batchSize: batchSize)
}

func runImport(_ text: String, _ kind: ImportKind, map: [String]? = nil, options: ImportOptions = importOptions()) throws -> ([Message], ImportReport)
{
    let mapping = try map.map { try ImportMapping.parse(arguments: $0, kind: kind) }
    let result = try CSVImporter.importAll(Array(text.utf8), kind: kind, mapping: mapping, options: options)
    return (result.messages, result.report)
}

@Suite struct ImportAmountTests {
    @Test func exactMinorUnits() throws {
        // ¥1,299.90 is 1299 yuan 90 fen = 129 990 fen.
        #expect(try ImportValue.amount("¥1,299.90", exponent: 2) == 129_990)
        #expect(try ImportValue.amount("1299.9元", exponent: 2) == 129_990)
        #expect(try ImportValue.amount("RMB 1,299.90", exponent: 2) == 129_990)
        // 0.1 + 0.2 is 0.30000000000000004 in binary floating point; in fen it is 10 + 20 = 30, the same as 0.3.
        #expect(try ImportValue.amount("0.1", exponent: 2) + ImportValue.amount("0.2", exponent: 2) == ImportValue.amount("0.3", exponent: 2))
        #expect(0.1 + 0.2 != 0.3)
        // Yen have no minor unit.
        #expect(try ImportValue.amount("1,299", exponent: 0) == 1299)
    }

    @Test func agreesWithMoneyOnPlainDecimals() throws {
        // The importer's reader is stricter about commas but must round like Money does.
        for text in ["0", "7", "19.99", "1299.995", "0.005", "0.004", "-3.5", "+12", ".5", "5.", "¥88.8", "-¥5", "9999999999"] {
            for exponent in [0, 2, 3] {
                #expect(try ImportValue.amount(text, exponent: exponent) == Money.minorUnits(decimalText: text, exponent: exponent), "\(text)")
            }
        }
    }

    @Test func amountsBeyondTheEventLimitAreRefusedLikeTrackedOnes() throws {
        // The limit is 10^13 minor units: ¥100,000,000,000.00 is exactly it, one fen more is refused.
        #expect(try ImportValue.amount("100,000,000,000.00", exponent: 2) == 10_000_000_000_000)
        #expect(throws: ImportValueError.self) { try ImportValue.amount("100000000000.01", exponent: 2) }
        #expect(throws: ImportValueError.self) { try ImportValue.amount("-999999999999999", exponent: 2) }
        #expect(Money.read(.string("100000000000.01"), currency: "CNY") == .outOfRange)
        #expect(Money.read(.string("-100000000000.00"), currency: "CNY") == .amount(-10_000_000_000_000))
    }

    @Test func phoneDigitsAgreeWithIdentityNormalisation() throws {
        for text in ["13812345678", "+86 138-1234-5678", "0086 138 1234 5678", "(021) 6123-4567", "8613812345678", "+1 212 555 0100"] {
            #expect(try ImportValue.phone(text) == IdentityExtractor.normalizePhone(text), "\(text)")
        }
        #expect(throws: ImportValueError.self) { try ImportValue.phone("12345") }
        #expect(throws: ImportValueError.self) { try ImportValue.phone("138-1234-567x") }
        #expect(throws: ImportValueError.self) { try ImportValue.phone("１３８１２３４５６７８") }  // full-width digits
    }

    @Test(arguments: ["12,5", "1,29.00", "1.299,00", "abc", "1e3", "", "1,2345"])
    func commasMustGroupThousands(_ text: String) {
        #expect(throws: ImportValueError.self) { try ImportValue.amount(text, exponent: 2) }
    }

    @Test func majorUnitsAsJSONNumbers() {
        #expect(ImportValue.majorUnits(129_900, exponent: 2) == .int(1299))
        #expect(ImportValue.majorUnits(129_990, exponent: 2) == .double(1299.9))
        // The double read back into fen gives the exact amount again.
        #expect(Money.minorUnits(ImportValue.majorUnits(129_990, exponent: 2), currency: "CNY") == 129_990)
        #expect(Money.minorUnits(ImportValue.majorUnits(1, exponent: 2), currency: "CNY") == 1)
        #expect(ImportValue.majorUnits(1_234_567, exponent: 3) == .double(1234.567))
    }
}

@Suite struct PeopleImportTests {
    let header = "会员ID,姓名,手机号,邮箱,注册时间,渠道,openid\n"

    @Test func peopleRowBecomesAnIdentifyCall() throws {
        let (messages, report) = try runImport(header + "M001,张三,+86 138-1234-5678,Zhang@Example.com,2024-05-01 08:00:00,抖音,oABC123\n", .people)
        #expect(report.converted == 1 && report.rejected == 0)
        let message = try #require(messages.first)
        #expect(message.type == .identify)
        #expect(message.userId == "M001")
        #expect(message.anonymousId == nil)
        #expect(
            message.traits == [
                "name": "张三", "email": "zhang@example.com", "phone": "13812345678", "openid": "oABC123", "createdAt": "2024-05-01T00:00:00.000Z",
            ]
        )
        #expect(message.context["channel"] == "douyin")
        #expect(message.context["externalIds"] == [["id": "oABC123", "type": "openid"]])
        // Registered 2024-05-01 08:00 in Shanghai = 2024-05-01T00:00:00Z = 1 714 521 600 000 ms.
        #expect(message.timestamp == 1_714_521_600_000)
        #expect(message.originalTimestamp == 1_714_521_600_000)
        #expect(message.receivedAt == importNow)
        #expect(message.flags == .imported)
        #expect(message.messageId.hasPrefix("import:person:M001:"))
        #expect(message.messageId.count == "import:person:M001:".count + 16)
    }

    @Test func withoutACreationDateTheImportTimeIsUsed() throws {
        let (messages, _) = try runImport("user_id,name\nu1,Li\n", .people)
        #expect(messages.first?.timestamp == importNow)
        #expect(messages.first?.traits == ["name": "Li"])
    }

    @Test func messageIdsAreDeterministic() throws {
        let row = "M001,张三,13812345678,,2024-05-01,,\n"
        let first = try runImport(header + row, .people).0[0].messageId
        let again = try runImport(header + row, .people).0[0].messageId
        #expect(first == again)
        let changed = try runImport(header + "M001,张三丰,13812345678,,2024-05-01,,\n", .people).0[0].messageId
        #expect(changed != first)
        // The same values under other column positions are the same content.
        let reordered = try runImport("姓名,会员ID,注册时间,手机号\n张三,M001,2024-05-01,13812345678\n", .people).0[0].messageId
        #expect(reordered == first)
    }

    @Test func phoneOnlyPeopleKeepThePhoneOutOfTheMessageId() throws {
        let (messages, _) = try runImport("手机号,姓名\n13812345678,王五\n", .people)
        let message = try #require(messages.first)
        #expect(message.userId == nil && message.anonymousId == nil)
        #expect(message.traits["phone"] == "13812345678")
        #expect(!message.messageId.contains("13812345678"))
        #expect(message.messageId.hasPrefix("import:person:"))
    }

    @Test func rowErrorsCarryLineColumnAndValue() throws {
        let text =
            header + "M001,A,12345,,,,\n" + "null,B,,,,,\n" + "M003,C,,not-an-email,,,\n" + "M004,D,,,2024-02-30,,\n"
            + "M005,E,,,,微 信 群!,\n" + ",,,,,,\n" + "M006,F\n" + "M007,G,,,,,\n"
        let (messages, report) = try runImport(text, .people)
        #expect(messages.map(\.userId) == ["M007"])
        #expect(report.rowsRead == 7)  // the all-empty row on line 7 is not a row
        #expect(report.rejected == 6)
        #expect(report.issues.map(\.line) == [2, 3, 4, 5, 6, 8])
        #expect(report.issues[0] == ImportRowIssue(line: 2, column: "手机号", value: "12345", reason: "not a phone number"))
        #expect(report.issues[1].column == "会员ID")
        #expect(report.issues[1].reason.contains("placeholder"))
        #expect(report.issues[2] == ImportRowIssue(line: 4, column: "邮箱", value: "not-an-email", reason: "not an e-mail address"))
        #expect(report.issues[3].column == "注册时间")
        #expect(report.issues[4].column == "渠道")
        #expect(report.issues[5] == ImportRowIssue(line: 8, reason: "expected 7 fields as in the header, found 2"))
    }

    @Test func nulCharactersRejectTheRow() throws {
        let (messages, report) = try runImport("user_id,name\nu1,a\u{0}b\nu2,ok\n", .people)
        #expect(messages.map(\.userId) == ["u2"])
        #expect(report.issues == [ImportRowIssue(line: 2, column: "name", reason: "value contains a NUL character")])
    }

    @Test func emptyIdsRejectTheRow() throws {
        let (_, report) = try runImport("会员ID,手机号,姓名\n,,张三\n", .people)
        #expect(report.issues.first?.reason == "no id for the person: `会员ID`, `手机号` are empty")
    }

    @Test func excelTextGuardsAndScientificNotation() throws {
        let (messages, report) = try runImport("会员ID,手机号\n\"=\"\"00123\"\"\",13812345678\nM2,1.38123E+10\n", .people)
        #expect(messages.first?.userId == "00123")
        #expect(report.issues.first?.reason.contains("scientific notation") == true)
        #expect(ImportValue.isScientificNotation("1.23457E+17"))
        #expect(ImportValue.isScientificNotation("5E+9"))
        #expect(!ImportValue.isScientificNotation("1E5"))  // Excel always writes the sign; this may be a real id
        #expect(!ImportValue.isScientificNotation("E+10"))
        #expect(throws: ImportValueError.self) { try ImportValue.id("NULL") }
        #expect(throws: ImportValueError.self) { try ImportValue.id("Undefined") }
        #expect(try ImportValue.id("nobody") == "nobody")
    }
}

@Suite struct OrderImportTests {
    let header = "订单号,会员ID,实付金额,币种,支付时间,订单状态,商品名称,数量,单价,渠道\n"

    @Test func orderRowBecomesOrderCompleted() throws {
        let (messages, report) = try runImport(header + "SO-1,M001,\"¥1,299.90\",,2024/05/01 13:45:00,已付款,精华液,2,649.95,小红书\n", .orders)
        #expect(report.converted == 1)
        let message = try #require(messages.first)
        #expect(message.type == .track)
        #expect(message.event == "Order Completed")
        #expect(message.messageId == "import:order:SO-1")
        #expect(message.userId == "M001")
        #expect(
            message.properties == [
                "order_id": "SO-1", "revenue": .double(1299.9), "currency": "CNY",
                "products": [["name": "精华液", "price": .double(649.95), "quantity": 2]],
            ]
        )
        #expect(Money.minorUnits(message.properties["revenue"] ?? .null, currency: "CNY") == 129_990)
        #expect(message.context == ["channel": "xiaohongshu"])
        // 13:45 in Shanghai is 05:45Z: 1 714 521 600 + 20 700 s.
        #expect(message.timestamp == 1_714_542_300_000)
        #expect(message.receivedAt == importNow)
        #expect(message.flags == .imported)
    }

    @Test func refundedAndCancelledOrdersAreSkipped() throws {
        let text = header + "SO-1,M1,10,,2024-05-01,已退款,,,,\n" + "SO-2,M1,10,,2024-05-01,Cancelled,,,,\n" + "SO-3,M1,10,,2024-05-01,部分退款,,,,\n"
        let (messages, report) = try runImport(text, .orders)
        #expect(messages.map(\.messageId) == ["import:order:SO-3"])
        #expect(report.skipped == 2)
        #expect(report.issues.map(\.outcome) == [.skipped, .skipped])
        #expect(report.issues[0].reasonText == "skipped: order status `已退款` is not a completed order")
    }

    @Test func repeatedOrderIdsKeepTheFirst() throws {
        let text = header + "SO-1,M1,10,,2024-05-01,,,,,\n" + "SO-1,M1,99,,2024-05-02,,,,,\n"
        let (messages, report) = try runImport(text, .orders)
        #expect(messages.count == 1)
        #expect(messages[0].properties["revenue"] == 10)
        #expect(report.duplicates == 1)
        #expect(
            report.issues == [
                ImportRowIssue(line: 3, column: "订单号", value: "SO-1", reason: "order id already imported from line 2", outcome: .duplicate)
            ]
        )
    }

    @Test func amountCurrencyAndDateErrors() throws {
        let text =
            header + "SO-1,M1,-5,,2024-05-01,,,,,\n" + "SO-2,M1,12,5,CNY,2024-05-01,,,,,x\n" + "SO-3,M1,10,XX1,2024-05-01,,,,,\n"
            + "SO-4,M1,10,,,,,,,\n" + "SO-5,M1,10,,2099-01-01,,,,,\n" + "SO-6,M1,10,,2024-05-01,,,1.5,,\n" + "SO-7,M1,,,2024-05-01,,,,,\n"
            + "SO-8,M1,\"12,5\",,2024-05-01,,,,,\n" + ",M1,10,,2024-05-01,,,,,\n"
        let (messages, report) = try runImport(text, .orders)
        #expect(messages.isEmpty)
        #expect(report.issues.map(\.line) == Array(2...10))
        #expect(report.issues.map { $0.column ?? "" } == ["实付金额", "", "币种", "支付时间", "支付时间", "数量", "实付金额", "实付金额", "订单号"])
        #expect(report.issues[0].reason == "amount is negative; refunds are not imported as orders")
        #expect(report.issues[7].value == "12,5")
    }

    @Test func otherCurrenciesUseTheirOwnDecimals() throws {
        let (messages, _) = try runImport(header + "SO-1,M1,\"1,299\",jpy,2024-05-01,,,,,\nSO-2,M1,19.99,USD,2024-05-01,,,,,\n", .orders)
        #expect(messages[0].properties["revenue"] == 1299)
        #expect(messages[0].properties["currency"] == "JPY")
        #expect(messages[1].properties["revenue"] == .double(19.99))
    }

    @Test func defaultCurrencyFromTheMapping() throws {
        let map = ["orderId=id", "userId=user", "revenue=total", "timestamp=time", "defaultCurrency=HKD", "property.coupon=coupon"]
        let (messages, _) = try runImport("id,user,total,time,coupon\nA1,u1,100.5,2024-05-01 10:00,SPRING\n", .orders, map: map)
        #expect(messages.first?.properties == ["order_id": "A1", "revenue": .double(100.5), "currency": "HKD", "coupon": "SPRING"])
    }

    @Test func phoneOnlyOrdersNameThePersonThroughExternalIds() throws {
        let (messages, _) = try runImport("订单号,手机号,金额,下单时间\nSO-9,138 1234 5678,88,2024-05-01\n", .orders)
        let message = try #require(messages.first)
        #expect(message.userId == nil && message.anonymousId == nil)
        #expect(message.context["externalIds"] == [["id": "13812345678", "type": "phone"]])
        #expect(message.messageId == "import:order:SO-9")
        // Ingestion turns the phone into a hashed identity and masks it in the stored context.
        var prepared = message
        let identities = IdentityExtractor(hash: { kind, value in "h(\(kind):\(value))" }).extract(&prepared)
        #expect(identities == [IdentityKey("phone", "h(phone:13812345678)")])
        #expect(prepared.context["externalIds"] == [["id": "138****5678", "type": "phone"]])
    }

    @Test func quotedMultiLineFieldDoesNotShiftLaterLineNumbers() throws {
        let text = "订单号,会员ID,金额,下单时间,备注\n" + "SO-1,M1,10,2024-05-01,\"第一行\n第二行\n第三行\"\n" + "SO-2,M1,abc,2024-05-01,x\n"
        let (messages, report) = try runImport(
            text,
            .orders,
            map: ["orderId=订单号", "userId=会员ID", "revenue=金额", "timestamp=下单时间", "property.note=备注"]
        )
        #expect(messages.first?.properties["note"] == "第一行\n第二行\n第三行")
        // SO-1 starts on line 2 and spans lines 2-4, so SO-2 is on line 5.
        #expect(report.issues == [ImportRowIssue(line: 5, column: "金额", value: "abc", reason: "not an amount")])
    }
}
