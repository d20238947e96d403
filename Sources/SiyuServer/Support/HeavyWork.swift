import Dispatch

/// CPU-heavy work (a customer-value fit can take minutes on an awkward dataset) run on a Dispatch
/// thread instead of Swift's cooperative pool, which has one thread per core (two here): on the
/// pool, two fits at once stopped every other request, `/healthz` included.
enum HeavyWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// At most one customer-value fit per workspace at a time; another asks again later (409).
/// (The analytics cache holds the gate, so that it is the server's: workspace ids are per store.)
public actor ValueFitGate {
    private var running: Set<Int64> = []

    func enter(_ workspaceId: Int64) throws {
        guard running.insert(workspaceId).inserted else {
            throw APIError(.conflict, code: "fit_running", message: "a fit of this workspace is running; ask again when it has finished")
        }
    }

    func leave(_ workspaceId: Int64) { running.remove(workspaceId) }
}
