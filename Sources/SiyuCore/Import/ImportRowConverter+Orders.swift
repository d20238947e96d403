import OrderedCollections

extension ImportRowConverter {
    /// Order statuses (lower-cased) of rows that are skipped: the order was never paid, or was
    /// refunded or cancelled as a whole. Anything else, partial refunds included, is imported.
    static let skippedStatuses: Set<String> = [
        "refunded", "refund", "fully refunded", "cancelled", "canceled", "cancel", "closed", "void", "voided", "unpaid",
        "pending payment", "pending_payment", "payment failed", "failed",
        "已退款", "退款成功", "全额退款", "已全额退款", "已取消", "取消", "交易取消", "交易关闭", "已关闭", "订单关闭",
        "待付款", "待支付", "等待买家付款", "未付款", "未支付", "支付失败",
    ]

    /// An order row as an `Order Completed` track call.
    ///
    /// Properties follow the Segment e-commerce spec: `order_id`, `revenue` (a JSON integer when
    /// whole, else the double nearest to the exact decimal), `currency`, and `products` with one
    /// item `{product_id, sku, name, category, price, quantity}` when any product column is mapped,
    /// then the `property.` columns as text. The person is named by `userId` and/or `anonymousId`;
    /// `unionid`, `openid`, `phone` and `email` go into `context.externalIds`, where ingestion
    /// hashes and masks phone and e-mail, so an order may be keyed by a phone number alone
    /// without it appearing in clear in any id. The message id is `import:order:<orderId>`.
    mutating func order(_ row: Row) throws(ImportRowIssue) -> Message {
        if let status = row.cell(.status)?.text, !status.isEmpty, Self.skippedStatuses.contains(status.lowercased()) {
            throw row.issue(.status, "order status `\(status)` is not a completed order", outcome: .skipped)
        }
        guard let orderId = try row.value(.orderId, ImportValue.id) else { throw row.issue(.orderId, "order id is empty") }
        let keys = try personKeys(row)

        var currency = defaultCurrency
        if let found = row.cell(.currency), !found.text.isEmpty {
            guard let code = ImportValue.currencyCode(found.text) else {
                throw row.issue(.currency, "not a currency code (use a three-letter code such as CNY)")
            }
            currency = code
        }
        let exponent = Money.exponent(of: currency)
        guard let revenueText = row.cell(.revenue)?.text, !revenueText.isEmpty else { throw row.issue(.revenue, "amount is empty") }
        let revenue: Int64
        do {
            revenue = try ImportValue.amount(revenueText, exponent: exponent)
        } catch {
            throw row.issue(.revenue, error.reason)
        }
        guard revenue >= 0 else { throw row.issue(.revenue, "amount is negative; refunds are not imported as orders") }
        guard let timestamp = try date(row) else { throw row.issue(.timestamp, "order date is empty") }
        let channel = try row.value(.channel, ImportValue.channel)

        var properties: JSONObject = [
            "order_id": .string(orderId), "revenue": ImportValue.majorUnits(revenue, exponent: exponent), "currency": .string(currency),
        ]
        if let product = try product(row, exponent: exponent) { properties["products"] = .array([.object(product)]) }
        for column in mapping.columns {
            guard case .property(let name) = column.field, let text = try row.text(column.field) else { continue }
            properties[name] = .string(text)
        }

        var context = JSONObject()
        if let channel { context["channel"] = .string(channel) }
        let external = Self.externalIds([("unionid", keys.unionid), ("openid", keys.openid), ("phone", keys.phone), ("email", keys.email)])
        if let external { context["externalIds"] = external }

        return Message(
            type: .track,
            messageId: "import:order:" + orderId,
            userId: keys.userId,
            anonymousId: keys.anonymousId,
            event: Self.orderEvent,
            properties: properties,
            context: context,
            timestamp: timestamp,
            originalTimestamp: timestamp,
            receivedAt: options.now,
            flags: .imported
        )
    }

    /// The single product of an order row, or `nil` when no product column has a value.
    private func product(_ row: Row, exponent: Int) throws(ImportRowIssue) -> JSONObject? {
        var product = JSONObject()
        if let id = try row.text(.productId) { product["product_id"] = .string(id) }
        if let sku = try row.text(.sku) { product["sku"] = .string(sku) }
        if let name = try row.text(.productName) { product["name"] = .string(name) }
        if let category = try row.text(.category) { product["category"] = .string(category) }
        if let priceText = row.cell(.price)?.text, !priceText.isEmpty {
            let price: Int64
            do {
                price = try ImportValue.amount(priceText, exponent: exponent)
            } catch {
                throw row.issue(.price, error.reason)
            }
            guard price >= 0 else { throw row.issue(.price, "price is negative") }
            product["price"] = ImportValue.majorUnits(price, exponent: exponent)
        }
        if let quantity = try row.value(.quantity, ImportValue.quantity) { product["quantity"] = .int(quantity) }
        return product.isEmpty ? nil : product
    }
}
