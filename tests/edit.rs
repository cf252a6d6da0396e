//! `capsule edit` over real HTTP: the security rules (host, one-time login, session cookie, CSRF,
//! same-origin, headers, loopback only), the forms that make and edit pages, albums and playlists, the
//! fingerprint that refuses a stale form, the trash, round-trips that leave `content/` byte-identical,
//! and editor pages that pass the Nu HTML Checker, hold no script and read in w3m.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::servers::{http_request, HttpResponse, Serve};
use common::*;

const CSP: &str = "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'";

/// A logged-in editor session on a running `capsule edit`.
struct Editor {
    serve: Serve,
    cookie: String,
    csrf: String,
}

impl Editor {
    /// Follows the job page until the job is done; returns its last page.
    fn wait_for_job(&self) -> String {
        for _ in 0..600 {
            let page = self.get("/_edit/job").text();
            if !page.contains("http-equiv=\"refresh\"") {
                return page;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the job did not end in a minute");
    }

    /// Presses *Build the site now*, waits for it to succeed, and reads `path` of `public/`.
    fn build_and_read(&self, path: &str) -> String {
        self.post("/_edit/build", &[]);
        let job = self.wait_for_job();
        assert!(job.contains("Done."), "{job}");
        std::fs::read_to_string(self.root().join("public").join(path)).unwrap()
    }

    fn start(root: &Path) -> Editor {
        Editor::start_with_env(root, &[])
    }

    /// With more variables in capsule's environment (its configuration folder).
    fn start_with_env(root: &Path, env: &[(&str, &str)]) -> Editor {
        let serve = Serve::start_edit_with_env(root, &["--no-gemini"], env);
        let login = serve
            .login
            .clone()
            .expect("capsule edit printed its login address");
        let path = login
            .split_once(&format!(":{}", serve.http))
            .unwrap()
            .1
            .to_string();
        let res = raw_get(serve.http, &path, "");
        assert_eq!(res.status, 303, "{}", res.text());
        let cookie = res
            .header("Set-Cookie")
            .expect("a session cookie")
            .to_string();
        let cookie = cookie.split(';').next().unwrap().to_string();
        let mut editor = Editor {
            serve,
            cookie,
            csrf: String::new(),
        };
        let dash = editor.get("/_edit/");
        assert_eq!(dash.status, 200, "{}", dash.text());
        editor.csrf = hidden(&dash.text(), "csrf").expect("the dashboard's forms carry a token");
        editor
    }

    fn root(&self) -> &Path {
        &self.serve.root
    }

    fn get(&self, path: &str) -> HttpResponse {
        raw_get(
            self.serve.http,
            path,
            &format!("Cookie: {}\r\n", self.cookie),
        )
    }

    /// POSTs `fields` with the session and the CSRF token, as the editor's own pages do.
    fn post(&self, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &encode(&all), "")
    }

    fn post_raw(&self, path: &str, body: &str, extra_headers: &str) -> HttpResponse {
        let port = self.serve.http;
        http_request(
            port,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{extra_headers}Connection: close\r\n\r\n{body}",
                self.cookie,
                body.len()
            ),
        )
    }
}

fn raw_get(port: u16, path: &str, extra_headers: &str) -> HttpResponse {
    http_request(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n{extra_headers}Connection: close\r\n\r\n"),
    )
}

fn encode(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// Undoes the escaping of HTML text and attribute values.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The value of an attribute in one tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> Option<String> {
    form_fields(html, None).remove(name)
}

/// What a browser would send for the first form (or the one posting to `action`) of a page: its inputs'
/// values, its ticked checkboxes, and its textareas' text.
fn form_fields(html: &str, action: Option<&str>) -> BTreeMap<String, String> {
    let start = match action {
        Some(a) => html
            .find(&format!("<form method=\"post\" action=\"{a}\">"))
            .unwrap_or_else(|| panic!("no form to {a}")),
        None => html.find("<form").unwrap_or(0),
    };
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| e + start);
    let form = &html[start..end];
    let mut fields = BTreeMap::new();
    for piece in form.split("<input").skip(1) {
        let tag = &piece[..piece.find('>').unwrap()];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        let kind = attr(tag, "type").unwrap_or_default();
        if kind == "checkbox" {
            if tag.contains(" checked") {
                fields.insert(name, "on".into());
            }
        } else if kind == "radio" {
            if tag.contains(" checked") {
                fields.insert(name, attr(tag, "value").unwrap_or_default());
            }
        } else {
            fields.insert(name, attr(tag, "value").unwrap_or_default());
        }
    }
    for piece in form.split("<textarea").skip(1) {
        let open_end = piece.find('>').unwrap();
        let name = attr(&piece[..open_end], "name").unwrap();
        let text = &piece[open_end + 1..piece.find("</textarea>").unwrap()];
        // The HTML parser drops one newline right after the start tag.
        let text = text.strip_prefix('\n').unwrap_or(text);
        // Browsers send a textarea's line breaks as CRLF.
        fields.insert(name, unescape(text).replace('\n', "\r\n"));
    }
    for piece in form.split("<select").skip(1) {
        let open_end = piece.find('>').unwrap();
        let name = attr(&piece[..open_end], "name").unwrap();
        let options = &piece[open_end..piece.find("</select>").unwrap()];
        // The selected option, or the first one, as a browser sends it.
        let tags: Vec<&str> = options
            .split("<option")
            .skip(1)
            .map(|o| &o[..o.find('>').unwrap()])
            .collect();
        let chosen = tags
            .iter()
            .find(|t| t.contains(" selected"))
            .or(tags.first());
        if let Some(tag) = chosen {
            fields.insert(name, attr(tag, "value").unwrap_or_default());
        }
    }
    fields
}

/// Sends a page's form back as a browser would.
fn submit(editor: &Editor, html: &str, action: &str) -> HttpResponse {
    let fields = form_fields(html, Some(action));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    editor.post_raw(action, &encode(&pairs), "")
}

/// Presses Remove on the row of a playlist's table whose file `is_row` picks, as a browser would.
fn remove_track(editor: &Editor, page: &str, is_row: impl Fn(&str) -> bool) -> HttpResponse {
    let mut fields = form_fields(page, Some("/_edit/playlist"));
    let row = fields
        .iter()
        .find(|(k, v)| k.starts_with("file-") && is_row(v))
        .map(|(k, _)| k.trim_start_matches("file-").to_string())
        .expect("a row of the table");
    fields.insert("action".into(), format!("remove:{row}"));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    editor.post_raw("/_edit/playlist", &encode(&pairs), "")
}

fn location(res: &HttpResponse) -> String {
    res.header("Location").unwrap_or("").to_string()
}

fn site(name: &str) -> tempfile::TempDir {
    let site = fixture(name);
    build(site.path(), &["-q"]);
    site
}

#[test]
fn edit_refuses_an_address_other_computers_can_reach() {
    let site = fixture("basic");
    let out = run(&[
        "edit",
        "--root",
        site.path().to_str().unwrap(),
        "--bind",
        "0.0.0.0",
        "--no-browser",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("only on this computer"),
        "{}",
        text(&out)
    );
}

#[test]
fn serve_never_serves_the_editor() {
    let site = site("basic");
    let serve = Serve::start(site.path(), &["--no-gemini"]);
    assert!(serve.login.is_none());
    for path in ["/_edit/", "/_edit/login?token=x", "/_edit/style.css"] {
        let res = raw_get(serve.http, path, "");
        assert_eq!(res.status, 404, "{path}");
    }
}

#[test]
fn other_hosts_get_403_even_with_the_session() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let port = editor.serve.http;
    for host in [
        "evil.example",
        "evil.example:{port}",
        "localhost",
        "192.168.1.2:{port}",
    ] {
        let host = host.replace("{port}", &port.to_string());
        let res = http_request(
            port,
            &format!(
                "GET /_edit/ HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                editor.cookie
            ),
        );
        assert_eq!(res.status, 403, "Host: {host}");
    }
    for host in [format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        let res = http_request(
            port,
            &format!(
                "GET /_edit/ HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                editor.cookie
            ),
        );
        assert_eq!(res.status, 200, "Host: {host}");
    }
}

#[test]
fn the_login_address_works_once_and_sets_a_strict_cookie() {
    let site = site("basic");
    let serve = Serve::start_edit(site.path(), &["--no-gemini"]);
    let login = serve.login.clone().unwrap();
    let path = login
        .split_once(&format!(":{}", serve.http))
        .unwrap()
        .1
        .to_string();
    assert!(path.starts_with("/_edit/login?token="), "{path}");
    let without = raw_get(serve.http, "/_edit/", "");
    assert_eq!(without.status, 403);
    assert!(
        without.text().contains("capsule edit"),
        "{}",
        without.text()
    );
    let wrong = raw_get(serve.http, "/_edit/login?token=0000", "");
    assert_eq!(wrong.status, 403);
    let first = raw_get(serve.http, &path, "");
    assert_eq!(first.status, 303);
    assert_eq!(location(&first), "/_edit/");
    let cookie = first.header("Set-Cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let second = raw_get(serve.http, &path, "");
    assert_eq!(second.status, 403, "the token works once");
    let session = cookie.split(';').next().unwrap();
    assert_eq!(
        raw_get(serve.http, "/_edit/", &format!("Cookie: {session}\r\n")).status,
        200
    );
    assert_eq!(
        raw_get(serve.http, "/_edit/", "Cookie: capsule_edit=forged\r\n").status,
        403
    );
}

#[test]
fn every_post_needs_the_token_and_the_same_origin() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let before = tree(&editor.root().join("content"));
    let fields = encode(&[("kind", "album"), ("title", "Forged")]);
    let with = |csrf: &str| format!("csrf={csrf}&{fields}");
    let port = editor.serve.http;
    for (body, headers, why) in [
        (fields.clone(), String::new(), "no token"),
        (with("0123"), String::new(), "wrong token"),
        (
            with(&editor.csrf),
            "Origin: http://evil.example\r\n".to_string(),
            "other origin",
        ),
        (
            with(&editor.csrf),
            "Sec-Fetch-Site: cross-site\r\n".to_string(),
            "cross-site",
        ),
        (
            with(&editor.csrf),
            format!("Origin: https://localhost:{port}\r\n"),
            "other scheme",
        ),
    ] {
        let res = editor.post_raw("/_edit/new", &body, &headers);
        assert_eq!(res.status, 403, "{why}");
    }
    assert_eq!(
        tree(&editor.root().join("content")),
        before,
        "a refused POST changed content/"
    );
    let ok = editor.post_raw(
        "/_edit/new",
        &with(&editor.csrf),
        &format!("Origin: http://localhost:{port}\r\nSec-Fetch-Site: same-origin\r\n"),
    );
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert!(editor
        .root()
        .join("content/albums/forged/index.md")
        .is_file());
}

#[test]
fn every_editor_response_carries_the_security_headers() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let responses = [
        editor.get("/_edit/"),
        editor.get("/_edit/style.css"),
        editor.get("/_edit/nothing-here"),
        editor.get("/_edit/text?item=albums%2Fharbour-2024"),
        raw_get(editor.serve.http, "/_edit/", ""),
        editor.post("/_edit/new", &[("kind", "page"), ("title", "")]),
    ];
    for res in responses {
        assert_eq!(
            res.header("Content-Security-Policy"),
            Some(CSP),
            "{}",
            res.status
        );
        assert_eq!(
            res.header("X-Content-Type-Options"),
            Some("nosniff"),
            "{}",
            res.status
        );
    }
}

#[test]
fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let port = editor.serve.http;
    // The head announces 9 MB and no body follows: the answer must come from the head alone.
    let res = http_request(
        port,
        &format!(
            "POST /_edit/text HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9000000\r\nConnection: close\r\n\r\n",
            editor.cookie
        ),
    );
    assert_eq!(res.status, 413);
    assert!(res.text().contains("8.4 MB"), "{}", res.text());
}

#[test]
fn a_new_album_playlist_and_page_are_made_and_never_made_twice() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let content = editor.root().join("content");
    for (kind, title, file, item) in [
        (
            "album",
            "Été au port",
            "albums/ete-au-port/index.md",
            "albums%2Fete-au-port",
        ),
        (
            "playlist",
            "Rainy songs",
            "playlists/rainy-songs/index.md",
            "playlists%2Frainy-songs",
        ),
        ("page", "Contact me", "contact-me.md", "contact-me"),
    ] {
        let res = editor.post(
            "/_edit/new",
            &[
                ("kind", kind),
                ("title", title),
                ("date", "2026-11-30"),
                ("description", "New!"),
                ("draft", "on"),
            ],
        );
        assert_eq!(res.status, 303, "{kind}: {}", res.text());
        // An album or a playlist opens on its photos or tracks, upload first; a page on its text.
        let opens = match kind {
            "album" | "playlist" => format!("/_edit/{kind}?item={item}&done=created"),
            _ => format!("/_edit/text?item={item}&done=created"),
        };
        assert_eq!(location(&res), opens);
        let written = std::fs::read_to_string(content.join(file)).unwrap();
        assert_eq!(
            written,
            format!("+++\ntitle = \"{title}\"\ndate = 2026-11-30\ndescription = \"New!\"\ndraft = true\n+++\n\n"),
            "{kind}"
        );
        // The same title again is refused next to its field, and the first file is kept.
        let again = editor.post("/_edit/new", &[("kind", kind), ("title", title)]);
        assert_eq!(again.status, 400, "{kind}");
        assert!(
            again
                .text()
                .contains("There is already one with this address"),
            "{}",
            again.text()
        );
        assert!(again.text().contains("aria-invalid=\"true\""));
        assert_eq!(
            std::fs::read_to_string(content.join(file)).unwrap(),
            written
        );
    }
    let missing = editor.post("/_edit/new", &[("kind", "album"), ("title", "  ")]);
    assert_eq!(missing.status, 400);
    assert!(missing.text().contains("A title is needed."));
    let bad_date = editor.post(
        "/_edit/new",
        &[("kind", "album"), ("title", "X"), ("date", "1 June")],
    );
    assert_eq!(bad_date.status, 400);
    assert!(bad_date.text().contains("year-month-day"));
    assert!(!content.join("albums/x").exists());
}

/// For each fixture site and the example site, every page's text form sent back unchanged leaves
/// content/ byte-identical, and says that nothing was written.
#[test]
fn saving_every_form_unchanged_leaves_content_byte_identical() {
    let example = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &example.path().join("content"));
    std::fs::copy(
        repo().join("capsule.toml"),
        example.path().join("capsule.toml"),
    )
    .unwrap();
    let sites = [
        fixture("basic"),
        fixture("french"),
        fixture("formats"),
        example,
    ];
    for site in &sites {
        let editor = Editor::start(site.path());
        let before = tree(&site.path().join("content"));
        let dash = editor.get("/_edit/").text();
        let links: Vec<String> = dash
            .split("href=\"/_edit/text?item=")
            .skip(1)
            .map(|s| format!("/_edit/text?item={}", &s[..s.find('"').unwrap()]))
            .collect();
        assert!(
            links.len() >= 2,
            "{} forms on {}",
            links.len(),
            site.path().display()
        );
        // The photo and track tables too: every form the editor has.
        let mut tables = Vec::new();
        for (kind, action) in [("album", "/_edit/album"), ("playlist", "/_edit/playlist")] {
            let marker = format!("href=\"/_edit/{kind}?item=");
            for piece in dash.split(marker.as_str()).skip(1) {
                let link = format!("/_edit/{kind}?item={}", &piece[..piece.find('"').unwrap()]);
                tables.push((link, action));
            }
        }
        let forms = links
            .iter()
            .map(|l| (l.clone(), "/_edit/text"))
            .chain(tables);
        for (link, action) in forms {
            let form = editor.get(&link);
            assert_eq!(form.status, 200, "{link}");
            let page = form.text();
            if !page.contains(&format!("action=\"{action}\"")) {
                continue; // an album or playlist with nothing in it yet has no table
            }
            let res = submit(&editor, &page, action);
            assert_eq!(res.status, 303, "{link}: {}", res.text());
            assert!(
                location(&res).ends_with("&done=unchanged"),
                "{link}: {}",
                location(&res)
            );
        }
        assert_eq!(
            tree(&site.path().join("content")),
            before,
            "{}",
            site.path().display()
        );
    }
}

#[test]
fn one_changed_field_changes_one_line_and_the_build_shows_it() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let file = editor.root().join("content/albums/harbour-2024/index.md");
    let before = std::fs::read_to_string(&file).unwrap();
    let form = editor.get("/_edit/text?item=albums%2Fharbour-2024").text();
    let mut fields = form_fields(&form, Some("/_edit/text"));
    fields.insert("title".into(), "Harbour at dawn".into());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = editor.post_raw("/_edit/text", &encode(&pairs), "");
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(location(&res).ends_with("&done=saved"));
    let after = std::fs::read_to_string(&file).unwrap();
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].1, "title = \"Harbour at dawn\"");
    assert!(editor.get(&location(&res)).text().contains("Saved."));
    let built = editor.post("/_edit/build", &[]);
    assert_eq!(built.status, 303);
    assert_eq!(location(&built), "/_edit/job");
    let job = editor.wait_for_job();
    assert!(
        job.contains("Done.") && job.contains("Size report"),
        "{job}"
    );
    let page = std::fs::read_to_string(
        editor
            .root()
            .join("public/html/albums/harbour-2024/index.html"),
    )
    .unwrap();
    assert!(page.contains("<h1>Harbour at dawn</h1>"), "{page}");
}

#[test]
fn a_form_made_before_the_file_changed_is_refused_and_nothing_is_lost() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let file = editor.root().join("content/about.md");
    let form = editor.get("/_edit/text?item=about").text();
    // The writer changes the file in a text editor meanwhile.
    let behind = std::fs::read_to_string(&file).unwrap() + "\nA line written by hand.\n";
    std::fs::write(&file, &behind).unwrap();
    let mut fields = form_fields(&form, Some("/_edit/text"));
    fields.insert(
        "body".into(),
        "My new text, typed in the browser.\r\n".into(),
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = editor.post_raw("/_edit/text", &encode(&pairs), "");
    assert_eq!(res.status, 409, "{}", res.text());
    let page = res.text();
    assert!(
        page.contains("My new text, typed in the browser."),
        "the typed text is kept"
    );
    assert!(
        page.contains("A line written by hand."),
        "the disk version is shown"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        behind,
        "the file is unchanged"
    );
}

#[test]
fn removing_moves_to_the_trash_and_restoring_puts_it_back() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let album = editor.root().join("content/albums/harbour-2024");
    let before = tree(&album);
    let res = editor.post("/_edit/delete", &[("item", "albums/harbour-2024")]);
    assert_eq!(res.status, 303);
    assert!(!album.exists());
    let trash = editor.get("/_edit/trash").text();
    assert!(trash.contains("albums/harbour-2024"), "{trash}");
    let form = trash[..trash.find("/_edit/restore").unwrap()]
        .rfind("<form")
        .unwrap();
    let entry = hidden(&trash[form..], "entry").unwrap();
    let restored = editor.post("/_edit/restore", &[("entry", &entry)]);
    assert_eq!(restored.status, 303);
    assert_eq!(tree(&album), before, "the album is back, byte for byte");
    assert!(editor
        .get("/_edit/trash")
        .text()
        .contains("The trash is empty."));
    // The home page cannot be removed, and nothing outside the site can be named.
    assert_eq!(editor.post("/_edit/delete", &[("item", "")]).status, 400);
    for item in [
        "../capsule.toml",
        "albums/../../x",
        "/etc/passwd",
        "albums/harbour-2024/../..",
    ] {
        assert_eq!(
            editor.post("/_edit/delete", &[("item", item)]).status,
            404,
            "{item}"
        );
        assert_eq!(
            editor
                .get(&format!(
                    "/_edit/text?item={}",
                    encode(&[("", item)]).trim_start_matches('=')
                ))
                .status,
            404,
            "{item}"
        );
    }
    assert!(editor.root().join("capsule.toml").is_file());
}

#[test]
fn the_dashboard_lists_every_item_with_its_figures_and_warnings() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let dash = editor.get("/_edit/").text();
    for expected in [
        "Harbour, June 2024",
        "Été à Brest",
        "Secret album",
        "Night drive",
        "About",
        "budget",
        "1 photo has no alt text",
        "href=\"/_edit/text?item=albums%2Fharbour-2024\"",
    ] {
        assert!(dash.contains(expected), "{expected} not on the dashboard");
    }
    // Warnings name files from the site's folder, not by where that folder lies.
    let folder = site.path().display().to_string();
    assert!(
        !dash.contains(&folder),
        "{folder} on the dashboard:\n{dash}"
    );
    assert!(dash.contains("<li>content/albums/"), "{dash}");
}

#[test]
fn editor_pages_are_valid_html_without_script_and_read_in_w3m() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let dir = tempfile::tempdir().unwrap();
    let stale = {
        let form = editor.get("/_edit/text?item=about").text();
        std::fs::write(editor.root().join("content/about.md"), "changed\n").unwrap();
        submit(&editor, &form, "/_edit/text").text()
    };
    let pages = [
        ("dashboard", editor.get("/_edit/").text()),
        ("new", editor.get("/_edit/new?kind=album").text()),
        (
            "text",
            editor.get("/_edit/text?item=albums%2Fharbour-2024").text(),
        ),
        ("home", editor.get("/_edit/text?item=").text()),
        ("trash", editor.get("/_edit/trash").text()),
        ("settings", editor.get("/_edit/settings").text()),
        (
            "settings, stale form",
            editor
                .post("/_edit/settings", &[("title", ""), ("photos.display", "x")])
                .text(),
        ),
        ("welcome", editor.get("/_edit/welcome").text()),
        ("publishing", editor.get("/_edit/publishing").text()),
        (
            "publishing refused",
            editor
                .post(
                    "/_edit/publishing",
                    &[
                        ("bucket", "b"),
                        ("key_id", "GK1"),
                        ("method", "directory"),
                        ("target", ""),
                        ("action", "check"),
                    ],
                )
                .text(),
        ),
        (
            "errors",
            editor
                .post("/_edit/new", &[("kind", "page"), ("title", "")])
                .text(),
        ),
        ("conflict", stale),
        ("refused", raw_get(editor.serve.http, "/_edit/", "").text()),
        ("missing", editor.get("/_edit/nothing").text()),
        (
            "album",
            editor.get("/_edit/album?item=albums%2Fharbour-2024").text(),
        ),
        (
            "playlist",
            editor
                .get("/_edit/playlist?item=playlists%2Fnight-drive")
                .text(),
        ),
        ("preview", {
            let form = editor.get("/_edit/text?item=albums%2Fharbour-2024").text();
            let mut fields = form_fields(&form, Some("/_edit/text"));
            fields.insert(
                "body".into(),
                "A *new* text.\r\n\r\n![A gull](gull.jpg)\r\n".into(),
            );
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            editor
                .post_raw("/_edit/preview", &encode(&pairs), "")
                .text()
        }),
        ("job", {
            editor.post("/_edit/build", &[]);
            editor.wait_for_job()
        }),
        (
            "album-fr",
            editor.get("/_edit/album?item=albums%2Fete-a-brest").text(),
        ),
    ];
    for (name, html) in &pages {
        assert!(
            !html.to_lowercase().contains("<script"),
            "{name} has a script"
        );
        // Inside tags only: the writer's text may show `onclick=` escaped, as text.
        let handler = html.split('<').skip(1).any(|piece| {
            let tag = piece.split('>').next().unwrap_or("");
            tag.split_whitespace()
                .skip(1)
                .any(|a| a.starts_with("on") && a.contains('='))
        });
        assert!(!handler, "{name} has an inline event handler");
        std::fs::write(dir.path().join(format!("{name}.html")), html).unwrap();
    }
    let out = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "text"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vnu: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = Command::new(w3m())
        .args(["-dump", "-T", "text/html", "-cols", "100"])
        .arg(dir.path().join("text.html"))
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    for expected in ["Title", "Harbour, June 2024", "Save", "Move to the trash"] {
        assert!(
            dump.contains(expected),
            "w3m shows no {expected:?}:\n{dump}"
        );
    }
}

#[test]
fn a_french_site_gets_a_french_editor() {
    let site = site("french");
    let editor = Editor::start(site.path());
    let dash = editor.get("/_edit/").text();
    assert!(dash.contains("<html lang=\"fr\">"));
    assert!(
        dash.contains("Tableau de bord") && dash.contains("Nouvel album"),
        "{dash}"
    );
}

/// A multipart body with `files` (name, bytes), as a browser sends an upload form.
fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----capsuleTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Editor {
    /// Sends an upload to an album, as its form does; `length` overrides the Content-Length sent.
    fn upload(&self, item: &str, files: &[(&str, &[u8])], cut: Option<usize>) -> HttpResponse {
        self.upload_to(&format!("item={item}"), files, cut)
    }

    /// An upload to `/_edit/upload?QUERY` (the token is added).
    fn upload_to(&self, query: &str, files: &[(&str, &[u8])], cut: Option<usize>) -> HttpResponse {
        let (content_type, body) = multipart(files);
        let port = self.serve.http;
        let path = format!("/_edit/upload?{query}&csrf={}", self.csrf);
        let mut raw = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.cookie,
            body.len()
        )
        .into_bytes();
        raw.extend_from_slice(&body[..cut.unwrap_or(body.len())]);
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        use std::io::{Read, Write};
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        stream.write_all(&raw).unwrap();
        if cut.is_some() {
            // The browser gives up half-way: the connection closes with the body unfinished.
            stream.shutdown(std::net::Shutdown::Write).unwrap();
        }
        let mut data = Vec::new();
        let _ = stream.read_to_end(&mut data);
        common::servers::parse_http(&data)
    }
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(32, 24, |x, y| {
        image::Rgb([(x * 8) as u8, (y * 10) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[test]
fn uploads_land_under_safe_names_and_refuse_what_cannot_be_published() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let album = editor.root().join("content/albums/harbour-2024");
    let photo = jpeg();
    let heic: &[u8] = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    let res = editor.upload(
        "albums%2Fharbour-2024",
        &[
            ("../../../capsule.toml.jpg", &photo),
            ("..\\..\\evil.jpg", &photo),
            ("/etc/passwd", &photo),
            ("gull.jpg", &photo),
            ("IMG_0001.HEIC", heic),
            ("notes.txt", b"just text"),
            ("Holiday Photo.JPG", &photo),
        ],
        None,
    );
    assert_eq!(res.status, 303, "{}", res.text());
    let page = editor.get(&location(&res)).text();
    assert!(
        page.contains("IMG_0001.HEIC: HEIC photos are not supported: export it as JPEG first"),
        "{page}"
    );
    assert!(
        page.contains("notes.txt is not a photo capsule can publish"),
        "{page}"
    );
    for name in [
        "capsule-toml.jpg",
        "evil.jpg",
        "passwd.jpg",
        "gull-2.jpg",
        "holiday-photo.jpg",
    ] {
        assert_eq!(std::fs::read(album.join(name)).unwrap(), photo, "{name}");
    }
    // Nothing landed outside the album, and the photo that was there is untouched.
    assert!(!editor.root().join("evil.jpg").exists());
    assert!(!editor.root().join("content/evil.jpg").exists());
    assert_ne!(std::fs::read(album.join("gull.jpg")).unwrap(), photo);
    assert!(!album.join("img-0001.heic").exists() && !album.join("notes.txt").exists());
    let leftovers: Vec<_> = walkdir::WalkDir::new(editor.root())
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("capsule-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_upload_over_a_limit_or_cut_off_leaves_nothing() {
    let site = fixture("basic");
    common::add_to_config(
        site.path(),
        "[edit]\nmax_file = \"20 KB\"\nmax_request = \"50 KB\"\n",
    );
    build(site.path(), &["-q"]);
    let editor = Editor::start(site.path());
    let content = editor.root().join("content");
    let before = tree(&content);
    let big = vec![0xFFu8; 30_000];
    let res = editor.upload(
        "albums%2Fharbour-2024",
        &[("small.jpg", &jpeg()), ("huge.jpg", &big)],
        None,
    );
    assert_eq!(res.status, 413, "{}", res.text());
    assert!(
        res.text().contains("huge.jpg") && res.text().contains("20 KB"),
        "{}",
        res.text()
    );
    let many: Vec<u8> = vec![1; 15_000];
    let files: Vec<(&str, &[u8])> = (0..4).map(|_| ("part.jpg", many.as_slice())).collect();
    let res = editor.upload("albums%2Fharbour-2024", &files, None);
    assert_eq!(res.status, 413, "{}", res.text());
    assert!(res.text().contains("50 KB"), "{}", res.text());
    let cut = editor.upload(
        "albums%2Fharbour-2024",
        &[("whole.jpg", &jpeg()), ("cut.jpg", &jpeg())],
        Some(700),
    );
    assert_eq!(cut.status, 400, "{}", cut.text());
    assert_eq!(tree(&content), before, "content/ changed");
    let uploads = editor.root().join(".capsule-cache/uploads");
    assert_eq!(
        std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0),
        0,
        "temporary files left"
    );
    // The limits are printed on the form.
    let form = editor.get("/_edit/album?item=albums%2Fharbour-2024").text();
    assert!(
        form.contains("At most 20 KB a file and 50 KB in all."),
        "{form}"
    );
}

#[test]
fn an_upload_needs_the_token_in_its_address() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let (content_type, body) = multipart(&[("x.jpg", &jpeg())]);
    let port = editor.serve.http;
    let head = format!(
        "POST /_edit/upload?item=albums%2Fharbour-2024&csrf=forged HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        editor.cookie,
        body.len()
    );
    let mut raw = head.into_bytes();
    raw.extend_from_slice(&body);
    let res = http_request(port, &String::from_utf8_lossy(&raw));
    assert_eq!(res.status, 403);
    assert!(!editor
        .root()
        .join("content/albums/harbour-2024/x.jpg")
        .exists());
}

#[test]
fn the_photo_table_saves_unchanged_byte_identical_and_moves_photos() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let content = editor.root().join("content");
    let before = tree(&content);
    for album in [
        "albums%2Fharbour-2024",
        "albums%2Fete-a-brest",
        "albums%2Fsecret",
    ] {
        let page = editor.get(&format!("/_edit/album?item={album}")).text();
        let res = submit(&editor, &page, "/_edit/album");
        assert_eq!(res.status, 303, "{album}: {}", res.text());
        assert!(
            location(&res).ends_with("&done=unchanged"),
            "{album}: {}",
            location(&res)
        );
    }
    assert_eq!(tree(&content), before);
    // The third photo of Été à Brest (placed by no text) to the top, with words.
    let page = editor.get("/_edit/album?item=albums%2Fete-a-brest").text();
    let mut fields = form_fields(&page, Some("/_edit/album"));
    fields.insert("alt-2".into(), "The north island".into());
    fields.insert("action".into(), "top:2".into());
    let third = fields["file-2"].clone();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = editor.post_raw("/_edit/album", &encode(&pairs), "");
    assert_eq!(res.status, 303, "{}", res.text());
    let after = editor.get("/_edit/album?item=albums%2Fete-a-brest").text();
    assert_eq!(form_fields(&after, Some("/_edit/album"))["file-0"], third);
    assert_eq!(
        form_fields(&after, Some("/_edit/album"))["alt-0"],
        "The north island"
    );
}

#[test]
fn over_budget_the_build_page_explains_and_fit_makes_it_fit() {
    let site = fixture("basic");
    let config = site.path().join("capsule.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[budget]\nhtml = \"76 KB\"\n")).unwrap();
    build(site.path(), &["-q", "--allow-over-budget"]);
    let editor = Editor::start(site.path());
    let res = editor.post("/_edit/build", &[]);
    assert_eq!(location(&res), "/_edit/job");
    // A second build while one runs is not started: the page says so.
    let again = editor.post("/_edit/build", &[]);
    assert!(matches!(
        location(&again).as_str(),
        "/_edit/job" | "/_edit/job?busy=1"
    ));
    let page = editor.wait_for_job();
    assert!(page.contains("over its budget of 76 KB"), "{page}");
    assert!(page.contains("action=\"/_edit/fit\""), "{page}");
    let fit = editor.post("/_edit/fit", &[]);
    assert_eq!(location(&fit), "/_edit/job");
    let page = editor.wait_for_job();
    assert!(page.contains("Done."), "{page}");
    assert!(page.contains("--fit` chose"), "{page}");
    assert!(editor.root().join("capsule-fit.toml").is_file());
}

#[test]
fn publish_without_settings_says_what_to_set() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let res = editor.post("/_edit/publish", &[]);
    assert_eq!(location(&res), "/_edit/job");
    let page = editor.wait_for_job();
    assert!(page.contains("It did not work"), "{page}");
    assert!(page.contains("[publish.html]"), "{page}");
    assert!(
        page.contains("href=\"/_edit/publishing\""),
        "it leads to where it is set up: {page}"
    );
}

/// One second of a 440 Hz tone, 8 kHz mono 16-bit WAV.
fn wav() -> Vec<u8> {
    let samples: Vec<i16> = (0..8000)
        .map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

#[test]
fn a_playlist_gets_tracks_by_upload_titles_in_its_table_and_loses_one_cleanly() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let folder = editor.root().join("content/playlists/night-drive");
    let index = folder.join("index.md");
    // Unchanged, the table writes nothing.
    let page = editor
        .get("/_edit/playlist?item=playlists%2Fnight-drive")
        .text();
    let res = submit(&editor, &page, "/_edit/playlist");
    assert!(
        location(&res).ends_with("&done=unchanged"),
        "{}",
        res.text()
    );
    // Upload: a sound file lands, a photo is refused with a message.
    let res = editor.upload(
        "playlists%2Fnight-drive",
        &[("Evening Tone.WAV", &wav()), ("photo.jpg", &jpeg())],
        None,
    );
    assert_eq!(res.status, 303, "{}", res.text());
    let page = editor.get(&location(&res)).text();
    assert!(
        page.contains("photo.jpg is not a sound file capsule can read"),
        "{page}"
    );
    assert!(folder.join("evening-tone.wav").is_file());
    assert!(!folder.join("photo.jpg").exists());
    assert!(
        page.contains("evening-tone.wav") && page.contains("0:01"),
        "{page}"
    );
    // A title and an artist for the new track, saved in its [tracks."file"] table.
    let mut fields = form_fields(&page, Some("/_edit/playlist"));
    let i = fields
        .iter()
        .find(|(k, v)| k.starts_with("file-") && v.as_str() == "evening-tone.wav")
        .map(|(k, _)| k.trim_start_matches("file-").to_string())
        .unwrap();
    fields.insert(format!("title-{i}"), "Evening tone".into());
    fields.insert(format!("artist-{i}"), "The Editors".into());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = editor.post_raw("/_edit/playlist", &encode(&pairs), "");
    assert!(location(&res).ends_with("&done=saved"), "{}", res.text());
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(
        text.contains(
            "[tracks.\"evening-tone.wav\"]\ntitle = \"Evening tone\"\nartist = \"The Editors\"\n"
        ),
        "{text}"
    );
    // Removing City Lights: its link in the text becomes words, its file goes to the trash.
    let page = editor
        .get("/_edit/playlist?item=playlists%2Fnight-drive")
        .text();
    let res = remove_track(&editor, &page, |file| file == "02-city.mp3");
    assert_eq!(res.status, 303, "{}", res.text());
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(text.contains("Then comes City Lights, the"), "{text}");
    assert!(!text.contains("02-city.mp3"), "{text}");
    assert!(!folder.join("02-city.mp3").exists());
    assert!(editor.get("/_edit/trash").text().contains("02-city.mp3"));
    // And the site builds, with the new track under its new title.
    let html = editor.build_and_read("html/playlists/night-drive/index.html");
    assert!(
        html.contains("Evening tone") && html.contains("The Editors"),
        "{html}"
    );
}

#[test]
fn preview_shows_the_page_made_from_the_typed_text_and_saves_nothing() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let file = editor.root().join("content/albums/harbour-2024/index.md");
    let before = std::fs::read(&file).unwrap();
    let form = editor.get("/_edit/text?item=albums%2Fharbour-2024").text();
    let mut fields = form_fields(&form, Some("/_edit/text"));
    fields.insert("title".into(), "Harbour, previewed".into());
    fields.insert(
        "body".into(),
        "A sentence only in the preview.\r\n\r\n![A gull, seen again](gull.jpg \"Again\")\r\n"
            .into(),
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = editor.post_raw("/_edit/preview", &encode(&pairs), "");
    assert_eq!(res.status, 200, "{}", res.text());
    let page = res.text();
    let preview = &page[page.find("id=\"preview\"").expect("a preview section")..];
    assert!(
        preview.contains("A sentence only in the preview."),
        "{preview}"
    );
    assert!(preview.contains("<h1>Harbour, previewed</h1>"), "{preview}");
    assert!(
        preview.contains("alt=\"A gull, seen again\"") && preview.contains("gull-48.webp"),
        "{preview}"
    );
    assert!(
        page.contains("<base href=\"/albums/harbour-2024/\">"),
        "{page}"
    );
    // The form still holds what was typed, and nothing was written.
    let typed = form_fields(&page, Some("/_edit/text"));
    assert_eq!(typed["title"], "Harbour, previewed");
    assert!(typed["body"].contains("A sentence only in the preview."));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // The thumbnail the preview shows is served.
    assert_eq!(editor.get("/albums/harbour-2024/gull-48.webp").status, 200);
}

#[test]
fn tracks_the_text_does_not_place_move_by_their_numbers() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let res = editor.upload("playlists%2Fnight-drive", &[("zz last.wav", &wav())], None);
    assert_eq!(res.status, 303);
    let page = editor
        .get("/_edit/playlist?item=playlists%2Fnight-drive")
        .text();
    let order = |page: &str| -> Vec<String> {
        let f = form_fields(page, Some("/_edit/playlist"));
        let n: usize = f["count"].parse().unwrap();
        (0..n).map(|i| f[&format!("file-{i}")].clone()).collect()
    };
    assert_eq!(
        order(&page),
        [
            "01-intro.flac",
            "02-city.mp3",
            "03-outro.ogg",
            "zz-last.wav"
        ]
    );
    // Placed by the text: no move buttons. The last one to the top of the unplaced ones.
    assert!(
        !page.contains("value=\"top:0\""),
        "a placed track cannot move"
    );
    let mut fields = form_fields(&page, Some("/_edit/playlist"));
    fields.insert("action".into(), "top:3".into());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = editor.post_raw("/_edit/playlist", &encode(&pairs), "");
    assert!(location(&res).ends_with("&done=saved"), "{}", res.text());
    let page = editor
        .get("/_edit/playlist?item=playlists%2Fnight-drive")
        .text();
    assert_eq!(
        order(&page),
        [
            "01-intro.flac",
            "02-city.mp3",
            "zz-last.wav",
            "03-outro.ogg"
        ]
    );
    let text =
        std::fs::read_to_string(editor.root().join("content/playlists/night-drive/index.md"))
            .unwrap();
    assert!(
        text.contains("[tracks.\"zz-last.wav\"]\nnumber = 1"),
        "{text}"
    );
    assert!(
        text.contains("[tracks.\"03-outro.ogg\"]\nnumber = 2"),
        "{text}"
    );
}

#[test]
fn a_playlist_cover_is_uploaded_or_taken_from_the_tags() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let folder = editor.root().join("content/playlists/night-drive");
    assert!(
        folder.join("cover.jpg").is_file(),
        "the fixture has a cover"
    );
    let png = {
        let img = image::RgbImage::from_pixel(20, 20, image::Rgb([10, 200, 30]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let page = editor
        .get("/_edit/playlist?item=playlists%2Fnight-drive")
        .text();
    assert!(page.contains("&amp;cover=1"), "{page}");
    let res = editor.upload_to(
        "item=playlists%2Fnight-drive&cover=1",
        &[("My Cover.png", &png)],
        None,
    );
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(std::fs::read(folder.join("cover.png")).unwrap(), png);
    assert!(
        !folder.join("cover.jpg").exists(),
        "the old cover is in the trash"
    );
    assert!(editor
        .get("/_edit/trash")
        .text()
        .contains("night-drive/cover.jpg"));
    let page = editor
        .get("/_edit/playlist?item=playlists%2Fnight-drive")
        .text();
    let res = submit_with(
        &editor,
        &page,
        "/_edit/playlist",
        "count=0",
        ("action", "cover:tags"),
    );
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(!folder.join("cover.png").exists());
}

/// Sends the form of `html` whose hidden fields include `marker` (as `name=value`), with `extra`.
fn submit_with(
    editor: &Editor,
    html: &str,
    action: &str,
    marker: &str,
    extra: (&str, &str),
) -> HttpResponse {
    let (name, value) = marker.split_once('=').unwrap();
    let tag = format!("name=\"{name}\" value=\"{value}\"");
    let at = html.find(&tag).expect("the form");
    let start = html[..at].rfind("<form").unwrap();
    let mut fields = form_fields(&html[start..], None);
    fields.insert(extra.0.into(), extra.1.into());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    editor.post_raw(action, &encode(&pairs), "")
}

/// The Settings page changes only the keys the member changed, validated as a build validates them,
/// and never over a capsule.toml that changed since the form was made.
#[test]
fn settings_change_only_the_keys_changed_and_are_validated_like_a_build() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let file = editor.root().join("capsule.toml");
    let original = format!(
        "# My site's settings, written by hand.\n{}",
        std::fs::read_to_string(&file).unwrap()
    )
    .replace("display = 96\n", "display = 96   # small, for the tests\n");
    std::fs::write(&file, &original).unwrap();

    let page = editor.get("/_edit/settings").text();
    assert!(page.contains("id=\"photos.display\""), "{page}");
    let mut fields = form_fields(&page, Some("/_edit/settings"));
    assert_eq!(fields["title"], "Fixture Harbour");
    assert_eq!(fields["photos.display"], "96");
    assert_eq!(fields["audio.quality"], "standard", "a default is shown");

    // An out-of-range size: the build's own message, next to the field; nothing is written.
    fields.insert("photos.display".into(), "9".into());
    fields.insert("title".into(), "Harbour and hills".into());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = editor.post_raw("/_edit/settings", &encode(&pairs), "");
    assert_eq!(refused.status, 400);
    let text = refused.text();
    assert!(
        text.contains(
            "<p class=\"error\" id=\"photos.display-error\">photos.display = 9 is out of range"
        ),
        "{text}"
    );
    assert!(
        text.contains("value=\"Harbour and hills\""),
        "what was typed stays"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);

    // A valid change: only the changed lines differ, comments and all else byte for byte.
    fields.insert("photos.display".into(), "120".into());
    fields.insert("audio.quality".into(), "frugal".into());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = editor.post_raw("/_edit/settings", &encode(&pairs), "");
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(location(&saved), "/_edit/settings?done=saved");
    let now = std::fs::read_to_string(&file).unwrap();
    let expected = original
        .replace(
            "title = \"Fixture Harbour\"",
            "title = \"Harbour and hills\"",
        )
        .replace("display = 96   # small", "display = 120   # small")
        + "\n[audio]\nquality = \"frugal\"\n";
    assert_eq!(now, expected);
    assert!(editor
        .get("/_edit/settings?done=saved")
        .text()
        .contains("Saved."));

    // A form made before the file changed on disk is refused, and shows both versions.
    let stale = editor.get("/_edit/settings").text();
    let by_hand = format!("{now}# edited by hand\n");
    std::fs::write(&file, &by_hand).unwrap();
    let mut fields = form_fields(&stale, Some("/_edit/settings"));
    fields.insert("title".into(), "Too late".into());
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let conflict = editor.post_raw("/_edit/settings", &encode(&pairs), "");
    assert_eq!(conflict.status, 409);
    assert!(
        conflict.text().contains("title = Too late"),
        "{}",
        conflict.text()
    );
    assert!(conflict.text().contains("# edited by hand"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), by_hand);
}

/// Following other sites is set up in the browser: one address a line, each checked as a build checks
/// it, written as a list in capsule.toml, and shown again one a line.
#[test]
fn the_sites_to_follow_are_set_in_the_settings_page() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let file = editor.root().join("capsule.toml");
    let original = std::fs::read_to_string(&file).unwrap();
    let page = editor.get("/_edit/settings").text();
    assert!(page.contains("<textarea id=\"library.follow\""), "{page}");
    let mut fields = form_fields(&page, Some("/_edit/settings"));
    assert_eq!(fields["library.follow"], "");
    assert_eq!(fields["budget.collective"], "2.0 GB");

    let post = |fields: &BTreeMap<String, String>| {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        editor.post_raw("/_edit/settings", &encode(&pairs), "")
    };
    // Plain http to another computer is refused, next to the field, and nothing is written.
    fields.insert(
        "library.follow".into(),
        "https://alice.example/\r\nhttp://bob.example/\r\n".into(),
    );
    let refused = post(&fields);
    assert_eq!(refused.status, 400);
    let text = refused.text();
    assert!(
        text.contains("<p class=\"error\" id=\"library.follow-error\">library.follow: &quot;http://bob.example/&quot;"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);

    fields.insert(
        "library.follow".into(),
        "https://alice.example/\r\n\r\n https://bob.example/ \r\n".into(),
    );
    let saved = post(&fields);
    assert_eq!(saved.status, 303, "{}", saved.text());
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(
        now.contains(
            "[library]\nfollow = [\"https://alice.example/\", \"https://bob.example/\"]\n"
        ),
        "{now}"
    );
    let fields = form_fields(
        &editor.get("/_edit/settings").text(),
        Some("/_edit/settings"),
    );
    assert_eq!(
        fields["library.follow"],
        "https://alice.example/\r\nhttps://bob.example/"
    );
}

/// The Publishing page, against a real Garage: Check tells each fault apart in plain words; Save keeps
/// the key outside the site (mode 0600) and names it in capsule.toml; the secret is never shown again;
/// Publish then works with no key in the environment.
#[test]
fn publishing_is_set_up_checked_and_used_without_a_terminal() {
    use common::garage::{Garage, BUCKET, KEY_ID};
    let garage = Garage::start();
    let site = site("basic");
    let config_home = tempfile::tempdir().unwrap();
    let editor = Editor::start_with_env(
        site.path(),
        &[("XDG_CONFIG_HOME", config_home.path().to_str().unwrap())],
    );
    let endpoint = format!("http://127.0.0.1:{}", garage.s3_port);
    let page = editor.get("/_edit/publishing").text();
    assert!(page.contains("type=\"password\""), "{page}");
    let fields = |bucket: &str, id: &str, secret: &str, action: &str| {
        let fingerprint = hidden(&editor.get("/_edit/publishing").text(), "fingerprint").unwrap();
        vec![
            ("fingerprint".to_string(), fingerprint),
            ("host".into(), "other".into()),
            ("endpoint".into(), endpoint.clone()),
            ("region".into(), "garage".into()),
            ("bucket".into(), bucket.into()),
            ("key_id".into(), id.into()),
            ("secret".into(), secret.into()),
            ("method".into(), "tarball".into()),
            ("target".into(), String::new()),
            ("action".into(), action.into()),
        ]
    };
    let send = |f: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        editor.post("/_edit/publishing", &pairs)
    };
    let said = |f| send(f).text();
    let secret = garage.secret.clone();
    for (bucket, id, secret, expected) in [
        (
            BUCKET,
            KEY_ID,
            secret.as_str(),
            "It works: the key may read and write the bucket",
        ),
        (
            BUCKET,
            KEY_ID,
            "0000000000000000000000000000000000000000000000000000000000000000",
            "The secret key is wrong",
        ),
        (
            BUCKET,
            "GK00000000000000000000dead",
            secret.as_str(),
            "knows no key with this key id",
        ),
        (
            "no-such-bucket",
            KEY_ID,
            secret.as_str(),
            "There is no bucket",
        ),
    ] {
        let text = said(fields(bucket, id, secret, "check"));
        assert!(
            text.contains(expected),
            "{bucket} {id}: {expected} not in\n{text}"
        );
        assert!(!text.contains(&garage.secret), "the secret is never shown");
    }
    let unreachable = {
        let mut f = fields(BUCKET, KEY_ID, &secret, "check");
        f[2].1 = "http://127.0.0.1:9".into();
        said(f)
    };
    assert!(unreachable.contains("cannot be reached"), "{unreachable}");
    // A bucket name no host would accept is an answer, not a crash.
    let odd = send(fields("a\u{7}\"b", KEY_ID, &secret, "check"));
    assert!(odd.status < 500, "{}", odd.text());
    assert!(editor.get("/_edit/publishing").status == 200);
    assert!(
        garage.objects() == 0,
        "the check leaves nothing in the bucket"
    );

    // Save: capsule.toml names a key file outside the site, readable by the user alone.
    let before = std::fs::read_to_string(site.path().join("capsule.toml")).unwrap();
    let saved = send(fields(BUCKET, KEY_ID, &secret, "save"));
    assert_eq!(saved.status, 303, "{}", saved.text());
    let after = std::fs::read_to_string(site.path().join("capsule.toml")).unwrap();
    assert!(
        after.starts_with(&before),
        "the rest stays as it was:\n{after}"
    );
    assert!(!after.contains(&garage.secret));
    let config: toml::Table = toml::from_str(&after).unwrap();
    let html = &config["publish"]["html"];
    assert_eq!(html["bucket"].as_str(), Some(BUCKET));
    assert_eq!(html["endpoint"].as_str(), Some(endpoint.as_str()));
    let key_file = std::path::PathBuf::from(html["credentials_file"].as_str().unwrap());
    assert!(
        key_file.starts_with(config_home.path()),
        "{}",
        key_file.display()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for f in tree(site.path()).values() {
        assert!(
            !String::from_utf8_lossy(f).contains(&garage.secret),
            "a file of the site holds the secret"
        );
    }
    let page = editor.get("/_edit/publishing?done=saved").text();
    assert!(page.contains("A key is saved (GK…"), "{page}");
    assert!(!page.contains(&garage.secret));
    // Check with the saved key: no secret typed.
    assert!(said(fields(BUCKET, "", "", "check")).contains("It works"));

    // Publish from the editor, with no key in the environment: the saved key is used.
    editor.post("/_edit/build", &[]);
    let built = editor.wait_for_job();
    assert!(built.contains("Done."), "{built}");
    editor.post("/_edit/publish", &[]);
    let job = editor.wait_for_job();
    assert!(!job.contains(&garage.secret));
    assert!(
        job.contains("Your site is online at <a href=\"https://fixture.web.deuxfleurs.fr/\">"),
        "{job}"
    );
    let home = garage.web("/", "");
    assert_eq!(home.status, 200, "{job}");
    assert!(home.text().contains("Fixture Harbour"));
    assert!(
        !editor.serve.output.lock().unwrap().contains(&garage.secret),
        "nothing printed holds it"
    );
}

/// Sends the Publishing form as the page shows it, with `changes`, and returns the page that answers.
fn publishing_form(editor: &Editor, changes: &[(&str, &str)]) -> HttpResponse {
    let page = editor.get("/_edit/publishing").text();
    let mut fields = form_fields(&page, Some("/_edit/publishing"));
    for (k, v) in changes {
        fields.insert(k.to_string(), v.to_string());
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    editor.post_raw("/_edit/publishing", &encode(&pairs), "")
}

/// The text beside the capsule's target after Check: `(good news, words)`.
fn target_check(page: &str) -> (bool, String) {
    for (good, id) in [
        (true, "id=\"target-check\""),
        (false, "id=\"target-error\""),
    ] {
        if let Some(at) = page.find(id) {
            let rest = &page[at..];
            let text = &rest[rest.find('>').unwrap() + 1..rest.find("</p>").unwrap()];
            return (good, unescape(text));
        }
    }
    panic!("no word on the capsule's target in\n{page}");
}

/// Check on the Publishing page tries the capsule's target for real: a folder is written to (and left
/// clean), a folder inside the site or under a file is refused, rsync's absence is told, and a host
/// that does not answer is told apart from one that answers but does not let rsync in. Saving the
/// capsule's settings alone needs no bucket.
#[test]
fn check_tries_the_capsules_target_for_real() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    let away = tempfile::tempdir().unwrap();
    let server = away.path().join("gemini-root");
    let check = |method: &str, target: &str| {
        let res = publishing_form(
            &editor,
            &[("method", method), ("target", target), ("action", "check")],
        );
        assert!(res.status < 500, "{}", res.text());
        let text = res.text();
        assert!(
            !text.contains("Write the bucket"),
            "no bucket is needed to check the capsule alone: {text}"
        );
        target_check(&text)
    };

    let (good, said) = check("tarball", "");
    assert!(good, "{said}");
    assert!(said.contains("capsule-gemini.tar.gz"), "{said}");

    let (good, said) = check("directory", server.to_str().unwrap());
    assert!(good && said.starts_with("It works"), "{said}");
    assert!(
        std::fs::read_dir(away.path()).unwrap().count() == 0,
        "the check leaves nothing behind and makes no folder"
    );
    let (good, said) = check("directory", "public/gemini-copy");
    assert!(!good && said.contains("inside it"), "{said}");
    let (good, said) = check("directory", "/etc/passwd/gemini");
    assert!(!good && said.contains("is a file, not a folder"), "{said}");
    let (good, said) = check("directory", "");
    assert!(
        !good && said.starts_with("Write where the capsule goes"),
        "{said}"
    );

    // rsync to a folder on this computer, then to hosts.
    let (good, said) = check("rsync", server.to_str().unwrap());
    assert!(good, "{said}");
    let (good, said) = check("rsync", "me@no-such-host.invalid:gemini/");
    assert!(
        !good && said.contains("no-such-host.invalid cannot be reached"),
        "{said}"
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let (good, said) = check("rsync", &format!("rsync://127.0.0.1:{closed_port}/gemini/"));
    assert!(
        !good && said.contains("127.0.0.1 cannot be reached"),
        "{said}"
    );
    // A host that answers and hangs up: not a daemon rsync can use.
    let rude = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let rude_port = rude.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in rude.incoming() {
            drop(stream);
        }
    });
    let (good, said) = check("rsync", &format!("rsync://127.0.0.1:{rude_port}/gemini/"));
    assert!(
        !good && said.starts_with("127.0.0.1 answers, but rsync could not reach the folder"),
        "{said}"
    );

    // Saved without a bucket: only [publish.gemini] is written.
    let before = std::fs::read_to_string(site.path().join("capsule.toml")).unwrap();
    let saved = publishing_form(
        &editor,
        &[
            ("method", "directory"),
            ("target", server.to_str().unwrap()),
            ("action", "save"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    let after = std::fs::read_to_string(site.path().join("capsule.toml")).unwrap();
    assert!(after.starts_with(&before), "{after}");
    let config: toml::Table = toml::from_str(&after).unwrap();
    assert!(config["publish"].get("html").is_none(), "{after}");
    assert_eq!(
        config["publish"]["gemini"]["method"].as_str(),
        Some("directory")
    );
    editor.post("/_edit/build", &[]);
    assert!(editor.wait_for_job().contains("Done."));
    editor.post("/_edit/publish", &[]);
    let job = editor.wait_for_job();
    assert!(server.join("index.gmi").is_file(), "{job}");
}

/// Without rsync on this computer, Check says so and what to do.
#[test]
fn check_says_when_rsync_is_not_installed() {
    let site = site("basic");
    let empty = tempfile::tempdir().unwrap();
    let editor = Editor::start_with_env(site.path(), &[("PATH", empty.path().to_str().unwrap())]);
    let res = publishing_form(
        &editor,
        &[
            ("method", "rsync"),
            ("target", "me@example.org:gemini/"),
            ("action", "check"),
        ],
    );
    let (good, said) = target_check(&res.text());
    assert!(
        !good && said.starts_with("rsync is not installed on this computer"),
        "{said}"
    );
}

/// Against a real Garage: a key that may read the bucket but not write is told as such, and a bucket
/// named like a domain suggests the site's address when capsule.toml has none.
#[test]
fn check_tells_a_read_only_key_and_suggests_the_address() {
    use common::garage::{Garage, BUCKET, KEY_ID};
    let garage = Garage::start();
    let read_only = ("GK00000000000000000000beef", "5".repeat(64));
    let out = garage.cli(&[
        "key",
        "import",
        "--yes",
        "-n",
        "reader",
        read_only.0,
        &read_only.1,
    ]);
    assert!(out.status.success(), "{out:?}");
    let out = garage.cli(&["bucket", "allow", "--read", BUCKET, "--key", read_only.0]);
    assert!(out.status.success(), "{out:?}");
    let domain = "photos.example.org";
    let out = garage.cli(&["bucket", "create", domain]);
    assert!(out.status.success(), "{out:?}");
    let out = garage.cli(&[
        "bucket", "allow", "--read", "--write", domain, "--key", KEY_ID,
    ]);
    assert!(out.status.success(), "{out:?}");

    let site = site("basic");
    let file = site.path().join("capsule.toml");
    let config = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        config.replace(
            "html_base_url = \"https://fixture.web.deuxfleurs.fr/\"\n",
            "",
        ),
    )
    .unwrap();
    let editor = Editor::start(site.path());
    let endpoint = format!("http://127.0.0.1:{}", garage.s3_port);
    let check = |bucket: &str, id: &str, secret: &str| {
        publishing_form(
            &editor,
            &[
                ("host", "other"),
                ("endpoint", &endpoint),
                ("region", "garage"),
                ("bucket", bucket),
                ("key_id", id),
                ("secret", secret),
                ("action", "check"),
            ],
        )
        .text()
    };
    let said = check(BUCKET, read_only.0, &read_only.1);
    assert!(
        said.contains("The key may read the bucket “capsule-test” but not write to it"),
        "{said}"
    );
    assert_eq!(garage.objects(), 0);
    let said = unescape(&check(domain, KEY_ID, &garage.secret));
    assert!(
        said.contains("It works")
            && said.contains("Your site's address is probably https://photos.example.org/"),
        "{said}"
    );
}

/// A photo just uploaded shows at once in the album's table: the upload makes a small preview
/// (upright, without its metadata) before any build, and the editor serves only photos the table
/// lists.
#[test]
fn a_photo_just_uploaded_shows_its_preview_at_once() {
    let site = site("basic");
    let editor = Editor::start(site.path());
    // Stored 160×120 with EXIF orientation 6 and a camera name: upright, it is 120×160.
    let turned =
        std::fs::read(repo().join("tests/fixtures/basic/content/albums/harbour-2024/rotated.jpg"))
            .unwrap();
    let res = editor.upload("albums%2Fharbour-2024", &[("turned.jpg", &turned)], None);
    assert_eq!(res.status, 303, "{}", res.text());
    // Made by the upload itself, before the answer.
    let made = files_with_ext(&site.path().join(".capsule-cache/previews"), "jpg");
    assert_eq!(made.len(), 1, "{made:?}");

    let page = editor.get(&location(&res)).text();
    let row = &page[page.find("turned.jpg<input").expect("the new row")..];
    let row_start = page[..page.len() - row.len()].rfind("<td>").unwrap();
    let cell = &page[row_start..page.len() - row.len()];
    let src = attr(cell, "src").unwrap_or_else(|| panic!("no preview in {cell}"));
    assert!(
        src.starts_with("/_edit/photo?") || src.contains("turned-"),
        "{src}"
    );
    let preview = editor.get("/_edit/photo?item=albums%2Fharbour-2024&file=turned.jpg");
    assert_eq!(preview.status, 200, "{}", preview.text());
    assert_eq!(preview.header("Content-Type"), Some("image/jpeg"));
    let img = image::load_from_memory(&preview.body).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (120, 160), "upright");
    let px = |x, y| img.get_pixel(x, y).0;
    assert!(
        px(118, 2).iter().all(|&c| c > 200),
        "the mark is top-right: {:?}",
        px(118, 2)
    );
    for marker in [&b"Exif\0\0"[..], b"FixtureCam", b"http://ns.adobe.com/xap"] {
        assert!(
            !preview.body.windows(marker.len()).any(|w| w == marker),
            "the preview carries {:?}",
            String::from_utf8_lossy(marker)
        );
    }
    // Nothing but the table's photos: not another file, not a path out of the album.
    for file in [
        "..%2F..%2F..%2Fcapsule.toml",
        "index.md",
        "nothing.jpg",
        "..%2Fsecret%2Fhidden.jpg",
    ] {
        let res = editor.get(&format!(
            "/_edit/photo?item=albums%2Fharbour-2024&file={file}"
        ));
        assert_eq!(res.status, 404, "{file}");
        assert!(!res.text().contains("title ="), "{file}");
    }
    // Another session's browser gets nothing.
    let outsider = raw_get(
        editor.serve.http,
        "/_edit/photo?item=albums%2Fharbour-2024&file=turned.jpg",
        "",
    );
    assert_ne!(outsider.status, 200);
}

/// A followed site's track, found by a search under the playlist's table and added with one button:
/// the text gets a link to its place on the member's site, the build plays it from there, and removing
/// it takes the link out of the text and nothing to the trash.
#[test]
fn a_followed_sites_track_is_found_and_added_in_the_playlist_table() {
    use common::web::{Behaviour, Web};
    let web = Web::start(Behaviour::Body(std::sync::Arc::new(Vec::new())));
    let _member = common::served_member(&web);
    let url = web.url();
    let site = site("basic");
    let editor = Editor::start(site.path());
    let table = "/_edit/playlist?item=playlists%2Fnight-drive";
    let index = editor.root().join("content/playlists/night-drive/index.md");

    // Following nobody, the page says where to follow a site.
    let page = editor.get(table).text();
    assert!(page.contains("Follow other members"), "{page}");

    // Following the member (as the Settings page writes it), after a build.
    common::add_to_config(editor.root(), &format!("[library]\nfollow = [\"{url}\"]\n"));
    editor.post("/_edit/build", &[]);
    assert!(editor.wait_for_job().contains("Done."));
    let page = editor.get(&format!("{table}&find=moss")).text();
    let add = format!("add:{url}playlists/night/#track-moss");
    assert!(page.contains(&format!("value=\"{add}\"")), "{page}");
    assert!(
        page.contains("Moss Bank — Moss (0:01) · on Music fixture"),
        "{page}"
    );
    assert!(
        !page.contains("Glacier"),
        "the search for moss shows {page}"
    );

    // An address that is none of the member's is refused, and the text stays as it was.
    let before = std::fs::read_to_string(&index).unwrap();
    let fingerprint = form_fields(&page, Some("/_edit/playlist"))["fingerprint"].clone();
    let post = |action: &str, fingerprint: &str| {
        editor.post(
            "/_edit/playlist",
            &[
                ("item", "playlists/night-drive"),
                ("fingerprint", fingerprint),
                ("count", "0"),
                ("action", action),
            ],
        )
    };
    let refused = post("add:https://evil.example/#track-x", &fingerprint);
    assert_eq!(refused.status, 400);
    assert_eq!(std::fs::read_to_string(&index).unwrap(), before);

    let res = post(&add, &fingerprint);
    assert!(location(&res).ends_with("&done=saved"), "{}", res.text());
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(
        text.ends_with(&format!(
            "\n\n[Moss Bank](<{url}playlists/night/#track-moss>)\n"
        )),
        "{text}"
    );
    assert!(text.starts_with(&before.trim_end().to_string()), "{text}");

    // The table shows it with where it plays from; the search no longer offers it.
    let page = editor.get(&format!("{table}&find=moss")).text();
    assert!(
        page.contains("<td>on Music fixture<input type=\"hidden\""),
        "{page}"
    );
    assert!(page.contains("<td>Moss Bank</td>\n<td>Moss</td>"), "{page}");
    assert!(!page.contains(&format!("value=\"{add}\"")), "{page}");

    let html = editor.build_and_read("html/playlists/night-drive/index.html");
    assert!(
        html.contains(&format!("<source src=\"{url}music/tracks/moss.opus\"")),
        "{html}"
    );

    // Removed: the text keeps the words, and nothing goes to the trash.
    let res = remove_track(&editor, &page, |file| file.starts_with(&url));
    assert!(location(&res).ends_with("&done=saved"), "{}", res.text());
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(
        text.ends_with("\n\nMoss Bank\n") && !text.contains(&url),
        "{text}"
    );
    assert!(!text.contains("[tracks.\"http"), "{text}");
    assert!(!editor.get("/_edit/trash").text().contains("Moss"));

    // The dashboard counts what the build will have: a link that no followed site publishes is no track.
    let mut text = std::fs::read_to_string(&index).unwrap();
    text.push_str(&format!(
        "\n[Moss]({url}playlists/night/#track-moss)\n\n[Nowhere](https://nowhere.example/x.mp3)\n"
    ));
    std::fs::write(&index, text).unwrap();
    let dash = editor.get("/_edit/").text();
    let row = &dash[dash.find("playlists%2Fnight-drive\">").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td class=\"n\">4</td>"), "{row}");
}
