import Hummingbird
import SiyuAPI
import SiyuStore

/// `GET /healthz`, `GET /metrics` and `GET /openapi.json` (the contract, `Sources/SiyuAPI/openapi.yaml`).
struct OperationsController: Sendable {
    /// For `/healthz`, which asks the store to answer.
    let store: any EventRepository
    let metrics: SiyuMetrics

    /// The served document's bytes, made once (it is about 250 KB).
    static let document = ByteBuffer(string: APIDocument.json)

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in
            do {
                try await store.ping()
                return JSONResponse.make(["status": "ok"])
            } catch {
                return JSONResponse.make(["status": "unavailable", "error": .string("\(error)")], status: .serviceUnavailable)
            }
        }
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: Self.document)
            )
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer()))
            )
        }
    }
}
