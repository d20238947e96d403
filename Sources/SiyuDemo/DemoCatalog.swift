import OrderedCollections
import SiyuCore

/// One thing 青禾茶饮 sells, with its price in 分 (fen).
struct DemoProduct: Sendable {
    var id: String
    var sku: String
    var name: String
    var category: String
    var priceMinor: Int64
    /// How often it is picked relative to other products that fit a basket.
    var popularity: Double

    /// The product as Segment e-commerce properties (`Product Viewed`), without quantity.
    var properties: JSONObject {
        [
            "product_id": .string(id), "sku": .string(sku), "name": .string(name), "category": .string(category),
            "price": DemoCatalog.yuan(priceMinor), "currency": "CNY",
        ]
    }
}

/// A shop of the brand, where people scan the store's QR code (渠道活码) and pay at the till.
struct DemoStore: Sendable {
    var id: String
    var name: String
    var city: String
    /// The QR code printed at the till; it resolves to `offline_store`.
    var trackingCode: String
}

/// The fixed facts of 青禾茶饮: its products, shops, WeCom groups and the names, cities and words of its
/// customers.
enum DemoCatalog {
    static let brandName = "青禾茶饮 Qinghe Tea"
    static let webOrigin = "https://m.qinghe.example"
    static let appName = "青禾茶饮"

    /// Products sorted by price, cheapest first (basket filling relies on the order).
    static let products: [DemoProduct] = [
        DemoProduct(id: "p1001", sku: "QH-S01-6P", name: "尝鲜体验装 6 泡", category: "体验装", priceMinor: 1_990, popularity: 1.6),
        DemoProduct(id: "p1002", sku: "QH-H03-20B", name: "茉莉花茶 20 袋", category: "花草茶", priceMinor: 3_690, popularity: 1.2),
        DemoProduct(id: "p1003", sku: "QH-C03-15B", name: "蜜桃乌龙冷泡茶 15 袋", category: "冷泡茶", priceMinor: 3_990, popularity: 2.4),
        DemoProduct(id: "p1004", sku: "QH-C04-15B", name: "白桃乌龙冷泡茶 15 袋", category: "冷泡茶", priceMinor: 3_990, popularity: 2.0),
        DemoProduct(id: "p1005", sku: "QH-H02-20B", name: "玫瑰红茶 20 袋", category: "花草茶", priceMinor: 4_500, popularity: 1.0),
        DemoProduct(id: "p1006", sku: "QH-H01-20B", name: "桂花乌龙三角包 20 袋", category: "花草茶", priceMinor: 4_990, popularity: 1.5),
        DemoProduct(id: "p1007", sku: "QH-P02-10P", name: "新会小青柑普洱 10 颗", category: "普洱", priceMinor: 6_800, popularity: 1.3),
        DemoProduct(id: "p1008", sku: "QH-T04-BTL", name: "随行冷泡杯", category: "茶具", priceMinor: 6_900, popularity: 0.9),
        DemoProduct(id: "p1009", sku: "QH-B01-100G", name: "正山小种红茶 100g", category: "红茶", priceMinor: 7_900, popularity: 1.1),
        DemoProduct(id: "p1010", sku: "QH-C01-30B", name: "冷泡茶组合装 30 袋", category: "冷泡茶", priceMinor: 7_900, popularity: 1.7),
        DemoProduct(id: "p1011", sku: "QH-O01-100G", name: "浓香铁观音 100g", category: "乌龙茶", priceMinor: 8_900, popularity: 1.0),
        DemoProduct(id: "p1012", sku: "QH-G02-50G", name: "洞庭碧螺春 50g", category: "绿茶", priceMinor: 9_800, popularity: 1.0),
        DemoProduct(id: "p1013", sku: "QH-G03-50G", name: "安吉白茶 50g", category: "绿茶", priceMinor: 11_800, popularity: 0.9),
        DemoProduct(id: "p1014", sku: "QH-G01-50G", name: "明前西湖龙井 50g", category: "绿茶", priceMinor: 12_800, popularity: 1.4),
        DemoProduct(id: "p1015", sku: "QH-S02-1M", name: "每周一茶·月卡", category: "订阅", priceMinor: 12_900, popularity: 0.8),
        DemoProduct(id: "p1016", sku: "QH-B02-100G", name: "滇红金芽 100g", category: "红茶", priceMinor: 13_900, popularity: 0.7),
        DemoProduct(id: "p1017", sku: "QH-O02-100G", name: "武夷大红袍·肉桂 100g", category: "乌龙茶", priceMinor: 15_800, popularity: 0.8),
        DemoProduct(id: "p1018", sku: "QH-T01-SET", name: "白瓷盖碗套装", category: "茶具", priceMinor: 15_900, popularity: 0.6),
        DemoProduct(id: "p1019", sku: "QH-W01-200G", name: "福鼎白牡丹茶饼 200g", category: "白茶", priceMinor: 16_800, popularity: 0.7),
        DemoProduct(id: "p1020", sku: "QH-P01-357G", name: "勐海普洱熟茶饼 357g", category: "普洱", priceMinor: 19_800, popularity: 0.6),
        DemoProduct(id: "p1021", sku: "QH-T02-TRV", name: "便携旅行茶具", category: "茶具", priceMinor: 23_900, popularity: 0.5),
        DemoProduct(id: "p1022", sku: "QH-W02-357G", name: "五年老寿眉 357g", category: "白茶", priceMinor: 26_800, popularity: 0.5),
        DemoProduct(id: "p1023", sku: "QH-X01-BOX", name: "四季品鉴礼盒", category: "礼盒", priceMinor: 29_900, popularity: 0.8),
        DemoProduct(id: "p1024", sku: "QH-X02-BOX", name: "月满茶礼礼盒", category: "礼盒", priceMinor: 38_800, popularity: 0.6),
        DemoProduct(id: "p1025", sku: "QH-T03-ZSH", name: "宜兴手工紫砂壶", category: "茶具", priceMinor: 88_000, popularity: 0.3),
        DemoProduct(id: "p1026", sku: "QH-X03-BOX", name: "大师手作龙井礼盒", category: "礼盒", priceMinor: 128_000, popularity: 0.25),
    ]

    /// Product categories in catalogue order, for list pages.
    static let categories: [String] = {
        var seen: [String] = []
        for product in products where !seen.contains(product.category) { seen.append(product.category) }
        return seen
    }()
    /// Running totals of the products' popularity, for drawing products.
    static let popularity = DemoRandom.cumulative(products.map(\.popularity))
    /// `Product Viewed` properties of each product.
    static let productProperties: [JSONObject] = products.map(\.properties)
    /// `Product Added` properties of each product, with `quantity` and `cart_id` to fill in.
    static let addedProperties: [JSONObject] = products.map {
        var properties = $0.properties
        properties["quantity"] = 1
        properties["cart_id"] = ""
        return properties
    }
    /// `Product List Viewed` properties of each category page.
    static let listProperties: [JSONObject] = categories.enumerated().map { index, category in
        ["list_id": .string("category_\(index + 1)"), "category": .string(category)]
    }

    static let stores: [DemoStore] = [
        DemoStore(id: "SH-01", name: "上海静安嘉里店", city: "上海", trackingCode: "QH-STORE-SH01"),
        DemoStore(id: "SH-02", name: "上海徐汇滨江店", city: "上海", trackingCode: "QH-STORE-SH02"),
        DemoStore(id: "HZ-01", name: "杭州湖滨银泰店", city: "杭州", trackingCode: "QH-STORE-HZ01"),
        DemoStore(id: "BJ-01", name: "北京三里屯店", city: "北京", trackingCode: "QH-STORE-BJ01"),
        DemoStore(id: "CD-01", name: "成都太古里店", city: "成都", trackingCode: "QH-STORE-CD01"),
        DemoStore(id: "SZ-01", name: "深圳万象天地店", city: "深圳", trackingCode: "QH-STORE-SZ01"),
    ]

    /// Cities of customers and how common each is.
    static let cities: [(name: String, weight: Double)] = [
        ("上海", 14), ("北京", 11), ("深圳", 9), ("杭州", 9), ("广州", 8), ("成都", 7), ("南京", 5), ("苏州", 5),
        ("武汉", 4), ("重庆", 4), ("西安", 3), ("长沙", 3), ("厦门", 3), ("天津", 2.5), ("青岛", 2.5), ("宁波", 2),
        ("郑州", 2), ("合肥", 2), ("福州", 2), ("昆明", 1.5),
    ]
    static let cityWeights = DemoRandom.cumulative(cities.map(\.weight))

    static let ageRanges: [(name: String, weight: Double)] = [("18-24", 22), ("25-34", 41), ("35-44", 22), ("45-54", 10), ("55+", 5)]
    static let ageWeights = DemoRandom.cumulative(ageRanges.map(\.weight))

    static let surnames: [String] = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
        .map(String.init)
    static let femaleGiven: [String] = Array("婷静敏丽芳娜雪琳欣怡佳悦雨晴萱涵梓诗思雅慧颖璐倩瑶玥彤菲媛蕾可心月宁安然").map(String.init)
    static let maleGiven: [String] = Array("伟强磊洋勇军杰涛明超浩宇博鹏辉晨昊轩然哲峰俊凯毅航睿泽斌鑫阳文").map(String.init)

    /// Mobile prefixes of the three mainland carriers (13x, 15x without 154, 18x).
    static let phonePrefixes: [String] = [
        "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
        "150", "151", "152", "153", "155", "156", "157", "158", "159",
        "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    ]
    /// Documentation-only mail domains (RFC 2606), so that demo addresses can never reach anyone.
    static let mailDomains = ["example.com", "example.net", "example.org", "example.cn"]

    /// WeCom customer groups (企微社群): one per big city and a few national ones.
    static let groups: [(id: String, name: String, city: String?)] = {
        var groups: [(id: String, name: String, city: String?)] = []
        for (index, city) in cities.prefix(8).enumerated() {
            for number in 1...3 { groups.append(("wg_\(101 + index * 3 + number - 1)", "青禾茶友会·\(city.name)\(number)群", city.name)) }
        }
        for number in 1...6 { groups.append(("wg_\(300 + number)", "青禾福利社\(number)群", nil)) }
        return groups
    }()

    static let promoterComments = [
        "茶香很正，已经回购好几次了", "包装很用心，送朋友很有面子", "冷泡茶太方便了，办公室必备", "社群福利多，客服回复也快",
        "门店小姐姐很专业，推荐的茶都喜欢", "性价比高，比超市买的好喝多了",
    ]
    static let passiveComments = ["味道不错，就是价格略贵", "物流有点慢", "希望多出一些小包装", "茶不错，小程序有点卡"]
    static let detractorComments = ["收到时包装破损了", "和直播间说的不太一样", "发货太慢，等了一周", "口感偏涩，不太喜欢", "客服回复太慢"]

    static let groupMessageTypes: [(type: String, weight: Double)] = [("text", 70), ("image", 15), ("emoji", 10), ("mini_program_card", 5)]
    static let groupMessageWeights = DemoRandom.cumulative(groupMessageTypes.map(\.weight))

    /// An amount in 分 as yuan, the way JSON text would carry it: an integer when whole (`129`), else a
    /// decimal (`39.9`). Generated messages then equal what ingestion reads from their JSON.
    static func yuan(_ minor: Int64) -> JSONValue {
        minor % 100 == 0 ? .int(minor / 100) : .double(Double(minor) / 100)
    }

    /// `n` as decimal text, left-padded with zeros to `width` digits.
    static func padded(_ n: Int, width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
