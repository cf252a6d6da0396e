//! Small HTTP/1.1 servers on loopback for the tests of following other sites: one serves a built site's
//! folder as a web host does (with ETag and conditional requests), the others misbehave on purpose.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a server does with each request.
#[derive(Clone)]
pub(crate) enum Behaviour {
    /// Serves the files of a folder (`index.html` for a folder), with an ETag; 304 when it matches.
    Folder(PathBuf),
    /// Answers 200 with this body.
    Body(Arc<Vec<u8>>),
    /// Sends the headers, then the body one byte a second.
    Trickle(Arc<Vec<u8>>),
    /// Redirects to itself, forever.
    RedirectLoop,
    /// Redirects to this address.
    RedirectTo(String),
    /// Passes each request to the server on this loopback port under this host name, and its answer
    /// back: a site's own address in front of a server that tells sites apart by name (Garage's
    /// website endpoint, as Deuxfleurs's reverse proxy does).
    Proxy(u16, String),
}

/// One request as the server saw it: its path, its `If-None-Match`, and the status answered.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub path: String,
    pub if_none_match: Option<String>,
    pub status: u16,
}

pub(crate) struct Web {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl Web {
    pub(crate) fn start(behaviour: Behaviour) -> Web {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let behaviour = Arc::new(Mutex::new(behaviour));
        listener.set_nonblocking(true).unwrap();
        let (s2, st2, b2) = (seen.clone(), stop.clone(), behaviour.clone());
        std::thread::spawn(move || {
            while !st2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (s3, st3, b3) = (s2.clone(), st2.clone(), b2.clone());
                        std::thread::spawn(move || {
                            let b = b3.lock().unwrap().clone();
                            let _ = answer(stream, &b, port, &s3, &st3);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Web {
            port,
            seen,
            stop,
            behaviour,
        }
    }

    /// `http://127.0.0.1:PORT/`
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Closes the port: the site is then unreachable.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(50));
    }

    pub(crate) fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Web {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn answer(
    mut stream: TcpStream,
    behaviour: &Behaviour,
    port: u16,
    seen: &Mutex<Vec<Seen>>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut if_none_match = None;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("if-none-match") {
                if_none_match = Some(v.trim().to_string());
            }
            if !k.trim().eq_ignore_ascii_case("host")
                && !k.trim().eq_ignore_ascii_case("connection")
            {
                headers.push(h.trim_end().to_string());
            }
        }
    }
    if let Behaviour::Proxy(port, host) = behaviour {
        let mut upstream = TcpStream::connect(("127.0.0.1", *port))?;
        let method = line.split_whitespace().next().unwrap_or("GET");
        write!(
            upstream,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        )?;
        for h in &headers {
            write!(upstream, "{h}\r\n")?;
        }
        write!(upstream, "\r\n")?;
        let mut answer = Vec::new();
        upstream.read_to_end(&mut answer)?;
        let status = std::str::from_utf8(&answer[..answer.len().min(12)])
            .ok()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        seen.lock().unwrap().push(Seen {
            path,
            if_none_match,
            status,
        });
        stream.write_all(&answer)?;
        return Ok(());
    }
    let record = |status: u16| {
        seen.lock().unwrap().push(Seen {
            path: path.clone(),
            if_none_match: if_none_match.clone(),
            status,
        })
    };
    match behaviour {
        Behaviour::Folder(root) => {
            match file_of(root, &path) {
                Some(body) => {
                    let etag = format!("\"{:x}\"", crc(&body));
                    if if_none_match.as_deref() == Some(etag.as_str()) {
                        record(304);
                        write!(stream, "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n")?;
                    } else {
                        record(200);
                        write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )?;
                        stream.write_all(&body)?;
                    }
                }
                None => {
                    record(404);
                    write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )?;
                }
            }
        }
        Behaviour::Body(body) => {
            record(200);
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            )?;
            stream.write_all(body)?;
        }
        Behaviour::Trickle(body) => {
            record(200);
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            for b in body.iter() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                stream.write_all(&[*b])?;
                stream.flush()?;
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        Behaviour::RedirectLoop => {
            record(302);
            write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}{path}x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )?;
        }
        Behaviour::Proxy(..) => unreachable!("answered above"),
        Behaviour::RedirectTo(to) => {
            record(301);
            write!(
                stream,
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )?;
        }
    }
    let _ = stream.flush();
    // Read what is left so the client sees a clean close.
    let mut rest = [0u8; 64];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.read(&mut rest);
    Ok(())
}

/// The file a path names under `root` (`index.html` for a folder); never outside it.
fn file_of(root: &Path, path: &str) -> Option<Vec<u8>> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut file = root.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    std::fs::read(file).ok()
}

/// A checksum for the ETag.
fn crc(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x100000001b3)
    })
}
