#if canImport(Glibc)
import Glibc
#endif

/// Memory for the large event columns. On Linux, columns of 4 MiB and more are mapped directly
/// and marked for transparent huge pages where the kernel offers them on request: filling a
/// 10-million-event dataset then takes a few hundred page faults instead of a hundred thousand
/// (measured: the restart from a snapshot spent half its time in page faults).
enum LargeAllocation {
    static let mapped = 4 << 20

    static func allocate<T>(_ type: T.Type, capacity: Int) -> UnsafeMutablePointer<T> {
        #if canImport(Glibc)
        let bytes = capacity * MemoryLayout<T>.stride
        if bytes >= mapped {
            // Out of address space is fatal here as it is for `allocate` (which traps too).
            guard let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), address != MAP_FAILED
            else { fatalError("cannot map \(bytes) bytes for the analytics dataset") }
            _ = madvise(address, bytes, MADV_HUGEPAGE)
            return address.bindMemory(to: T.self, capacity: capacity)
        }
        #endif
        return .allocate(capacity: capacity)
    }

    static func free<T>(_ pointer: UnsafeMutablePointer<T>, capacity: Int) {
        #if canImport(Glibc)
        let bytes = capacity * MemoryLayout<T>.stride
        if bytes >= mapped {
            munmap(UnsafeMutableRawPointer(pointer), bytes)
            return
        }
        #endif
        pointer.deallocate()
    }
}
