import Hummingbird
import OpenAPIRuntime
import SiyuCore

/// CSV downloads: UTF-8 with a byte-order mark (so that Excel reads Chinese right), CRLF line
/// ends, every field written by ``CSVWriter`` (quoted where needed, formulas neutralised).
///
/// Large exports are streamed: rows are turned into text a chunk at a time while the client
/// reads, so a download of a million people never sits in memory as one string.
enum CSVResponse {
    /// Rows written per chunk.
    static let rowsPerChunk = 2_000

    /// A streamed download of `count` rows after `header`; `row(i)` gives the fields of row `i`.
    static func stream(
        filename: String,
        header: [String],
        count: Int,
        extraHeaders: HTTPFields = [:],
        row: @escaping @Sendable (Int) -> [String]
    ) -> Response {
        var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\""]
        for field in extraHeaders { headers[field.name] = field.value }
        let chunks = CSVChunks(header: header, count: count, row: row)
        let body = ResponseBody { writer in
            for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension CSVResponse {
    /// The same download as the body of a generated operation's answer (its headers are the contract's).
    static func body(header: [String], count: Int, row: @escaping @Sendable (Int) -> [String]) -> HTTPBody {
        HTTPBody(CSVChunks(header: header, count: count, row: row), length: .unknown, iterationBehavior: .single)
    }

    /// `attachment; filename="NAME"`.
    static func disposition(_ filename: String) -> String { "attachment; filename=\"\(filename)\"" }
}

/// A CSV download's bytes, made a chunk of ``CSVResponse/rowsPerChunk`` rows at a time as the
/// client reads: the byte-order mark and the header first.
struct CSVChunks: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let header: [String]
    let count: Int
    let row: @Sendable (Int) -> [String]

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: CSVChunks
        /// The next row; -1 before the header.
        var index = -1

        mutating func next() async throws -> ArraySlice<UInt8>? {
            var text = ""
            if index < 0 {
                text = "\u{FEFF}" + CSVWriter.line(chunks.header) + "\r\n"
                index = 0
            } else if index >= chunks.count {
                return nil
            }
            let end = Swift.min(index + CSVResponse.rowsPerChunk, chunks.count)
            for i in index..<end { text += CSVWriter.line(chunks.row(i)) + "\r\n" }
            index = end
            return ArraySlice(text.utf8)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}
