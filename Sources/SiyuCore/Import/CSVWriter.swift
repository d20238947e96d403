/// Writes CSV lines that Excel and other spreadsheets read back exactly.
public enum CSVWriter {
    /// One field, quoted when it holds a delimiter, a quote or a line break, or has blanks at
    /// either end. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` followed by
    /// something other than a number) gets a leading `'`, since these files hold whatever the
    /// imported file held.
    public static func field(_ text: String, delimiter: CSVDelimiter = .comma) -> String {
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first),
            !((first == "-" || first == "+") && Double(value) != nil)
        {
            value = "'" + value
        }
        let special = value.unicodeScalars.contains { scalar in
            scalar == "\"" || scalar == "\n" || scalar == "\r" || scalar.value == UInt32(delimiter.rawValue)
        }
        let padded = value.first == " " || value.last == " "
        guard special || padded else { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" { quoted += "\"\"" } else { quoted.append(character) }
        }
        return quoted + "\""
    }

    /// One line of fields, without the line break.
    public static func line(_ fields: [String], delimiter: CSVDelimiter = .comma) -> String {
        let separator = String(UnicodeScalar(delimiter.rawValue))
        return fields.map { field($0, delimiter: delimiter) }.joined(separator: separator)
    }
}
