/// The port the server bound, once it is listening.
public actor PortBox {
    public init() {}

    private var port: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []

    public func set(_ port: Int) {
        self.port = port
        for waiter in waiters { waiter.resume(returning: port) }
        waiters.removeAll()
    }

    public func wait() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
