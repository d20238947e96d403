import SiyuCore
import SiyuStore

/// Turns staff tasks into the tasks page's rows, in the reader's language.
struct TasksPresenter {
    let fmt: PeopleFormat

    /// `people`: display names by person id; `journeys`: names by journey id; a task is overdue when
    /// it is open and its due time has passed at `now`.
    func row(_ task: StaffTask, people: [Int64: String], journeys: [Int64: String], now: Int64) -> TasksPage.Row {
        let strings = fmt.strings
        return TasksPage.Row(
            id: task.id,
            title: task.title,
            person: task.personId.map { people[$0] ?? "#\($0)" },
            personHref: task.personId.map { "/console/people/\($0)" },
            journey: task.journeyId.map { journeys[$0] ?? "#\($0)" },
            journeyHref: task.journeyId.map { "/console/journeys/\($0)" },
            assignee: task.assignee ?? "–",
            due: fmt.time(task.dueAt),
            overdue: task.status == .open && (task.dueAt.map { $0 < now } ?? false),
            created: fmt.time(task.createdAt),
            status: strings.text("tasks.status." + task.status.rawValue),
            statusKey: task.status.rawValue,
            confirmedBy: task.confirmedBy ?? "–",
            confirmed: fmt.time(task.confirmedAt),
            note: task.note
        )
    }
}
