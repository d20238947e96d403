/// Text handling without font files: XML escaping, an estimate of how wide a label renders,
/// and truncation with `…` to fit a width.
enum ChartText {
    /// `text` safe for XML character data and double- or single-quoted attributes: `& < > " '`
    /// become entities, and the control characters XML 1.0 forbids (all below U+0020 except tab,
    /// line feed and carriage return, plus U+FFFE and U+FFFF) are dropped.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Estimated rendered width of `text` at `fontSize`, in the same units: full-width (CJK,
    /// Hangul, full-width forms, emoji) characters count 1 em, narrow Latin letters and
    /// punctuation 0.32 em, wide letters and `%` 0.9 em, everything else (digits included) 0.62 em.
    /// This errs on the wide side for system UI fonts, so a label that "fits" here fits on screen.
    static func width(_ text: String, fontSize: Double) -> Double {
        var ems = 0.0
        for character in text {
            ems += characterWidth(character)
        }
        return ems * fontSize
    }

    /// Width of one character in ems (see ``width(_:fontSize:)``).
    private static func characterWidth(_ character: Character) -> Double {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        if isWide(scalar.value) { return 1 }
        switch character {
        case "i", "l", "j", "t", "f", "r", "I", ".", ",", ":", ";", "'", "|", "!", " ", "(", ")", "[", "]":
            return 0.32
        case "M", "W", "m", "w", "@", "%":
            return 0.9
        default:
            return 0.62
        }
    }

    /// Whether a code point is drawn full width (East Asian Wide/Fullwidth ranges and emoji).
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1FAFF,
            0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` cut to fit `maxWidth` at `fontSize`, ending in `…` when anything was cut;
    /// `truncated` tells whether it was (so the caller can add the full text as a `<title>`).
    static func fitted(_ text: String, maxWidth: Double, fontSize: Double) -> (text: String, truncated: Bool) {
        guard width(text, fontSize: fontSize) > maxWidth else { return (text, false) }
        let budget = maxWidth - width("…", fontSize: fontSize)
        var kept = ""
        var used = 0.0
        for character in text {
            let next = characterWidth(character) * fontSize
            if used + next > budget { break }
            kept.append(character)
            used += next
        }
        while kept.last?.isWhitespace == true { kept.removeLast() }
        return (kept + "…", true)
    }

    /// A tooltip: the non-empty `parts` joined with ` · `, then `: ` and the value
    /// (`["Orders", "5 May"]`, `"1,234"` → `Orders · 5 May: 1,234`).
    static func tooltip(_ parts: [String], value: String) -> String {
        let head = parts.filter { !$0.isEmpty }.joined(separator: " · ")
        return head.isEmpty ? value : head + ": " + value
    }
}
