//! The editor's dashboard: every page, album and playlist with its figures, the host's limits as the
//! last build measured them, and that build's warnings, each with a link to the page that fixes it.

use serde::Serialize;

use super::pages::{edit_link, Base, Line, Pages};
use super::Reply;
use crate::content::{self, PageKind};
use crate::report::Report;
use crate::serve::live::Live;
use crate::units::human_bytes;

impl Pages {
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
        let loaded = content::load(&self.root, self.config.clone(), true, &mut load_warnings).map(
            |mut site| {
                super::tracks::place_followed(self, &mut site);
                site
            },
        );
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
                    site_errors.extend(self.lines(errors));
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
        let warnings = self.lines(&live.warnings());
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
}
