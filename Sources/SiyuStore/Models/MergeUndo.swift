import SiyuCore

/// Undoing a merge, as both stores do it and in this order: the merge must exist and not be
/// undone yet; its loser must still exist (erasing a person removes its whole group); everyone
/// whose chain of merges leads through the loser goes back with it (the loser's own link is cut);
/// then both groups' profiles are rebuilt from their events, the merge is marked undone and the
/// analytics caches reload people. The stores read and write in one transaction; the checks and who
/// goes back are decided here.
public enum MergeUndo {
    /// The merge to undo, refused when there is none or it was undone already.
    static func check(_ entry: MergeLogEntry?, id: Int64) throws -> MergeLogEntry {
        guard let entry else { throw StoreError.notFound("no merge \(id) in this workspace") }
        guard entry.undoneAt == nil else { throw StoreError.conflict("merge \(id) was already undone") }
        return entry
    }

    /// The group the loser is in now, refused when its people were erased.
    static func root(_ root: Int64?, id: Int64) throws -> Int64 {
        guard let root else { throw StoreError.notFound("the people of merge \(id) were erased") }
        return root
    }

    /// The members of the loser's group (each with the person it was merged into) who go back with
    /// the loser: those whose chain of merges reaches it, the loser included.
    static func returning(loser: Int64, members: [(id: Int64, mergedInto: Int64?)]) -> [Int64] {
        var parent: [Int64: Int64] = [:]
        for member in members { if let into = member.mergedInto { parent[member.id] = into } }
        parent[loser] = nil
        return members.map(\.id).filter { chain(from: $0, parent: parent, reaches: loser) }
    }

    /// Whether following `parent` links from `start` reaches `target` (including `start == target`).
    static func chain(from start: Int64, parent: [Int64: Int64], reaches target: Int64) -> Bool {
        var current = start
        var steps = 0
        while true {
            if current == target { return true }
            guard let next = parent[current], steps < 10_000 else { return false }
            current = next
            steps += 1
        }
    }
}
