import NIOCore
import NIOPosix

/// A fake SMTP server for the protocol's corner cases: greets with `greeting`, then answers each line the client sends
/// with what `answer` returns for it (nothing when nil; the connection is closed when it returns "CLOSE").
func scriptedSMTPServer(
    greeting: String = "220 scripted.test ESMTP\r\n",
    answer: @escaping @Sendable (String) -> String?
) async throws -> any Channel {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ScriptedSMTPHandler(greeting: greeting, answer: answer))
            }
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
}

private final class ScriptedSMTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let greeting: String
    let answer: @Sendable (String) -> String?
    private var pending = ""

    init(greeting: String, answer: @escaping @Sendable (String) -> String?) {
        self.greeting = greeting
        self.answer = answer
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        pending += bytes.readString(length: bytes.readableBytes) ?? ""
        while let end = pending.range(of: "\r\n") {
            let line = String(pending[..<end.lowerBound])
            pending = String(pending[end.upperBound...])
            guard let reply = answer(line) else { continue }
            if reply == "CLOSE" {
                context.close(promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
        }
    }
}
