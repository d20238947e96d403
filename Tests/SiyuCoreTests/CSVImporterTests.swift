import Testing

@testable import SiyuCore

@Suite struct CSVImporterTests {
    let orders =
        "\u{FEFF}订单号,会员ID,实付金额,支付时间,备注\r\n" + "SO-1,M1,\"¥1,299.90\",2024-05-01 13:45,\"多行\r\n备注😀\"\r\n"
        + "SO-2,M2,abc,2024-05-01,\r\n" + "SO-3,M3,0.1,2024/5/1,\r\n" + "SO-4,M4,0.2,2024年5月1日,\r\n" + "SO-5,M5,7,2024-05-02,"

    @Test func byteByByteGivesTheSameResultAsWhole() throws {
        let bytes = Array(orders.utf8)
        let mapping = try ImportMapping.parse(
            arguments: ["orderId=订单号", "userId=会员ID", "revenue=实付金额", "timestamp=支付时间", "property.note=备注"],
            kind: .orders
        )
        let whole = try CSVImporter.importAll(bytes, kind: .orders, mapping: mapping, options: importOptions())
        var importer = CSVImporter(kind: .orders, mapping: mapping, options: importOptions(batchSize: 2))
        var messages: [Message] = []
        var batches: [Int] = []
        for byte in bytes {
            try importer.consume([byte]) {
                batches.append($0.count)
                messages += $0
            }
        }
        let report = try importer.finish {
            batches.append($0.count)
            messages += $0
        }
        #expect(messages == whole.messages)
        #expect(report == whole.report)
        #expect(batches == [2, 2])
        #expect(messages.map(\.messageId) == ["import:order:SO-1", "import:order:SO-3", "import:order:SO-4", "import:order:SO-5"])
        #expect(messages[0].properties["note"] == "多行\r\n备注😀")
        // SO-1 spans lines 2-3, so SO-2 is on line 4.
        #expect(report.issues.map(\.line) == [4])
        // 0.1 + 0.2 yuan: 10 + 20 fen, exactly 30.
        let sum = messages[1...2].compactMap { Money.minorUnits($0.properties["revenue"] ?? .null, currency: "CNY") }.reduce(0, +)
        #expect(sum == 30)
        #expect(report.summary == "5 rows read: 4 imported, 1 rejected, 0 skipped, 0 duplicates")
    }

    @Test func unknownColumnFailsBeforeAnyMessage() throws {
        let mapping = try ImportMapping.parse(arguments: ["userId=member_id"], kind: .people)
        var importer = CSVImporter(kind: .people, mapping: mapping, options: importOptions())
        var emitted = 0
        #expect(throws: ImportError.self) {
            try importer.consume(Array("id,name\n1,a\n".utf8)) { emitted += $0.count }
        }
        #expect(emitted == 0)
        // The importer stays failed.
        #expect(throws: ImportError.self) { _ = try importer.finish { emitted += $0.count } }
    }

    @Test func notUTF8StopsTheImportWithTheLine() throws {
        var importer = CSVImporter(kind: .people, mapping: nil, options: importOptions())
        var messages: [Message] = []
        do {
            try importer.consume(Array("user_id,name\nu1,Li\nu2,".utf8) + [0xD5, 0xC5] + Array("\n".utf8)) { messages += $0 }
            Issue.record("GBK accepted")
        } catch let error as ImportError {
            #expect(error.line == 3)
            #expect(error.message.contains("not UTF-8"))
        }
        // The row before the bad one was converted; the failed import emits nothing more.
        #expect(importer.report.converted == 1)
    }

    @Test func emptyFileAndHeaderOnly() throws {
        #expect(throws: ImportError.self) { _ = try CSVImporter.importAll([UInt8](), kind: .people, mapping: nil, options: importOptions()) }
        let (messages, report) = try CSVImporter.importAll(Array("user_id,name\r\n".utf8), kind: .people, mapping: nil, options: importOptions())
        #expect(messages.isEmpty)
        #expect(report.rowsRead == 0)
    }

    @Test func errorReportFile() throws {
        let text = "user_id,email\nu1,\"bad, =email\"\nu2,ok@example.com\n"
        let (_, report) = try runImport(text, .people)
        #expect(report.errorReportLines() == ["line,column,value,reason", "2,email,\"bad, =email\",not an e-mail address"])
        #expect(report.errorReportCSV() == "\u{FEFF}line,column,value,reason\r\n2,email,\"bad, =email\",not an e-mail address\r\n")
    }

    @Test func listedIssuesAreCapped() throws {
        var options = importOptions()
        options.maximumListedIssues = 2
        let rows = (1...5).map { "u\($0),bad" }.joined(separator: "\n")
        let (_, report) = try runImport("user_id,email\n" + rows, .people, options: options)
        #expect(report.rejected == 5)
        #expect(report.issues.count == 2)
        #expect(report.issuesNotListed == 3)
        #expect(report.errorReportLines().last == ",,,3 more rows were not imported and are not listed")
    }

    @Test func semicolonFilesWithDecimalCommasAreRefusedNotMisread() throws {
        var options = importOptions()
        options.delimiter = .semicolon
        let (messages, report) = try runImport("order_id;user_id;amount;time\nA;u;12,50;2024-05-01\n", .orders, options: options)
        #expect(messages.isEmpty)
        #expect(report.issues.first?.value == "12,50")
    }
}
