//! Starting and stopping capsule without a terminal: the welcome page (the sites capsule knows, a new
//! site, a site by its folder), the switch between sites, one capsule at a time (a second launch asks
//! the running one for a fresh login over loopback) and the *Stop capsule* button.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::forms::Form;
use super::pages::Pages;
use super::welcome_words::WelcomeWords;
use super::Reply;
use crate::config::{Config, Language};
use crate::content::slug::slugify;
use crate::error::Error;
use crate::userconf::{self, Instance};

/// The header a second launch proves itself with: the secret of the instance file.
pub(super) const INSTANCE_HEADER: &str = "X-Capsule-Instance";
/// The route a second launch asks for a fresh login.
pub(super) const INSTANCE_ROUTE: &str = "/_edit/instance";

/// Whether `root` holds a site: a `content/` folder or a `capsule.toml`.
pub(crate) fn is_site(root: &Path) -> bool {
    root.join("content").is_dir() || root.join(crate::config::CONFIG_FILE).is_file()
}

/// The site `capsule edit` opens: the one of `--root`, or the current folder if it is one; `None` for
/// the welcome page (asked for by `--welcome`, as the desktop entry does).
pub(crate) fn site_to_open(root: Option<&Path>, welcome: bool) -> Option<PathBuf> {
    if welcome {
        return None;
    }
    match root {
        Some(root) => Some(root.to_path_buf()),
        None => is_site(Path::new(".")).then(|| PathBuf::from(".")),
    }
}

/// Asks a running capsule for a fresh login address; `None` where none runs (or it does not answer,
/// and its entry is then stale).
pub(crate) fn hand_over() -> Option<String> {
    let instance = Instance::read()?;
    let url = format!("http://127.0.0.1:{}{INSTANCE_ROUTE}", instance.port);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(5)))
        .build()
        .into();
    let mut answer = agent
        .post(&url)
        .header(INSTANCE_HEADER, &instance.secret)
        .send_empty()
        .ok()?;
    let path = answer.body_mut().read_to_string().ok()?;
    path.starts_with("/_edit/login?token=")
        .then(|| format!("http://127.0.0.1:{}{path}", instance.port))
}

#[derive(Serialize, Default)]
struct FormValues {
    title: String,
    author: String,
    language: String,
    folder: String,
    open: String,
}

#[derive(Serialize, Default)]
struct FieldErrors {
    title: Option<String>,
    folder: Option<String>,
    open: Option<String>,
}

#[derive(Serialize)]
struct SiteLine {
    title: String,
    folder: String,
    current: bool,
}

/// The welcome page, with what a refused form said.
pub(super) fn welcome(
    pages: &Pages,
    csrf: &str,
    open: Option<&Path>,
    form: WelcomeForm,
    status: u16,
) -> Reply {
    #[derive(Serialize)]
    struct Ctx<'a> {
        #[serde(flatten)]
        base: super::pages::Base<'a>,
        w: &'static WelcomeWords,
        sites: Vec<SiteLine>,
        sites_home: String,
        form: FormValues,
        field_errors: FieldErrors,
    }
    let open = open.and_then(|o| std::fs::canonicalize(o).ok());
    let sites = userconf::known_sites()
        .into_iter()
        .map(|folder| SiteLine {
            title: Config::load(&folder)
                .map(|c| c.title)
                .unwrap_or_else(|_| folder.display().to_string()),
            current: open.as_ref() == Some(&folder),
            folder: folder.display().to_string(),
        })
        .collect();
    let mut base = pages.base(pages.w.welcome, "welcome", csrf);
    base.errors = form.summary();
    let mut form = form;
    if form.values.language.is_empty() {
        form.values.language = pages.config.language.code().into();
    }
    let ctx = Ctx {
        base,
        w: pages.w,
        sites,
        sites_home: userconf::sites_home()
            .map(|h| h.display().to_string())
            .unwrap_or_default(),
        form: form.values,
        field_errors: form.errors,
    };
    Reply::html(status, pages.render("edit/welcome.html", &ctx))
}

/// What a refused welcome form sent back, with its messages.
#[derive(Default)]
pub(super) struct WelcomeForm {
    values: FormValues,
    errors: FieldErrors,
}

impl WelcomeForm {
    fn summary(&self) -> Vec<super::pages::FieldError> {
        [
            ("title", &self.errors.title),
            ("new-folder", &self.errors.folder),
            ("folder", &self.errors.open),
        ]
        .into_iter()
        .filter_map(|(field, message)| {
            message.as_ref().map(|m| super::pages::FieldError {
                field,
                message: m.clone().into(),
            })
        })
        .collect()
    }
}

/// A site's folder as the member wrote it: `~` is their home, and a relative folder is taken from it.
fn folder_from(text: &str) -> Option<PathBuf> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let home = userconf::home();
    let path = match (
        text.strip_prefix("~/").or((text == "~").then_some("")),
        &home,
    ) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(text),
    };
    Some(match (&home, path.is_relative()) {
        (Some(home), true) => home.join(path),
        _ => path,
    })
}

/// Opens the site of the form's folder, if it is one.
pub(super) fn open(form: &Form, w: &WelcomeWords) -> Result<PathBuf, Box<WelcomeForm>> {
    let typed = form.get("folder").unwrap_or("");
    let refuse = |message: String| {
        Box::new(WelcomeForm {
            values: FormValues {
                open: typed.to_string(),
                ..FormValues::default()
            },
            errors: FieldErrors {
                open: Some(message),
                ..FieldErrors::default()
            },
        })
    };
    let Some(folder) = folder_from(typed) else {
        return Err(refuse(w.folder_needed.to_string()));
    };
    if !is_site(&folder) {
        return Err(refuse(format!("{} {}", w.not_a_site, folder.display())));
    }
    Ok(std::fs::canonicalize(&folder).unwrap_or(folder))
}

/// Makes a new site from the form: its title, author and language, in the folder chosen or in
/// `~/Capsule/<title>`.
pub(super) fn create(form: &Form, w: &WelcomeWords) -> Result<PathBuf, Box<WelcomeForm>> {
    let values = FormValues {
        title: form.get("title").unwrap_or("").trim().to_string(),
        author: form.get("author").unwrap_or("").trim().to_string(),
        language: form.get("language").unwrap_or("en").to_string(),
        folder: form.get("folder").unwrap_or("").to_string(),
        open: String::new(),
    };
    let language = match values.language.as_str() {
        "fr" => Language::Fr,
        _ => Language::En,
    };
    let refuse = |errors: FieldErrors, values: FormValues| Box::new(WelcomeForm { values, errors });
    if values.title.is_empty() {
        let errors = FieldErrors {
            title: Some(w.title_needed.to_string()),
            ..FieldErrors::default()
        };
        return Err(refuse(errors, values));
    }
    let folder = folder_from(&values.folder).or_else(|| {
        let slug = slugify(&values.title);
        let slug = if slug.is_empty() { "site".into() } else { slug };
        userconf::sites_home().map(|h| h.join(slug))
    });
    let made = match &folder {
        Some(folder) => {
            crate::scaffold::create_site(folder, &values.title, &values.author, language)
                .map_err(|e| e.to_string())
        }
        None => Err("no home folder: write the folder of the new site".into()),
    };
    match (made, folder) {
        (Ok(()), Some(folder)) => Ok(std::fs::canonicalize(&folder).unwrap_or(folder)),
        (Err(message), _) => {
            let errors = FieldErrors {
                folder: Some(message),
                ..FieldErrors::default()
            };
            Err(refuse(errors, values))
        }
        (Ok(()), None) => unreachable!("a site is only made in a folder"),
    }
}

/// The page that says capsule stops.
pub(super) fn stopping(pages: &Pages) -> Reply {
    Reply::html(
        200,
        pages.message(200, pages.w.stopping_title, pages.w.stopping, false),
    )
}

/// Writes this editor down for the next launch; the entry is removed when it stops.
pub(crate) fn register(port: u16) -> Result<Instance, Error> {
    let instance = Instance {
        port,
        secret: super::guard::random_token(),
        pid: std::process::id(),
    };
    instance.write()?;
    Ok(instance)
}
