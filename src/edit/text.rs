//! The text form of a page, album or playlist: its front-matter fields and its Markdown body, saved
//! only where they changed and only over the file the form was made from.

use std::path::Path;

use serde::Serialize;

use super::forms::Form;
use super::markdown::{self, Fields};
use super::pages::{edit_link, Base, FieldError, FieldsCtx, Pages};
use super::write::{self, Saved};
use super::Reply;
use crate::content::{frontmatter, PageKind, Source};

impl Pages {
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
            field_errors: std::collections::BTreeMap<&'static str, String>,
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
        let field_errors = errors
            .iter()
            .map(|e| (e.field, e.message.to_string()))
            .collect();
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

    /// What the text form asks to write: its item, the file's current text, and the new text; or the
    /// page that says what to correct.
    fn compose(&self, csrf: &str, form: &Form) -> Result<(Source, String), Reply> {
        let Some(source) = self.source(form.get("item").unwrap_or("\0")) else {
            return Err(self.not_found());
        };
        let original = std::fs::read_to_string(&source.markdown).unwrap_or_default();
        let crlf = original.contains("\r\n");
        let mut body = form.get("body").unwrap_or("").to_string();
        if !crlf {
            // Browsers send a textarea's lines with CRLF; the writer's file has LF.
            body = body.replace("\r\n", "\n");
        }
        let new = Self::fields_of_form(form);
        let mut errors = Vec::new();
        self.check_date(&new, &mut errors);
        let text = match frontmatter::parse(&original, &source.markdown) {
            Ok(doc) => markdown::apply(&original, &Fields::of(&doc.front), &new, &body),
            // The form showed the whole file as text: it is saved as written.
            Err(_) => body.clone(),
        };
        if !errors.is_empty() {
            let state = TextState {
                fields: new,
                body,
                fingerprint: form.text("fingerprint"),
                problem: None,
            };
            return Err(self.text_page(400, csrf, &source, state, errors, None));
        }
        Ok((source, text))
    }

    /// Saves the text form: only what changed, and only if the file is still what the form was made from.
    pub(crate) fn save_text(&self, csrf: &str, form: &Form) -> Reply {
        let (source, text) = match self.compose(csrf, form) {
            Ok(c) => c,
            Err(reply) => return reply,
        };
        match write::replace(&source.markdown, text.as_bytes(), &form.text("fingerprint")) {
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

    /// The text form again, with what was typed (nothing is saved), and below it the page as the
    /// build would make it from that text.
    pub(crate) fn preview(&self, csrf: &str, form: &Form) -> Reply {
        let (source, text) = match self.compose(csrf, form) {
            Ok(c) => c,
            Err(reply) => return reply,
        };
        let state = TextState {
            fields: Self::fields_of_form(form),
            body: form.get("body").unwrap_or("").replace("\r\n", "\n"),
            fingerprint: form.text("fingerprint"),
            problem: None,
        };
        let mut reply = self.text_page(
            200,
            csrf,
            &source,
            state,
            Vec::new(),
            Some(self.t.preview_notice),
        );
        let shown = match super::preview::main_of(&self.root, &source.dir, &source.markdown, &text)
        {
            Ok(main) => main,
            Err(why) => format!("<pre class=\"text\">{}</pre>", escape(&why)),
        };
        let base = if source.dir.is_empty() {
            "/".to_string()
        } else {
            format!("/{}/", source.dir)
        };
        // Relative links of the page resolve from where the page lives in the preview.
        reply.body = String::from_utf8_lossy(&reply.body)
            .replacen("<meta charset=\"utf-8\">", &format!("<meta charset=\"utf-8\">\n<base href=\"{}\">", escape(&base)), 1)
            .replacen(
                "</main>",
                &format!(
                    "<section class=\"preview\" aria-labelledby=\"preview\">\n<h2 id=\"preview\">{}</h2>\n{shown}\n</section>\n</main>",
                    self.t.preview
                ),
                1,
            )
            .into_bytes();
        reply
    }

    pub(super) fn conflict(&self, source: &Source, yours: &str, disk: &str) -> Reply {
        self.conflict_at(&edit_link(&source.dir), "dashboard", yours, disk)
    }

    /// The page that refuses a form made from a file that changed since: what was sent (`yours`), what
    /// the file holds now (`disk`), and the way back to the form (`edit`).
    pub(super) fn conflict_at(
        &self,
        edit: &str,
        current: &'static str,
        yours: &str,
        disk: &str,
    ) -> Reply {
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            yours: &'a str,
            disk: &'a str,
            edit: &'a str,
        }
        Reply::html(
            409,
            self.render(
                "edit/conflict.html",
                &Ctx {
                    base: self.base(self.t.conflict_title, current, ""),
                    yours,
                    disk,
                    edit,
                },
            ),
        )
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

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
