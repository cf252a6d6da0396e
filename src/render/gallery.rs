//! An album as a gallery: a page per photo with previous and next, and the photos that the album's
//! text does not place split over numbered pages of at most `PER_PAGE`, as a grid when it places none.

use std::collections::{HashMap, HashSet};

use super::body::{blocks, BodyCtx};
use super::context::{Ctx, NavLink, PhotoPageCtx};
use super::i18n::{fill as fill_n, fill_x};
use super::links::{page_href, relative};
use super::{template, Emit, Templates};
use crate::content::{Block, Page, PageKind};
use crate::media::PageMedia;
use crate::output::{Format, Kind};

/// At most this many photos that the text does not place on one page of an album.
pub(crate) const PER_PAGE: usize = 60;

/// What a grid cell is wide: `minmax(10rem, 1fr)` columns with a 0.5rem gap in the page column,
/// four on a wide screen, three from 33rem, two below.
pub(crate) const GRID_CELL: &str =
    "(min-width: 44rem) 10.2rem, (min-width: 33rem) calc((100vw - 3rem) / 3), calc((100vw - 2.5rem) / 2)";

/// One photo of an album's walk, at its first placement.
pub(crate) struct Stop {
    /// Index into the album's `photos`.
    pub photo: usize,
    /// Index into the album's `body`.
    pub block: usize,
    /// The name of its page's folder, and its anchor on the album page.
    pub slug: String,
    /// The album page that shows it, from 0.
    pub album_page: usize,
}

/// The order in which an album's photos are walked through, and how its pages split them.
pub(crate) struct Walk {
    /// In reading order: the photos the text places, then the folder's others.
    pub stops: Vec<Stop>,
    /// How many pages the album has (at least one).
    pub pages: usize,
    /// The text places no photo: the album is a folder of photos, shown as a grid.
    pub grid: bool,
    /// Where each block and each photo is in `stops`: every photo asks, so no search of them all.
    by_block: HashMap<usize, usize>,
    by_photo: HashMap<usize, usize>,
}

impl Walk {
    /// The walk through `page`'s photos that have media; empty for anything but an album.
    pub(crate) fn of(page: &Page, media: &PageMedia) -> Walk {
        let mut walk = Walk {
            stops: Vec::new(),
            pages: 1,
            grid: false,
            by_block: HashMap::new(),
            by_photo: HashMap::new(),
        };
        if page.kind != PageKind::Album {
            return walk;
        }
        let (mut seen, mut slugs) = (HashSet::new(), HashSet::new());
        let (mut placed, mut unplaced) = (false, 0);
        for (block, b) in page.body.iter().enumerate() {
            let Block::Photo(u) = b else { continue };
            placed |= u.placed;
            if !matches!(media.photos.get(u.photo), Some(Some(_))) || !seen.insert(u.photo) {
                continue;
            }
            let album_page = if u.placed {
                0
            } else {
                unplaced += 1;
                (unplaced - 1) / PER_PAGE
            };
            walk.by_block.insert(block, walk.stops.len());
            walk.by_photo.insert(u.photo, walk.stops.len());
            walk.stops.push(Stop {
                photo: u.photo,
                block,
                slug: unique_slug(&page.photos[u.photo].name, &mut slugs),
                album_page,
            });
        }
        walk.pages = unplaced.div_ceil(PER_PAGE).max(1);
        walk.grid = !placed && unplaced > 0;
        walk
    }

    /// The stop whose first placement is the body's block `block`.
    pub(crate) fn at_block(&self, block: usize) -> Option<&Stop> {
        self.by_block.get(&block).map(|&i| &self.stops[i])
    }

    /// The stop of the album's photo `photo`.
    pub(crate) fn of_photo(&self, photo: usize) -> Option<&Stop> {
        self.by_photo.get(&photo).map(|&i| &self.stops[i])
    }

    /// The output folder of the album's page `n` (from 0): the album's own, then `2`, `3`…
    pub(crate) fn album_dir(page: &Page, n: usize) -> String {
        match n {
            0 => page.dir.clone(),
            n => format!("{}/{}", page.dir, n + 1),
        }
    }

    /// The output folder of a photo's page.
    pub(crate) fn photo_dir(page: &Page, stop: &Stop) -> String {
        format!("{}/{}", page.dir, stop.slug)
    }
}

/// A folder name for a photo's page, unlike any other of the album and never a page number.
fn unique_slug(name: &str, taken: &mut HashSet<String>) -> String {
    let base = match name {
        "" => "photo".to_string(),
        n if n.bytes().all(|b| b.is_ascii_digit()) => format!("photo-{n}"),
        n => n.to_string(),
    };
    let mut slug = base.clone();
    let mut n = 1;
    while !taken.insert(slug.clone()) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    slug
}

/// `text` with `{n}` and `{x}` filled in.
fn fill(text: &str, n: usize, x: &str) -> String {
    fill_x(&fill_n(text, n), x)
}

/// What every page of an album with more than one shows: its numbered pages, `Page 2 of 9`.
pub(super) fn album_pages(
    ctx: &Ctx,
    page: &Page,
    walk: &Walk,
    n: usize,
) -> (Vec<NavLink>, Option<String>) {
    if walk.pages < 2 {
        return (Vec::new(), None);
    }
    let dir = Walk::album_dir(page, n);
    let links = (0..walk.pages)
        .map(|i| NavLink {
            title: (i + 1).to_string(),
            href: page_href(ctx.format, &dir, &Walk::album_dir(page, i)),
            current: i == n,
        })
        .collect();
    let of = fill(ctx.words.gallery.page_of, n + 1, &walk.pages.to_string());
    (links, Some(of))
}

/// Gemini's way into the walk from the album's page `n`: the first photo that page shows.
pub(super) fn walk_link(ctx: &Ctx, page: &Page, walk: &Walk, n: usize) -> Option<String> {
    let first = walk.stops.iter().find(|s| s.album_page == n)?;
    let dir = Walk::album_dir(page, n);
    Some(page_href(ctx.format, &dir, &Walk::photo_dir(page, first)))
}

/// Every album's further pages and its photo pages.
pub(super) fn render(ctx: &Ctx, templates: &Templates, out: &mut Emit) {
    for album in &ctx.site.albums {
        let media = ctx.media_of(album);
        let walk = Walk::of(album, media);
        let body = BodyCtx::of(ctx, album);
        for n in 1..walk.pages {
            let dir = Walk::album_dir(album, n);
            let mut page_ctx = ctx.page_in(album, blocks(ctx, album, &body, &walk, n), &dir);
            page_ctx.description = None;
            (page_ctx.album_pages, page_ctx.page_of) = album_pages(ctx, album, &walk, n);
            page_ctx.walk = walk_link(ctx, album, &walk, n);
            page_ctx.up = Some(NavLink {
                title: album.title.clone(),
                href: page_href(ctx.format, &dir, &album.dir),
                current: false,
            });
            out.push(
                ctx.format,
                ctx.format.page_file(&dir),
                Kind::Pages,
                templates.render(&template(ctx.format, "album"), &page_ctx),
            );
        }
        for (i, stop) in walk.stops.iter().enumerate() {
            photo_page(ctx, templates, out, (album, media, &walk), i, stop);
        }
    }
}

/// The page of the album's `i`th stop.
fn photo_page(
    ctx: &Ctx,
    templates: &Templates,
    out: &mut Emit,
    (album, media, walk): (&Page, &PageMedia, &Walk),
    i: usize,
    stop: &Stop,
) {
    let (Block::Photo(u), Some(Some(output))) =
        (&album.body[stop.block], media.photos.get(stop.photo))
    else {
        return;
    };
    let words = &ctx.words.gallery;
    let dir = Walk::photo_dir(album, stop);
    let mut photo = ctx.photo(
        &album.photos[stop.photo],
        output,
        &dir,
        &u.alt,
        u.caption.as_deref(),
    );
    if ctx.format == Format::Html {
        // The page shows the display size; the browser picks the one its screen needs.
        let display = output.display();
        photo.src = relative(&dir, &display.path);
        (photo.width, photo.height) = (display.width, display.height);
    }
    let n = i + 1;
    let title = u
        .caption
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| fill(words.untitled, n, &album.title));
    let album_href = |page: usize| page_href(ctx.format, &dir, &Walk::album_dir(album, page));
    let to_photo = |s: &Stop| page_href(ctx.format, &dir, &Walk::photo_dir(album, s));
    let link = |title: &str, href: String| NavLink {
        title: title.to_string(),
        href,
        current: false,
    };
    let back = match ctx.format {
        Format::Html => format!("{}#{}", album_href(stop.album_page), stop.slug),
        Format::Gemini => album_href(stop.album_page),
    };
    let prev = match i.checked_sub(1) {
        Some(p) => link(words.previous_photo, to_photo(&walk.stops[p])),
        None => link(words.album_start, album_href(0)),
    };
    let next = match walk.stops.get(i + 1) {
        Some(s) => link(words.next_photo, to_photo(s)),
        None => link(words.album_end, album_href(walk.pages - 1)),
    };
    let mut page_ctx = ctx.frame(PageKind::Album, &title, &dir);
    page_ctx.description = Some(u.alt.clone()).filter(|a| !a.is_empty());
    page_ctx.photo_page = Some(PhotoPageCtx {
        photo,
        position: fill(words.photo_of, n, &walk.stops.len().to_string()),
        album: link(&album.title, back),
        prev,
        next,
    });
    out.push(
        ctx.format,
        ctx.format.page_file(&dir),
        Kind::Pages,
        templates.render(&template(ctx.format, "photo-page"), &page_ctx),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_slugs_are_unique_and_never_a_page_number() {
        let mut taken = HashSet::new();
        assert_eq!(unique_slug("gull", &mut taken), "gull");
        assert_eq!(unique_slug("gull", &mut taken), "gull-2");
        assert_eq!(unique_slug("2", &mut taken), "photo-2");
        assert_eq!(unique_slug("", &mut taken), "photo");
        assert_eq!(unique_slug("", &mut taken), "photo-3");
    }
}
