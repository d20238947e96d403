import Mustache
import SiyuCore
import SiyuStore

/// Turns a template into the message one person gets: the variant in their language, its Mustache
/// variables filled from their profile, labels, tags and the event that started their journey.
///
/// Variables: `person.id`, `person.userId`, `traits.*` (every trait), `labels.*` (a label scheme's
/// value, dots in the scheme written `_`: `labels.rfm8`, `labels.value_churn`), `tags` (a list),
/// `event.*` (the entering event's properties), `journey.id`, `unsubscribeURL`. Text is not
/// escaped; an e-mail's HTML escapes every variable (`{{{…}}}` does not).
struct MessageComposer {
    /// What a rendered message says.
    struct Rendered: Equatable {
        var language: String
        var subject: String?
        var text: String
        var html: String?
    }

    /// Everything a message may say about its person.
    struct Facts {
        var person: PersonProfile
        var labels: [PersonLabelValue]
        var tags: [String]
        var event: JSONObject?
        var journeyId: Int64?
        var unsubscribeURL: String?
    }

    struct PersonLabelValue {
        var scheme: String
        var value: String
    }

    /// How deep sections may nest, and how many items of a list a section walks: a template cannot
    /// make rendering take longer than 50³ passes of its innermost part.
    static let maximumSectionDepth = 3
    static let maximumListItems = 50
    /// A rendered part longer than this is refused rather than sent.
    static let maximumRenderedBytes = 256 * 1024

    /// The template's variant for a person: their `language` or `locale` trait (`zh…` → zh-CN,
    /// `en…` → en) when the template has it, else the template's default.
    static func language(for person: PersonProfile, template: MessageTemplate) -> String {
        let said = (person.traits["language"]?.stringValue ?? person.traits["locale"]?.stringValue ?? "").lowercased()
        let wanted = said.hasPrefix("zh") ? "zh-CN" : said.hasPrefix("en") ? "en" : nil
        if let wanted, template.variants[wanted] != nil { return wanted }
        return template.defaultLanguage
    }

    /// Why a variant's text cannot be a template (a syntax error, sections nested too deep), or nil.
    static func problem(_ variant: MessageVariant) -> String? {
        for (part, text) in [("subject", variant.subject), ("text", variant.text), ("html", variant.html)] {
            guard let text else { continue }
            do { _ = try MustacheTemplate(string: text) } catch { return "the \(part) is not a Mustache template: \(error)" }
            if sectionDepth(text) > maximumSectionDepth { return "the \(part) nests sections more than \(maximumSectionDepth) deep" }
        }
        return nil
    }

    /// The deepest nesting of `{{#…}}` and `{{^…}}` sections.
    static func sectionDepth(_ text: String) -> Int {
        var depth = 0
        var deepest = 0
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            switch rest.first {
            case "#", "^":
                depth += 1
                deepest = max(deepest, depth)
            case "/": depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }

    static func render(_ template: MessageTemplate, facts: Facts) throws -> Rendered {
        let language = language(for: facts.person, template: template)
        guard let variant = template.variants[language] else { throw APIError.badRequest("the template has no \(language) variant") }
        if let problem = problem(variant) { throw APIError.badRequest(problem) }
        let context = MustacheObject(values(facts))
        func fill(_ text: String, escaped: Bool) throws -> String {
            let source = escaped ? text : "{{% CONTENT_TYPE: TEXT}}" + text
            let rendered = try MustacheTemplate(string: source).render(context)
            guard rendered.utf8.count <= maximumRenderedBytes else {
                throw APIError.badRequest("the rendered message is longer than \(maximumRenderedBytes / 1024) KiB")
            }
            return rendered
        }
        return Rendered(
            language: language,
            subject: try variant.subject.map { try fill($0, escaped: false).trimmingCharacters(in: .whitespacesAndNewlines) },
            text: try fill(variant.text, escaped: false),
            html: try variant.html.map { try fill($0, escaped: true) }
        )
    }

    static func values(_ facts: Facts) -> JSONObject {
        var person: JSONObject = ["id": .int(facts.person.id)]
        if let userId = facts.person.userId { person["userId"] = .string(userId) }
        var labels = JSONObject()
        for label in facts.labels { labels[label.scheme.replacingOccurrences(of: ".", with: "_")] = .string(label.value) }
        var values: JSONObject = [
            "person": .object(person), "traits": .object(facts.person.traits), "labels": .object(labels),
            "tags": .array(facts.tags.map(JSONValue.string)),
        ]
        if let event = facts.event { values["event"] = .object(event) }
        if let journey = facts.journeyId { values["journey"] = ["id": .int(journey)] }
        if let url = facts.unsubscribeURL { values["unsubscribeURL"] = .string(url) }
        return values
    }
}

/// A JSON object as Mustache sees it: names look up members; lists are cut to
/// ``MessageComposer/maximumListItems``; numbers and booleans print as JSON does.
struct MustacheObject: MustacheParent {
    let object: JSONObject

    init(_ object: JSONObject) { self.object = object }

    func child(named name: String) -> Any? {
        object[name].flatMap(Self.value)
    }

    static func value(_ json: JSONValue) -> Any? {
        switch json {
        case .null: nil
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .array(let items): items.prefix(MessageComposer.maximumListItems).compactMap(value)
        case .object(let object): MustacheObject(object)
        }
    }
}
