import NIOCore
import NIOPosix
import NIOSSL

/// Why an SMTP conversation broke off before a reply came.
enum SMTPConnectionError: Error, CustomStringConvertible {
    /// No reply within the time allowed.
    case timedOut(String)
    /// The server closed the connection.
    case closed
    /// Bytes arrived after the reply to STARTTLS and before TLS started: a server bug or a plaintext injection
    /// (CVE-2011-0411 and its kin); the connection is dropped rather than reading them as if they came over TLS.
    case dataAfterStartTLS

    var description: String {
        switch self {
        case .timedOut(let waitingFor): "no reply to \(waitingFor) in time"
        case .closed: "the server closed the connection"
        case .dataAfterStartTLS: "the server sent data after agreeing to STARTTLS and before TLS started; possible injection"
        }
    }
}

/// The connection's handler: turns the bytes the server sends into replies and hands each to the one command waiting
/// for it, failing that command when the reply does not come in time or the connection ends.
final class SMTPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var parser = SMTPReplyParser()
    private var arrived: [SMTPReply] = []
    private var waiting: (promise: EventLoopPromise<SMTPReply>, timeout: Scheduled<Void>)?
    private var failure: (any Error)?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        do {
            arrived += try parser.feed(&bytes)
        } catch {
            fail(error)
            context.close(promise: nil)
            return
        }
        deliver()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPConnectionError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    /// The next reply; fails after `timeout`, closing the connection, as it does once anything has failed.
    func nextReply(on eventLoop: any EventLoop, timeout: TimeAmount, waitingFor: String) -> EventLoopFuture<SMTPReply> {
        guard context != nil, failure == nil else { return eventLoop.makeFailedFuture(failure ?? SMTPConnectionError.closed) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        let timeoutTask = eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(SMTPConnectionError.timedOut(waitingFor))
            self.context?.close(promise: nil)
        }
        waiting = (promise, timeoutTask)
        deliver()
        return promise.futureResult
    }

    /// Whether nothing has arrived beyond the replies already taken.
    var isDrained: Bool { arrived.isEmpty && !parser.hasUnfinishedInput }

    private func deliver() {
        guard let waiting, !arrived.isEmpty else { return }
        self.waiting = nil
        waiting.timeout.cancel()
        waiting.promise.succeed(arrived.removeFirst())
    }

    private func fail(_ error: any Error) {
        if failure == nil { failure = error }
        guard let waiting else { return }
        self.waiting = nil
        waiting.timeout.cancel()
        waiting.promise.fail(failure ?? error)
    }
}

/// One connection to an SMTP server, used by one conversation at a time: each call writes (or not) and waits for the
/// next reply within its timeout.
struct SMTPConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>

    /// Connects within `timeout`; with `tls`, TLS starts at once (implicit TLS, port 465).
    static func connect(
        host: String,
        port: Int,
        timeout: Duration,
        tls: (context: NIOSSLContext, serverHostname: String?)?,
        group: any EventLoopGroup
    ) async throws -> SMTPConnection {
        try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(timeout))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let tlsHandler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tlsHandler)
                    }
                    let handler = SMTPClientHandler()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return SMTPConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
    }

    /// Waits for a reply without sending anything (the greeting).
    func reply(timeout: Duration, waitingFor: String) async throws -> SMTPReply {
        let handler = self.handler
        let eventLoop = channel.eventLoop
        return try await eventLoop.flatSubmit {
            handler.value.nextReply(on: eventLoop, timeout: TimeAmount(timeout), waitingFor: waitingFor)
        }.get()
    }

    /// Sends `line` and CRLF, then waits for the reply. `name` is what the reply is waited for, in messages; the line
    /// itself may hold credentials and is never shown.
    func command(_ line: String, name: String, timeout: Duration) async throws -> SMTPReply {
        try await write(Array((line + "\r\n").utf8), name: name, timeout: timeout)
    }

    /// Sends `bytes` as they are, then waits for the reply.
    func write(_ bytes: [UInt8], name: String, timeout: Duration) async throws -> SMTPReply {
        let handler = self.handler
        let channel = self.channel
        let buffer = channel.allocator.buffer(bytes: bytes)
        return try await channel.eventLoop.flatSubmit {
            let reply = handler.value.nextReply(on: channel.eventLoop, timeout: TimeAmount(timeout), waitingFor: name)
            channel.writeAndFlush(buffer, promise: nil)
            return reply
        }.get()
    }

    /// Starts TLS on the connection after the server agreed to STARTTLS; refuses if anything else already arrived.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let handler = self.handler
        let channel = self.channel
        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            guard handler.value.isDrained else { return channel.eventLoop.makeFailedFuture(SMTPConnectionError.dataAfterStartTLS) }
            return channel.eventLoop.makeCompletedFuture {
                let tlsHandler = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                try channel.pipeline.syncOperations.addHandler(tlsHandler, position: .first)
            }
        }.get()
    }

    /// Closes the connection; a connection already closed is fine.
    func close() async {
        try? await channel.close()
    }
}
