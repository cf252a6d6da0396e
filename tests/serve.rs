//! `capsule serve`, started as the real binary on free ports and spoken to over real sockets:
//! HTTP like Garage's web endpoint, Gemini over TLS by the spec, rebuilds, hostile paths, load.

mod common;

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use common::servers::*;
use common::*;

/// The basic fixture plus a WAV over 32 KiB (bodies that size must still carry Content-Length).
fn site() -> tempfile::TempDir {
    let site = fixture("basic");
    let mut wav =
        b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data"
            .to_vec();
    let samples = 40_000u32;
    wav.extend_from_slice(&(samples * 2).to_le_bytes());
    wav.extend((0..samples).flat_map(|i| (((i % 40) as i16 - 20) * 500).to_le_bytes()));
    let riff_len = (wav.len() - 8) as u32;
    wav[4..8].copy_from_slice(&riff_len.to_le_bytes());
    std::fs::write(
        site.path()
            .join("content/playlists/night-drive/04-long.wav"),
        wav,
    )
    .unwrap();
    std::fs::write(site.path().join("secret.txt"), "TOP-SECRET").unwrap();
    site
}

/// Size of the long track's MP3 as published (the server must report exactly this).
fn long_len(root: &std::path::Path) -> u64 {
    std::fs::metadata(root.join("public/html/music/tracks/04-long.mp3"))
        .unwrap()
        .len()
}

#[test]
fn http_types_lengths_and_head() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    for (path, ty) in [
        ("/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/atom.xml", "application/atom+xml"),
        ("/albums/harbour-2024/gull-96.webp", "image/webp"),
        ("/albums/harbour-2024/gull-48.webp", "image/webp"),
        ("/music/tracks/01-intro.opus", "audio/ogg"),
        ("/music/tracks/02-city.mp3", "audio/mpeg"),
        ("/music/tracks/04-long.mp3", "audio/mpeg"),
        ("/_gemini/index.gmi", "text/gemini; charset=utf-8"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("Content-Type"), Some(ty), "{path}");
        assert_eq!(
            r.header("Content-Length")
                .map(|l| l.parse::<usize>().unwrap()),
            Some(r.body.len()),
            "{path}"
        );
        assert!(r.header("Transfer-Encoding").is_none(), "{path} is chunked");
    }
    assert!(s.get("/music/tracks/04-long.mp3").body.len() > 32 * 1024);
    let head = s
        .request("HEAD /music/tracks/04-long.mp3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("Content-Length"),
        Some(long_len(dir.path()).to_string().as_str())
    );
}

/// One request per connection, said in every answer: two requests sent on one connection get one
/// answer that says `Connection: close`, then the end of the connection, never a silent drop.
#[test]
fn every_answer_says_the_connection_closes() {
    use std::io::{Read, Write};
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    for path in [
        "/",
        "/style.css",
        "/nothing-here",
        "/albums/harbour-2024/gull-96.webp",
    ] {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", s.http)).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let one = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        stream.write_all(format!("{one}{one}").as_bytes()).unwrap();
        let mut data = Vec::new();
        stream
            .read_to_end(&mut data)
            .expect("the server ends the connection");
        let answer = common::servers::parse_http(&data);
        assert_eq!(answer.header("Connection"), Some("close"), "{path}");
        let length: usize = answer.header("Content-Length").unwrap().parse().unwrap();
        assert_eq!(
            answer.body.len(),
            length,
            "{path}: one answer and nothing after it"
        );
        let text = String::from_utf8_lossy(&data);
        assert_eq!(text.matches("HTTP/1.1 ").count(), 1, "{path}: {text:.300}");
    }
}

#[test]
fn http_ranges_etags_folders_errors_and_methods() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let track = "/music/tracks/04-long.mp3";
    let full = s.get(track).body;
    let r = s.request(&format!(
        "GET {track} HTTP/1.1\r\nHost: x\r\nRange: bytes=100-199\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(r.status, 206);
    let len = long_len(dir.path());
    assert_eq!(
        r.header("Content-Range"),
        Some(format!("bytes 100-199/{len}").as_str())
    );
    assert_eq!(r.body, &full[100..200]);
    let r = s.request(&format!(
        "GET {track} HTTP/1.1\r\nHost: x\r\nRange: bytes=-44\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(
        (r.status, r.body.as_slice()),
        (206, &full[full.len() - 44..])
    );
    let r = s.request(&format!(
        "GET {track} HTTP/1.1\r\nHost: x\r\nRange: bytes={}-\r\nConnection: close\r\n\r\n",
        len + 10
    ));
    assert_eq!(r.status, 416);
    assert_eq!(
        r.header("Content-Range"),
        Some(format!("bytes */{len}").as_str())
    );

    let r = s.get("/style.css");
    let etag = r.header("ETag").unwrap().to_string();
    let r = s.request(&format!(
        "GET /style.css HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());

    let r = s.get("/albums/harbour-2024/");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<h1>Harbour, June 2024</h1>"));
    let r = s.get("/albums/harbour-2024");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("Location"), Some("/albums/harbour-2024/"));
    let r = s.get("/no/such/page");
    assert_eq!(r.status, 404);
    assert!(
        r.text().contains("Page not found"),
        "the site's own 404 page"
    );
    for method in ["POST", "PUT", "DELETE"] {
        let r = s.request(&format!(
            "{method} / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ));
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("Allow"), Some("GET, HEAD"));
    }
}

#[test]
fn capsule_is_viewable_over_http() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let r = s.get("/_gemini/");
    assert_eq!(r.header("Content-Type"), Some("text/html; charset=utf-8"));
    let html = r.text();
    assert!(html.contains("<h1>Welcome to the harbour</h1>"), "{html}");
    assert!(
        html.contains("<a href=\"albums/harbour-2024/\">2024-06-01 Harbour, June 2024</a>"),
        "{html}"
    );
    let r = s.get("/_gemini/about/");
    assert!(
        r.text().contains("<pre title=\"table\">"),
        "preformatted blocks are kept"
    );
    assert_eq!(
        s.get("/_gemini/albums/harbour-2024/gull-64.jpg")
            .header("Content-Type"),
        Some("image/jpeg")
    );
    assert_eq!(s.get("/_gemini").status, 302);
}

#[test]
fn hostile_paths_never_leave_the_root() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        dir.path().join("public/html/leak.txt"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("public/gemini/up")).unwrap();
    let attacks = [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e/%2e%2e/secret.txt",
        "/%2E%2e%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/albums/%00/../../secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/leak.txt",
        "/_gemini/up/secret.txt",
        "/_gemini/../secret.txt",
        "/_gemini/%2e%2e/%2e%2e/secret.txt",
    ];
    let abs = format!("/{}", dir.path().join("secret.txt").display());
    for path in attacks
        .iter()
        .copied()
        .chain([abs.as_str(), "//etc/passwd", "/etc/passwd"])
    {
        let r = s.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ));
        assert!(
            !r.text().contains("TOP-SECRET") && !r.text().contains("root:"),
            "HTTP {path} leaked"
        );
        assert!(
            matches!(r.status, 400 | 404),
            "HTTP {path} gave {}",
            r.status
        );
        let g = s.gemini(&format!("gemini://localhost:{}{path}", s.gemini));
        assert!(
            !g.text().contains("TOP-SECRET") && !g.text().contains("root:"),
            "Gemini {path} leaked"
        );
        assert!(
            matches!(g.status(), "51" | "59"),
            "Gemini {path} gave {}",
            g.header
        );
    }
}

/// A port that is taken is said at once, before any build: nothing is written.
#[test]
fn a_busy_port_is_said_before_building() {
    let site = fixture("basic");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = capsule()
        .args([
            "serve",
            "--root",
            site.path().to_str().unwrap(),
            "--http-port",
            &port,
        ])
        .output()
        .unwrap();
    let said = text(&out);
    // A usage error (exit code 2): the command asked for what cannot be had.
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!("cannot listen on 127.0.0.1:{port}"))
            && said.contains("--http-port"),
        "{said}"
    );
    assert!(!said.contains("Built in"), "{said}");
    assert!(!site.path().join("public").exists());
}

/// The threads of a running process, from /proc.
fn threads_of(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// 200 clients that send half a request and go quiet neither pile up threads nor lock the preview out:
/// the server serves 64 connections at once (the rest wait their turn), gives each 5 s for its
/// request line and headers, answers `408` to those that miss it, and still answers a real request.
#[test]
fn slow_clients_are_timed_out_and_cannot_pile_up_threads() {
    let dir = site();
    let s = Serve::start(dir.path(), &["--no-gemini"]);
    let before = threads_of(s.child.id());
    let mut idle = Vec::new();
    for _ in 0..200 {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", s.http)).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            .unwrap();
        idle.push(c);
    }
    std::thread::sleep(std::time::Duration::from_secs(2));
    let during = threads_of(s.child.id());
    assert!(
        during <= before + 64 + 8,
        "{during} threads with 200 idle clients ({before} before)"
    );
    // A real request waits for its turn, then gets its page.
    let start = std::time::Instant::now();
    let r = http_request(
        s.http,
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.status, 200);
    assert!(start.elapsed().as_secs() < 60);
    // Each idle client got 408 once its 5 s were over, and its connection closed.
    let mut timed_out = 0;
    for mut c in idle.into_iter().take(64) {
        c.set_read_timeout(Some(std::time::Duration::from_secs(60)))
            .unwrap();
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer);
        if String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408") {
            timed_out += 1;
        }
    }
    assert_eq!(timed_out, 64);
}

/// A request line that ends in LF alone is answered `59` at once; one that never ends, `59` when the
/// 10 s the server waits for it are over (never silence, never a thread held for good).
#[test]
fn gemini_answers_59_to_a_line_without_crlf() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let base = format!("gemini://localhost:{}", s.gemini);
    let start = std::time::Instant::now();
    let r = gemini_raw(s.gemini, format!("{base}/\n").as_bytes(), &s.cert(), None);
    assert_eq!(r.status(), "59", "{}", r.header);
    assert!(
        start.elapsed().as_secs_f64() < 9.0,
        "it waited for the timeout"
    );
    let start = std::time::Instant::now();
    let r = gemini_raw(s.gemini, format!("{base}/").as_bytes(), &s.cert(), None);
    assert_eq!(
        r.header,
        "59 Request not complete within 10 s (it must end with CR LF)"
    );
    assert!(
        start.elapsed().as_secs_f64() >= 9.5,
        "answered before the timeout"
    );
    assert!(r.clean_close);
}

#[test]
fn gemini_status_codes_by_the_spec() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let base = format!("gemini://localhost:{}", s.gemini);
    let r = s.gemini(&format!("{base}/"));
    assert_eq!(r.header, "20 text/gemini; charset=utf-8; lang=en");
    assert!(r.text().starts_with("# Welcome to the harbour"));
    assert!(r.clean_close, "no close_notify");
    let r = s.gemini(&format!("{base}/albums/harbour-2024/gull-64.jpg"));
    assert_eq!(r.header, "20 image/jpeg");
    assert_eq!(
        r.body,
        std::fs::read(
            dir.path()
                .join("public/gemini/albums/harbour-2024/gull-64.jpg")
        )
        .unwrap()
    );
    assert_eq!(
        s.gemini(&format!("{base}/atom.xml")).header,
        "20 application/atom+xml"
    );
    assert_eq!(
        s.gemini(&format!("{base}/albums")).header,
        format!("31 {base}/albums/")
    );
    assert_eq!(s.gemini(&format!("{base}/nothing-here")).status(), "51");
    let long = format!("{base}/{}", "a".repeat(1100));
    assert_eq!(s.gemini(&long).status(), "59");
    assert_eq!(s.gemini(&format!("{base}/#top")).status(), "59");
    assert_eq!(
        s.gemini(&format!("gemini://user@localhost:{}/", s.gemini))
            .status(),
        "59"
    );
    assert_eq!(s.gemini("not a url").status(), "59");
    assert_eq!(
        s.gemini(&format!("gemini://example.org:{}/", s.gemini))
            .status(),
        "53"
    );
    assert_eq!(s.gemini("gemini://localhost:1/").status(), "53");
    assert_eq!(
        s.gemini(&format!("https://localhost:{}/", s.gemini))
            .status(),
        "53"
    );
    for (version, name) in [
        (&rustls::version::TLS12, "1.2"),
        (&rustls::version::TLS13, "1.3"),
    ] {
        let r = gemini_request(s.gemini, &format!("{base}/"), &s.cert(), Some(version));
        assert_eq!(r.status(), "20", "TLS {name}");
        assert_eq!(r.version, Some(version.version), "TLS {name}");
        assert!(r.clean_close, "TLS {name}: no close_notify");
    }
}

#[test]
fn idle_gemini_clients_are_dropped() {
    let dir = site();
    let s = Serve::start(dir.path(), &["--no-gemini"]);
    assert_eq!(s.gemini, 0, "--no-gemini starts no Gemini server");
    drop(s);
    let s = Serve::start(dir.path(), &[]);
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", s.gemini)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let n = std::io::Read::read(&mut sock, &mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the server should close without answering");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(15),
        "dropped after {waited:?}"
    );
}

#[test]
fn real_gemini_clients_accept_the_server() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let url = format!("gemini://localhost:{}/albums/", s.gemini);
    let mut openssl = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-connect",
            &format!("127.0.0.1:{}", s.gemini),
            "-servername",
            "localhost",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl is installed");
    std::io::Write::write_all(
        openssl.stdin.as_mut().unwrap(),
        format!("{url}\r\n").as_bytes(),
    )
    .unwrap();
    let out = openssl.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("20 text/gemini; charset=utf-8; lang=en\r\n# Albums"),
        "{text}"
    );

    // agunua (PyPI) refuses servers that skip close_notify.
    let out = Command::new(tool(
        "agunua",
        &["python3", "-m", "pip", "install", "-q", "agunua"],
    ))
    .args(["--insecure", "--no-tofu", &url])
    .output()
    .expect("agunua runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "agunua failed: {}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("=> harbour-2024/ 2024-06-01 Harbour, June 2024"),
        "{text}"
    );
}

#[test]
fn certificate_is_kept_between_runs() {
    let dir = site();
    let first = Serve::start(dir.path(), &[]);
    let cert = first.cert();
    drop(first);
    let second = Serve::start(dir.path(), &[]);
    assert_eq!(second.cert(), cert);
    assert_eq!(
        second
            .gemini(&format!("gemini://localhost:{}/", second.gemini))
            .status(),
        "20"
    );
}

#[test]
fn edits_are_rebuilt_and_errors_shown_until_fixed() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let about = dir.path().join("content/about.md");
    std::fs::write(
        &about,
        "+++\ntitle = \"About\"\n+++\nA brand new sentence.\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(120));
    assert!(s.get("/about/").text().contains("A brand new sentence."));
    assert!(s
        .gemini(&format!("gemini://localhost:{}/about/", s.gemini))
        .text()
        .contains("A brand new sentence."));

    std::fs::write(&about, "+++\ntitle = \"About\"\ncolour = 3\n+++\n").unwrap();
    std::thread::sleep(Duration::from_millis(120));
    let r = s.get("/about/");
    assert_eq!(r.status, 500);
    assert!(r.text().contains("content/about.md:3:"), "{}", r.text());
    let g = s.gemini(&format!("gemini://localhost:{}/about/", s.gemini));
    assert_eq!(g.status(), "40");
    assert!(
        g.meta().contains("content/about.md:3:") && g.meta().len() <= 1024,
        "{}",
        g.header
    );
    // Media of the last good build are still served meanwhile.
    assert_eq!(s.get("/albums/harbour-2024/gull-96.webp").status, 200);

    std::fs::write(&about, "Fixed again.\n").unwrap();
    std::thread::sleep(Duration::from_millis(120));
    let r = s.get("/about/");
    assert_eq!(r.status, 200, "{}\n{}", r.text(), s.output.lock().unwrap());
    assert!(r.text().contains("Fixed again."));
}

/// A photo that cannot be published does not hide the preview: the rest is built, the album says which
/// file is left out and why, every other page names that album, in HTML and in Gemini; once the file
/// is fixed, the notices go.
#[test]
fn a_broken_photo_is_named_on_its_page_and_the_rest_is_previewed() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let album = dir.path().join("content/albums/harbour-2024");
    std::fs::write(
        album.join("broken.jpg"),
        b"\xff\xd8\xff\xe0 not really a jpeg",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    let page = s.get("/albums/harbour-2024/");
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    assert!(text.contains("Preview: left out of this page"), "{text}");
    assert!(
        text.contains("content/albums/harbour-2024/broken.jpg"),
        "{text}"
    );
    assert!(
        text.contains("gull-96.webp"),
        "the other photos are shown: {text}"
    );
    let home = s.get("/").text();
    assert!(
        home.contains("1 photo or track is left out")
            && home.contains("<a href=\"/albums/harbour-2024/\">albums/harbour-2024</a>"),
        "{home}"
    );
    let g = s.gemini(&format!(
        "gemini://localhost:{}/albums/harbour-2024/",
        s.gemini
    ));
    assert_eq!(g.status(), "20");
    assert!(
        g.text().contains("> Preview: left out of this page"),
        "{}",
        g.text()
    );
    assert!(g.text().contains("broken.jpg"), "{}", g.text());

    std::fs::remove_file(album.join("broken.jpg")).unwrap();
    std::thread::sleep(Duration::from_millis(150));
    assert!(!s.get("/albums/harbour-2024/").text().contains("Preview:"));
    assert!(!s.get("/").text().contains("Preview:"));
}

#[test]
fn non_loopback_bind_warns_and_ctrl_c_stops_cleanly() {
    let dir = site();
    let mut s = Serve::start(dir.path(), &["--bind", "0.0.0.0", "--no-gemini"]);
    assert!(s
        .output
        .lock()
        .unwrap()
        .contains("warning: serving on 0.0.0.0"));
    let status = Command::new("kill")
        .args(["-INT", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let code = loop {
        if let Some(code) = s.child.try_wait().unwrap() {
            break code;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "serve did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "exit code {code:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(s.output.lock().unwrap().contains("Stopped."));
}

/// 200 HTTP connections and 50 Gemini clients at once, for a few seconds, with a rebuild in the middle:
/// every response must be complete and correct. (bench/serve-load.sh measures throughput with wrk.)
#[test]
fn concurrent_clients_during_a_rebuild_see_no_errors() {
    let dir = site();
    let s = Serve::start(dir.path(), &[]);
    let expected_css = s.get("/style.css").body;
    let deadline = Instant::now() + Duration::from_secs(4);
    let http_port = s.http;
    let gemini_port = s.gemini;
    let cert = s.cert();
    let mut workers = Vec::new();
    for i in 0..200 {
        let css = expected_css.clone();
        workers.push(std::thread::spawn(move || {
            let mut n = 0;
            while Instant::now() < deadline {
                let path = if i % 2 == 0 {
                    "/style.css"
                } else {
                    "/albums/harbour-2024/"
                };
                let r = http_request(
                    http_port,
                    &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                );
                assert_eq!(r.status, 200, "{path}");
                if i % 2 == 0 {
                    assert_eq!(r.body, css);
                } else {
                    assert!(r.text().contains("</html>"), "truncated page");
                }
                n += 1;
            }
            n
        }));
    }
    for _ in 0..50 {
        let cert = cert.clone();
        workers.push(std::thread::spawn(move || {
            let mut n = 0;
            while Instant::now() < deadline {
                let r = gemini_request(
                    gemini_port,
                    &format!("gemini://localhost:{gemini_port}/albums/harbour-2024/"),
                    &cert,
                    None,
                );
                assert_eq!(r.status(), "20");
                assert!(
                    r.clean_close && r.text().contains("=> gull-64.jpg"),
                    "incomplete response"
                );
                n += 1;
            }
            n
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let album = dir.path().join("content/albums/harbour-2024/index.md");
    let text = std::fs::read_to_string(&album).unwrap();
    std::fs::write(
        &album,
        text.replace(
            "The gulls were already there.",
            "The gulls were already there, waiting.",
        ),
    )
    .unwrap();
    let total: usize = workers
        .into_iter()
        .map(|w| w.join().expect("a client saw an error"))
        .sum();
    assert!(total > 250, "only {total} requests");
    assert!(
        s.get("/albums/harbour-2024/").text().contains("waiting."),
        "the rebuild happened"
    );
}

/// The same behaviours through curl, a client people really use.
#[test]
fn curl_sees_what_a_browser_sees() {
    let dir = site();
    let s = Serve::start(dir.path(), &["--no-gemini"]);
    let base = format!("http://127.0.0.1:{}", s.http);
    let curl = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-s", "-D", "-", "-o", "/dev/null"])
            .args(args)
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).to_lowercase()
    };
    let head = curl(&[&format!("{base}/music/tracks/04-long.mp3")]);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("content-type: audio/mpeg")
            && head.contains(&format!("content-length: {}", long_len(dir.path()))),
        "{head}"
    );
    let range = curl(&["-r", "10-19", &format!("{base}/music/tracks/04-long.mp3")]);
    assert!(
        range.starts_with("http/1.1 206")
            && range.contains(&format!(
                "content-range: bytes 10-19/{}",
                long_len(dir.path())
            )),
        "{range}"
    );
    let redirect = curl(&[&format!("{base}/albums")]);
    assert!(
        redirect.starts_with("http/1.1 302") && redirect.contains("location: /albums/"),
        "{redirect}"
    );
    let out = Command::new("curl")
        .args(["-s", "-L", &format!("{base}/albums")])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("<h1>Albums</h1>"),
        "curl follows the redirect to the list"
    );
    let etag = curl(&[&format!("{base}/style.css")]);
    let tag = etag
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .trim()
        .to_string();
    let again = curl(&[
        "-H",
        &format!("If-None-Match: {tag}"),
        &format!("{base}/style.css"),
    ]);
    assert!(again.starts_with("http/1.1 304"), "{again}");
    assert!(curl(&[&format!("{base}/missing")]).starts_with("http/1.1 404"));
}

/// Nobody reading capsule's output any more (a launcher that took the address and went away, `capsule
/// serve | head -3`) is no reason to stop: the next rebuild's line goes nowhere and the preview answers
/// on (it panicked on the closed pipe, which Windows' launcher hit every time).
#[test]
fn the_server_outlives_the_reader_of_its_output() {
    let site = fixture("basic");
    let mut child = capsule()
        .args(["serve", "--root", site.path().to_str().unwrap()])
        .args(["--http-port", "0", "--gemini-port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut port = 0;
    {
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        for line in std::io::BufRead::lines(stdout).map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("HTML site:") {
                port = url
                    .trim()
                    .rsplit(':')
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .parse()
                    .unwrap();
            }
            if line.starts_with("Edit your files") {
                break;
            }
        }
    } // The reader goes: the pipe is closed.
    assert!(port > 0);
    let about = site.path().join("content/about.md");
    let text = std::fs::read_to_string(&about).unwrap();
    std::fs::write(
        &about,
        text.replace("+++\n\n", "+++\n\nA new first line.\n\n"),
    )
    .unwrap();
    let mut page = String::new();
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            child.try_wait().unwrap().is_none(),
            "capsule serve stopped when nobody read its output"
        );
        let res = http_request(port, "GET /about/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
        // The request that finds the change rebuilds, and prints its line, in its own thread.
        assert_eq!(res.status, 200, "{}", res.text());
        page = res.text();
        if page.contains("A new first line.") {
            break;
        }
    }
    assert!(page.contains("A new first line."), "{page}");
    // The rebuild printed its line into the closed pipe; the server still answers.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "capsule serve stopped after printing"
    );
    assert_eq!(
        http_request(port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").status,
        200
    );
    let _ = child.kill();
    let _ = child.wait();
}
