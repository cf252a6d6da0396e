//! The capsule over real Gemini (spec v0.24): TLS 1.2/1.3, one request line, a status line, the body, close_notify.

use super::codes::{
    header, BAD_REQUEST, NOT_FOUND, PROXY_REQUEST_REFUSED, REDIRECT_PERMANENT, SUCCESS,
    TEMPORARY_FAILURE,
};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::live::Live;
use super::paths::{resolve, Target};
use crate::mime::content_type;

/// A client that sends no request within this time is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more wait in the listen queue.
const MAX_CLIENTS: usize = 256;

pub(super) struct Gemini {
    pub live: Arc<Live>,
    pub tls: Arc<ServerConfig>,
    /// Host names this capsule answers for (lowercase).
    pub hosts: Vec<String>,
    pub port: u16,
}

pub(super) fn serve(listener: TcpListener, gemini: Arc<Gemini>) {
    let active = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            while active.load(Ordering::Acquire) >= MAX_CLIENTS {
                std::thread::sleep(Duration::from_millis(5));
            }
            active.fetch_add(1, Ordering::AcqRel);
            let (gemini, active) = (gemini.clone(), active.clone());
            std::thread::spawn(move || {
                gemini.handle(stream);
                active.fetch_sub(1, Ordering::AcqRel);
            });
        }
    });
}

enum Body {
    None,
    File(std::fs::File),
    Text(String),
}

impl Gemini {
    fn handle(&self, socket: TcpStream) {
        let _ = socket.set_read_timeout(Some(REQUEST_TIMEOUT));
        let _ = socket.set_write_timeout(Some(Duration::from_secs(60)));
        let Ok(conn) = ServerConnection::new(self.tls.clone()) else {
            return;
        };
        let mut stream = StreamOwned::new(conn, socket);
        let (header, body) = match read_request(&mut stream) {
            Ok(line) => self.respond(&line),
            Err(RequestError::TooLong) => (
                header(BAD_REQUEST, "Request too long (1024 bytes at most)"),
                Body::None,
            ),
            Err(RequestError::Malformed) => (header(BAD_REQUEST, "Malformed request"), Body::None),
            // A request begun but not ended in time gets an answer, once TLS is up.
            Err(RequestError::Slow) if !stream.conn.is_handshaking() => (
                header(
                    BAD_REQUEST,
                    "Request not complete within 10 s (it must end with CR LF)",
                ),
                Body::None,
            ),
            // Timed out before TLS was up, or the TLS handshake failed: nothing to answer.
            Err(RequestError::Gone | RequestError::Slow) => return,
        };
        let _ = self.send(&mut stream, &header, body);
        // Every response ends with close_notify, so a client knows it got the whole body.
        stream.conn.send_close_notify();
        let _ = stream.flush();
        let _ = stream.sock.shutdown(Shutdown::Write);
    }

    fn send(
        &self,
        stream: &mut StreamOwned<ServerConnection, TcpStream>,
        header: &str,
        body: Body,
    ) -> std::io::Result<()> {
        stream.write_all(header.as_bytes())?;
        stream.write_all(b"\r\n")?;
        match body {
            Body::File(mut file) => {
                std::io::copy(&mut file, stream)?;
            }
            Body::Text(text) => stream.write_all(text.as_bytes())?,
            Body::None => {}
        }
        Ok(())
    }

    fn respond(&self, url: &str) -> (String, Body) {
        let request = match parse_url(url) {
            Ok(r) => r,
            Err(UrlError::Malformed(why)) => return (header(BAD_REQUEST, why), Body::None),
            Err(UrlError::OtherScheme) => {
                return (
                    header(
                        PROXY_REQUEST_REFUSED,
                        "This server only serves gemini:// URLs",
                    ),
                    Body::None,
                )
            }
        };
        let port = request.port.unwrap_or(1965);
        if !self.hosts.contains(&request.host) || port != self.port {
            return (
                header(
                    PROXY_REQUEST_REFUSED,
                    format!("This server does not serve {}:{port}", request.host),
                ),
                Body::None,
            );
        }
        self.live.refresh();
        if let Some(error) = self.live.error() {
            return (header(TEMPORARY_FAILURE, meta(&error)), Body::None);
        }
        let Some(out) = self.live.out() else {
            return (
                header(
                    TEMPORARY_FAILURE,
                    "No site is open yet: open or create one in capsule's editor",
                ),
                Body::None,
            );
        };
        let root = out.join("gemini");
        let _reading = self.live.read();
        match resolve(&root, &request.path, "index.gmi") {
            Target::File(path) => {
                let mime = content_type(&path);
                let head = if mime.starts_with("text/gemini") {
                    header(SUCCESS, format!("{mime}; lang={}", self.live.lang()))
                } else {
                    header(SUCCESS, mime)
                };
                let left_out = self.live.left_out();
                if mime.starts_with("text/gemini") && !left_out.is_empty() {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    let dir = path
                        .strip_prefix(&root)
                        .ok()
                        .and_then(std::path::Path::parent)
                        .map(|d| d.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let text = super::notice::gemtext(&text, &dir, &left_out);
                    return (head, Body::Text(text));
                }
                // Open now, under the read lock; the open file survives a swap that follows.
                match std::fs::File::open(&path) {
                    Ok(file) => (head, Body::File(file)),
                    Err(_) => (header(NOT_FOUND, "Not found"), Body::None),
                }
            }
            Target::Redirect(path) => (
                header(
                    REDIRECT_PERMANENT,
                    format!(
                        "gemini://{}{}{path}",
                        request.host_display, request.port_display
                    ),
                ),
                Body::None,
            ),
            Target::NotFound => (header(NOT_FOUND, "Not found"), Body::None),
            Target::Bad => (header(BAD_REQUEST, "Bad request path"), Body::None),
        }
    }
}

/// A status line's meta: one line, at most 1024 bytes.
fn meta(message: &str) -> String {
    let mut one: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    while one.len() > 1024 {
        one.pop();
    }
    one
}

enum RequestError {
    TooLong,
    Malformed,
    /// Nothing more came within the timeout.
    Slow,
    Gone,
}

/// Reads the request line (a URL of at most 1024 bytes, then CRLF).
fn read_request(stream: &mut impl Read) -> Result<String, RequestError> {
    let mut buf = Vec::with_capacity(1026);
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => {
                return Err(if buf.is_empty() {
                    RequestError::Gone
                } else {
                    RequestError::Malformed
                })
            }
            // A line feed without its carriage return ends a malformed line: say so at once.
            Ok(_) if byte[0] == b'\n' && !buf.ends_with(b"\r") => {
                return Err(RequestError::Malformed)
            }
            Ok(_) => buf.push(byte[0]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(RequestError::Slow)
            }
            Err(_) => return Err(RequestError::Gone),
        }
        if buf.ends_with(b"\r\n") {
            buf.truncate(buf.len() - 2);
            break;
        }
        if buf.len() > 1024 + 2 {
            return Err(RequestError::TooLong);
        }
    }
    if buf.len() > 1024 {
        return Err(RequestError::TooLong);
    }
    String::from_utf8(buf).map_err(|_| RequestError::Malformed)
}

struct Request {
    host: String,
    host_display: String,
    port: Option<u16>,
    port_display: String,
    path: String,
}

enum UrlError {
    Malformed(&'static str),
    OtherScheme,
}

fn parse_url(url: &str) -> Result<Request, UrlError> {
    if url.is_empty() || url.contains(['\r', '\n', ' ']) {
        return Err(UrlError::Malformed("Malformed request"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(UrlError::Malformed("The request must be an absolute URL"));
    };
    if !scheme.eq_ignore_ascii_case("gemini") {
        return Err(UrlError::OtherScheme);
    }
    if url.contains('#') {
        return Err(UrlError::Malformed("A request must not carry a fragment"));
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(UrlError::Malformed(
            "A request must not carry user information",
        ));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or(UrlError::Malformed("Malformed host"))?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err(UrlError::Malformed("The request has no host"));
    }
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .map_err(|_| UrlError::Malformed("Malformed port"))?,
        ),
        None => None,
    };
    let path = path.split('?').next().unwrap_or("");
    Ok(Request {
        host_display: if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        },
        host: host.to_ascii_lowercase(),
        port_display: port.map(|p| format!(":{p}")).unwrap_or_default(),
        port,
        path: if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let r = parse_url("gemini://LocalHost:1965/albums/?q=1")
            .ok()
            .unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.path.as_str()),
            ("localhost", Some(1965), "/albums/")
        );
        let r = parse_url("gemini://[::1]:7000").ok().unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.path.as_str()),
            ("::1", Some(7000), "/")
        );
        assert!(matches!(
            parse_url("gemini://u@localhost/"),
            Err(UrlError::Malformed(_))
        ));
        assert!(matches!(
            parse_url("gemini://localhost/#x"),
            Err(UrlError::Malformed(_))
        ));
        assert!(matches!(
            parse_url("/relative"),
            Err(UrlError::Malformed(_))
        ));
        assert!(matches!(
            parse_url("https://localhost/"),
            Err(UrlError::OtherScheme)
        ));
    }

    #[test]
    fn request_line_limits() {
        let ok = format!("gemini://localhost/{}\r\n", "a".repeat(1024 - 19));
        assert_eq!(
            read_request(&mut ok.as_bytes()).ok().map(|s| s.len()),
            Some(1024)
        );
        let long = format!("gemini://localhost/{}\r\n", "a".repeat(1024 - 18));
        assert!(matches!(
            read_request(&mut long.as_bytes()),
            Err(RequestError::TooLong)
        ));
        assert!(matches!(
            read_request(&mut &b"gemini://x/"[..]),
            Err(RequestError::Malformed)
        ));
        // A line feed alone ends a malformed line at once, without waiting for more.
        assert!(matches!(
            read_request(&mut &b"gemini://x/\nmore"[..]),
            Err(RequestError::Malformed)
        ));
    }
}
