import Testing

@testable import SiyuServer

@Suite struct ChartFormatTests {
    @Test func numbersGroupThousandsAndTrimDecimals() {
        #expect(ChartFormat.number(1234.5) == "1,234.5")
        #expect(ChartFormat.number(1_234_567) == "1,234,567")
        #expect(ChartFormat.number(1000) == "1,000")
        #expect(ChartFormat.number(999) == "999")
        // Two decimals from 1 up: 1,234.567 → 1,234.57.
        #expect(ChartFormat.number(-1234.567) == "-1,234.57")
        // Four below 1.
        #expect(ChartFormat.number(0.125) == "0.125")
        #expect(ChartFormat.number(0) == "0")
        // Rounds to zero: no "-0".
        #expect(ChartFormat.number(-0.00001) == "0")
        #expect(ChartFormat.decimal(1234.5, fractionDigits: 2, separator: "") == "1234.5")
        #expect(ChartFormat.decimal(12_345_678.9, fractionDigits: 0, separator: " ") == "12 345 679")
        #expect(ChartFormat.decimal(.nan, fractionDigits: 2) == "")
    }

    @Test func percentagesHaveOneDecimalAtMost() {
        // 250 of 1000 = 0.25 → 25 %; 1/3 = 33.33… % → 33.3 %.
        #expect(ChartFormat.percent(0.25) == "25%")
        #expect(ChartFormat.percent(1.0 / 3.0) == "33.3%")
        #expect(ChartFormat.percent(1) == "100%")
        #expect(ChartFormat.percent(0) == "0%")
        #expect(ChartFormat.percent(0.0005) == "0.1%")
    }

    @Test func coordinatesHaveOneDecimalAndNoTrailingZero() {
        #expect(SVGNumber.format(12.34) == "12.3")
        #expect(SVGNumber.format(12.0) == "12")
        #expect(SVGNumber.format(-0.04) == "0")
        #expect(SVGNumber.format(-12.36) == "-12.4")
        #expect(SVGNumber.format(0.25) == "0.3")
        #expect(SVGNumber.format(.nan) == "0")
    }

    @Test func textIsEscapedForXML() {
        #expect(ChartText.escaped("<b>&\"") == "&lt;b&gt;&amp;&quot;")
        #expect(ChartText.escaped("it's") == "it&#39;s")
        // U+0001 is not allowed in XML 1.0 and is dropped; tab and newline stay.
        #expect(ChartText.escaped("a\u{1}b\tc\n") == "ab\tc\n")
        #expect(ChartText.escaped("新用户") == "新用户")
    }

    @Test func longTextIsCutWithAnEllipsis() {
        // "M" counts 0.9 em: ten of them at size 10 are 90 wide. In 40, minus 6.2 for "…" (0.62 em),
        // 33.8 is left: three M's (27); a fourth would make 36.
        #expect(ChartText.fitted(String(repeating: "M", count: 10), maxWidth: 40, fontSize: 10) == ("MMM…", true))
        // Ten CJK characters at 12 are 120 wide; in 50 minus 7.44 for "…", three fit (36).
        #expect(ChartText.fitted("用户转化漏斗分析报告", maxWidth: 50, fontSize: 12) == ("用户转…", true))
        #expect(ChartText.fitted("Short", maxWidth: 100, fontSize: 12) == ("Short", false))
    }

    @Test func onlySafeLinksAreKept() {
        #expect(ChartLink.safe("/people?step=2&funnel=7") == "/people?step=2&funnel=7")
        #expect(ChartLink.safe(" https://example.com/a ") == "https://example.com/a")
        #expect(ChartLink.safe("mailto:ops@example.com") == "mailto:ops@example.com")
        #expect(ChartLink.safe("/a:b") == "/a:b")
        #expect(ChartLink.safe("javascript:alert(1)") == nil)
        #expect(ChartLink.safe(" JavaScript:alert(1)") == nil)
        #expect(ChartLink.safe("java\nscript:alert(1)") == nil)
        #expect(ChartLink.safe("data:text/html,hi") == nil)
        #expect(ChartLink.safe("  ") == nil)
    }

    @Test func coloursParseMixAndPickReadableText() {
        #expect(ChartColor(hex: "#0072B2") == ChartColor(red: 0, green: 0x72, blue: 0xB2))
        #expect(ChartColor(hex: "abc")?.hex == "#aabbcc")
        #expect(ChartColor(hex: "#12345") == nil)
        #expect(ChartColor(hex: "#gg0000") == nil)
        // Halfway from black to white: 127.5 rounds away from zero to 128 = 0x80.
        #expect(ChartColor(rgb: 0x000000).mixed(with: ChartColor(rgb: 0xFFFFFF), amount: 0.5).hex == "#808080")
        // YIQ of #08519c: (299·8 + 587·81 + 114·156) / 1000 = 67 < 128 → dark, so white text.
        #expect(!ChartColor(rgb: 0x08519C).isLight)
        #expect(ChartColor(rgb: 0xF7FBFF).isLight)
        #expect(ChartTheme.light.textColor(on: ChartColor(rgb: 0x08519C)) == ChartColor(rgb: 0xFFFFFF))
    }

    @Test func themesHaveEightDistinctCategoricalColours() {
        for theme in [ChartTheme.light, ChartTheme.dark] {
            #expect(theme.categorical.count >= 8)
            #expect(Set(theme.categorical).count == theme.categorical.count)
            // The palette wraps: series 8 reuses the first colour.
            #expect(theme.seriesColor(theme.categorical.count) == theme.categorical[0])
        }
    }
}
