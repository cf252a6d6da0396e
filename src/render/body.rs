//! A page's body in its format: Markdown blocks through the gemtext or HTML renderer, photos and tracks
//! through the media outputs, with one context that both renderers read.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use super::context::{BlockCtx, Ctx};
use super::links::page_href;
use super::{gemtext, html};
use crate::content::{Block, Page, PAGE_LINK};
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

/// The page's body blocks in reading order, as templates show them.
pub(super) fn blocks(ctx: &Ctx, page: &Page, body: &BodyCtx) -> Vec<BlockCtx> {
    let from = page.dir.as_str();
    let media = ctx.media_of(page);
    let mut track_position = 0;
    page.body
        .iter()
        .filter_map(|block| match block {
            Block::Markdown(events) => {
                let content = match ctx.format {
                    Format::Gemini => gemtext::render(events, body),
                    Format::Html => html::render(events, body),
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
                    (page, *i),
                    media.tracks.get(*i)?.as_ref()?,
                    from,
                )))
            }
        })
        .collect()
}
