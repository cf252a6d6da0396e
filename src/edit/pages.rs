//! The editor's pages and the actions behind its forms. Each request reads `content/` afresh; every
//! change goes through `write`, and every successful POST answers with a redirect (Post/Redirect/Get).

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::forms::Form;
use super::guard::Refusal;
use super::markdown::{self, Fields};
use super::words::{words, Words};
use super::write::{self, Saved};
use super::Reply;
use crate::config::Config;
use crate::content::{self, frontmatter, slug::slugify, PageKind, Source};
use crate::render::Templates;
use crate::report::Report;
use crate::serve::live::Live;
use crate::units::human_bytes;

/// What every editor page shows around its own part.
#[derive(Serialize)]
pub(super) struct Base<'a> {
    lang: &'static str,
    site_title: String,
    t: &'static Words,
    title: String,
    /// Which entry of the editor's navigation this page is.
    current: &'static str,
    pub(super) notice: Option<&'static str>,
    errors: Vec<FieldError>,
    csrf: &'a str,
    /// Reload every two seconds (a page that shows work in progress).
    pub(super) refresh: bool,
}

#[derive(Serialize, Clone)]
struct FieldError {
    field: &'static str,
    message: &'static str,
}

/// The fields of a form, as its inputs show them, and the messages beside them.
#[derive(Serialize, Default)]
struct FieldsCtx {
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
    pub(super) root: PathBuf,
    pub(super) config: Config,
    pub(super) t: &'static Words,
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
            config,
            templates,
        }
    }

    pub(super) fn base<'a>(&self, title: &str, current: &'static str, csrf: &'a str) -> Base<'a> {
        Base {
            lang: self.config.language.code(),
            site_title: self.config.title.clone(),
            t: self.t,
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

    pub(crate) fn stylesheet(&self) -> Reply {
        let site = self.templates.raw("html/style.css").unwrap_or_default();
        let editor = self.templates.raw("edit/style.css").unwrap_or_default();
        Reply {
            status: 200,
            content_type: "text/css; charset=utf-8",
            body: format!("{site}{editor}"),
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

    pub(crate) fn dashboard(&self, csrf: &str, live: &Live, done: Option<&str>) -> Reply {
        #[derive(Serialize)]
        struct Row {
            title: String,
            date: String,
            draft: bool,
            media: usize,
            missing_alt: usize,
            html: String,
            gemini: String,
            edit: String,
            /// The text form, for albums (whose title leads to the photo table).
            text: Option<String>,
        }
        #[derive(Serialize)]
        struct Group {
            id: &'static str,
            title: &'static str,
            media: Option<&'static str>,
            items: Vec<Row>,
        }
        #[derive(Serialize)]
        struct Line {
            text: String,
            fix: Option<String>,
        }
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            groups: Vec<Group>,
            budgets: Vec<String>,
            warnings: Vec<Line>,
            site_errors: Vec<Line>,
        }
        let sources = content::sources(&self.root);
        let report = Report::load(&self.root).ok();
        let mut load_warnings = Vec::new();
        let loaded = content::load(&self.root, self.config.clone(), true, &mut load_warnings);
        let mut site_errors = Vec::new();
        let mut groups = vec![
            Group {
                id: "pages",
                title: self.t.pages,
                media: None,
                items: Vec::new(),
            },
            Group {
                id: "albums",
                title: self.t.albums,
                media: Some(self.t.photos),
                items: Vec::new(),
            },
            Group {
                id: "playlists",
                title: self.t.playlists,
                media: Some(self.t.tracks),
                items: Vec::new(),
            },
        ];
        match &loaded {
            Ok(site) => {
                for page in site.all_pages() {
                    let bytes = report
                        .as_ref()
                        .and_then(|r| {
                            r.items
                                .iter()
                                .find(|i| i.kind == page.kind && i.slug == page.slug)
                        })
                        .map(|i| i.bytes);
                    let row = Row {
                        title: if page.kind == PageKind::Home {
                            self.t.home.to_string()
                        } else {
                            page.title.clone()
                        },
                        date: page.date.clone().unwrap_or_default(),
                        draft: page.draft,
                        media: match page.kind {
                            PageKind::Playlist => page.tracks.len(),
                            _ => page.photos.len(),
                        },
                        missing_alt: page
                            .body
                            .iter()
                            .filter(|b| {
                                matches!(b, content::Block::Photo(u) if u.alt.is_empty() && !u.decorative)
                            })
                            .count(),
                        html: bytes.map(|b| human_bytes(b.html)).unwrap_or_default(),
                        gemini: bytes.map(|b| human_bytes(b.gemini)).unwrap_or_default(),
                        edit: match page.kind {
                            PageKind::Album => super::photos::album_link(&page.dir),
                            PageKind::Playlist => super::tracks::playlist_link(&page.dir),
                            _ => edit_link(&page.dir),
                        },
                        text: matches!(page.kind, PageKind::Album | PageKind::Playlist)
                            .then(|| edit_link(&page.dir)),
                    };
                    let group = match page.kind {
                        PageKind::Home | PageKind::Page => 0,
                        PageKind::Album => 1,
                        PageKind::Playlist => 2,
                    };
                    groups[group].items.push(row);
                }
            }
            Err(e) => {
                if let crate::error::Error::Content { errors } = e {
                    site_errors.extend(errors.iter().map(|d| Line {
                        text: d.to_string(),
                        fix: self.fix_link(&sources, &d.file),
                    }));
                } else {
                    site_errors.push(Line {
                        text: e.to_string(),
                        fix: None,
                    });
                }
                // The pages can still be opened and fixed.
                for s in &sources {
                    let group = match s.kind {
                        PageKind::Home | PageKind::Page => 0,
                        PageKind::Album => 1,
                        PageKind::Playlist => 2,
                    };
                    groups[group].items.push(Row {
                        title: if s.kind == PageKind::Home {
                            self.t.home.to_string()
                        } else {
                            s.dir.clone()
                        },
                        date: String::new(),
                        draft: false,
                        media: 0,
                        missing_alt: 0,
                        html: String::new(),
                        gemini: String::new(),
                        edit: edit_link(&s.dir),
                        text: None,
                    });
                }
            }
        }
        if let Some(error) = live.error() {
            site_errors.push(Line {
                text: format!("{}: {error}", self.t.build_failed),
                fix: None,
            });
        }
        let budgets = report
            .as_ref()
            .map(|r| {
                r.budgets
                    .iter()
                    .map(|b| {
                        format!(
                            "{} ({}): {} — {}",
                            b.description(),
                            b.name,
                            if b.ok { "ok" } else { "OVER" },
                            b.summary()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let warnings = live
            .warnings()
            .iter()
            .map(|w| Line {
                text: w.to_string(),
                fix: self.fix_link(&sources, &w.file),
            })
            .collect();
        let mut base = self.base(self.t.dashboard, "dashboard", csrf);
        base.notice = self.notice(done);
        Reply::html(
            200,
            self.render(
                "edit/dashboard.html",
                &Ctx {
                    base,
                    groups,
                    budgets,
                    warnings,
                    site_errors,
                },
            ),
        )
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
            field_errors: std::collections::BTreeMap<&'static str, &'static str>,
        }
        let Some(title) = self.kind_title(kind) else {
            return self.not_found();
        };
        let mut base = self.base(title, "dashboard", csrf);
        let field_errors = errors.iter().map(|e| (e.field, e.message)).collect();
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

    fn fields_of_form(form: &Form) -> Fields {
        Fields {
            title: form.text("title"),
            date: form.text("date"),
            description: form.text("description"),
            draft: form.checked("draft"),
            publish_originals: form.checked("publish_originals"),
        }
    }

    fn check_date(&self, fields: &Fields, errors: &mut Vec<FieldError>) {
        if !fields.date.is_empty() && !valid_day(&fields.date) {
            errors.push(FieldError {
                field: "date",
                message: self.t.bad_date,
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
                message: self.t.title_required,
            });
        } else if slug.is_empty() {
            errors.push(FieldError {
                field: "title",
                message: self.t.title_no_letters,
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
                message: self.t.exists,
            });
        }
        if !errors.is_empty() {
            return self.fields_page(400, csrf, &kind, &fields, errors);
        }
        let text = markdown::apply("", &Fields::default(), &fields, "\n");
        match write::create_new(&file, text.as_bytes()) {
            Ok(true) => Reply::see_other(format!("{}&done=created", edit_link(&dir))),
            Ok(false) => self.fields_page(
                400,
                csrf,
                &kind,
                &fields,
                vec![FieldError {
                    field: "title",
                    message: self.t.exists,
                }],
            ),
            Err(e) => Reply::html(500, self.message(500, "Error", &e.to_string(), true)),
        }
    }

    /// The source of the page whose output folder is `item`, if the site has one.
    pub(super) fn source(&self, item: &str) -> Option<Source> {
        content::sources(&self.root)
            .into_iter()
            .find(|s| s.dir == item)
    }

    fn text_page(
        &self,
        status: u16,
        csrf: &str,
        source: &Source,
        state: TextState,
        errors: Vec<FieldError>,
        notice: Option<&'static str>,
    ) -> Reply {
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            kind: &'static str,
            item: &'a str,
            fingerprint: String,
            fields: FieldsCtx,
            field_errors: std::collections::BTreeMap<&'static str, &'static str>,
            body: String,
            deletable: bool,
            /// Why the front matter could not be read, when the whole file is shown as text.
            problem: Option<String>,
            photos_link: String,
        }
        let title = if source.kind == PageKind::Home {
            self.t.home.to_string()
        } else if state.fields.title.is_empty() {
            source.dir.clone()
        } else {
            state.fields.title.clone()
        };
        let mut base = self.base(&title, "dashboard", csrf);
        base.notice = notice;
        let field_errors = errors.iter().map(|e| (e.field, e.message)).collect();
        base.errors = errors;
        Reply::html(
            status,
            self.render(
                "edit/text.html",
                &Ctx {
                    base,
                    kind: source.kind.name(),
                    item: &source.dir,
                    fingerprint: state.fingerprint,
                    fields: (&state.fields).into(),
                    field_errors,
                    body: state.body,
                    deletable: source.kind != PageKind::Home,
                    problem: state.problem,
                    photos_link: match source.kind {
                        PageKind::Playlist => super::tracks::playlist_link(&source.dir),
                        _ => super::photos::album_link(&source.dir),
                    },
                },
            ),
        )
    }

    /// The text form of a page, album or playlist: its front-matter fields and its Markdown body.
    pub(crate) fn text_form(&self, csrf: &str, item: &str, done: Option<&str>) -> Reply {
        let Some(source) = self.source(item) else {
            return self.not_found();
        };
        let text = std::fs::read_to_string(&source.markdown).unwrap_or_default();
        let state = TextState::of(&text, &source.markdown).unwrap_or_else(|message| {
            // The front matter does not parse: the whole file is shown as text, to fix by hand.
            TextState {
                fields: Fields::default(),
                body: text.clone(),
                fingerprint: write::fingerprint(text.as_bytes()),
                problem: Some(message),
            }
        });
        self.text_page(200, csrf, &source, state, Vec::new(), self.notice(done))
    }

    /// Saves the text form: only what changed, and only if the file is still what the form was made from.
    pub(crate) fn save_text(&self, csrf: &str, form: &Form) -> Reply {
        let Some(source) = self.source(form.get("item").unwrap_or("\0")) else {
            return self.not_found();
        };
        let original = std::fs::read_to_string(&source.markdown).unwrap_or_default();
        let crlf = original.contains("\r\n");
        let mut body = form.get("body").unwrap_or("").to_string();
        if !crlf {
            // Browsers send a textarea's lines with CRLF; the writer's file has LF.
            body = body.replace("\r\n", "\n");
        }
        let new = Self::fields_of_form(form);
        let fingerprint = form.text("fingerprint");
        let mut errors = Vec::new();
        self.check_date(&new, &mut errors);
        let parsed = frontmatter::parse(&original, &source.markdown);
        let text = match &parsed {
            Ok(doc) => markdown::apply(&original, &Fields::of(&doc.front), &new, &body),
            // The form showed the whole file as text: it is saved as written.
            Err(_) => body.clone(),
        };
        if !errors.is_empty() {
            let state = TextState {
                fields: new,
                body,
                fingerprint,
                problem: None,
            };
            return self.text_page(400, csrf, &source, state, errors, None);
        }
        match write::replace(&source.markdown, text.as_bytes(), &fingerprint) {
            Ok(Saved::Written) => {
                Reply::see_other(format!("{}&done=saved", edit_link(&source.dir)))
            }
            Ok(Saved::Unchanged) => {
                Reply::see_other(format!("{}&done=unchanged", edit_link(&source.dir)))
            }
            Ok(Saved::Conflict(disk)) => self.conflict(&source, &text, &disk),
            Err(e) => Reply::html(500, self.message(500, "Error", &e.to_string(), true)),
        }
    }

    pub(super) fn conflict(&self, source: &Source, yours: &str, disk: &str) -> Reply {
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            yours: &'a str,
            disk: &'a str,
            edit: String,
        }
        Reply::html(
            409,
            self.render(
                "edit/conflict.html",
                &Ctx {
                    base: self.base(self.t.conflict_title, "dashboard", ""),
                    yours,
                    disk,
                    edit: edit_link(&source.dir),
                },
            ),
        )
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

/// What the text form shows of a file.
struct TextState {
    fields: Fields,
    body: String,
    fingerprint: String,
    /// Why the front matter could not be read, when the whole file is shown as text.
    problem: Option<String>,
}

impl TextState {
    fn of(text: &str, file: &Path) -> Result<TextState, String> {
        let doc = frontmatter::parse(text, file).map_err(|d| d.to_string())?;
        Ok(TextState {
            fields: Fields::of(&doc.front),
            body: doc.body,
            fingerprint: write::fingerprint(text.as_bytes()),
            problem: None,
        })
    }
}

/// The editor's address of the text form of the page in output folder `dir`.
pub(super) fn edit_link(dir: &str) -> String {
    let item: String = url::form_urlencoded::byte_serialize(dir.as_bytes()).collect();
    format!("/_edit/text?item={item}")
}

/// A real calendar day `YYYY-MM-DD`.
fn valid_day(s: &str) -> bool {
    markdown::is_day(s)
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}
