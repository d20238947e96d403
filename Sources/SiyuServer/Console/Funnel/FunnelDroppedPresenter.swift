import SiyuCore

/// The page of people who dropped at a funnel step: a table of people linking to their pages,
/// paged, with the CSV export and the way back to the funnel.
struct FunnelDroppedPresenter {
    let analysis: AnalysisRequest
    let form: FunnelForm
    let dataset: Dataset
    let step: Int

    func model(people: [Int], page: Int, pageSize: Int) -> FunnelPage.Dropped {
        let strings = analysis.strings
        let format = analysis.format
        let pages = max(1, (people.count + pageSize - 1) / pageSize)
        let page = min(page, pages)
        let slice = people.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let base = form.queryItems + [("step", String(step))]
        func href(_ extra: [(String, String)]) -> String { "/console/funnel/dropped?" + ConsoleForm.queryString(base + extra) }
        let rows = slice.map { p in
            let id = dataset.personIds[p]
            let name = dataset.traits[p]["name"]?.scalarText
            let userId = dataset.userIds[p]
            let lastSeen = dataset.lastSeen[p]
            return FunnelPage.DroppedPerson(
                href: "/console/people/\(id)",
                name: name ?? userId ?? "#\(id)",
                userId: userId ?? "–",
                channel: analysis.groupName(dataset.channelName(dataset.firstChannel[p]), breakdown: "channel"),
                lastSeen: lastSeen == .min ? "–" : analysis.dayText(analysis.calendar.day(lastSeen))
            )
        }
        return FunnelPage.Dropped(
            heading: strings.text("funnel.dropped.heading", ["from": form.steps[step - 1].event, "to": form.steps[step].event]),
            explain: strings.text(
                "funnel.dropped.explain",
                ["count": format.integer(people.count), "from": form.steps[step - 1].event, "to": form.steps[step].event]
            ),
            range: "\(form.from) – \(form.to)",
            people: Array(rows),
            isEmpty: people.isEmpty,
            csvHref: href([("format", "csv")]),
            backHref: "/console/funnel?" + ConsoleForm.queryString(form.queryItems),
            pageText: strings.text("analysis.pageOf", ["page": format.integer(page), "pages": format.integer(pages)]),
            previousHref: page > 1 ? href([("page", String(page - 1))]) : nil,
            nextHref: page < pages ? href([("page", String(page + 1))]) : nil
        )
    }
}
