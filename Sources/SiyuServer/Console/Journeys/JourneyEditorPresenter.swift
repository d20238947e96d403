import SiyuCore

/// Turns the editor's form into what `journey-editor.mustache` shows, in the reader's language.
struct JourneyEditorPresenter {
    let strings: StringTable

    func editor(
        _ form: JourneyEditorForm,
        existing: Int64?,
        problems: [JourneysPage.Problem],
        error: String?
    ) -> JourneysPage.Editor {
        let rows = form.nodes.enumerated().map { index, node in row(node, number: index + 1, count: form.nodes.count) }
        return JourneysPage.Editor(
            isNew: existing == nil,
            action: existing.map { "/console/journeys/\($0)/edit" } ?? "/console/journeys/new",
            cancelHref: existing.map { "/console/journeys/\($0)" } ?? "/console/journeys",
            name: form.name,
            entryEvent: form.entryEvent,
            entryKey: form.entryKey,
            entrySegment: form.entrySegment,
            entryScheme: form.entryScheme,
            entryValues: form.entryValues,
            entryIsEvent: form.entryKind == "event",
            entryIsSegment: form.entryKind == "segment",
            entryIsLabel: form.entryKind == "label",
            reEntry: form.reEntry,
            holdout: form.holdout,
            goalEvent: form.goalEvent,
            goalDays: form.goalDays,
            rows: rows,
            hasRows: !rows.isEmpty,
            addKinds: JourneyEditorForm.kinds.map { JourneysPage.Option(value: $0, label: kindLabel($0), selected: $0 == "delay") },
            nodeIds: form.nodes.map { JourneysPage.Option(value: $0.id, label: $0.id, selected: false) },
            problems: problems,
            hasProblems: !problems.isEmpty,
            error: error,
            canAdd: form.nodes.count < Journey.maximumNodes
        )
    }

    func kindLabel(_ kind: String) -> String { strings.text("journeys.editor.kinds." + kind) }

    func row(_ node: JourneyEditorForm.Node, number: Int, count: Int) -> JourneysPage.EditorRow {
        let locked = node.kind == "locked"
        let isText = ["addTag", "removeTag", "addToSegment", "webhook", "message"].contains(node.kind)
        return JourneysPage.EditorRow(
            number: number,
            prefix: "n\(number)",
            id: node.id,
            kinds: (JourneyEditorForm.kinds + (locked ? ["locked"] : [])).map {
                JourneysPage.Option(value: $0, label: kindLabel($0), selected: $0 == node.kind)
            },
            isStart: number == 1,
            isDelay: node.kind == "delay",
            isWaitFor: node.kind == "waitFor",
            isCondition: node.kind == "condition",
            isSplit: node.kind == "split",
            isRateLimit: node.kind == "rateLimit",
            isText: isText,
            isTask: node.kind == "task",
            isLocked: locked,
            hasNext: ["delay", "waitFor", "rateLimit", "addTag", "removeTag", "addToSegment", "webhook", "message", "task"].contains(node.kind),
            next: node.next,
            amount: node.amount,
            units: JourneyEditorForm.units.map {
                JourneysPage.Option(value: $0, label: strings.text("journeys.editor.units." + $0), selected: $0 == node.unit)
            },
            event: node.event,
            timeoutNext: node.timeoutNext,
            types: [JourneysPage.Option(value: "", label: strings.text("segments.chooseType"), selected: node.condition.type.isEmpty)]
                + SegmentRuleForm.types.map {
                    JourneysPage.Option(value: $0, label: strings.text("segments.types." + $0), selected: $0 == node.condition.type)
                },
            ops: SegmentsPresenter.ops.map {
                JourneysPage.Option(value: $0, label: strings.text("segments.ops." + $0), selected: $0 == node.condition.op)
            },
            key: node.condition.key,
            value: node.condition.value,
            days: node.condition.days,
            yes: node.yes,
            no: node.no,
            lockedRule: node.kind == "condition" ? node.locked : nil,
            branches: (0..<JourneyEditorForm.branchSlots).map {
                JourneysPage.Branch(slot: $0 + 1, weight: node.weights[$0], next: node.branches[$0])
            },
            count: node.count,
            perMinute: node.per == "minute",
            textLabel: isText ? strings.text("journeys.editor.textLabels." + node.kind) : "",
            text: node.text,
            assignee: node.assignee,
            dueMinutes: node.dueMinutes,
            locked: locked ? node.locked : nil,
            lockedText: locked ? strings.text("journeys.editor.lockedNode") : nil,
            canMoveUp: number > 1,
            canMoveDown: number < count
        )
    }
}
