import Crypto
import Foundation
import Hummingbird

/// The console's CSS and JavaScript, read once at start and served from memory under
/// `/console/static/<name>` with an ETag and a year-long cache: pages link them with `?v=<version>`,
/// so a new build changes the address instead of waiting for caches to expire.
public struct StaticAssets: Sendable {
    /// One file's bytes and headers.
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
        var etag: String
    }

    let assets: [String: Asset]
    /// A short digest of every file, appended to asset links.
    public let version: String

    /// Reads every file directly inside `directory`.
    init(directory: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        var assets: [String: Asset] = [:]
        var combined = SHA256()
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw ConsoleResourceError("cannot read the console file static/\(name)")
            }
            let digest = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
            combined.update(data: data)
            assets[name] = Asset(bytes: ByteBuffer(bytes: data), contentType: Self.contentType(of: name), etag: "\"\(digest)\"")
        }
        self.assets = assets
        self.version = combined.finalize().prefix(5).map { String(format: "%02x", $0) }.joined()
    }

    /// The response for `name`: the file, or 304 when the browser's copy is current, or nil when there is no such file.
    func response(name: String, request: Request) -> Response? {
        guard let asset = assets[name] else { return nil }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "public, max-age=31536000, immutable",
            .xContentTypeOptions: "nosniff",
        ]
        if request.headers[.ifNoneMatch] == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.bytes.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: asset.bytes))
    }

    static func contentType(of name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        default: return "application/octet-stream"
        }
    }
}
