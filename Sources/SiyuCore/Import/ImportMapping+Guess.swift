import OrderedCollections

extension ImportMapping {
    /// A mapping guessed from header names in English or Chinese (`member_id`, `会员ID`,
    /// `手机号`, `实付金额`, `支付时间`, …), used when the operator gives none.
    ///
    /// Only the fields below are guessed; every other column is left out (and listed in
    /// ``ResolvedImportMapping/unmappedColumns``) rather than copied into traits or properties,
    /// because exports carry addresses and second phone numbers that should not land in a
    /// profile unasked. Names match case-insensitively, ignoring spaces, `_` and `-`; for each
    /// field the first candidate present wins, and a column serves one guessed field at most.
    public static func guess(header: [String], kind: ImportKind) -> ImportMapping {
        var byKey: [String: [String]] = [:]
        for name in header {
            let trimmed = ImportValue.trim(name)
            guard !trimmed.isEmpty else { continue }
            byKey[guessKey(trimmed), default: []].append(trimmed)
        }
        var mapping = ImportMapping(kind: kind)
        var taken: Set<String> = []
        for (field, candidates) in guessCandidates(kind) {
            for candidate in candidates {
                // A name that appears twice is ambiguous: leave it for the operator to map.
                guard let names = byKey[guessKey(candidate)], names.count == 1, !taken.contains(names[0].lowercased()) else { continue }
                mapping.columns[field] = names[0]
                taken.insert(names[0].lowercased())
                break
            }
        }
        return mapping
    }

    /// Lower-cased, without spaces, `_` and `-`.
    static func guessKey(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "\u{3000}" })
    }

    /// Candidate header names per field, most specific first.
    static func guessCandidates(_ kind: ImportKind) -> [(ImportField, [String])] {
        let people: [(ImportField, [String])] = [
            (.userId, ["userid", "memberid", "customerid", "uid", "会员id", "用户id", "客户id", "会员编号", "客户编号", "会员号", "用户编号"]),
            (.anonymousId, ["anonymousid", "anonid", "匿名id"]),
            (.unionid, ["unionid", "wechatunionid", "wxunionid", "微信unionid"]),
            (.openid, ["openid", "wechatopenid", "wxopenid", "微信openid"]),
            (
                .phone,
                [
                    "phone", "mobile", "phonenumber", "mobilephone", "mobilenumber", "cellphone", "tel", "telephone", "手机号", "手机号码",
                    "手机", "联系手机", "电话", "电话号码", "联系电话",
                ]
            ),
            (.email, ["email", "emailaddress", "mail", "邮箱", "电子邮箱", "邮箱地址", "邮件"]),
            (.channel, ["channel", "source", "utmsource", "渠道", "来源渠道", "渠道来源", "注册渠道", "来源"]),
        ]
        switch kind {
        case .people:
            return people + [
                (
                    .timestamp,
                    [
                        "createdat", "created", "registeredat", "registrationdate", "registertime", "signupat", "signupdate", "joinedat",
                        "jointime", "注册时间", "注册日期", "入会时间", "开卡时间", "创建时间", "timestamp", "time", "date",
                    ]
                ),
                (.trait("name"), ["name", "fullname", "姓名", "会员姓名", "客户姓名", "名字"]),
                (.trait("nickname"), ["nickname", "昵称", "微信昵称"]),
                (.trait("gender"), ["gender", "sex", "性别"]),
                (.trait("birthday"), ["birthday", "birthdate", "dateofbirth", "生日", "出生日期"]),
                (.trait("city"), ["city", "城市"]),
            ]
        case .orders:
            return [
                (.orderId, ["orderid", "orderno", "ordernumber", "ordercode", "订单号", "订单编号", "订单id", "主订单编号", "订单号码"]),
                (
                    .revenue,
                    [
                        "revenue", "paidamount", "amountpaid", "actualamount", "实付金额", "实收金额", "买家实付金额", "实付款", "支付金额",
                        "付款金额", "amount", "total", "totalamount", "ordertotal", "订单金额", "订单总额", "总金额", "金额",
                    ]
                ),
                // Payment time first: an `Order Completed` event happens when the order is paid.
                (
                    .timestamp,
                    [
                        "paidat", "paymenttime", "paytime", "支付时间", "付款时间", "订单付款时间", "成交时间", "createdat", "created", "orderedat",
                        "ordertime", "orderdate", "下单时间", "订单创建时间", "创建时间", "订单时间", "timestamp", "time", "date", "时间", "日期",
                    ]
                ),
                (.currency, ["currency", "currencycode", "币种", "货币", "币别"]),
                (.status, ["status", "orderstatus", "订单状态", "交易状态", "状态"]),
                (.productId, ["productid", "itemid", "goodsid", "商品id", "商品编号"]),
                (.sku, ["sku", "skuid", "skucode", "sku编码", "规格编码", "商家编码"]),
                (.productName, ["productname", "itemname", "goodsname", "product", "商品名称", "商品名", "商品标题", "宝贝标题"]),
                (.category, ["category", "productcategory", "类目", "商品类目", "商品分类", "品类", "分类"]),
                (.price, ["price", "unitprice", "单价", "商品单价"]),
                (.quantity, ["quantity", "qty", "数量", "购买数量", "商品数量", "件数"]),
            ] + people
        }
    }
}
