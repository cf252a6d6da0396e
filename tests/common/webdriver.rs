//! A real headless browser for the tests: Debian's chromium driven by chromedriver over the W3C
//! WebDriver protocol (plain HTTP and JSON, through ureq), with the few commands the tests need.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::tool;

/// The key under which WebDriver returns an element's id.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub(crate) struct Browser {
    driver: Child,
    base: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

pub(crate) struct Element<'b> {
    browser: &'b Browser,
    id: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session (installs both with apt-get if missing).
    pub(crate) fn start() -> Browser {
        let driver_bin = tool(
            "chromedriver",
            &[
                "apt-get",
                "install",
                "-y",
                "-qq",
                "chromium",
                "chromium-driver",
            ],
        );
        let chromium = tool("chromium", &["apt-get", "install", "-y", "-qq", "chromium"]);
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            agent,
            _profile: profile,
        };
        let started = Instant::now();
        while browser.call("GET", "/status", None).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1100,1400",
            &format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let session = browser
            .call("POST", "/session", Some(caps))
            .expect("a browser session");
        let id = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        browser.base = format!("{}/session/{id}", browser.base);
        browser
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let result = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(json!({})).to_string()),
        };
        let mut resp = result.map_err(|e| e.to_string())?;
        let text = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        let value: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        if value["value"]["error"].is_string() {
            return Err(value["value"].to_string());
        }
        Ok(value["value"].clone())
    }

    /// Makes the pages see `prefers-color-scheme: dark` (or light), through Chromium's DevTools.
    pub(crate) fn color_scheme(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Emulation.setEmulatedMedia", "params": {
                "features": [{"name": "prefers-color-scheme", "value": value}]
            }})),
        )
        .unwrap();
    }

    /// Makes the page as wide and high as a screen of `width`×`height` CSS pixels at `scale` device
    /// pixels each, as a phone (`mobile`) or a computer would, through Chromium's DevTools.
    pub(crate) fn viewport(&self, width: u32, height: u32, scale: f64, mobile: bool) {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(
                json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                    "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile
                }}),
            ),
        )
        .unwrap();
    }

    /// The violations axe-core finds on the current page for the WCAG 2.1 A and AA rules, and its
    /// best practices when `best_practices`; `axe` is the text of axe.min.js.
    pub(crate) fn axe(&self, axe: &str, best_practices: bool) -> Vec<String> {
        self.execute(&format!("{axe}\nreturn true;"));
        let tags = if best_practices {
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']"
        } else {
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
        };
        let found = self.execute_async(&format!(
            "const done = arguments[arguments.length - 1];\n\
             axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}}})\n\
             .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\n\
             .catch(e => done(['axe failed: ' + e]));"
        ));
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or("?").to_string())
            .collect()
    }

    pub(crate) fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })))
            .unwrap();
    }

    pub(crate) fn url(&self) -> String {
        self.call("GET", "/url", None)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    pub(crate) fn source(&self) -> String {
        self.call("GET", "/source", None)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The visible text of the page.
    pub(crate) fn text(&self) -> String {
        for _ in 0..50 {
            if let Some(body) = self.try_find("body") {
                if let Ok(text) = self.call("GET", &body.path("text"), None) {
                    return text.as_str().unwrap_or("").to_string();
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the page has no readable body")
    }

    /// The id of the current document's body: it changes when a new page has loaded.
    fn page_id(&self) -> Option<String> {
        self.try_find("body").map(|b| b.id)
    }

    /// Waits until a page other than `old` has loaded completely.
    fn wait_for_new_page(&self, old: Option<String>) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            let ready = self
                .call(
                    "POST",
                    "/execute/sync",
                    Some(json!({"script": "return document.readyState", "args": []})),
                )
                .ok()
                .and_then(|v| v.as_str().map(str::to_string));
            let id = self.page_id();
            if ready.as_deref() == Some("complete") && id.is_some() && id != old {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no new page loaded after a click on {}", self.url());
    }

    pub(crate) fn find(&self, css: &str) -> Element<'_> {
        self.try_find(css)
            .unwrap_or_else(|| panic!("no element {css} on {}:\n{}", self.url(), self.text()))
    }

    pub(crate) fn try_find(&self, css: &str) -> Option<Element<'_>> {
        let found = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .ok()?;
        Some(Element {
            browser: self,
            id: found[ELEMENT].as_str()?.to_string(),
        })
    }

    /// Runs `script` in the page (as WebDriver does, outside the page's Content-Security-Policy) and
    /// returns what it returned.
    pub(crate) fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .unwrap()
    }

    /// Runs `script`, which calls its last argument with the result when it is done.
    pub(crate) fn execute_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .unwrap()
    }

    /// A PNG of what the browser shows.
    pub(crate) fn screenshot(&self, to: &Path) {
        use base64::Engine;
        let data = self.call("GET", "/screenshot", None).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        std::fs::write(to, bytes).unwrap();
    }
}

impl Element<'_> {
    fn path(&self, what: &str) -> String {
        format!("/element/{}/{what}", self.id)
    }

    /// Clicks a link or a button that loads another page, and waits until that page has loaded.
    pub(crate) fn click(&self) {
        let old = self.browser.page_id();
        self.browser
            .call("POST", &self.path("click"), None)
            .unwrap();
        self.browser.wait_for_new_page(old);
    }

    /// Clicks something that stays on the same page (a checkbox, a radio button).
    pub(crate) fn tick(&self) {
        self.browser
            .call("POST", &self.path("click"), None)
            .unwrap();
    }

    /// Types `text` into the element (for a file input: the paths of the files, one a line).
    pub(crate) fn type_text(&self, text: &str) {
        self.browser
            .call("POST", &self.path("value"), Some(json!({ "text": text })))
            .unwrap();
    }

    pub(crate) fn clear(&self) {
        self.browser
            .call("POST", &self.path("clear"), None)
            .unwrap();
    }

    pub(crate) fn text(&self) -> String {
        self.browser
            .call("GET", &self.path("text"), None)
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub(crate) fn value(&self) -> String {
        self.browser
            .call("GET", &self.path("property/value"), None)
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call("DELETE", "", None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
