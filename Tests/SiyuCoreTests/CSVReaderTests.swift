import Testing

@testable import SiyuCore

@Suite struct CSVReaderTests {
    /// Records of `bytes` fed in chunks of `size` bytes.
    func records(_ bytes: [UInt8], chunk size: Int, delimiter: CSVDelimiter = .comma) throws -> [CSVRecord] {
        var reader = CSVReader(delimiter: delimiter)
        var records: [CSVRecord] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            try reader.consume(bytes[start..<end]) { records.append($0) }
            start = end
        }
        try reader.finish { records.append($0) }
        return records
    }

    @Test func quotedFieldsWithEscapesDelimitersAndNewlines() throws {
        let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
        let records = try CSVReader.parse(text)
        #expect(records == [CSVRecord(line: 1, fields: ["a", "b", "c"]), CSVRecord(line: 2, fields: ["x, y", "say \"hi\"", "two\nlines"])])
    }

    @Test func lineEndingsAndTrailingNewline() throws {
        let expected = [["a", "b"], ["1", "2"]]
        for text in ["a,b\r\n1,2\r\n", "a,b\n1,2\n", "a,b\r1,2\r", "a,b\n1,2", "a,b\r\n1,2"] {
            #expect(try CSVReader.parse(text).map(\.fields) == expected, "\(text.debugDescription)")
        }
    }

    @Test func emptyFieldsAndBlankLines() throws {
        let records = try CSVReader.parse("a,,c\n\n,,\n\"\",x,\n\n")
        // The blank lines (2 and 5) are skipped; ",," is a record of three empty fields.
        #expect(
            records == [
                CSVRecord(line: 1, fields: ["a", "", "c"]), CSVRecord(line: 3, fields: ["", "", ""]), CSVRecord(line: 4, fields: ["", "x", ""]),
            ]
        )
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("会员ID,姓名\n1,张三\n".utf8)
        let records = try CSVReader.parse(bytes)
        #expect(records.first?.fields == ["会员ID", "姓名"])
        #expect(records.last == CSVRecord(line: 2, fields: ["1", "张三"]))
        // A lone BOM-like start that is not a BOM is data (and here invalid UTF-8).
        #expect(throws: CSVError.self) { try CSVReader.parse([0xEF, 0xBB, 0x41]) }
    }

    @Test func lenientQuotesLikeExcel() throws {
        // A quote inside an unquoted field is data; text after a closing quote is appended.
        #expect(try CSVReader.parse("5\" screen,\"ab\"c\n").map(\.fields) == [["5\" screen", "abc"]])
    }

    @Test func lineNumbersCountLinesInsideQuotedFields() throws {
        let text = "h1,h2\r\n1,\"first\r\nsecond\r\nthird\"\r\n2,x\r\n\r\n3,y"
        let records = try CSVReader.parse(text)
        // Record 1 spans lines 2-4, so record 2 is on line 5; line 6 is blank; record 3 is on line 7.
        #expect(records.map(\.line) == [1, 2, 5, 7])
        #expect(records[1].fields[1] == "first\r\nsecond\r\nthird")
    }

    @Test func semicolonAndTabDelimiters() throws {
        #expect(try CSVReader.parse("a;b\n\"1;2\";3\n", delimiter: .semicolon).map(\.fields) == [["a", "b"], ["1;2", "3"]])
        #expect(try CSVReader.parse("a\tb\n1,5\t3\n", delimiter: .tab).map(\.fields) == [["a", "b"], ["1,5", "3"]])
        #expect(CSVDelimiter(name: "tab") == .tab)
        #expect(CSVDelimiter(name: ";") == .semicolon)
    }

    @Test func chunkBoundariesAnywhereGiveTheSameRecords() throws {
        // Quoted fields with CRLF inside, escaped quotes, 3- and 4-byte UTF-8 characters, a BOM and CRLF
        // line ends: every chunk size, including 1 byte, must give what one whole read gives.
        let text = "\u{FEFF}会员ID,备注,金额\r\n1,\"多行\r\n备注 \"\"引号\"\" 😀\",¥1,299.90\r\n2,\"a,b\",\"\"\r\n3,末尾,\"x\""
        let bytes = Array(text.utf8)
        let whole = try records(bytes, chunk: bytes.count)
        #expect(whole.count == 4)
        #expect(whole[1].fields == ["1", "多行\r\n备注 \"引号\" 😀", "¥1", "299.90"])
        #expect(whole.map(\.line) == [1, 2, 4, 5])
        for size in 1...9 {
            #expect(try records(bytes, chunk: size) == whole, "chunk size \(size)")
        }
    }

    @Test func gbkIsRefusedWithAClearMessage() throws {
        // 会员 in GBK is BB E1 D4 B1, which is not UTF-8.
        let bytes = Array("id,name\n1,".utf8) + [0xBB, 0xE1, 0xD4, 0xB1] + Array("\n".utf8)
        do {
            _ = try CSVReader.parse(bytes)
            Issue.record("GBK was accepted")
        } catch let error as CSVError {
            #expect(error.line == 2)
            #expect(error.message.contains("not UTF-8"))
            #expect(error.message.contains("export it as UTF-8 CSV"))
        }
    }

    @Test func utf16IsRefused() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x61, 0x00]
        #expect(throws: CSVError.self) { try CSVReader.parse(bytes) }
    }

    @Test func unclosedQuoteIsAnErrorAtItsLine() throws {
        do {
            _ = try CSVReader.parse("a,b\n1,2\n3,\"open\n4,5\n")
            Issue.record("unclosed quote was accepted")
        } catch let error as CSVError {
            #expect(error.line == 3)
        }
    }

    @Test func overlongRecordStops() throws {
        var reader = CSVReader(maximumRecordBytes: 100)
        #expect(throws: CSVError.self) {
            try reader.consume(Array(("\"" + String(repeating: "x", count: 200)).utf8)) { _ in }
        }
    }
}

@Suite struct CSVWriterTests {
    @Test func quotesAndGuardsFormulas() {
        #expect(CSVWriter.line(["3", "a,b", "say \"hi\"", "two\nlines", "plain"]) == "3,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain")
        #expect(CSVWriter.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVWriter.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVWriter.field("-12.5") == "-12.5")
        #expect(CSVWriter.field(" padded") == "\" padded\"")
    }

    @Test func writtenLinesReadBack() throws {
        let fields = ["line", "会员ID", "a \"quoted\", value\r\nwith break", ""]
        #expect(try CSVReader.parse(CSVWriter.line(fields) + "\r\n") == [CSVRecord(line: 1, fields: fields)])
    }
}
