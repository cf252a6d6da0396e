//! A page's body in its format: Markdown blocks through the gemtext or HTML renderer, photos and tracks
//! through the media outputs, with one context that both renderers read.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use super::context::{BlockCtx, Ctx, Layout, PhotoCtx};
use super::gallery::{Walk, GRID_CELL};
use super::links::page_href;
use super::{gemtext, html};
use crate::content::{Block, Page, PageKind, PhotoUse, PAGE_LINK};
use crate::output::Format;

/// Maps a link target to its URL from one page; `None` drops the link (its text stays).
pub(super) type LinkFn<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// What the body renderers of both formats need to render one page's Markdown blocks.
pub(crate) struct BodyCtx<'a> {
    pub link: LinkFn<'a>,
    /// Footnote label → its text, gathered over the whole page (gemtext gives notes after each block).
    pub notes: HashMap<String, String>,
    /// The notes gemtext has given already: each is given once, after the first block that cites it.
    pub notes_given: RefCell<HashSet<String>>,
    /// Alt text of preformatted tables ("table").
    pub table_alt: &'a str,
    /// The level of the page's previous heading (1 for the page title), carried across blocks so
    /// that HTML headings never skip a level.
    pub last_heading: Cell<u8>,
}

impl<'a> BodyCtx<'a> {
    /// The body context of `page` as shown in `ctx`'s format.
    pub(crate) fn of(ctx: &Ctx<'a>, page: &'a Page) -> BodyCtx<'a> {
        let (format, site) = (ctx.format, ctx.site);
        let from = page.dir.as_str();
        let link = move |url: &str| -> Option<String> {
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
            Format::Html => HashMap::new(),
        };
        BodyCtx {
            link: Box::new(link),
            notes,
            notes_given: RefCell::default(),
            table_alt: ctx.words.table,
            last_heading: Cell::new(1),
        }
    }
}

/// The page's body blocks in reading order, as templates show them: for an album, those of its page
/// `album_page` (from 0), its photos linked to their own pages in HTML.
pub(super) fn blocks(
    ctx: &Ctx,
    page: &Page,
    body: &BodyCtx,
    walk: &Walk,
    album_page: usize,
) -> Vec<BlockCtx> {
    let from = Walk::album_dir(page, album_page);
    let media = ctx.media_of(page);
    let mut track_position = 0;
    let mut out = Vec::new();
    let mut gallery: Option<(usize, Vec<PhotoCtx>)> = None;
    for (i, block) in page.body.iter().enumerate() {
        let photo = |u: &PhotoUse, layout: Layout| {
            let output = media.photos.get(u.photo)?.as_ref()?;
            let mut shown = ctx.photo(
                &page.photos[u.photo],
                output,
                &from,
                &u.alt,
                u.caption.as_deref(),
            );
            if let Layout::Grid = layout {
                shown.sizes = GRID_CELL;
                shown.srcset = ctx.srcset(output, &from, layout);
            }
            if let Some(stop) = walk.of_photo(u.photo) {
                if ctx.format == Format::Html {
                    shown.href = page_href(ctx.format, &from, &Walk::photo_dir(page, stop));
                }
                shown.id = (stop.block == i).then(|| stop.slug.clone());
            }
            Some(shown)
        };
        match block {
            Block::Photo(u) if !u.placed && page.kind == PageKind::Album => {
                if walk.at_block(i).is_some_and(|s| s.album_page == album_page) {
                    let layout = if walk.grid {
                        Layout::Grid
                    } else {
                        Layout::Column
                    };
                    let Some(shown) = photo(u, layout) else {
                        continue;
                    };

                    gallery
                        .get_or_insert_with(|| (out.len(), Vec::new()))
                        .1
                        .push(shown);
                }
            }
            _ if album_page > 0 => {}
            Block::Markdown(events) => {
                let content = match ctx.format {
                    Format::Gemini => gemtext::render(events, body),
                    Format::Html => html::render(events, body),
                };
                if !content.trim().is_empty() {
                    out.push(BlockCtx::Text { content });
                }
            }
            Block::Photo(u) => out.extend(photo(u, Layout::Column).map(BlockCtx::Photo)),
            Block::Track(t) => {
                track_position += 1;
                let Some(Some(output)) = media.tracks.get(*t) else {
                    continue;
                };
                out.push(BlockCtx::Track(ctx.track(
                    track_position,
                    (page, *t),
                    output,
                    &from,
                )));
            }
        }
    }
    if let Some((at, photos)) = gallery {
        out.insert(
            at,
            BlockCtx::Gallery {
                photos,
                grid: walk.grid,
            },
        );
    }
    out
}
