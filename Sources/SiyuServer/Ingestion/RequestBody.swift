import CompressNIO
import Foundation
import Hummingbird
import SiyuCore

/// Reads an ingestion request body within Segment's limits, inflating gzip.
enum RequestBody {
    /// The body's bytes, decompressed; 413 beyond `limit` bytes (before or after inflation),
    /// 400 for a corrupt gzip stream or an unknown encoding.
    /// 408 when the body has not arrived within `timeout`.
    static func read(_ request: Request, limit: Int, timeout: Duration = .seconds(30)) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        let deadline = ContinuousClock.now + timeout
        for try await chunk in request.body {
            guard ContinuousClock.now < deadline else {
                throw APIError(.requestTimeout, code: "request_timeout", message: "the request body took longer than \(timeout) to arrive")
            }
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw tooLarge(limit) }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces) ?? ""
        switch encoding {
        case "", "identity":
            return collected
        case "gzip", "x-gzip", "deflate":
            do {
                let algorithm: CompressionAlgorithm = encoding == "deflate" ? .zlib() : .gzip()
                let inflated = try collected.decompress(with: algorithm, maxSize: limit + 1)
                guard inflated.readableBytes <= limit else { throw tooLarge(limit) }
                return inflated
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw tooLarge(limit)
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError(.badRequest, code: "invalid_encoding", message: "the body is not valid \(encoding) data")
            }
        default:
            throw APIError(
                .unsupportedMediaType,
                code: "unsupported_encoding",
                message: "Content-Encoding `\(encoding)` is not supported; use gzip or none"
            )
        }
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(
            .contentTooLarge,
            code: "request_too_large",
            message: "a request may be at most \(limit / 1024) KB after decompression"
        )
    }
}
