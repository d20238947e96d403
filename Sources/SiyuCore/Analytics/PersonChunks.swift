import Dispatch

/// Splits a workspace's people into contiguous chunks and evaluates them on every core.
///
/// Kernels look at one person at a time, so they parallelise without locks: each chunk builds
/// its own partial answer and the partials come back in chunk order, which keeps every answer
/// identical to a one-thread run (the same people in the same order).
public enum PersonChunks {
    /// Below this many people per chunk, threads cost more than they save.
    public static let minimumChunk = 2_048

    /// At most this many chunks; tests set 1 to compare a one-thread run with a parallel one.
    @TaskLocal public static var maximumChunks = 32

    /// The chunks of `0..<count`: at most `maximumChunks`, each of at least ``minimumChunk``
    /// people (one chunk for small workspaces).
    public static func ranges(_ count: Int, maximumChunks: Int = PersonChunks.maximumChunks) -> [Range<Int>] {
        let chunks = Swift.max(1, Swift.min(maximumChunks, count / minimumChunk))
        let size = (count + chunks - 1) / Swift.max(chunks, 1)
        return stride(from: 0, to: count, by: Swift.max(size, 1)).map { $0..<Swift.min($0 + size, count) }
    }

    /// `body` applied to every chunk of `0..<count`, concurrently; the results in chunk order.
    public static func map<T>(_ count: Int, _ body: (Range<Int>) -> T) -> [T] {
        let ranges = ranges(count)
        if ranges.count <= 1 { return ranges.map(body) }
        return perform(ranges.count) { body(ranges[$0]) }
    }

    /// Independent pieces of work run side by side; the results in the order given.
    public static func all<T>(_ work: [() -> T]) -> [T] {
        guard work.count > 1, maximumChunks > 1 else { return work.map { $0() } }
        return perform(work.count) { work[$0]() }
    }

    /// `body(0..<iterations)` on every core, each result in its own slot.
    private static func perform<T>(_ iterations: Int, _ body: (Int) -> T) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: iterations)
        slots.initialize(repeating: nil)
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        let shared = Slots(base: slots)
        withoutActuallyEscaping(body) { body in
            let work = UncheckedBody(body: body)
            DispatchQueue.concurrentPerform(iterations: iterations) { iteration in
                // Each iteration writes only its own slot.
                shared.base[iteration] = work.body(iteration)
            }
        }
        // Every slot was written: concurrentPerform returns after all iterations.
        return slots.map { $0! }
    }

    /// The chunk results buffer, written at distinct indexes by distinct threads.
    private struct Slots<T>: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<T?>
    }

    /// Kernels are `Sendable` values reading immutable columns; the closure only reads them.
    private struct UncheckedBody<T>: @unchecked Sendable {
        let body: (Int) -> T
    }
}
