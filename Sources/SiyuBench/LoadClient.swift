import NIOCore
import NIOPosix
import Synchronization

/// A lean HTTP/1.1 load generator for the benchmark: each connection sends pre-built requests
/// one after another on a keep-alive connection, like `wrk`, so that the client spends as little
/// of the machine as possible and the server's own speed shows.
enum LoadClient {
    /// Sends every request over `connections` keep-alive connections and returns the seconds taken.
    static func run(host: String, port: Int, requests: [ByteBuffer], connections: Int) async throws -> Double {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let queue = RequestQueue(requests)
        let start = ContinuousClock.now
        var done: [EventLoopFuture<Void>] = []
        for _ in 0..<connections {
            let promise = group.next().makePromise(of: Void.self)
            let bootstrap = ClientBootstrap(group: group).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ResponseHandler(queue: queue, done: promise)) }
            }
            bootstrap.connect(host: host, port: port).whenFailure { promise.fail($0) }
            done.append(promise.futureResult)
        }
        var failure: (any Error)?
        for future in done {
            do { try await future.get() } catch { failure = failure ?? error }
        }
        let elapsed = ContinuousClock.now - start
        try await group.shutdownGracefully()
        if let failure { throw failure }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// `POST path` with a JSON body, as raw bytes.
    static func request(path: String, host: String, authorization: String, body: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString(
            "POST \(path) HTTP/1.1\r\nHost: \(host)\r\nAuthorization: \(authorization)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        )
        buffer.writeBytes(body)
        return buffer
    }

    /// Hands out requests to the connections.
    final class RequestQueue: Sendable {
        private let requests: [ByteBuffer]
        private let next = Mutex(0)

        init(_ requests: [ByteBuffer]) { self.requests = requests }

        func take() -> ByteBuffer? {
            let index = next.withLock { value -> Int in
                defer { value += 1 }
                return value
            }
            return index < requests.count ? requests[index] : nil
        }
    }

    /// Sends a request, reads the whole response (status line, headers, Content-Length body),
    /// checks for 200 and sends the next; closes when the queue is empty.
    final class ResponseHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let queue: RequestQueue
        private let done: EventLoopPromise<Void>
        private var received = ByteBuffer()

        init(queue: RequestQueue, done: EventLoopPromise<Void>) {
            self.queue = queue
            self.done = done
        }

        func channelActive(context: ChannelHandlerContext) {
            sendNext(context: context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            received.writeBuffer(&chunk)
            while let status = takeResponse() {
                guard status == 200 else {
                    done.fail(LoadError(description: "HTTP \(status) from the server"))
                    context.close(promise: nil)
                    return
                }
                sendNext(context: context)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(())
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.close(promise: nil)
        }

        private func sendNext(context: ChannelHandlerContext) {
            if let request = queue.take() {
                context.writeAndFlush(wrapOutboundOut(request), promise: nil)
            } else {
                context.close(promise: nil)
            }
        }

        /// The status of a complete response at the front of the buffer, consuming it.
        private func takeResponse() -> Int? {
            let view = received.readableBytesView
            guard let headerEnd = view.firstRange(of: [13, 10, 13, 10]) else { return nil }
            let head = String(decoding: view[view.startIndex..<headerEnd.lowerBound], as: UTF8.self)
            let lines = head.split(separator: "\r\n")
            guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
            var length = 0
            for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
                length = Int(line.dropFirst("content-length:".count).trimmingPrefix(" ")) ?? 0
            }
            let total = headerEnd.upperBound - view.startIndex + length
            guard received.readableBytes >= total else { return nil }
            received.moveReaderIndex(forwardBy: total)
            received.discardReadBytes()
            return status
        }
    }

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }
}
