import Hummingbird
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
        let body = ResponseBody { writer in
            var buffer = ByteBuffer()
            buffer.writeBytes([0xEF, 0xBB, 0xBF])
            buffer.writeString(CSVWriter.line(header) + "\r\n")
            var index = 0
            while index < count {
                let end = min(index + rowsPerChunk, count)
                for i in index..<end { buffer.writeString(CSVWriter.line(row(i)) + "\r\n") }
                try await writer.write(buffer)
                buffer.clear()
                index = end
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
