import OrderedCollections
import Testing

@testable import SiyuCore

@Suite struct ImportMappingTests {
    @Test func guessesChinesePeopleHeaders() throws {
        let header = ["会员ID", "姓名", "手机号", "邮箱", "注册时间", "渠道", "收货地址"]
        let mapping = ImportMapping.guess(header: header, kind: .people)
        #expect(
            mapping.columns == [
                .userId: "会员ID", .phone: "手机号", .email: "邮箱", .channel: "渠道", .timestamp: "注册时间", .trait("name"): "姓名",
            ]
        )
        let resolved = try mapping.resolve(header: header)
        // The address is not guessed into traits; it is listed so the operator can map it.
        #expect(resolved.unmappedColumns == ["收货地址"])
        #expect(resolved.column(.phone)?.index == 2)
    }

    @Test func guessesEnglishOrderHeaders() {
        let header = ["Order_ID", "customer_id", "Amount", "Currency", "created_at", "SKU", "Qty", "Mobile"]
        let mapping = ImportMapping.guess(header: header, kind: .orders)
        #expect(mapping.columns[.orderId] == "Order_ID")
        #expect(mapping.columns[.userId] == "customer_id")
        #expect(mapping.columns[.revenue] == "Amount")
        #expect(mapping.columns[.currency] == "Currency")
        #expect(mapping.columns[.timestamp] == "created_at")
        #expect(mapping.columns[.sku] == "SKU")
        #expect(mapping.columns[.quantity] == "Qty")
        #expect(mapping.columns[.phone] == "Mobile")
    }

    @Test func guessPrefersPaidAmountAndPaymentTime() {
        let header = ["订单号", "会员ID", "订单金额", "实付金额", "下单时间", "支付时间", "订单状态", "币种"]
        let mapping = ImportMapping.guess(header: header, kind: .orders)
        #expect(mapping.columns[.revenue] == "实付金额")
        #expect(mapping.columns[.timestamp] == "支付时间")
        #expect(mapping.columns[.status] == "订单状态")
        #expect(mapping.columns[.currency] == "币种")
        #expect(mapping.columns[.orderId] == "订单号")
    }

    @Test func explicitArgumentsMatchColumnsCaseInsensitively() throws {
        let mapping = try ImportMapping.parse(
            arguments: ["userId=Member_ID", "trait.name=姓名", "trait.会员等级=等级", "createdAt=joined", "defaultCurrency=usd"],
            kind: .people
        )
        #expect(mapping.columns == [.userId: "Member_ID", .trait("name"): "姓名", .trait("会员等级"): "等级", .timestamp: "joined"])
        #expect(mapping.defaultCurrency == "USD")
        let resolved = try mapping.resolve(header: [" member_id ", "姓名", "等级", "JOINED", "extra"])
        #expect(resolved.columns.map(\.index) == [0, 1, 2, 3])
        #expect(resolved.columns[0].name == "member_id")
        #expect(resolved.unmappedColumns == ["extra"])
    }

    @Test func jsonMappingFile() throws {
        let json = #"""
            {"orderId": "单号", "userId": "member_id", "revenue": "金额", "timestamp": "时间",
             "properties": {"coupon": "优惠券"}, "defaultCurrency": "CNY"}
            """#
        let mapping = try ImportMapping.parse(json: Array(json.utf8), kind: .orders)
        #expect(mapping.columns == [.orderId: "单号", .userId: "member_id", .revenue: "金额", .timestamp: "时间", .property("coupon"): "优惠券"])
        #expect(mapping.defaultCurrency == "CNY")
    }

    @Test(arguments: [
        ["userId"], ["nickname=昵称"], ["revenue=amount"], ["trait.email=mail"], ["userId="], ["userId=a", "user_id=b"], ["defaultCurrency=yuan1"],
    ])
    func badArgumentsAreRefused(_ arguments: [String]) {
        #expect(throws: ImportError.self) { try ImportMapping.parse(arguments: arguments, kind: .people) }
    }

    @Test func badJSONIsRefused() {
        #expect(throws: ImportError.self) { try ImportMapping.parse(json: Array("[1]".utf8), kind: .people) }
        #expect(throws: ImportError.self) { try ImportMapping.parse(json: Array(#"{"userId": 3}"#.utf8), kind: .people) }
        #expect(throws: ImportError.self) { try ImportMapping.parse(json: Array("{".utf8), kind: .people) }
    }

    @Test func unknownColumnStopsTheImportBeforeAnyRow() throws {
        let mapping = try ImportMapping.parse(arguments: ["userId=member_id", "trait.name=姓名"], kind: .people)
        do {
            _ = try mapping.resolve(header: ["member_id", "名字"])
            Issue.record("missing column accepted")
        } catch {
            #expect(error.line == 1)
            #expect(error.message.contains("`姓名`"))
            #expect(error.message.contains("`名字`"))
        }
    }

    @Test func requiredFieldsAndPersonKey() throws {
        let noPerson = try ImportMapping.parse(arguments: ["trait.name=name"], kind: .people)
        #expect(throws: ImportError.self) { try noPerson.resolve(header: ["name"]) }
        let noAmount = try ImportMapping.parse(arguments: ["orderId=o", "userId=u", "timestamp=t"], kind: .orders)
        #expect(throws: ImportError.self) { try noAmount.resolve(header: ["o", "u", "t"]) }
        let phoneOnly = try ImportMapping.parse(arguments: ["orderId=o", "phone=p", "revenue=r", "timestamp=t"], kind: .orders)
        #expect(throws: Never.self) { try phoneOnly.resolve(header: ["o", "p", "r", "t"]) }
    }

    @Test func duplicateAndEmptyHeaderNames() throws {
        let mapping = try ImportMapping.parse(arguments: ["userId=id"], kind: .people)
        let resolved = try mapping.resolve(header: ["id", "备注", "", "备注"])
        #expect(resolved.warnings == ["column 3 has no name and is ignored", "column `备注` appears 2 times (columns 2, 4)"])
        let ambiguous = try ImportMapping.parse(arguments: ["userId=id", "trait.note=备注"], kind: .people)
        #expect(throws: ImportError.self) { try ambiguous.resolve(header: ["id", "备注", "", "备注"]) }
    }
}
