/// What `report-daily.mustache` and `report-weekly.mustache` (with the `report-table` partial)
/// show, every value already formatted for the reader's language.
extension ReportsPage {
    struct Daily {
        var day: String
        var weekday: String
        var previousHref: String
        /// Empty for today (there is no next day yet).
        var nextHref: String
        var csvHref: String
        var isToday: Bool
        var labels: ChangeLabels
        var table: Table
    }

    struct Weekly {
        var week: String
        /// The first and last day of the week.
        var weekDays: String
        var previousHref: String
        /// Empty for the current week.
        var nextHref: String
        var csvHref: String
        var isIncomplete: Bool
        var labels: ChangeLabels
        var table: Table
        var movers: [Mover]
        var hasMovers: Bool
        /// Said when fewer than 4 weeks came before, so the average is over fewer.
        var shortBaseline: String?
    }

    /// The words of the two comparisons each cell shows.
    struct ChangeLabels {
        var previousLabel: String
        var baselineLabel: String
        var previousShort: String
        var baselineShort: String

        /// The labels of a report kind (`daily`, `weekly`) from its strings `reports.<kind>.vsPrevious` ….
        init(_ strings: StringTable, report kind: String) {
            previousLabel = strings.text("reports.\(kind).vsPrevious")
            baselineLabel = strings.text("reports.\(kind).vsBaseline")
            previousShort = strings.text("reports.\(kind).previousShort")
            baselineShort = strings.text("reports.\(kind).baselineShort")
        }
    }

    /// The report table (total first, then the channels), or the hint shown when nobody was active.
    struct Table {
        var hasRows: Bool
        var columns: [Column]
        var rows: [Row]
        var emptyHint: String?
    }

    struct Column {
        var key: String
        var label: String
    }

    struct Row {
        var name: String
        var isTotal: Bool
        var cells: [Cell]
    }

    struct Cell {
        var metric: String
        var value: String
        var vsPrevious: Change
        var vsBaseline: Change
    }

    /// `▲ +32.0%` (the arrow and sign are in the text, so the move reads without colour), its
    /// `tone` (`good`, `bad`, `flat`, `none`), the words for screen readers and the tooltip.
    struct Change {
        var text: String
        var tone: String
        var flag: String
        var title: String
    }

    /// A move beyond the threshold as a sentence.
    struct Mover {
        var sentence: String
        var detail: String
        var tone: String
    }
}
