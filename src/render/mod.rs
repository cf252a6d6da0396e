//! Rendering: the model and media outputs → every page of both sites, as pure functions of their inputs.

mod body;
mod catalogue;
mod context;
mod gallery;
pub(crate) mod gemtext;
pub(crate) mod html;
pub(crate) mod i18n;
pub(crate) mod links;
mod markdown_ast;
pub(crate) mod music;
mod page;
mod podcast;
#[cfg(test)]
mod props;
pub(crate) mod templates;

use serde::Serialize;

use crate::content::{Page, PageKind, Site};
use crate::error::{Diagnostic, Error};
use crate::library::Library;
use crate::media::MediaOutputs;
use crate::output::{Format, Kind};
use context::Ctx;
use links::absolute;
pub(crate) use templates::Templates;

/// A text file of the output, ready to write.
pub(crate) struct Rendered {
    pub format: Format,
    pub path: String,
    pub kind: Kind,
    pub text: String,
}

/// Renders every page, list, feed and stylesheet of both formats. Template errors are all collected.
pub(crate) fn render_site(
    site: &Site,
    media: &MediaOutputs,
    library: &Library,
    templates: &Templates,
) -> Result<Vec<Rendered>, Error> {
    let mut out = Emit::default();
    for format in Format::ALL {
        let ctx = Ctx {
            site,
            media,
            library,
            words: i18n::words(site.config.language),
            format,
        };
        pages(&ctx, templates, &mut out);
        gallery::render(&ctx, templates, &mut out);
        lists(&ctx, templates, &mut out);
        feed(&ctx, templates, &mut out);
        music::music_files(&ctx, templates, &mut out);
        if format == Format::Html {
            out.push(
                format,
                "style.css".into(),
                Kind::Other,
                templates.raw("html/style.css"),
            );
            not_found(&ctx, templates, &mut out);
        }
    }
    Error::check(out.errors)?;
    Ok(out.files)
}

/// The files rendered so far, and the template errors met.
#[derive(Default)]
struct Emit {
    files: Vec<Rendered>,
    errors: Vec<Diagnostic>,
}

impl Emit {
    fn push(
        &mut self,
        format: Format,
        path: String,
        kind: Kind,
        result: Result<String, Diagnostic>,
    ) {
        match result {
            Ok(text) => self.files.push(Rendered {
                format,
                path,
                kind,
                text: printable(text),
            }),
            Err(d) => self.errors.push(d),
        }
    }
}

/// `text` without the control characters no page may hold, wherever they came from (a title written
/// with a TOML escape, a track's tags, a heading's attributes): a form feed becomes a space, the others
/// (C0 but tab and line feed, DEL, C1) go. HTML forbids them, XML too, and a Gemini client shows garbage.
fn printable(text: String) -> String {
    let unwanted = |c: char| c.is_control() && !matches!(c, '\t' | '\n');
    if !text.contains(unwanted) {
        return text;
    }
    text.chars()
        .filter_map(|c| match c {
            '\u{0c}' => Some(' '),
            c if unwanted(c) => None,
            c => Some(c),
        })
        .collect()
}

/// The template of a kind of page in a format: `html/album.html`, `gemini/list.gmi`.
fn template(format: Format, name: &str) -> String {
    let page = format.page_file("");
    let ext = page.rsplit_once('.').map_or("", |(_, e)| e);
    format!("{}/{name}.{ext}", format.dir())
}

/// The home page, the pages, and each album and playlist.
fn pages(ctx: &Ctx, templates: &Templates, out: &mut Emit) {
    for page in ctx.site.all_pages() {
        let rendered = templates.render(
            &template(ctx.format, page.kind.name()),
            &page::page_context(ctx, page),
        );
        out.push(
            ctx.format,
            ctx.format.page_file(&page.dir),
            Kind::Pages,
            rendered,
        );
    }
}

/// The list page of each kind that has one: every album, every playlist.
fn lists(ctx: &Ctx, templates: &Templates, out: &mut Emit) {
    for kind in PageKind::LISTED {
        let Some(dir) = kind.list_dir() else {
            continue;
        };
        let mut page_ctx = ctx.frame(PageKind::Page, ctx.words.list_title(kind), dir);
        let items = ctx
            .list(kind)
            .iter()
            .map(|p| ctx.item_link(p, dir))
            .collect();
        match kind {
            PageKind::Album => page_ctx.albums = items,
            _ => page_ctx.playlists = items,
        }
        let rendered = templates.render(&template(ctx.format, "list"), &page_ctx);
        out.push(ctx.format, ctx.format.page_file(dir), Kind::Pages, rendered);
    }
}

/// The Atom feed, when the format has a base URL.
fn feed(ctx: &Ctx, templates: &Templates, out: &mut Emit) {
    if let Some(base_url) = base_url(ctx) {
        out.push(
            ctx.format,
            "atom.xml".into(),
            Kind::Other,
            templates.render("atom.xml", &feed_context(ctx.site, base_url)),
        );
    }
}

/// The HTML site's page for any missing address.
fn not_found(ctx: &Ctx, templates: &Templates, out: &mut Emit) {
    let mut page_ctx = ctx.frame(PageKind::Page, ctx.words.not_found_title, "");
    if let Some(url) = base_url(ctx) {
        // Served for any missing address, so its links must not depend on where it is shown.
        let url = absolute(url, "");
        for link in &mut page_ctx.nav {
            link.href = format!("{url}{}", link.href);
        }
        page_ctx.root = format!("{url}index.html");
        page_ctx.feed = page_ctx.feed.map(|f| format!("{url}{f}"));
        page_ctx.base = url;
    }
    out.push(
        ctx.format,
        "404.html".into(),
        Kind::Pages,
        templates.render("html/404.html", &page_ctx),
    );
}

/// The absolute address of the site in this format, from capsule.toml.
fn base_url<'a>(ctx: &Ctx<'a>) -> Option<&'a str> {
    let config = &ctx.site.config;
    match ctx.format {
        Format::Gemini => config.gemini_base_url.as_deref(),
        Format::Html => config.html_base_url.as_deref(),
    }
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
fn feed_context(site: &Site, base_url: &str) -> FeedCtx {
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

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn pages_keep_tabs_and_lines_and_lose_other_controls() {
        assert_eq!(
            printable("a\u{b}b\u{c}c\r\n\td\u{7f}\u{85}e\u{1b}[0m".into()),
            "ab c\n\tde[0m"
        );
        assert_eq!(printable("plain\ntext".into()), "plain\ntext");
    }
}
