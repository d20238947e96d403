import Testing

@testable import SiyuServer

/// The journey flow chart's layers and drawing, worked out by hand.
@Suite struct JourneyFlowChartTests {
    @Test func layersRunDownwardsFromTheStartWithLoopsAndUnreachedNodesAside() {
        // The care journey: breadth-first puts tag and done both at depth 3; done moves below tag, which leads to it.
        #expect(
            JourneyFlowChart.layers(
                start: "thanks",
                nodes: ["thanks", "wait", "vip", "tag", "done"],
                edges: [("thanks", "wait"), ("wait", "vip"), ("vip", "tag"), ("vip", "done"), ("tag", "done")]
            ) == [["thanks"], ["wait"], ["vip"], ["tag"], ["done"]]
        )
        // A monthly loop: c leads back to a (left out of the layering), and on to d.
        #expect(
            JourneyFlowChart.layers(start: "a", nodes: ["a", "b", "c", "d"], edges: [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
                == [["a"], ["b"], ["c"], ["d"]]
        )
        // A split into x and y, joined at z, in discovery order; u is not reached from the start and comes last.
        #expect(
            JourneyFlowChart.layers(start: "s", nodes: ["u", "s", "x", "y", "z"], edges: [("s", "x"), ("s", "y"), ("x", "z"), ("y", "z")])
                == [["s"], ["x", "y"], ["z"], ["u"]]
        )
        // A start that does not exist draws every node in one row rather than nothing.
        #expect(JourneyFlowChart.layers(start: "nope", nodes: ["a", "b"], edges: [("a", "b")]) == [["a", "b"]])
    }

    @Test func aNodeBoxShowsItsTextEscapedAndItsCounts() {
        let chart = JourneyFlowChart(
            title: "Flow <1>",
            start: "a",
            nodes: [
                .init(id: "a", kind: "Action", family: "action", text: "Add tag <b>&", counts: [("passed", "passed", 12)]),
                .init(id: "b", kind: "Exit", family: "exit", text: "Leave", counts: []),
            ],
            edges: [.init(from: "a", to: "b", label: "yes & no")],
            noCountsText: "nobody yet",
            format: { String($0) }
        )
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg") && svg.contains("aria-label=\"Flow &lt;1&gt;\""))
        #expect(svg.contains("<g data-node=\"a\" data-passed=\"12\">") && svg.contains(">Add tag &lt;b&gt;&amp;<") && svg.contains(">passed 12<"))
        #expect(svg.contains("<g data-node=\"b\">") && svg.contains(">nobody yet<"))
        #expect(svg.contains(">yes &amp; no<") && svg.contains("data-edge=\"a→b\""))
        // Two layers of one box: 20 + 216 + 20 wide; 20 + 76 + 64 + 76 + 20 high.
        #expect(svg.contains("width=\"256\" height=\"256\""))
    }
}
