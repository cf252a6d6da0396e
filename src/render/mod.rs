//! Rendering: the model and media outputs → every page of both sites, as pure functions of their inputs.

mod context;
pub mod gemtext;
pub mod html;
pub mod i18n;
pub mod links;
mod markdown_ast;
pub mod templates;

use serde::Serialize;

use crate::content::{Block, Page, PageKind, Site, PAGE_LINK};
use crate::error::{Diagnostics, Error};
use crate::media::MediaOutputs;
use crate::output::{join_path, Format, Kind};
use context::{BlockCtx, Ctx, PageCtx};
use links::{absolute, page_href};
pub use templates::Templates;

/// A text file of the output, ready to write.
pub struct Rendered {
    pub format: Format,
    pub path: String,
    pub kind: Kind,
    pub text: String,
}

/// Renders every page, list, feed and stylesheet of both formats. Template errors are all collected.
pub fn render_site(
    site: &Site,
    media: &MediaOutputs,
    templates: &Templates,
) -> Result<Vec<Rendered>, Error> {
    let mut files = Vec::new();
    let mut diags = Diagnostics::default();
    for format in Format::ALL {
        let ctx = Ctx {
            site,
            media,
            words: i18n::words(site.config.language),
            format,
        };
        let mut emit =
            |path: String, kind: Kind, result: Result<String, crate::error::Diagnostic>| {
                match result {
                    Ok(text) => files.push(Rendered {
                        format,
                        path,
                        kind,
                        text,
                    }),
                    Err(d) => diags.errors.push(d),
                }
            };
        let ext = match format {
            Format::Gemini => "gmi",
            Format::Html => "html",
        };
        let dir = format.dir();
        let page_file = |page_dir: &str| join_path(page_dir, &format!("index.{ext}"));

        for page in site.all_pages() {
            let template = format!("{dir}/{}.{ext}", page.kind.name());
            let page_ctx = page_context(&ctx, page);
            emit(
                page_file(&page.dir),
                Kind::Pages,
                templates.render(&template, &page_ctx),
            );
        }
        for kind in [PageKind::Album, PageKind::Playlist] {
            let list_dir = if kind == PageKind::Album {
                "albums"
            } else {
                "playlists"
            };
            let title = if kind == PageKind::Album {
                ctx.words.albums
            } else {
                ctx.words.playlists
            };
            let list_page = synthetic_page(PageKind::Page, list_dir, title);
            let mut page_ctx = ctx.page(&list_page, list_dir, Vec::new());
            let items: Vec<_> = ctx
                .list(kind)
                .iter()
                .map(|p| ctx.item_link(p, list_dir))
                .collect();
            if kind == PageKind::Album {
                page_ctx.albums = items;
            } else {
                page_ctx.playlists = items;
            }
            let template = format!("{dir}/list.{ext}");
            emit(
                page_file(list_dir),
                Kind::Pages,
                templates.render(&template, &page_ctx),
            );
        }
        let base_url = match format {
            Format::Gemini => site.config.gemini_base_url.as_deref(),
            Format::Html => site.config.html_base_url.as_deref(),
        };
        if let Some(base_url) = base_url {
            emit(
                "atom.xml".into(),
                Kind::Other,
                templates.render("atom.xml", &feed(site, base_url)),
            );
        }
        if format == Format::Html {
            emit(
                "style.css".into(),
                Kind::Other,
                templates.raw("html/style.css"),
            );
            let not_found = synthetic_page(PageKind::Page, "", ctx.words.not_found_title);
            let mut page_ctx = ctx.page(&not_found, "", Vec::new());
            if let Some(url) = base_url {
                // Served for any missing address, so its links must not depend on where it is shown.
                let url = absolute(url, "");
                for link in &mut page_ctx.nav {
                    link.href = format!("{url}{}", link.href);
                }
                page_ctx.root = format!("{url}index.html");
                page_ctx.feed = page_ctx.feed.map(|f| format!("{url}{f}"));
                page_ctx.base = url;
            }
            emit(
                "404.html".into(),
                Kind::Pages,
                templates.render("html/404.html", &page_ctx),
            );
        }
    }
    Error::check(diags.errors)?;
    Ok(files)
}

fn synthetic_page(kind: PageKind, dir: &str, title: &str) -> Page {
    Page {
        kind,
        slug: dir.to_string(),
        dir: dir.to_string(),
        source: Default::default(),
        title: title.to_string(),
        date: None,
        description: None,
        draft: false,
        publish_originals: false,
        body: Vec::new(),
        photos: Vec::new(),
        tracks: Vec::new(),
        cover: None,
    }
}

/// The context of a page of the site: its body blocks, plus lists (home) or neighbours (items).
fn page_context<'a>(ctx: &Ctx<'a>, page: &Page) -> PageCtx<'a> {
    let format = ctx.format;
    let from = page.dir.as_str();
    let site = ctx.site;
    let resolve = |url: &str| -> Option<String> {
        match url.strip_prefix(PAGE_LINK) {
            Some(target) => {
                let (path, fragment) = target
                    .split_once('#')
                    .map(|(p, f)| (p, format!("#{f}")))
                    .unwrap_or((target, String::new()));
                site.links
                    .get(path)
                    .map(|dir| format!("{}{fragment}", page_href(format, from, dir)))
            }
            None => Some(url.to_string()),
        }
    };
    let notes = match format {
        Format::Gemini => gemtext::collect_notes(page.body.iter().filter_map(|b| match b {
            Block::Markdown(events) => Some(events.as_slice()),
            _ => None,
        })),
        Format::Html => Default::default(),
    };
    let gem_ctx = gemtext::GemContext {
        link: &resolve,
        notes: &notes,
        table_alt: ctx.words.table,
    };
    let media = ctx.media_of(page);
    let mut track_position = 0;
    let mut last_heading = 1;
    let blocks = page
        .body
        .iter()
        .filter_map(|block| match block {
            Block::Markdown(events) => {
                let content = match format {
                    Format::Gemini => gemtext::render(events, &gem_ctx),
                    Format::Html => html::render(events, &resolve, &mut last_heading),
                };
                (!content.trim().is_empty()).then_some(BlockCtx::Text { content })
            }
            Block::Photo(u) => Some(BlockCtx::Photo(ctx.photo(
                &page.photos[u.photo],
                media.photos.get(u.photo)?.as_ref()?,
                from,
                &u.alt,
                u.caption.as_deref(),
            ))),
            Block::Track(i) => {
                track_position += 1;
                Some(BlockCtx::Track(ctx.track(
                    track_position,
                    &page.tracks[*i],
                    media.tracks.get(*i)?.as_ref()?,
                    from,
                )))
            }
        })
        .collect();
    let mut page_ctx = ctx.page(page, from, blocks);
    match page.kind {
        PageKind::Home => {
            page_ctx.albums = site.albums.iter().map(|p| ctx.item_link(p, from)).collect();
            page_ctx.playlists = site
                .playlists
                .iter()
                .map(|p| ctx.item_link(p, from))
                .collect();
        }
        PageKind::Album | PageKind::Playlist => {
            let list = ctx.list(page.kind);
            let list_dir = if page.kind == PageKind::Album {
                "albums"
            } else {
                "playlists"
            };
            let pos = list.iter().position(|p| p.dir == page.dir).unwrap_or(0);
            // Lists are newest first: "previous" is the older item, "next" the newer one.
            page_ctx.prev = list.get(pos + 1).map(|p| ctx.item_link(p, from));
            page_ctx.next = pos
                .checked_sub(1)
                .and_then(|i| list.get(i))
                .map(|p| ctx.item_link(p, from));
            page_ctx.up = Some(context::NavLink {
                title: if page.kind == PageKind::Album {
                    ctx.words.albums
                } else {
                    ctx.words.playlists
                }
                .to_string(),
                href: page_href(format, from, list_dir),
                current: false,
            });
        }
        PageKind::Page => {}
    }
    page_ctx
}

#[derive(Serialize)]
struct FeedCtx {
    title: String,
    author: Option<String>,
    home: String,
    self_url: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    updated: String,
    summary: Option<String>,
}

/// Albums and playlists with a date, newest first, with absolute links.
fn feed(site: &Site, base_url: &str) -> FeedCtx {
    let mut items: Vec<&Page> = site
        .albums
        .iter()
        .chain(&site.playlists)
        .filter(|p| p.date.is_some())
        .collect();
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    let stamp = |d: &str| format!("{d}T00:00:00Z");
    FeedCtx {
        title: site.config.title.clone(),
        author: site.config.author.clone(),
        home: absolute(base_url, ""),
        self_url: format!("{}atom.xml", absolute(base_url, "")),
        updated: items
            .first()
            .and_then(|p| p.date.as_deref())
            .map(stamp)
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into()),
        entries: items
            .iter()
            .map(|p| FeedEntry {
                title: p.title.clone(),
                url: absolute(base_url, &p.dir),
                updated: p.date.as_deref().map(stamp).unwrap_or_default(),
                summary: p.description.clone(),
            })
            .collect(),
    }
}
