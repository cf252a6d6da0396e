//! The context of one page of the site: its frame, its body in the page's format, and its neighbours
//! (home: the lists; an album or playlist: previous, next and the list it belongs to).

use super::body::{blocks, BodyCtx};
use super::context::{Ctx, NavLink, PageCtx};
use super::gallery::{album_pages, walk_link, Walk};
use super::links::page_href;
use crate::content::{Page, PageKind};

/// The context of a page of the site: its body blocks, plus lists (home) or neighbours (items).
pub(super) fn page_context<'a>(ctx: &Ctx<'a>, page: &Page) -> PageCtx<'a> {
    let body = BodyCtx::of(ctx, page);
    let walk = Walk::of(page, ctx.media_of(page));
    let mut page_ctx = ctx.page(page, blocks(ctx, page, &body, &walk, 0));
    (page_ctx.album_pages, page_ctx.page_of) = album_pages(ctx, page, &walk, 0);
    page_ctx.walk = walk_link(ctx, page, &walk, 0);
    let from = page.dir.as_str();
    match page.kind {
        PageKind::Home => {
            page_ctx.albums = ctx
                .site
                .albums
                .iter()
                .map(|p| ctx.item_link(p, from))
                .collect();
            page_ctx.playlists = ctx
                .site
                .playlists
                .iter()
                .map(|p| ctx.item_link(p, from))
                .collect();
        }
        PageKind::Album | PageKind::Playlist => {
            let list = ctx.list(page.kind);
            let pos = list.iter().position(|p| p.dir == page.dir).unwrap_or(0);
            // Lists are newest first: "previous" is the older item, "next" the newer one.
            page_ctx.prev = list.get(pos + 1).map(|p| ctx.item_link(p, from));
            page_ctx.next = pos
                .checked_sub(1)
                .and_then(|i| list.get(i))
                .map(|p| ctx.item_link(p, from));
            if page.kind == PageKind::Playlist {
                if let Some(p) = ctx.site.playlists.iter().position(|p| p.dir == page.dir) {
                    page_ctx.related = super::music::related_playlists(ctx, p, from);
                    page_ctx.curator = super::music::curator_link(ctx, p, from);
                }
                if !ctx.library.is_empty() {
                    page_ctx.listen = super::music::playlist_listen(ctx, from);
                }
            }
            page_ctx.up = page.kind.list_dir().map(|dir| NavLink {
                title: ctx.words.list_title(page.kind).to_string(),
                href: page_href(ctx.format, from, dir),
                current: false,
            });
        }
        PageKind::Page => {}
    }
    page_ctx
}
