//! The front door of the HTTP preview: at most [`MAX_CONNECTIONS`] served at once, each request's head
//! complete within [`HEAD_TIMEOUT`], one request per connection (each answer says `Connection: close`);
//! then the bytes are passed to tiny_http, which listens on a loopback port of its own.
//!
//! tiny_http starts a thread for every connection and waits for a request for ever, so a thousand
//! clients that send half a request and go quiet would hold a thousand threads. Here a connection waits
//! in the system's queue until one of the slots is free, and a slot is given back within a few seconds
//! by a client that does not finish its request.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::locks::lock;

/// Connections served at once; more wait in the system's queue.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// A request's line and headers must arrive within this.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// A request head longer than this is refused.
const MAX_HEAD: usize = 64 * 1024;
/// A body (an upload to the editor) or an answer may pause this long, no longer.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Free slots, and the signal that one was given back.
struct Slots {
    free: Mutex<usize>,
    given_back: Condvar,
}

impl Slots {
    fn take(&self) {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = self
                .given_back
                .wait(free)
                .unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
    }

    fn give_back(&self) {
        *lock(&self.free) += 1;
        self.given_back.notify_one();
    }
}

/// Accepts on `public` for ever, relaying each connection to tiny_http at `inner`.
pub(super) fn start(public: TcpListener, inner: SocketAddr) {
    let slots = Arc::new(Slots {
        free: Mutex::new(MAX_CONNECTIONS),
        given_back: Condvar::new(),
    });
    std::thread::spawn(move || loop {
        slots.take();
        let client = match public.accept() {
            Ok((client, _)) => client,
            Err(_) => {
                slots.give_back();
                continue;
            }
        };
        let slots = slots.clone();
        std::thread::spawn(move || {
            relay(client, inner);
            slots.give_back();
        });
    });
}

/// What became of a request head.
enum Head {
    /// The head, with `Connection: close`, and the body bytes that came with it.
    Complete(Vec<u8>),
    TooSlow,
    TooLarge,
    Gone,
}

/// Reads the request line and headers, within [`HEAD_TIMEOUT`] in all.
fn read_head(client: &mut TcpStream) -> Head {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            return Head::Complete(close_after(&buf[..end + 2], &buf[end + 4..]));
        }
        if buf.len() > MAX_HEAD {
            return Head::TooLarge;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || client.set_read_timeout(Some(left)).is_err() {
            return Head::TooSlow;
        }
        match client.read(&mut chunk) {
            Ok(0) => return Head::Gone,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Head::TooSlow
            }
            Err(_) => return Head::Gone,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The head's lines (each ending in CRLF) without their `Connection` header, then `Connection: close`,
/// the blank line, and what followed: for a request to tiny_http, and for its answer.
fn close_after(lines: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.len() + rest.len() + 24);
    for line in lines.split_inclusive(|&b| b == b'\n') {
        let name = line.split(|&b| b == b':').next().unwrap_or(b"");
        if !name.eq_ignore_ascii_case(b"connection") {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(rest);
    out
}

/// Copies tiny_http's answer to the client, saying in its head that the connection then closes (tiny_http
/// leaves that out when it closes because the request asked it to): a client then never sends a second
/// request on a connection that is about to end.
fn answer_closing(from: &mut impl Read, to: &mut impl Write) -> std::io::Result<u64> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 8192];
    loop {
        let n = match from.read(&mut chunk) {
            Ok(n) => n,
            // Whatever came before the error still reaches the client (a reset after the answer).
            Err(e) => {
                let _ = to.write_all(&buf);
                return Err(e);
            }
        };
        if n == 0 {
            to.write_all(&buf)?;
            return Ok(buf.len() as u64);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = close_after(&buf[..end + 2], &buf[end + 4..]);
            to.write_all(&head)?;
            return Ok(head.len() as u64 + std::io::copy(from, to)?);
        }
        if buf.len() > MAX_HEAD {
            to.write_all(&buf)?;
            return Ok(buf.len() as u64 + std::io::copy(from, to)?);
        }
    }
}

fn refuse(client: &mut TcpStream, status: &str) {
    let _ = client.set_write_timeout(Some(HEAD_TIMEOUT));
    let _ = client.write_all(
        format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    let _ = client.shutdown(Shutdown::Both);
}

/// One connection: its request head, then the bytes both ways until either side is done.
fn relay(mut client: TcpStream, inner: SocketAddr) {
    let head = match read_head(&mut client) {
        Head::Complete(head) => head,
        Head::TooSlow => return refuse(&mut client, "408 Request Timeout"),
        Head::TooLarge => return refuse(&mut client, "431 Request Header Fields Too Large"),
        Head::Gone => return,
    };
    let Ok(mut server) = TcpStream::connect(inner) else {
        return refuse(&mut client, "503 Service Unavailable");
    };
    for s in [&client, &server] {
        let _ = s.set_read_timeout(Some(IDLE_TIMEOUT));
        let _ = s.set_write_timeout(Some(IDLE_TIMEOUT));
        let _ = s.set_nodelay(true);
    }
    if server.write_all(&head).is_err() {
        return;
    }
    let (Ok(mut from_server), Ok(mut to_client)) = (server.try_clone(), client.try_clone()) else {
        return;
    };
    let answer = std::thread::spawn(move || {
        let _ = answer_closing(&mut from_server, &mut to_client);
        let _ = to_client.shutdown(Shutdown::Both);
    });
    // The rest of the body, if any; the answer ends the connection (one request per connection).
    let _ = std::io::copy(&mut client, &mut server);
    let _ = server.shutdown(Shutdown::Write);
    let _ = answer.join();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_asks_to_close_and_keeps_the_body() {
        let got = close_after(
            b"POST /x HTTP/1.1\r\nHost: a\r\nconnection: keep-alive\r\n",
            b"body",
        );
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "POST /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nbody"
        );
    }

    #[test]
    fn the_answer_says_it_closes_even_when_its_head_comes_in_pieces() {
        /// Gives its bytes three at a time, as a slow network would.
        struct Trickle(std::io::Cursor<Vec<u8>>);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(3);
                self.0.read(&mut buf[..n])
            }
        }
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody".to_vec();
        let mut out = Vec::new();
        answer_closing(&mut Trickle(std::io::Cursor::new(answer)), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody"
        );
    }
    #[test]
    fn what_came_before_a_reset_still_reaches_the_client() {
        /// Gives the start of an answer, then fails as a reset connection does.
        struct Reset(Option<Vec<u8>>);
        impl Read for Reset {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.take() {
                    Some(data) => {
                        buf[..data.len()].copy_from_slice(&data);
                        Ok(data.len())
                    }
                    None => Err(std::io::ErrorKind::ConnectionReset.into()),
                }
            }
        }
        let mut out = Vec::new();
        let got = answer_closing(&mut Reset(Some(b"HTTP/1.1 303 See".to_vec())), &mut out);
        assert!(got.is_err());
        assert_eq!(out, b"HTTP/1.1 303 See");
    }
}
