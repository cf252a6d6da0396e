//! The editor's view of a site for one request, its shared pages (messages, refusals, the stylesheet)
//! and the simple actions: new items, removal to the trash, restoring. Each request reads `content/`
//! afresh; every change goes through `write`, and every successful POST answers with a redirect.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::forms::Form;
use super::guard::Refusal;
use super::markdown::{self, Fields};
use super::welcome_words::{system_language, welcome_words, WelcomeWords};
use super::words::{words, Words};
use super::write;
use super::Reply;
use crate::config::Config;
use crate::content::{self, slug::slugify, PageKind, Source};
use crate::render::Templates;
use crate::units::human_bytes;

/// What every editor page shows around its own part.
#[derive(Serialize)]
pub(super) struct Base<'a> {
    lang: &'static str,
    site_title: String,
    t: &'static Words,
    w: &'static WelcomeWords,
    /// Whether a site is open (the welcome page may have none).
    has_site: bool,
    title: String,
    /// Which entry of the editor's navigation this page is.
    current: &'static str,
    pub(super) notice: Option<&'static str>,
    pub(super) errors: Vec<FieldError>,
    csrf: &'a str,
    /// Reload every two seconds (a page that shows work in progress).
    pub(super) refresh: bool,
}

/// The upload form of an album or a playlist page (templates/edit/upload.html).
#[derive(Serialize)]
pub(super) struct UploadCtx<'a> {
    pub(super) upload_action: String,
    pub(super) accept: &'static str,
    pub(super) upload_title: &'static str,
    pub(super) upload_label: &'static str,
    pub(super) limits: String,
    /// What the upload that led to this page refused, and why.
    pub(super) refused: &'a [String],
}

/// A warning or an error, with the editor's page that fixes it.
#[derive(Serialize)]
pub(super) struct Line {
    pub(super) text: String,
    pub(super) fix: Option<String>,
}

#[derive(Serialize, Clone)]
pub(super) struct FieldError {
    pub(super) field: &'static str,
    pub(super) message: std::borrow::Cow<'static, str>,
}

/// The fields of a form, as its inputs show them, and the messages beside them.
#[derive(Serialize, Default)]
pub(super) struct FieldsCtx {
    title: String,
    date: String,
    description: String,
    draft: bool,
    publish_originals: bool,
}

impl From<&Fields> for FieldsCtx {
    fn from(f: &Fields) -> FieldsCtx {
        FieldsCtx {
            title: f.title.clone(),
            date: f.date.clone(),
            description: f.description.clone(),
            draft: f.draft,
            publish_originals: f.publish_originals,
        }
    }
}

/// The editor's view of one site, for one request.
pub(crate) struct Pages {
    /// The open site's folder; empty on the welcome page before a site is open.
    pub(super) root: PathBuf,
    pub(super) config: Config,
    pub(super) t: &'static Words,
    pub(super) w: &'static WelcomeWords,
    templates: Templates,
}

impl Pages {
    pub(crate) fn new(root: &Path) -> Pages {
        let config = Config::load(root).unwrap_or_default();
        // A site whose own templates are broken still gets a working editor: the built-in ones.
        let templates = Templates::load(root)
            .or_else(|_| Templates::load(Path::new("/nonexistent")))
            .expect("the built-in templates load");
        Pages {
            root: root.to_path_buf(),
            t: words(config.language),
            w: welcome_words(config.language),
            config,
            templates,
        }
    }

    /// The pages of the welcome page, before any site is open: built-in templates, the computer's language.
    pub(crate) fn without_site() -> Pages {
        let language = system_language();
        Pages {
            root: PathBuf::new(),
            t: words(language),
            w: welcome_words(language),
            config: Config {
                language,
                title: String::new(),
                ..Config::default()
            },
            templates: Templates::load(Path::new("/nonexistent"))
                .expect("the built-in templates load"),
        }
    }

    pub(super) fn base<'a>(&self, title: &str, current: &'static str, csrf: &'a str) -> Base<'a> {
        Base {
            lang: self.config.language.code(),
            site_title: self.config.title.clone(),
            t: self.t,
            w: self.w,
            has_site: !self.root.as_os_str().is_empty(),
            title: title.to_string(),
            current,
            notice: None,
            errors: Vec::new(),
            csrf,
            refresh: false,
        }
    }

    pub(super) fn render(&self, name: &str, ctx: &impl Serialize) -> String {
        self.templates
            .render(name, ctx)
            .unwrap_or_else(|d| format!("<!DOCTYPE html><title>Error</title><p>{d}</p>"))
    }

    /// A page with one message.
    pub(crate) fn message(&self, status: u16, title: &str, text: &str, back: bool) -> String {
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            message: &'a str,
            back: bool,
            status: u16,
        }
        self.render(
            "edit/message.html",
            &Ctx {
                base: self.base(title, "", ""),
                message: text,
                back,
                status,
            },
        )
    }

    pub(crate) fn refused(&self, refusal: Refusal) -> Reply {
        let text = match refusal {
            Refusal::Host => self.t.forbidden_host,
            Refusal::Session => self.t.forbidden_login,
            Refusal::Csrf => self.t.forbidden_csrf,
        };
        let back = refusal == Refusal::Csrf;
        Reply::html(403, self.message(403, self.t.forbidden_title, text, back))
    }

    pub(crate) fn not_found(&self) -> Reply {
        Reply::html(
            404,
            self.message(404, self.t.not_found, self.t.not_found, true),
        )
    }

    pub(crate) fn too_large(&self, limit: u64) -> Reply {
        let text = format!("{} ({}).", self.t.too_large_text, human_bytes(limit));
        Reply::html(413, self.message(413, self.t.too_large_title, &text, true))
    }

    /// The upload form of the album or playlist `item`: photos for an album, tracks for a playlist.
    pub(super) fn upload_ctx<'a>(
        &self,
        item: &str,
        csrf: &str,
        album: bool,
        refused: &'a [String],
    ) -> UploadCtx<'a> {
        let item = super::forms::encode(item);
        UploadCtx {
            upload_action: format!("/_edit/upload?item={item}&csrf={csrf}"),
            accept: if album {
                "image/jpeg,image/png,image/webp"
            } else {
                "audio/*,.flac,.wav,.aiff,.aif,.mp3,.ogg,.oga,.opus,.m4a"
            },
            upload_title: if album {
                self.t.add_photos
            } else {
                self.t.add_tracks
            },
            upload_label: if album {
                self.t.choose_photos
            } else {
                self.t.choose_tracks
            },
            limits: self.limits_text(),
            refused,
        }
    }

    /// The upload limits as the forms print them.
    fn limits_text(&self) -> String {
        let text = |l: Option<u64>| l.map(human_bytes).unwrap_or_else(|| "∞".into());
        self.t
            .limits
            .replace("{file}", &text(self.config.edit.max_file.0))
            .replace("{request}", &text(self.config.edit.max_request.0))
    }

    pub(crate) fn stylesheet(&self) -> Reply {
        let site = self.templates.raw("html/style.css").unwrap_or_default();
        let editor = self.templates.raw("edit/style.css").unwrap_or_default();
        Reply {
            status: 200,
            content_type: "text/css; charset=utf-8",
            body: format!("{site}{editor}").into_bytes(),
            headers: Vec::new(),
        }
    }

    pub(super) fn notice(&self, done: Option<&str>) -> Option<&'static str> {
        Some(match done? {
            "saved" => self.t.saved,
            "unchanged" => self.t.unchanged,
            "created" => self.t.created,
            "deleted" => self.t.deleted,
            "restored" => self.t.restored,
            "built" => self.t.built,
            "uploaded" => self.t.uploaded,
            _ => return None,
        })
    }

    /// Diagnostics as the editor lists them: each with the editor's link to the page that fixes it.
    pub(super) fn lines(&self, diagnostics: &[crate::error::Diagnostic]) -> Vec<Line> {
        let sources = content::sources(&self.root);
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let root = abs(&self.root);
        diagnostics
            .iter()
            .map(|d| {
                // Named from the site's folder (content/albums/…), as the writer knows them.
                let mut shown = d.clone();
                if let Ok(rel) = abs(&d.file).strip_prefix(&root) {
                    shown.file = rel.to_path_buf();
                }
                Line {
                    text: shown.to_string(),
                    fix: self.fix_link(&sources, &d.file),
                }
            })
            .collect()
    }

    /// The editor's address of the page whose source holds `file`, if one does.
    pub(super) fn fix_link(&self, sources: &[Source], file: &Path) -> Option<String> {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let file = abs(file);
        sources
            .iter()
            .find(|s| {
                abs(&s.markdown) == file
                    || s.folder
                        .as_deref()
                        .is_some_and(|f| file.starts_with(abs(f)))
            })
            .map(|s| edit_link(&s.dir))
    }

    fn kind_title(&self, kind: &str) -> Option<&'static str> {
        Some(match kind {
            "album" => self.t.new_album,
            "playlist" => self.t.new_playlist,
            "page" => self.t.new_page,
            _ => return None,
        })
    }

    fn fields_page(
        &self,
        status: u16,
        csrf: &str,
        kind: &str,
        fields: &Fields,
        errors: Vec<FieldError>,
    ) -> Reply {
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            kind: &'a str,
            fields: FieldsCtx,
            field_errors: std::collections::BTreeMap<&'static str, String>,
        }
        let Some(title) = self.kind_title(kind) else {
            return self.not_found();
        };
        let mut base = self.base(title, "dashboard", csrf);
        let field_errors = errors
            .iter()
            .map(|e| (e.field, e.message.to_string()))
            .collect();
        base.errors = errors;
        Reply::html(
            status,
            self.render(
                "edit/new.html",
                &Ctx {
                    base,
                    kind,
                    fields: fields.into(),
                    field_errors,
                },
            ),
        )
    }

    pub(crate) fn new_form(&self, csrf: &str, kind: &str) -> Reply {
        self.fields_page(200, csrf, kind, &Fields::default(), Vec::new())
    }

    pub(super) fn fields_of_form(form: &Form) -> Fields {
        Fields {
            title: form.text("title"),
            date: form.text("date"),
            description: form.text("description"),
            draft: form.checked("draft"),
            publish_originals: form.checked("publish_originals"),
        }
    }

    pub(super) fn check_date(&self, fields: &Fields, errors: &mut Vec<FieldError>) {
        if !fields.date.is_empty() && !valid_day(&fields.date) {
            errors.push(FieldError {
                field: "date",
                message: self.t.bad_date.into(),
            });
        }
    }

    /// Makes a new album, playlist or page from the "new" form.
    pub(crate) fn create(&self, csrf: &str, form: &Form) -> Reply {
        let kind = form.text("kind");
        let fields = Self::fields_of_form(form);
        let mut errors = Vec::new();
        let slug = slugify(&fields.title);
        if fields.title.is_empty() {
            errors.push(FieldError {
                field: "title",
                message: self.t.title_required.into(),
            });
        } else if slug.is_empty() {
            errors.push(FieldError {
                field: "title",
                message: self.t.title_no_letters.into(),
            });
        }
        self.check_date(&fields, &mut errors);
        let content = self.root.join("content");
        let (dir, file) = match kind.as_str() {
            "album" => (
                format!("albums/{slug}"),
                content.join("albums").join(&slug).join("index.md"),
            ),
            "playlist" => (
                format!("playlists/{slug}"),
                content.join("playlists").join(&slug).join("index.md"),
            ),
            "page" => (slug.clone(), content.join(format!("{slug}.md"))),
            _ => return self.not_found(),
        };
        let reserved = kind == "page" && matches!(slug.as_str(), "albums" | "playlists" | "index");
        let taken = content::sources(&self.root).iter().any(|s| s.dir == dir);
        if errors.is_empty()
            && (reserved
                || taken
                || file.exists()
                || (kind != "page" && file.parent().is_some_and(Path::exists)))
        {
            errors.push(FieldError {
                field: "title",
                message: self.t.exists.into(),
            });
        }
        if !errors.is_empty() {
            return self.fields_page(400, csrf, &kind, &fields, errors);
        }
        let text = markdown::apply("", &Fields::default(), &fields, "\n");
        match write::create_new(&file, text.as_bytes()) {
            // An album or a playlist is made for its photos or tracks: it opens on them, upload first.
            Ok(true) => Reply::see_other(format!("{}&done=created", media_link(&kind, &dir))),
            Ok(false) => self.fields_page(
                400,
                csrf,
                &kind,
                &fields,
                vec![FieldError {
                    field: "title",
                    message: self.t.exists.into(),
                }],
            ),
            Err(e) => Reply::html(500, self.message(500, "Error", &e.to_string(), true)),
        }
    }

    /// The album or playlist `item` as the loader sees it now, with its source and text; or the page
    /// to answer with when there is none, or when the site's errors keep it from loading.
    pub(super) fn load_item(
        &self,
        item: &str,
        kind: PageKind,
    ) -> Result<(Source, crate::content::Page, String), Reply> {
        let Some(source) = self.source(item).filter(|s| s.kind == kind) else {
            return Err(self.not_found());
        };
        let unavailable = || {
            let title = if kind == PageKind::Album {
                self.t.edit_photos
            } else {
                self.t.tracks
            };
            Reply::html(
                409,
                self.message(409, title, self.t.table_unavailable, true),
            )
        };
        let site = content::load(&self.root, self.config.clone(), true, &mut Vec::new())
            .map_err(|_| unavailable())?;
        let page = site
            .albums
            .into_iter()
            .chain(site.playlists)
            .find(|p| p.dir == source.dir && p.kind == kind)
            .ok_or_else(unavailable)?;
        let text = std::fs::read_to_string(&source.markdown).unwrap_or_default();
        Ok((source, page, text))
    }

    /// The source of the page whose output folder is `item`, if the site has one.
    pub(super) fn source(&self, item: &str) -> Option<Source> {
        content::sources(&self.root)
            .into_iter()
            .find(|s| s.dir == item)
    }

    /// Moves a page, album or playlist to the trash.
    pub(crate) fn delete(&self, form: &Form) -> Reply {
        let Some(source) = self.source(form.get("item").unwrap_or("\0")) else {
            return self.not_found();
        };
        if source.kind == PageKind::Home {
            return Reply::html(
                400,
                self.message(400, self.t.home, self.t.home_not_deletable, true),
            );
        }
        let target = source.folder.clone().unwrap_or(source.markdown.clone());
        match write::trash(&self.root, &target) {
            Ok(_) => Reply::see_other("/_edit/?done=deleted".into()),
            Err(e) => Reply::html(500, self.message(500, "Error", &e.to_string(), true)),
        }
    }

    pub(crate) fn trash(&self, csrf: &str, done: Option<&str>) -> Reply {
        #[derive(Serialize)]
        struct Entry {
            id: String,
            when: String,
            path: String,
        }
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            entries: Vec<Entry>,
        }
        let entries = write::trash_entries(&self.root)
            .into_iter()
            .map(|e| Entry {
                id: e.id(),
                when: match e.stamp.split_once('T') {
                    Some((day, time)) => {
                        format!("{day} {} UTC", time.trim_end_matches('Z').replace('-', ":"))
                    }
                    None => e.stamp.clone(),
                },
                path: e
                    .path
                    .strip_prefix("content/")
                    .unwrap_or(&e.path)
                    .to_string(),
            })
            .collect();
        let mut base = self.base(self.t.trash, "trash", csrf);
        base.notice = self.notice(done);
        Reply::html(200, self.render("edit/trash.html", &Ctx { base, entries }))
    }

    pub(crate) fn restore(&self, form: &Form) -> Reply {
        match write::restore(&self.root, form.get("entry").unwrap_or("")) {
            Ok(Some(_)) => Reply::see_other("/_edit/trash?done=restored".into()),
            Ok(None) => self.not_found(),
            Err(e) => Reply::html(500, self.message(500, "Error", &e.to_string(), true)),
        }
    }
}

/// The editor's address of the text form of the page in output folder `dir`.
pub(super) fn edit_link(dir: &str) -> String {
    let item = super::forms::encode(dir);
    format!("/_edit/text?item={item}")
}

/// The editor's page of a new item of `kind`: the photos of an album, the tracks of a playlist, the
/// text of a page.
fn media_link(kind: &str, dir: &str) -> String {
    let item = super::forms::encode(dir);
    match kind {
        "album" | "playlist" => format!("/_edit/{kind}?item={item}"),
        _ => edit_link(dir),
    }
}

/// A real calendar day `YYYY-MM-DD`.
fn valid_day(s: &str) -> bool {
    markdown::is_day(s)
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}
