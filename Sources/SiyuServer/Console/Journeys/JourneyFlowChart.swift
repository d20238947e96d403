/// A journey's flow as a server-drawn SVG: the nodes in layers from the start node, each box with
/// its kind, a short description and its counts, and the links between them with their labels
/// (yes/no, timeout, split shares). Every text comes from the operator (node ids, tags, titles) and
/// is escaped by ``SVGWriter``.
///
/// Layers: breadth-first from the start node, then each node moved one layer below every node that
/// leads to it (a loop's link back is left out of that), so links run downwards; nodes the start
/// does not reach come last. A link to the next layer is drawn straight down; one that skips layers
/// or goes back up runs in a lane to the right of the boxes.
struct JourneyFlowChart {
    struct Node {
        var id: String
        var kind: String
        /// Which colour the box gets: `action`, `wait` (delays, waits, rate limits), `branch`, `exit`.
        var family: String
        var text: String
        /// What happened there: (outcome as the walker records it, its label, how many people).
        var counts: [(outcome: String, label: String, count: Int)]
    }

    struct Edge {
        var from: String
        var to: String
        var label: String?
    }

    var title: String
    var start: String
    /// In the definition's order (the order of a layer's nodes after breadth-first discovery).
    var nodes: [Node]
    var edges: [Edge]
    var noCountsText: String
    var format: (Int) -> String
    var theme = ChartTheme.light

    static let boxWidth = 216.0
    static let boxHeight = 76.0
    static let gapX = 32.0
    static let gapY = 64.0
    static let margin = 20.0
    static let laneStep = 12.0

    /// The layers, top first, each in discovery order.
    static func layers(start: String, nodes: [String], edges: [(from: String, to: String)]) -> [[String]] {
        let known = Set(nodes)
        var successors: [String: [String]] = [:]
        for edge in edges where known.contains(edge.from) && known.contains(edge.to) { successors[edge.from, default: []].append(edge.to) }
        // Breadth-first order from the start.
        var order: [String] = []
        var seen: Set<String> = []
        if known.contains(start) {
            var queue = [start]
            seen.insert(start)
            var index = 0
            while index < queue.count {
                let node = queue[index]
                index += 1
                order.append(node)
                for next in successors[node] ?? [] where !seen.contains(next) {
                    seen.insert(next)
                    queue.append(next)
                }
            }
        }
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        // Depth-first from the start: a link to a node still on the path is a loop's way back.
        var back: Set<String> = []
        var onPath: Set<String> = []
        var done: Set<String> = []
        func visit(_ node: String) {
            onPath.insert(node)
            for next in successors[node] ?? [] {
                if onPath.contains(next) {
                    back.insert(node + "\u{0}" + next)
                } else if !done.contains(next) {
                    visit(next)
                }
            }
            onPath.remove(node)
            done.insert(node)
        }
        if known.contains(start) { visit(start) }
        // Longest path over the forward links, in breadth-first order repeated until nothing moves
        // (at most as many rounds as nodes: the forward links form no cycle).
        var layer: [String: Int] = [:]
        for node in order { layer[node] = 0 }
        for _ in 0..<max(order.count, 1) {
            var moved = false
            for node in order {
                for next in successors[node] ?? [] where rank[next] != nil && !back.contains(node + "\u{0}" + next) {
                    let wanted = (layer[node] ?? 0) + 1
                    if (layer[next] ?? 0) < wanted {
                        layer[next] = wanted
                        moved = true
                    }
                }
            }
            if !moved { break }
        }
        let depth = (layer.values.max() ?? -1) + 1
        var result = Array(repeating: [String](), count: depth)
        for node in order { result[layer[node] ?? 0].append(node) }
        let unreached = nodes.filter { !seen.contains($0) }
        if !unreached.isEmpty { result.append(unreached) }
        return result.filter { !$0.isEmpty }
    }

    func svg() -> String {
        let byId = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let layers = Self.layers(start: start, nodes: nodes.map(\.id), edges: edges.map { ($0.from, $0.to) })
        var place: [String: (x: Double, y: Double, layer: Int)] = [:]
        let widest = Double(layers.map(\.count).max() ?? 1)
        let contentWidth = widest * Self.boxWidth + (widest - 1) * Self.gapX
        for (index, row) in layers.enumerated() {
            let rowWidth = Double(row.count) * Self.boxWidth + Double(row.count - 1) * Self.gapX
            var x = Self.margin + (contentWidth - rowWidth) / 2
            let y = Self.margin + Double(index) * (Self.boxHeight + Self.gapY)
            for node in row {
                place[node] = (x, y, index)
                x += Self.boxWidth + Self.gapX
            }
        }
        let drawn = edges.filter { place[$0.from] != nil && place[$0.to] != nil }
        let routed = drawn.filter { edge in (place[edge.to]?.layer ?? 0) != (place[edge.from]?.layer ?? 0) + 1 }
        let width = Self.margin * 2 + contentWidth + (routed.isEmpty ? 0 : Double(routed.count) * Self.laneStep + 8)
        let height = Self.margin * 2 + Double(layers.count) * Self.boxHeight + Double(max(layers.count - 1, 0)) * Self.gapY
        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        writer.open("defs", [])
        writer.open(
            "marker",
            [("id", "arrow"), ("viewBox", "0 0 8 8"), ("refX", "7"), ("refY", "4"), ("markerWidth", "8"), ("markerHeight", "8"), ("orient", "auto")]
        )
        writer.element("path", [("d", "M0 0L8 4L0 8Z"), ("fill", theme.axis.hex)])
        writer.close("marker")
        writer.close("defs")

        // Links first, so that boxes sit on top of them.
        var outgoing: [String: Int] = [:]
        var lane = 0
        for edge in drawn {
            guard let from = place[edge.from], let to = place[edge.to] else { continue }
            let siblings = drawn.filter { $0.from == edge.from }
            let index = outgoing[edge.from, default: 0]
            outgoing[edge.from] = index + 1
            let spread = min(Self.boxWidth / Double(siblings.count + 1), 48)
            let x1 = from.x + Self.boxWidth / 2 + (Double(index) - Double(siblings.count - 1) / 2) * spread
            let y1 = from.y + Self.boxHeight
            let x2 = to.x + Self.boxWidth / 2
            let y2 = to.y
            var path = SVGPath()
            path.move(x1, y1)
            if to.layer == from.layer + 1 {
                let middle = y1 + Self.gapY / 2 + Double(index % 3 - 1) * 6
                path.line(x1, middle)
                path.line(x2, middle)
            } else {
                let laneX = Self.margin + contentWidth + 8 + Double(lane) * Self.laneStep
                lane += 1
                let below = y1 + Self.gapY / 2 + Double(index % 3 - 1) * 6
                let above = y2 - Self.gapY / 2 + Double(lane % 3 - 1) * 6
                path.line(x1, below)
                path.line(laneX, below)
                path.line(laneX, above)
                path.line(x2, above)
            }
            path.line(x2, y2 - 1)
            writer.element(
                "path",
                [
                    ("d", path.data), ("fill", "none"), ("stroke", theme.axis.hex), ("stroke-width", "1.5"), ("marker-end", "url(#arrow)"),
                    ("data-edge", edge.from + "→" + edge.to),
                ]
            )
            if let label = edge.label {
                writer.text(label, x: x1 + 4, y: y1 + 14, color: theme.mutedText, size: 11, maxWidth: 90)
            }
        }

        for row in layers {
            for id in row {
                guard let node = byId[id], let at = place[id] else { continue }
                var attributes: [(String, String?)] = [("data-node", node.id)]
                for count in node.counts { attributes.append(("data-" + count.outcome.lowercased(), String(count.count))) }
                writer.open("g", attributes)
                let color = self.color(node.family)
                writer.element(
                    "rect",
                    [
                        ("x", SVGNumber.format(at.x)), ("y", SVGNumber.format(at.y)), ("width", SVGNumber.format(Self.boxWidth)),
                        ("height", SVGNumber.format(Self.boxHeight)), ("rx", "8"), ("fill", "#ffffff"), ("stroke", color.hex),
                        ("stroke-width", node.id == start ? "3" : "1.5"),
                    ]
                )
                writer.text(node.kind, x: at.x + 10, y: at.y + 18, color: color, size: 11, bold: true, maxWidth: Self.boxWidth / 2 - 10)
                writer.text(
                    node.id,
                    x: at.x + Self.boxWidth - 10,
                    y: at.y + 18,
                    anchor: .end,
                    color: theme.mutedText,
                    size: 11,
                    maxWidth: Self.boxWidth / 2 - 14
                )
                writer.text(node.text, x: at.x + 10, y: at.y + 40, color: theme.text, size: 12, maxWidth: Self.boxWidth - 20)
                let counts = node.counts.map { "\($0.label) \(format($0.count))" }.joined(separator: " · ")
                writer.text(
                    counts.isEmpty ? noCountsText : counts,
                    x: at.x + 10,
                    y: at.y + 62,
                    color: theme.mutedText,
                    size: 11,
                    maxWidth: Self.boxWidth - 20
                )
                writer.close("g")
            }
        }
        return writer.finished()
    }

    func color(_ family: String) -> ChartColor {
        switch family {
        case "action": theme.categorical[0]
        case "wait": theme.categorical[1 % theme.categorical.count]
        case "branch": theme.categorical[2 % theme.categorical.count]
        default: theme.axis
        }
    }
}
