import Hummingbird
import Testing

@testable import SiyuServer

/// Console forms decoded into structs: the fields a struct declares, percent-decoded, the rest
/// (such as `_csrf`) ignored; a body that is not a form is a 400.
@Suite struct ConsoleFormTests {
    struct Sample: Decodable {
        var model: String?
        var note: String?
        var reset: String?
    }

    @Test func fieldsAreDecodedIntoTheStruct() throws {
        let form = ConsoleForm(urlEncoded: "_csrf=abc&model=pareto&note=%E4%B8%AD%E6%96%87+two")
        let sample = try form.decode(Sample.self)
        #expect(sample.model == "pareto")
        #expect(sample.note == "中文 two")
        #expect(sample.reset == nil)
        #expect(form["_csrf"] == "abc")
    }

    @Test func theValueFormsReadTheirFields() throws {
        let simple = try ConsoleForm(urlEncoded: "_csrf=x&arpu=12.5&retention=&lifetime=20&coefficient=0.4").decode(
            CustomerValuePage.SimpleInputForm.self
        )
        #expect(simple.inputs.map(\.text) == ["12.5", "", "20", "0.4"])
        #expect(simple.inputs.map(\.key) == ["averageRevenuePerUser", "retentionRate", "averageLifetime", "coefficient"])
        #expect(simple.reset == nil)
        #expect(try ConsoleForm(urlEncoded: "reset=1").decode(CustomerValuePage.SimpleInputForm.self).reset == "1")
        #expect(try ConsoleForm(urlEncoded: "model=mbgnbd").decode(CustomerValuePage.RefitForm.self).model == "mbgnbd")
    }

    @Test func aBodyThatIsNotAFormIsABadRequest() {
        #expect(throws: HTTPError.self) { try ConsoleForm(urlEncoded: "model[=1&model[]=2").decode(Sample.self) }
    }
}
