import Testing

@testable import SiyuServer

/// The well-formedness checker used by the chart tests must itself reject broken XML.
@Suite struct SVGParserTests {
    @Test func acceptsWellFormedDocuments() throws {
        let root = try SVGParser.parse("<?xml version=\"1.0\"?><svg a=\"&lt;&amp;&#39;&#x4E2D;\"><!-- c --><g><title>x &gt; y</title></g></svg>\n")
        #expect(root.attributes["a"] == "<&'中")
        #expect(root.all("g").first?.title == "x > y")
    }

    @Test(
        arguments: [
            "<a><b></a></b>", "<a>", "<a x=1/>", "<a x=\"1\" x=\"2\"/>", "<a/><b/>", "<a>&foo;</a>", "<a>AT&T</a>",
            "<a x=\"<\"/>", "<a x=\"1\"y=\"2\"/>", "text", "<a></b>",
        ]
    )
    func rejectsMalformedDocuments(_ document: String) {
        #expect(throws: SVGParseError.self) { try SVGParser.parse(document) }
    }
}
