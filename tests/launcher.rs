//! capsule started as the applications menu starts it (`capsule edit --welcome`), with a home folder that
//! holds no site and no configuration: the welcome page makes and opens sites with no restart, a second
//! launch opens a fresh login of the running one, and *Stop capsule* ends the process.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::servers::{http_request, HttpResponse, Serve};
use common::webdriver::Browser;

/// A `capsule edit --welcome` with its own home folder.
struct Launched {
    serve: Serve,
    home: tempfile::TempDir,
    port: u16,
    cookie: String,
    csrf: String,
}

fn launch_in(home: &Path, extra: &[&str]) -> std::process::Command {
    launch_in_lang(home, extra, "C.UTF-8")
}

fn launch_in_lang(home: &Path, extra: &[&str], lang: &str) -> std::process::Command {
    let mut command = common::capsule();
    command
        .current_dir(home)
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .args(["edit", "--welcome", "--no-browser", "--gemini-port", "0"])
        .args(extra);
    command
}

impl Launched {
    fn start() -> Launched {
        Launched::start_in("C.UTF-8")
    }

    /// With the computer's language `lang` (LANG).
    fn start_in(lang: &str) -> Launched {
        let home = tempfile::tempdir().unwrap();
        let serve = Serve::spawn(
            launch_in_lang(home.path(), &["--http-port", "0"], lang),
            home.path(),
        );
        let login = serve
            .login
            .clone()
            .unwrap_or_else(|| panic!("no login address:\n{}", serve.output.lock().unwrap()));
        let mut launched = Launched {
            port: serve.http,
            serve,
            home,
            cookie: String::new(),
            csrf: String::new(),
        };
        launched.log_in(&login);
        launched
    }

    fn log_in(&mut self, login: &str) {
        let res = get(self.port, path_of(login), "");
        assert_eq!(res.status, 303, "{}", res.text());
        self.cookie = res
            .header("Set-Cookie")
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .into();
        let page = self.get("/_edit/").text();
        self.csrf = field(&page, "csrf").expect("the page's forms carry a token");
    }

    fn get(&self, path: &str) -> HttpResponse {
        get(self.port, path, &format!("Cookie: {}\r\n", self.cookie))
    }

    fn post(&self, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let port = self.port;
        http_request(
            port,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                self.cookie,
                body.len()
            ),
        )
    }

    fn config_dir(&self) -> PathBuf {
        self.home.path().join(".config/capsule")
    }

    /// A fresh login address, as a second launch gets it.
    fn second_launch(&self) -> String {
        let second = finished(
            launch_in(self.home.path(), &["--http-port", "0"]),
            Duration::from_secs(30),
        );
        let said = common::text(&second);
        assert!(second.status.success(), "{said}");
        said.split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address: {said}"))
            .to_string()
    }

    /// Waits for the process to end by itself.
    fn wait_for_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.serve.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

/// Runs `command` to its end, or kills it and fails after `within` (a launch that did not hand over
/// would serve forever).
fn finished(mut command: std::process::Command, within: Duration) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > within {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {within:?}:\n{}", common::text(&out));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

fn port_of(url: &str) -> u16 {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .expect("a loopback address");
    rest[..rest.find('/').unwrap()].parse().unwrap()
}

fn path_of(url: &str) -> &str {
    let rest = url.strip_prefix("http://").unwrap();
    &rest[rest.find('/').unwrap()..]
}

fn get(port: u16, path: &str, headers: &str) -> HttpResponse {
    http_request(
        port,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n{headers}Connection: close\r\n\r\n"
        ),
    )
}

/// The value of the first input named `name` in a page.
fn field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    Some(html[at..at + html[at..].find('"')?].to_string())
}

#[test]
fn the_welcome_page_creates_a_site_and_opens_it_with_no_restart() {
    let app = Launched::start();
    let welcome = app.get("/_edit/");
    assert_eq!(welcome.status, 200);
    let page = welcome.text();
    assert!(page.contains("Welcome to capsule"), "{page}");
    assert!(page.contains("You have no site yet"), "{page}");
    // The preview has no site to show yet: it leads to the welcome page.
    assert_eq!(get(app.port, "/", "").status, 303);

    // A title is needed; the form says so next to the field and keeps what was typed.
    let refused = app.post(
        "/_edit/create-site",
        &[("title", " "), ("author", "Camille")],
    );
    assert_eq!(refused.status, 400);
    assert!(refused.text().contains("Give the site a title."));
    assert!(refused.text().contains("value=\"Camille\""));

    let made = app.post(
        "/_edit/create-site",
        &[
            ("title", "Les quais"),
            ("author", "Camille Martin"),
            ("language", "fr"),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.text());
    let site = app.home.path().join("Capsule/les-quais");
    let config = std::fs::read_to_string(site.join("capsule.toml")).unwrap();
    assert!(config.contains("title = \"Les quais\"\n"), "{config}");
    assert!(config.contains("author = \"Camille Martin\"\n"), "{config}");
    assert!(config.contains("language = \"fr\"\n"), "{config}");
    assert!(
        config.starts_with("# capsule.toml: the settings of this site."),
        "the comments stay"
    );

    // The same process now edits the new site, in its language.
    let dashboard = app.get("/_edit/").text();
    assert!(
        dashboard.contains("Les quais · Éditeur") || dashboard.contains("Les quais ·"),
        "{dashboard}"
    );
    assert!(dashboard.contains("lang=\"fr\""), "{dashboard}");
    let mut built = false;
    for _ in 0..300 {
        let home = get(app.port, "/", "");
        if home.status == 200 && home.text().contains("Les quais") {
            built = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        built,
        "the new site's preview is served:\n{}",
        app.serve.output.lock().unwrap()
    );

    // The welcome page lists it, marked as the open one.
    let list = app.get("/_edit/welcome").text();
    assert!(list.contains("Les quais"), "{list}");
    let sites = std::fs::read_to_string(app.config_dir().join("sites.toml")).unwrap();
    assert!(sites.contains("les-quais"), "{sites}");
    // Making it again in the same folder is refused, and names the folder.
    let again = app.post("/_edit/create-site", &[("title", "Les quais")]);
    assert_eq!(again.status, 400);
    assert!(again.text().contains("les-quais"), "{}", again.text());
}

#[test]
fn a_site_is_opened_by_its_folder_and_a_folder_without_one_is_refused() {
    let app = Launched::start();
    let other = app.home.path().join("photos");
    let made = common::run(&["new", other.to_str().unwrap()]);
    assert!(made.status.success(), "{}", common::text(&made));

    let empty = app.home.path().join("Documents");
    std::fs::create_dir_all(&empty).unwrap();
    let refused = app.post("/_edit/open", &[("folder", "~/Documents")]);
    assert_eq!(refused.status, 400);
    let text = refused.text();
    assert!(text.contains("holds no capsule site"), "{text}");
    assert!(
        text.contains(&empty.display().to_string()),
        "names the folder: {text}"
    );

    let opened = app.post("/_edit/open", &[("folder", "photos")]);
    assert_eq!(opened.status, 303, "{}", opened.text());
    let dashboard = app.get("/_edit/").text();
    assert!(dashboard.contains("My capsule"), "{dashboard}");
    assert!(
        !app.home.path().join("Capsule").exists(),
        "nothing was made"
    );
}

#[cfg(unix)]
#[test]
fn a_second_launch_opens_a_fresh_login_of_the_running_one() {
    use std::os::unix::fs::PermissionsExt;
    let mut app = Launched::start();
    let instance = app.config_dir().join("instance.toml");
    let mode = std::fs::metadata(&instance).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the secret is for the user alone");

    // The browser was closed: its session cookie is gone. The menu entry is clicked again.
    let second = finished(
        launch_in(app.home.path(), &["--http-port", "0"]),
        Duration::from_secs(30),
    );
    let said = common::text(&second);
    assert!(second.status.success(), "{said}");
    assert!(said.contains("already running"), "{said}");
    let url = said
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address: {said}"));
    assert_eq!(port_of(url), app.port, "the running one's address");
    assert!(url.contains("/_edit/login?token="));
    app.log_in(url);
    assert!(app.get("/_edit/").text().contains("Welcome to capsule"));

    // Without the secret, nobody gets a login.
    let port = app.port;
    let forged = http_request(
        port,
        &format!("POST /_edit/instance HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Capsule-Instance: guess\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(forged.status, 403);
    assert!(!forged.text().contains("token"));
    assert!(app.wait_for_exit(Duration::from_millis(10)).is_none());
}

#[test]
fn stop_capsule_ends_the_process_and_the_next_launch_starts_afresh() {
    let mut app = Launched::start();
    let instance = app.config_dir().join("instance.toml");
    assert!(instance.exists());
    let page = app.get("/_edit/").text();
    assert!(
        page.contains("action=\"/_edit/stop\""),
        "every page offers to stop: {page}"
    );
    let stopping = app.post("/_edit/stop", &[]);
    assert_eq!(stopping.status, 200);
    assert!(stopping.text().contains("capsule is stopping"));
    let status = app
        .wait_for_exit(Duration::from_secs(20))
        .unwrap_or_else(|| {
            panic!(
                "capsule did not stop:\n{}",
                app.serve.output.lock().unwrap()
            )
        });
    assert!(status.success(), "{status:?}");
    assert!(
        !instance.exists(),
        "the entry for a second launch is removed"
    );
    assert!(app.serve.output.lock().unwrap().contains("Stopped."));
}

/// The welcome page, a refused form and the page that says capsule stops pass axe-core (WCAG 2.1 A and
/// AA) in Chromium, light and dark, in English and in French (the computer's language, as no site is
/// open yet).
#[test]
fn the_welcome_and_stop_pages_pass_axe_light_and_dark_in_english_and_french() {
    let axe = common::axe_script();
    let mut problems = Vec::new();
    for (lang, welcome) in [
        ("C.UTF-8", "Welcome to capsule"),
        ("fr_FR.UTF-8", "Bienvenue dans capsule"),
    ] {
        let mut app = Launched::start_in(lang);
        let browser = Browser::start();
        browser.go(&app.second_launch());
        assert!(browser.source().contains(welcome), "{}", browser.source());
        let mut check = |what: &str| {
            for dark in [false, true] {
                browser.color_scheme(dark);
                for v in browser.axe(&axe, false) {
                    problems.push(format!("{lang} {what} (dark: {dark}): {v}"));
                }
            }
        };
        check("welcome");
        browser.find("#folder").type_text("nowhere");
        browser
            .find("section[aria-labelledby=open-site] button")
            .click();
        assert!(
            browser.source().contains("aria-invalid=\"true\""),
            "{}",
            browser.source()
        );
        check("refused folder");
        browser.find("footer button").click();
        assert!(browser.source().contains("capsule"), "{}", browser.source());
        check("stopping");
        assert!(
            app.wait_for_exit(Duration::from_secs(20)).is_some(),
            "the button stopped capsule"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
