/// An opaque sRGB colour, written into the SVG as `#rrggbb`.
public struct ChartColor: Sendable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from a `0xRRGGBB` literal, e.g. `ChartColor(rgb: 0x0072B2)`.
    public init(rgb: UInt32) {
        red = UInt8((rgb >> 16) & 0xFF)
        green = UInt8((rgb >> 8) & 0xFF)
        blue = UInt8(rgb & 0xFF)
    }

    /// Parses `#rrggbb`, `rrggbb`, `#rgb` or `rgb` (either case); `nil` for anything else.
    public init?(hex: String) {
        var digits = Substring(hex)
        if digits.first == "#" { digits.removeFirst() }
        var values: [UInt32] = []
        for character in digits {
            guard let value = character.hexDigitValue else { return nil }
            values.append(UInt32(value))
        }
        switch values.count {
        case 6:
            self.init(rgb: values.reduce(0) { $0 << 4 | $1 })
        case 3:
            self.init(rgb: values.reduce(0) { $0 << 8 | $1 << 4 | $1 })
        default:
            return nil
        }
    }

    /// The colour as `#rrggbb`, lower case.
    public var hex: String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = "#"
        for component in [red, green, blue] {
            text.append(digits[Int(component >> 4)])
            text.append(digits[Int(component & 0x0F)])
        }
        return text
    }

    /// The colour `amount` of the way from this colour to `other` (0 gives this colour, 1 gives
    /// `other`), mixed per sRGB component; `amount` is clamped to `0...1` and NaN counts as 0.
    public func mixed(with other: ChartColor, amount: Double) -> ChartColor {
        let t = amount.isNaN ? 0 : min(max(amount, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
        }
        return ChartColor(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// Whether dark text reads better than white text on this colour, by the YIQ brightness
    /// `(299 R + 587 G + 114 B) / 1000` against the midpoint 128 (the W3C's 1999 colour-contrast rule of thumb).
    public var isLight: Bool {
        let brightness = (299 * Int(red) + 587 * Int(green) + 114 * Int(blue)) / 1000
        return brightness >= 128
    }
}
