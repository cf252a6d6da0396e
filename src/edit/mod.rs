//! `capsule edit`: the preview of `capsule serve` with a local editor under `/_edit/`, made of plain
//! HTML forms (no JavaScript). `guard` decides who may use it, `forms` reads what they send, `pages`
//! answers, `markdown` edits the writer's text in place, and `write` is the only door into `content/`.

mod album;
mod dashboard;
mod forms;
mod guard;
mod jobs;
mod launcher;
mod markdown;
mod pages;
mod photos;
mod preview;
mod publishing;
mod publishing_words;
mod settings;
mod settings_words;
mod text;
mod tracks;
mod upload;
mod welcome_words;
mod words;
mod write;

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use tiny_http::{Header, Method, Request, Response};

use crate::error::Error;
use crate::serve::http::Extension;
use crate::serve::live::Live;
use crate::serve::{self, ServeOptions};
use guard::{Guard, Refusal};

pub(crate) struct EditOptions {
    /// The site of `--root`; without it, the current folder if it holds a site, else the welcome page.
    pub root: Option<PathBuf>,
    /// Open the welcome page whatever the current folder holds (the desktop entry does).
    pub welcome: bool,
    pub bind: IpAddr,
    pub http_port: u16,
    pub gemini_port: u16,
    pub gemini: bool,
    pub open_browser: bool,
}

/// Builds the site, serves the preview and the editor, and prints the one-time login address. Without
/// a site, the welcome page opens one; where a welcome page already runs, it is asked for a fresh login.
pub(crate) fn run(opts: EditOptions) -> Result<(), Error> {
    if !opts.bind.is_loopback() {
        return Err(Error::Usage(format!(
            "capsule edit listens only on this computer (127.0.0.1 or ::1), not on {}: whoever reaches the \
             editor can change your site. Leave out --bind; to show the preview to others, use `capsule serve --bind`.",
            opts.bind
        )));
    }
    let site = launcher::site_to_open(opts.root.as_deref(), opts.welcome);
    let welcome = site.is_none();
    match &site {
        // Listed on the welcome page from now on; a list that cannot be written is no reason to stop.
        Some(root) if launcher::is_site(root) => {
            let _ = crate::userconf::remember(root);
        }
        Some(_) => {}
        // One capsule at a time: a second launch opens the running one, logged in afresh.
        None => {
            if let Some(url) = launcher::hand_over() {
                crate::say::out(format_args!(
                    "capsule is already running; opening it: {url}"
                ));
                if opts.open_browser {
                    open_in_browser(&url);
                }
                return Ok(());
            }
        }
    }
    let editor = Arc::new(Editor {
        guard: OnceLock::new(),
        notes: Mutex::new(HashMap::new()),
        jobs: jobs::Jobs::default(),
        stop: OnceLock::new(),
        instance: OnceLock::new(),
    });
    let ready_editor = editor.clone();
    let open_browser = opts.open_browser;
    let host = match opts.bind {
        IpAddr::V6(_) => "[::1]",
        IpAddr::V4(_) => "127.0.0.1",
    };
    let served = serve::run_with(
        ServeOptions {
            root: site,
            bind: opts.bind,
            http_port: opts.http_port,
            gemini_port: opts.gemini_port,
            gemini: opts.gemini,
            drafts: false,
            any_free_port: welcome,
        },
        Some(editor.clone()),
        &move |ready| {
            let guard = ready_editor.guard.get_or_init(|| Guard::new(ready.port));
            let _ = ready_editor.stop.set(ready.stop);
            if welcome {
                match launcher::register(ready.port) {
                    Ok(instance) => {
                        let _ = ready_editor.instance.set(instance);
                    }
                    Err(e) => crate::say::err(format_args!(
                        "warning: {e}; a second launch will not find this capsule"
                    )),
                }
            }
            let token = guard.login_token().unwrap_or_default();
            let url = format!("http://{host}:{}/_edit/login?token={token}", ready.port);
            crate::say::out(format_args!("Editor:           {url}"));
            crate::say::out(format_args!(
                "  (open this address once in your browser; it logs you in)"
            ));
            if open_browser {
                open_in_browser(&url);
            }
        },
    );
    if let Some(instance) = editor.instance.get() {
        instance.remove();
    }
    served
}

/// Asks the desktop to open `url` in the default browser; does nothing where it cannot.
fn open_in_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// The editor's routes, beside the preview's.
struct Editor {
    /// Made once the HTTP port is known.
    guard: OnceLock<Guard>,
    /// What an upload refused, kept for the page its redirect leads to (Post/Redirect/Get).
    notes: Mutex<HashMap<String, Vec<String>>>,
    /// Build, fit and publish, one at a time, in the background.
    jobs: jobs::Jobs,
    /// Stops the server, as Ctrl-C does (the *Stop capsule* button).
    stop: OnceLock<std::sync::mpsc::Sender<()>>,
    /// This editor's entry for a second launch, on the welcome page.
    instance: OnceLock<crate::userconf::Instance>,
}

/// An editor response.
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(crate) fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    /// A JPEG the editor made: a photo's preview.
    pub(crate) fn jpeg(body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type: "image/jpeg",
            body,
            headers: Vec::new(),
        }
    }

    /// 303 See Other: after a POST, the browser GETs `location` (a reload never submits twice).
    pub(crate) fn see_other(location: String) -> Reply {
        Reply {
            status: 303,
            content_type: "text/plain; charset=utf-8",
            body: Vec::new(),
            headers: vec![("Location", location)],
        }
    }
}

impl Extension for Editor {
    fn owns(&self, path: &str) -> bool {
        path == "/_edit" || path.starts_with("/_edit/")
    }

    fn handle(&self, mut request: Request, live: &Arc<Live>) {
        let reply = self.answer(&mut request, live);
        let mut headers: Vec<Header> = guard::SECURITY_HEADERS
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .chain([("Content-Type", reply.content_type.to_string())])
            .chain(reply.headers)
            .filter_map(|(k, v)| Header::from_bytes(k.as_bytes(), v.as_bytes()).ok())
            .collect();
        headers.dedup_by(|a, b| a.field == b.field);
        let length = reply.body.len();
        let response = Response::new(
            reply.status.into(),
            headers,
            std::io::Cursor::new(reply.body),
            Some(length),
            None,
        )
        .with_chunked_threshold(usize::MAX);
        let _ = request.respond(response);
    }
}

impl Editor {
    fn answer(&self, request: &mut Request, live: &Arc<Live>) -> Reply {
        let root = live.root();
        let page = match &root {
            Some(root) => pages::Pages::new(root),
            None => pages::Pages::without_site(),
        };
        let Some(guard) = self.guard.get() else {
            return Reply::html(503, page.message(503, "…", "Starting.", false));
        };
        if let Err(refusal) = guard.check_host(request) {
            return page.refused(refusal);
        }
        let url = request.url().to_string();
        let path = url.split(['?', '#']).next().unwrap_or("/");
        let query = forms::query(&url);
        let method = request.method().clone();
        match (&method, path) {
            (Method::Get, "/_edit/style.css") => return page.stylesheet(),
            (Method::Post, launcher::INSTANCE_ROUTE) => return self.fresh_login(request, guard),
            (Method::Get, "/_edit/login") => {
                return match guard.log_in(query.get("token").unwrap_or("")) {
                    Some(session) => {
                        let mut reply = Reply::see_other("/_edit/".into());
                        reply.headers.push(("Set-Cookie", Guard::cookie(&session)));
                        reply
                    }
                    None => page.refused(Refusal::Session),
                };
            }
            _ => {}
        }
        if let Err(refusal) = guard.check_session(request) {
            return page.refused(refusal);
        }
        let welcome = |form| launcher::welcome(&page, &guard.csrf, root.as_deref(), form, 200);
        let Some(root) = root.clone() else {
            // No site is open yet: the welcome page, and what it sends.
            return match (&method, path) {
                (Method::Post, _) => match checked_form(request, &page, guard) {
                    Ok(form) => self.welcome_action(path, &form, &page, guard, live),
                    Err(reply) => reply,
                },
                _ => welcome(launcher::WelcomeForm::default()),
            };
        };
        let done = query.get("done");
        match (&method, path) {
            (Method::Get | Method::Head, "/_edit/welcome") => {
                welcome(launcher::WelcomeForm::default())
            }
            (Method::Get | Method::Head, "/_edit" | "/_edit/") => {
                page.dashboard(&guard.csrf, live, done)
            }
            (Method::Get | Method::Head, "/_edit/new") => {
                page.new_form(&guard.csrf, query.get("kind").unwrap_or(""))
            }
            (Method::Get | Method::Head, "/_edit/text") => {
                page.text_form(&guard.csrf, query.get("item").unwrap_or(""), done)
            }
            (Method::Get | Method::Head, "/_edit/trash") => page.trash(&guard.csrf, done),
            (Method::Get | Method::Head, "/_edit/settings") => page.settings(&guard.csrf, done),
            (Method::Get | Method::Head, "/_edit/publishing") => page.publishing(&guard.csrf, done),
            (Method::Get | Method::Head, "/_edit/job") => {
                self.jobs
                    .page(&page, &guard.csrf, query.get("busy").is_some())
            }
            (Method::Get | Method::Head, "/_edit/photo") => page.photo_preview(
                query.get("item").unwrap_or(""),
                query.get("file").unwrap_or(""),
            ),
            (Method::Get | Method::Head, "/_edit/album" | "/_edit/playlist") => {
                // What the upload that led here refused, said once.
                let refused = query
                    .get("note")
                    .and_then(|n| crate::locks::lock(&self.notes).remove(n))
                    .unwrap_or_default();
                let item = query.get("item").unwrap_or("");
                if path == "/_edit/album" {
                    page.album_page(&guard.csrf, item, done, &refused)
                } else {
                    page.playlist_page(&guard.csrf, item, done, &refused, query.get("find"))
                }
            }
            (Method::Post, "/_edit/upload") => {
                // The token comes in the address, so nothing is read from a forged upload.
                if let Err(refusal) = guard.check_post(request, query.get("csrf")) {
                    return page.refused(refusal);
                }
                let cover = query.get("cover").is_some();
                match page.upload(request, query.get("item").unwrap_or(""), cover) {
                    Ok((back, refused)) => {
                        let mut location = format!("{back}&done=uploaded");
                        if !refused.is_empty() {
                            let id = guard::random_token();
                            location.push_str(&format!("&note={id}"));
                            crate::locks::lock(&self.notes).insert(id, refused);
                        }
                        Reply::see_other(location)
                    }
                    Err(reply) => reply,
                }
            }
            (Method::Post, _) => {
                let form = match checked_form(request, &page, guard) {
                    Ok(form) => form,
                    Err(reply) => return reply,
                };
                match path {
                    "/_edit/open" | "/_edit/create-site" | "/_edit/stop" => {
                        self.welcome_action(path, &form, &page, guard, live)
                    }
                    "/_edit/new" => page.create(&guard.csrf, &form),
                    "/_edit/settings" => page.save_settings(&guard.csrf, &form),
                    "/_edit/publishing" => page.save_publishing(&guard.csrf, &form),
                    "/_edit/text" => page.save_text(&guard.csrf, &form),
                    "/_edit/preview" => page.preview(&guard.csrf, &form),
                    "/_edit/album" => page.save_album(&form),
                    "/_edit/playlist" => page.save_playlist(&form),
                    "/_edit/delete" => page.delete(&form),
                    "/_edit/restore" => page.restore(&form),
                    "/_edit/build" | "/_edit/fit" | "/_edit/publish" => {
                        let kind = match path {
                            "/_edit/build" => jobs::Kind::Build,
                            "/_edit/fit" => jobs::Kind::Fit,
                            _ => jobs::Kind::Publish,
                        };
                        if self.jobs.start(kind, live.clone(), root) {
                            Reply::see_other("/_edit/job".into())
                        } else {
                            Reply::see_other("/_edit/job?busy=1".into())
                        }
                    }
                    _ => page.not_found(),
                }
            }
            (Method::Get | Method::Head, _) => page.not_found(),
            _ => {
                let mut reply = Reply::html(405, page.message(405, "…", "GET or POST.", true));
                reply.headers.push(("Allow", "GET, HEAD, POST".into()));
                reply
            }
        }
    }

    /// Opens a site, makes one, or stops capsule.
    fn welcome_action(
        &self,
        path: &str,
        form: &forms::Form,
        page: &pages::Pages,
        guard: &Guard,
        live: &Arc<Live>,
    ) -> Reply {
        let opened = match path {
            "/_edit/stop" => return self.stop(page),
            _ if self.jobs.running() => {
                return Reply::html(409, page.message(409, page.w.welcome, page.w.busy, true))
            }
            "/_edit/open" => launcher::open(form, page.w),
            "/_edit/create-site" => launcher::create(form, page.w),
            _ => return Reply::see_other("/_edit/".into()),
        };
        match opened {
            Ok(site) => {
                if let Err(e) = crate::userconf::remember(&site) {
                    crate::say::err(format_args!("warning: {e}"));
                }
                live.switch(site);
                Reply::see_other("/_edit/".into())
            }
            Err(refused) => {
                launcher::welcome(page, &guard.csrf, live.root().as_deref(), *refused, 400)
            }
        }
    }

    /// Answers at once, then stops capsule once the job in progress is done.
    fn stop(&self, page: &pages::Pages) -> Reply {
        if let Some(stop) = self.stop.get().cloned() {
            let jobs = self.jobs.clone();
            std::thread::spawn(move || {
                while jobs.running() {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
                // Let the answer reach the browser first.
                std::thread::sleep(std::time::Duration::from_millis(300));
                let _ = stop.send(());
            });
        }
        launcher::stopping(page)
    }

    /// A second launch of capsule, proven by the instance file's secret, gets a fresh login address.
    fn fresh_login(&self, request: &Request, guard: &Guard) -> Reply {
        let proven = match (
            self.instance.get(),
            guard::header(request, launcher::INSTANCE_HEADER),
        ) {
            (Some(instance), Some(sent)) => guard::same_secret(&instance.secret, sent),
            _ => false,
        };
        if !proven {
            return Reply {
                status: 403,
                content_type: "text/plain; charset=utf-8",
                body: "Not allowed.\n".into(),
                headers: Vec::new(),
            };
        }
        Reply {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: format!("/_edit/login?token={}", guard.fresh_login()).into_bytes(),
            headers: Vec::new(),
        }
    }
}

/// The form of a POST, read within the text forms' limit and checked (same origin, CSRF token).
fn checked_form(
    request: &mut Request,
    page: &pages::Pages,
    guard: &Guard,
) -> Result<forms::Form, Reply> {
    let form = match forms::Form::read(request, forms::TEXT_FORM_LIMIT) {
        Ok(form) => form,
        Err(forms::BodyError::TooLarge(limit)) => return Err(page.too_large(limit)),
        Err(forms::BodyError::Unreadable) => {
            return Err(Reply::html(
                400,
                page.message(400, "…", "Unreadable request.", true),
            ))
        }
    };
    guard
        .check_post(request, form.get("csrf"))
        .map_err(|refusal| page.refused(refusal))?;
    Ok(form)
}
