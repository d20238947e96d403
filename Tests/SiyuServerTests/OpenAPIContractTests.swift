import Crypto
import Foundation
import SiyuAPI
import Testing

/// The contract (`Sources/SiyuAPI/openapi.yaml`) and the code generated from it agree.
@Suite struct OpenAPIContractTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/SiyuAPI")

    /// `scripts/generate-api` records the SHA-256 of the contract and the generator's configuration
    /// in `Generated/Document.swift`; a contract edited without regenerating fails here.
    @Test func theGeneratedCodeIsNotStale() throws {
        let contract = try Data(contentsOf: Self.sources.appendingPathComponent("openapi.yaml"))
        let configuration = try Data(contentsOf: Self.sources.appendingPathComponent("openapi-generator-config.yaml"))
        let digest = SHA256.hash(data: contract + Data("\n--\n".utf8) + configuration)
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        #expect(hex == APIDocument.sourceSHA256, "Sources/SiyuAPI/openapi.yaml changed since the code was generated: run scripts/generate-api")
    }

    /// The served document is the contract: valid JSON, OpenAPI 3.1, every operation with an id,
    /// a summary and described responses, every JSON request body with a schema and an example.
    @Test func everyOperationIsDescribed() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(APIDocument.json.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operationIds: Set<String> = []
        for (path, item) in paths {
            for (method, value) in item where ["get", "put", "post", "patch", "delete"].contains(method) {
                let operation = try #require(value as? [String: Any])
                let id = try #require(operation["operationId"] as? String, "\(method) \(path) has no operationId")
                #expect(operationIds.insert(id).inserted, "operationId \(id) is used twice")
                #expect((operation["summary"] as? String)?.isEmpty == false, "\(id) has no summary")
                let responses = try #require(operation["responses"] as? [String: Any], "\(id) describes no response")
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(id) describes no success")
                if let body = operation["requestBody"] as? [String: Any], let content = body["content"] as? [String: Any],
                    let json = content["application/json"] as? [String: Any]
                {
                    #expect(json["schema"] != nil, "\(id) has a request body without a schema")
                    #expect(json["example"] != nil || json["examples"] != nil, "\(id) has a request body without an example")
                }
            }
        }
        #expect(operationIds.count >= 60, "\(operationIds.count) operations")
    }
}
