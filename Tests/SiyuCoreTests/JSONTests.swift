import Testing

@testable import SiyuCore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":-2.5e2,"c":"x\"y\u00e9\ud83d\ude00","d":[true,false,null],"e":{}}"#)
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(-250))
        // \u00e9 is é, the surrogate pair d83d/de00 is U+1F600 😀.
        #expect(value["c"] == .string("x\"yé😀"))
        #expect(value["d"] == .array([.bool(true), .bool(false), .null]))
        #expect(value["e"] == .object([:]))
    }

    @Test func keepsIntegersExactAndKeyOrder() throws {
        let value = try JSONParser.parse(#"{"z":9007199254740993,"a":0}"#)
        // 2^53 + 1 is not representable as a Double; it must survive as an integer.
        #expect(value["z"] == .int(9_007_199_254_740_993))
        #expect(value.objectValue?.keys.elements == ["z", "a"])
        #expect(JSONWriter.string(value) == #"{"z":9007199254740993,"a":0}"#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "\"\u{01}\"", "nul", "{\"a\":1}x", "\"\\ud800\"", "[1 2]",
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func measuresElementsOfTheNamedTopLevelArray() throws {
        let text = #"{"x": [1], "batch": [ {"a":1} ,"bc", [] ], "y": {"batch": [123456]}}"#
        let (value, sizes) = try JSONParser.parse(Array(text.utf8), measuringElementsOf: "batch")
        // {"a":1} is 7 bytes, "bc" 4, [] 2; the nested "batch" is not top-level and is not measured.
        #expect(sizes == [7, 4, 2])
        #expect(value["batch"]?.arrayValue?.count == 3)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func writerEscapesControlCharacters() throws {
        let text = JSONWriter.string(.string("a\nb\u{01}\"\\"))
        #expect(text == #""a\nb\u0001\"\\""#)
        #expect(try JSONParser.parse(text) == .string("a\nb\u{01}\"\\"))
    }
}

@Suite struct TimestampTests {
    @Test func parsesSegmentAndPythonFormats() {
        // 2024-05-01T00:00:00Z is 19844 days after the epoch: 19844 × 86400 = 1 714 521 600 s.
        #expect(Timestamp.parseISO8601("2024-05-01T00:00:00Z") == 1_714_521_600_000)
        #expect(Timestamp.parseISO8601("2024-05-01T08:00:00.250+08:00") == 1_714_521_600_250)
        // Python's isoformat() with microseconds: the fraction is truncated to milliseconds.
        #expect(Timestamp.parseISO8601("2024-05-01T00:00:00.123456+00:00") == 1_714_521_600_123)
        #expect(Timestamp.parseISO8601("2024-05-01 00:00:00") == 1_714_521_600_000)
        #expect(Timestamp.parseISO8601("2024-05-01") == 1_714_521_600_000)
        #expect(Timestamp.parseISO8601("2024-04-30T19:00:00-0500") == 1_714_521_600_000)
    }

    @Test(arguments: ["2024-02-30T00:00:00Z", "2024-13-01", "yesterday", "2024-05-01T25:00:00Z", "2024-05-01T00:00:00+8", "1714521600000", ""])
    func rejectsWhatIsNotADate(_ text: String) {
        #expect(Timestamp.parseISO8601(text) == nil)
    }

    @Test func formatsAndRoundTrips() {
        #expect(Timestamp.iso8601(1_714_521_600_250) == "2024-05-01T00:00:00.250Z")
        #expect(Timestamp.iso8601(0) == "1970-01-01T00:00:00.000Z")
        // One millisecond before the epoch.
        #expect(Timestamp.iso8601(-1) == "1969-12-31T23:59:59.999Z")
        for millis: Int64 in [951_782_400_000, 1_709_164_800_000, 4_102_444_800_000] {
            #expect(Timestamp.parseISO8601(Timestamp.iso8601(millis)) == millis)
        }
    }
}

@Suite struct MoneyTests {
    @Test func readsAmountsExactly() {
        #expect(Money.minorUnits(.double(25.99), currency: "CNY") == 2599)
        #expect(Money.minorUnits(.string("1,299.90"), currency: "CNY") == 129_990)
        #expect(Money.minorUnits(.string("¥0.105"), currency: "CNY") == 11)  // half rounds away from zero
        #expect(Money.minorUnits(.int(500), currency: "JPY") == 500)  // yen has no minor unit
        #expect(Money.minorUnits(.string("1.2345"), currency: "KWD") == 1235)  // dinar: 3 places
        #expect(Money.minorUnits(.string("-3.5"), currency: "USD") == -350)
        #expect(Money.minorUnits(.string("abc"), currency: "CNY") == nil)
        #expect(Money.minorUnits(.string("1.2.3"), currency: "CNY") == nil)
        #expect(Money.minorUnits(.bool(true), currency: "CNY") == nil)
        // Commas group thousands only; a decimal comma is refused rather than read as 125.00.
        #expect(Money.minorUnits(.string("12,5"), currency: "CNY") == nil)
        #expect(Money.minorUnits(.string("1.299,00"), currency: "CNY") == nil)
        #expect(Money.minorUnits(.string("1,234,567.8"), currency: "CNY") == 123_456_780)
        #expect(Money.minorUnits(.string("¥-5"), currency: "CNY") == -500)
        #expect(Money.minorUnits(.string("-¥5"), currency: "CNY") == -500)
    }

    @Test func printsDecimalText() {
        #expect(Money(minorUnits: 123_450, currency: "CNY").decimalText == "1234.50")
        #expect(Money(minorUnits: -5, currency: "USD").decimalText == "-0.05")
        #expect(Money(minorUnits: 500, currency: "JPY").decimalText == "500")
    }
}

/// JSON objects are unordered (RFC 8259 §4): equality and hashing ignore member order, nothing else.
@Suite struct JSONEqualityTests {
    @Test func objectsAreEqualWhateverTheOrderOfTheirMembers() throws {
        let a = try JSONParser.parse(#"{"a": 1, "b": {"x": [1, 2], "y": null}}"#)
        let b = try JSONParser.parse(#"{"b": {"y": null, "x": [1, 2]}, "a": 1}"#)
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        // Arrays keep their order; a missing member, an extra one, or 1 against 1.0 differ.
        #expect(try JSONParser.parse("[1, 2]") != JSONParser.parse("[2, 1]"))
        #expect(try JSONParser.parse(#"{"a": 1}"#) != JSONParser.parse(#"{"a": 1, "b": 1}"#))
        #expect(try JSONParser.parse(#"{"a": 1, "b": 2}"#) != JSONParser.parse(#"{"a": 1}"#))
        #expect(try JSONParser.parse(#"{"a": 1}"#) != JSONParser.parse(#"{"a": 1.0}"#))
        #expect(try JSONParser.parse(#"{"a": 1}"#) != JSONParser.parse(#"{"b": 1}"#))
    }
}
