//! Content types by file extension, shared by the preview servers (and publishing).

use std::path::Path;

/// The `Content-Type` of a published file.
pub(crate) fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // The podcast feeds are RSS; every other XML file capsule writes is the Atom feed.
    if path.file_name().is_some_and(|n| n == "podcast.xml") {
        return "application/rss+xml";
    }
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "gmi" | "gemini" => "text/gemini; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/atom+xml",
        "json" => "application/json",
        "jspf" => "application/xspf+json",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "m4a" => "audio/mp4",
        "aif" | "aiff" => "audio/aiff",
        "m3u" | "m3u8" => "audio/x-mpegurl",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::content_type;
    use std::path::Path;

    #[test]
    fn known_and_unknown_types() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("atom.xml")), "application/atom+xml");
        assert_eq!(
            content_type(Path::new("playlists/p/podcast.xml")),
            "application/rss+xml"
        );
        assert_eq!(content_type(Path::new("x.OGG")), "audio/ogg");
        assert_eq!(content_type(Path::new("x.bin")), "application/octet-stream");
    }
}
