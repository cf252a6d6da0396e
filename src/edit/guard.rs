//! Who may use the editor: a request must name a loopback host (no DNS rebinding), carry the session
//! cookie that the one-time login address set, and, for a POST, the form's CSRF token from a same-origin
//! page. Every editor response carries a strict Content-Security-Policy.

use std::sync::Mutex;

use ring::rand::{SecureRandom, SystemRandom};
use tiny_http::Request;

use crate::locks::lock;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "capsule_edit";

/// How many sessions stay open at once (each login, the first and each second launch's, opens one).
const SESSIONS: usize = 8;

/// Headers on every editor response: no script, no frame, no plugin, forms only to the editor itself.
/// The referrer policy is `same-origin` (not `no-referrer`, which makes browsers send `Origin: null`).
pub(crate) const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "Content-Security-Policy",
        "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
];

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The Host header is not a loopback name with the editor's port.
    Host,
    /// No valid session: the login address was not used, or was used already.
    Session,
    /// A POST without the right CSRF token, or sent from another site.
    Csrf,
}

/// The secrets of one `capsule edit` process.
pub(crate) struct Guard {
    port: u16,
    /// The token of the login address, until it is used.
    login: Mutex<Option<String>>,
    /// The sessions logins opened, newest last: a second launch's login adds one, and the tab opened
    /// before keeps working (at most `SESSIONS`).
    sessions: Mutex<Vec<String>>,
    /// Carried by every form, checked on every POST.
    pub csrf: String,
}

/// 32 random bytes in hex, from the system's secure generator.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The system generator only fails when the OS has no entropy source at all.
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random number generator works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets in time that does not depend on where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of the first header named `name`.
pub(crate) fn header<'r>(request: &'r Request, name: &'static str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

impl Guard {
    pub(crate) fn new(port: u16) -> Guard {
        Guard {
            port,
            login: Mutex::new(Some(random_token())),
            sessions: Mutex::new(Vec::new()),
            csrf: random_token(),
        }
    }

    /// The token of the login address (`/_edit/login?token=…`), while it is unused.
    pub(crate) fn login_token(&self) -> Option<String> {
        lock(&self.login).clone()
    }

    /// A new login address's token, for a second launch of capsule; the session it opens joins the
    /// others.
    pub(crate) fn fresh_login(&self) -> String {
        let token = random_token();
        *lock(&self.login) = Some(token.clone());
        token
    }

    /// The hosts a request may name: loopback names with the editor's port.
    fn allowed_host(&self, host: &str) -> bool {
        let port = self.port;
        [
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Checks the Host header (every request, the login one too).
    pub(crate) fn check_host(&self, request: &Request) -> Result<(), Refusal> {
        match header(request, "Host") {
            Some(host) if self.allowed_host(host.trim()) => Ok(()),
            _ => Err(Refusal::Host),
        }
    }

    /// Uses the login token once: the session id to set as the cookie, or `None` if the token is wrong
    /// or was used already.
    pub(crate) fn log_in(&self, token: &str) -> Option<String> {
        let mut login = lock(&self.login);
        let expected = login.as_deref()?;
        if !same_secret(expected, token) {
            return None;
        }
        *login = None;
        let session = random_token();
        let mut sessions = lock(&self.sessions);
        sessions.push(session.clone());
        let extra = sessions.len().saturating_sub(SESSIONS);
        sessions.drain(..extra);
        Some(session)
    }

    /// Checks the session cookie.
    pub(crate) fn check_session(&self, request: &Request) -> Result<(), Refusal> {
        let sessions = lock(&self.sessions);
        let sent = header(request, "Cookie")
            .into_iter()
            .flat_map(|c| c.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, value)| name == COOKIE && sessions.iter().any(|s| same_secret(s, value)));
        if sent {
            Ok(())
        } else {
            Err(Refusal::Session)
        }
    }

    /// Checks that a POST comes from the editor's own pages: same origin, and the form's token.
    pub(crate) fn check_post(&self, request: &Request, token: Option<&str>) -> Result<(), Refusal> {
        if let Some(site) = header(request, "Sec-Fetch-Site") {
            if !matches!(site, "same-origin" | "none") {
                return Err(Refusal::Csrf);
            }
        }
        if let Some(origin) = header(request, "Origin") {
            let host = origin.strip_prefix("http://").unwrap_or("");
            if !self.allowed_host(host) {
                return Err(Refusal::Csrf);
            }
        }
        match token {
            Some(t) if same_secret(&self.csrf, t) => Ok(()),
            _ => Err(Refusal::Csrf),
        }
    }

    /// The cookie that a successful login sets.
    pub(crate) fn cookie(session: &str) -> String {
        format!("{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/_edit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_token_works_once() {
        let guard = Guard::new(8000);
        let token = guard.login_token().unwrap();
        assert_eq!(guard.log_in("wrong"), None);
        let session = guard.log_in(&token).expect("first use");
        assert_eq!(session.len(), 64);
        assert_eq!(guard.log_in(&token), None, "second use");
        assert_eq!(guard.login_token(), None);
    }

    #[test]
    fn only_loopback_names_with_the_port_are_hosts() {
        let guard = Guard::new(8123);
        for ok in [
            "localhost:8123",
            "127.0.0.1:8123",
            "[::1]:8123",
            "LOCALHOST:8123",
        ] {
            assert!(guard.allowed_host(ok), "{ok}");
        }
        for bad in [
            "evil.example:8123",
            "localhost",
            "127.0.0.1:80",
            "localhost:8123.evil",
        ] {
            assert!(!guard.allowed_host(bad), "{bad}");
        }
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
