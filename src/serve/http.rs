//! The HTML preview over HTTP (tiny_http), behaving like Garage's web endpoint: types, lengths, ranges, ETags, redirects, 404 page.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use tiny_http::{Header, Method, Request, Response, Server};

use super::gemview;
use super::live::Live;
use super::paths::{resolve, Target};
use crate::mime::content_type;

/// Under this prefix the capsule is shown in a web browser.
pub(super) const GEMINI_VIEW: &str = "/_gemini/";

/// More routes beside the preview's, such as the editor's under `/_edit/`.
pub(crate) trait Extension: Send + Sync {
    /// Whether the request for `path` (without its query) is this extension's to answer.
    fn owns(&self, path: &str) -> bool;
    /// Answers the request, which it now owns.
    fn handle(&self, request: Request, live: &Arc<Live>);
}

/// Answers requests from `workers` threads until the process ends.
pub(super) fn serve(
    server: Arc<Server>,
    live: Arc<Live>,
    workers: usize,
    extension: Option<Arc<dyn Extension>>,
) {
    for _ in 0..workers {
        let (server, live, extension) = (server.clone(), live.clone(), extension.clone());
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let path = request.url().split(['?', '#']).next().unwrap_or("/");
                match &extension {
                    Some(ext) if ext.owns(path) => ext.handle(request, &live),
                    _ => handle(&live, request),
                }
            }
        });
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Box<dyn Read + Send>,
    length: usize,
}

impl Reply {
    fn text(status: u16, content_type: &str, text: String) -> Reply {
        let length = text.len();
        Reply {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: Box::new(std::io::Cursor::new(text.into_bytes())),
            length,
        }
    }

    fn empty(status: u16) -> Reply {
        Reply::text(status, "text/plain; charset=utf-8", String::new())
    }
}

fn handle(live: &Live, request: Request) {
    let reply = answer(live, &request);
    let mut headers: Vec<Header> = reply
        .headers
        .iter()
        .filter_map(|(k, v)| Header::from_bytes(k.as_bytes(), v.as_bytes()).ok())
        .collect();
    headers
        .push(Header::from_bytes(&b"Cache-Control"[..], &b"no-cache"[..]).expect("static header"));
    let response = Response::new(
        reply.status.into(),
        headers,
        reply.body,
        Some(reply.length),
        None,
    )
    // tiny_http would otherwise send bodies over 32 KiB chunked, without Content-Length.
    .with_chunked_threshold(usize::MAX);
    let _ = request.respond(response);
}

fn answer(live: &Live, request: &Request) -> Reply {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let mut reply = Reply::text(
            405,
            "text/plain; charset=utf-8",
            "Only GET and HEAD are allowed.\n".into(),
        );
        reply.headers.push(("Allow", "GET, HEAD".into()));
        return reply;
    }
    live.refresh();
    let url = request.url();
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let Some(out) = live.out() else {
        // The editor's welcome page has not opened a site yet.
        let mut reply = Reply::empty(303);
        reply.headers.push(("Location", "/_edit/".into()));
        return reply;
    };
    let (root, index, view) = match path.strip_prefix(GEMINI_VIEW.trim_end_matches('/')) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            (out.join("gemini"), "index.gmi", true)
        }
        _ => (out.join("html"), "index.html", false),
    };
    let sub = if view {
        &path[GEMINI_VIEW.len() - 1..]
    } else {
        path
    };
    if sub.is_empty() {
        let mut reply = Reply::empty(302);
        reply.headers.push(("Location", GEMINI_VIEW.to_string()));
        return reply;
    }

    let _reading = live.read();
    match resolve(&root, sub, index) {
        Target::Bad => Reply::text(
            400,
            "text/plain; charset=utf-8",
            "Bad request path.\n".into(),
        ),
        Target::Redirect(_) => {
            let mut reply = Reply::empty(302);
            reply.headers.push(("Location", format!("{path}/")));
            reply
        }
        Target::NotFound => {
            if let Some(error) = live.error() {
                return error_page(&error);
            }
            let page = std::fs::read_to_string(out.join("html/404.html"))
                .unwrap_or_else(|_| "Not found.".into());
            Reply::text(404, "text/html; charset=utf-8", page)
        }
        Target::File(file) => {
            let is_page = matches!(
                file.extension().and_then(|e| e.to_str()),
                Some("html" | "gmi")
            );
            if is_page {
                if let Some(error) = live.error() {
                    return error_page(&error);
                }
            }
            // A directory's page in the capsule view is shown as HTML; the .gmi file itself stays raw.
            if view && is_page && !sub.ends_with(".gmi") {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                let left_out = live.left_out();
                let text = match left_out.is_empty() {
                    true => text,
                    false => super::notice::gemtext(&text, &page_dir(&root, &file), &left_out),
                };
                return Reply::text(
                    200,
                    "text/html; charset=utf-8",
                    gemview::render(&text, path),
                );
            }
            let left_out = live.left_out();
            if is_page && !view && !left_out.is_empty() {
                let html = std::fs::read_to_string(&file).unwrap_or_default();
                let html = super::notice::html(&html, &page_dir(&root, &file), &left_out);
                return Reply::text(200, "text/html; charset=utf-8", html);
            }
            serve_file(request, &file)
        }
    }
}

/// The output folder of a page file: `…/html/albums/trip/index.html` → `albums/trip`.
fn page_dir(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .ok()
        .and_then(Path::parent)
        .map(|d| d.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

fn error_page(error: &str) -> Reply {
    let escaped = gemview::escape(error);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Build error</title></head>\n<body>\n<h1>The site could not be built</h1>\n<pre>{escaped}</pre>\n<p>Fix the file named above, save it, and reload this page.</p>\n</body>\n</html>\n"
    );
    Reply::text(500, "text/html; charset=utf-8", html)
}

fn serve_file(request: &Request, path: &Path) -> Reply {
    let Ok(mut file) = File::open(path) else {
        return Reply::empty(404);
    };
    let Ok(meta) = file.metadata() else {
        return Reply::empty(404);
    };
    let len = meta.len();
    let modified = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let etag = format!("\"{len:x}-{modified:x}\"");
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string())
    };
    let mut headers = vec![
        ("Content-Type", content_type(path).to_string()),
        ("ETag", etag.clone()),
        ("Accept-Ranges", "bytes".to_string()),
    ];
    if let Some(tags) = header("If-None-Match") {
        if tags.split(',').any(|t| t.trim() == etag || t.trim() == "*") {
            let mut reply = Reply::empty(304);
            reply.headers = headers;
            return reply;
        }
    }
    match header("Range").map(|r| parse_range(&r, len)) {
        Some(Range::Unsatisfiable) => {
            let mut reply = Reply::empty(416);
            reply
                .headers
                .push(("Content-Range", format!("bytes */{len}")));
            reply
        }
        Some(Range::Bytes(start, end)) => {
            if file.seek(SeekFrom::Start(start)).is_err() {
                return Reply::empty(500);
            }
            let length = end - start + 1;
            headers.push(("Content-Range", format!("bytes {start}-{end}/{len}")));
            Reply {
                status: 206,
                headers,
                body: Box::new(file.take(length)),
                length: length as usize,
            }
        }
        Some(Range::Whole) | None => Reply {
            status: 200,
            headers,
            body: Box::new(file),
            length: len as usize,
        },
    }
}

#[derive(Debug, PartialEq)]
enum Range {
    /// Inclusive byte positions.
    Bytes(u64, u64),
    Unsatisfiable,
    /// Several ranges or a header we do not understand: the whole file, as Garage answers.
    Whole,
}

fn parse_range(header: &str, len: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Range::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(start), Ok(end)) if start <= end => Some((start, end.min(len.saturating_sub(1)))),
        (Ok(start), Err(_)) if b.is_empty() => Some((start, len.saturating_sub(1))),
        (Err(_), Ok(suffix)) if a.is_empty() && suffix > 0 => {
            Some((len.saturating_sub(suffix), len.saturating_sub(1)))
        }
        _ => return Range::Whole,
    };
    match parsed {
        Some((start, end)) if start < len && start <= end => Range::Bytes(start, end),
        _ => Range::Unsatisfiable,
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_range, Range};

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Range::Bytes(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), Range::Bytes(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), Range::Bytes(90, 99));
        assert_eq!(parse_range("bytes=50-500", 100), Range::Bytes(50, 99));
        assert_eq!(parse_range("bytes=100-", 100), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Range::Whole);
        assert_eq!(parse_range("items=0-1", 100), Range::Whole);
    }
}
