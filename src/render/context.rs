//! What templates see: one context per page and format, built from the model and the media outputs.

use serde::Serialize;

use super::i18n::{duration, human_date, Words};
use super::links::{page_href, relative};
use super::music::{EntryCtx, LinkCtx, MusicCtx};
use crate::content::{Page, PageKind, Photo, Site};
use crate::media::{PageMedia, PhotoOutput, TrackOutput};
use crate::output::Format;
use crate::units::human_bytes;

#[derive(Serialize)]
pub(crate) struct SiteCtx<'a> {
    pub title: &'a str,
    pub author: Option<&'a str>,
    pub description: Option<&'a str>,
    pub lang: &'static str,
}

#[derive(Serialize)]
pub(crate) struct NavLink {
    pub title: String,
    pub href: String,
    pub current: bool,
}

/// An album or playlist as it appears in a list.
#[derive(Serialize)]
pub(crate) struct ItemLink {
    pub title: String,
    pub href: String,
    pub date: Option<String>,
    pub date_human: Option<String>,
    pub description: Option<String>,
    pub thumb: Option<PhotoCtx>,
    pub photos: usize,
    pub tracks: usize,
}

#[derive(Serialize, Clone)]
pub(crate) struct PhotoCtx {
    /// Where the photo leads: its own page in an album's HTML, else the display version.
    pub href: String,
    /// What the page shows: the thumbnail in HTML, the one size in Gemini.
    pub src: String,
    pub srcset: String,
    /// How wide the layout shows it, for the browser to pick from `srcset`.
    pub sizes: &'static str,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub caption: Option<String>,
    /// Text for a link to the photo: alt text, caption or file name.
    pub label: String,
    pub format: &'static str,
    pub size: String,
    /// The original file, when the album publishes originals.
    pub original: Option<OriginalCtx>,
    /// Its anchor on an album page, where it is first shown: its photo page links back to it.
    pub id: Option<String>,
}

#[derive(Serialize, Clone)]
pub(crate) struct OriginalCtx {
    pub href: String,
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
    pub size: String,
}

#[derive(Serialize)]
pub(crate) struct SourceCtx {
    pub href: String,
    pub mime: &'static str,
    pub format: &'static str,
    pub size: String,
}

#[derive(Serialize)]
pub(crate) struct TrackCtx {
    pub position: usize,
    pub title: String,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub duration: Option<String>,
    pub sources: Vec<SourceCtx>,
    /// The one file to download or open (Gemini's link).
    pub file: SourceCtx,
    /// Its place on the page, for links to it.
    pub id: String,
    /// "More like this", with reasons.
    pub more: Vec<EntryCtx>,
    /// Its radio (M3U8).
    pub radio: Option<String>,
    /// A followed site's recording: `on Alice's music`, linked to its place on the member's pages.
    pub from: Option<LinkCtx>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(crate) enum BlockCtx {
    /// Rendered Markdown: HTML or gemtext, ready to print.
    Text {
        content: String,
    },
    Photo(PhotoCtx),
    Track(TrackCtx),
    /// An album's photos that its text does not place, on this page of the album: a grid when the
    /// text places none.
    Gallery {
        photos: Vec<PhotoCtx>,
        grid: bool,
    },
}

/// A photo's own page: the photo, where it stands in the album, the way on and back.
#[derive(Serialize)]
pub(crate) struct PhotoPageCtx {
    pub photo: PhotoCtx,
    /// `Photo 5 of 12`
    pub position: String,
    /// The album page that shows it, at its place.
    pub album: NavLink,
    /// The previous photo, or the album's start for the first.
    pub prev: NavLink,
    /// The next photo, or the album's end for the last.
    pub next: NavLink,
}

#[derive(Serialize)]
pub(crate) struct PageCtx<'a> {
    pub site: SiteCtx<'a>,
    pub t: &'static Words,
    pub kind: PageKind,
    pub title: String,
    pub date: Option<String>,
    pub date_human: Option<String>,
    pub description: Option<String>,
    /// Link to the home page.
    pub root: String,
    /// Relative prefix to the site root ("../../"), for files such as the stylesheet.
    pub base: String,
    pub feed: Option<String>,
    pub nav: Vec<NavLink>,
    pub blocks: Vec<BlockCtx>,
    pub cover: Option<PhotoCtx>,
    pub up: Option<NavLink>,
    pub prev: Option<ItemLink>,
    pub next: Option<ItemLink>,
    pub albums: Vec<ItemLink>,
    pub playlists: Vec<ItemLink>,
    pub photo_count: usize,
    pub track_count: usize,
    /// A music page's own content.
    pub music: Option<MusicCtx>,
    /// A playlist's related playlists.
    pub related: Vec<EntryCtx>,
    /// A playlist's links to listen elsewhere (M3U8, podcast).
    pub listen: Vec<LinkCtx>,
    /// A playlist's curator, linked to their page.
    pub curator: Option<LinkCtx>,
    /// A photo page's own content.
    pub photo_page: Option<PhotoPageCtx>,
    /// An album's numbered pages, when it has more than one: the title is the number.
    pub album_pages: Vec<NavLink>,
    /// `Page 2 of 9`, on an album's pages when it has more than one.
    pub page_of: Option<String>,
    /// The first photo page of this album page: Gemini's way to walk through the photos.
    pub walk: Option<String>,
}

pub(crate) struct Ctx<'a> {
    pub site: &'a Site,
    pub media: &'a crate::media::MediaOutputs,
    pub library: &'a crate::library::Library,
    pub words: &'static Words,
    pub format: Format,
}

/// Where a page shows a photo.
#[derive(Clone, Copy)]
pub(crate) enum Layout {
    /// The page column: an album written as an essay, a photo's own page.
    Column,
    /// A cell of an album's grid.
    Grid,
}

/// What the page column is wide (`max-width` 44rem less 1rem of padding each side), as `sizes` says it.
pub(crate) const COLUMN: &str = "(min-width: 44rem) 42rem, calc(100vw - 2rem)";

static NO_MEDIA: PageMedia = PageMedia {
    photos: Vec::new(),
    tracks: Vec::new(),
    sounds: Vec::new(),
};

impl<'a> Ctx<'a> {
    pub(crate) fn media_of(&self, page: &Page) -> &'a PageMedia {
        self.media.get(&page.dir).unwrap_or(&NO_MEDIA)
    }

    fn lang(&self) -> crate::config::Language {
        self.site.config.language
    }

    /// The frame every page shares (site, words, navigation, feed), for a page titled `title` in the
    /// output folder `dir`. List pages and the 404 page are frames alone.
    pub(crate) fn frame(&self, kind: PageKind, title: &str, dir: &str) -> PageCtx<'a> {
        let config = &self.site.config;
        let nav_to = |title: &str, to: &str| NavLink {
            title: title.to_string(),
            href: page_href(self.format, dir, to),
            current: to == dir,
        };
        let mut nav = vec![nav_to(self.words.home, "")];
        for listed in PageKind::LISTED {
            if let (false, Some(to)) = (self.list(listed).is_empty(), listed.list_dir()) {
                nav.push(nav_to(self.words.list_title(listed), to));
            }
        }
        if !self.library.is_empty() {
            nav.push(nav_to(self.words.music.title, crate::content::MUSIC));
        }
        nav.extend(self.site.pages.iter().map(|p| nav_to(&p.title, &p.dir)));
        let has_feed = match self.format {
            Format::Gemini => config.gemini_base_url.is_some(),
            Format::Html => config.html_base_url.is_some(),
        };
        let base = relative(dir, "");
        let base = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/")
        };
        PageCtx {
            site: SiteCtx {
                title: &config.title,
                author: config.author.as_deref(),
                description: config.description.as_deref(),
                lang: config.language.code(),
            },
            t: self.words,
            kind,
            title: title.to_string(),
            date: None,
            date_human: None,
            description: None,
            root: page_href(self.format, dir, ""),
            feed: has_feed.then(|| format!("{base}atom.xml")),
            base,
            nav,
            blocks: Vec::new(),
            cover: None,
            up: None,
            prev: None,
            next: None,
            albums: Vec::new(),
            playlists: Vec::new(),
            photo_count: 0,
            track_count: 0,
            music: None,
            related: Vec::new(),
            listen: Vec::new(),
            curator: None,
            photo_page: None,
            album_pages: Vec::new(),
            page_of: None,
            walk: None,
        }
    }

    /// A page of the site in its frame, with its body `blocks`.
    pub(crate) fn page(&self, page: &Page, blocks: Vec<BlockCtx>) -> PageCtx<'a> {
        self.page_in(page, blocks, &page.dir)
    }

    /// A page of the site with its body `blocks`, written in the output folder `dir` (an album's
    /// further pages are in sub-folders of its own).
    pub(crate) fn page_in(&self, page: &Page, blocks: Vec<BlockCtx>, dir: &str) -> PageCtx<'a> {
        PageCtx {
            date: page.date.clone(),
            date_human: page.date.as_deref().map(|d| human_date(self.lang(), d)),
            description: page.description.clone(),
            blocks,
            cover: self.cover(page, dir),
            photo_count: page.photos.len(),
            track_count: page.tracks.len(),
            ..self.frame(page.kind, &page.title, dir)
        }
    }

    /// The cover of a page (album or playlist) as shown from `from_dir`, when it has one.
    fn cover(&self, page: &Page, from_dir: &str) -> Option<PhotoCtx> {
        let i = page.cover?;
        let out = self.media_of(page).photos.get(i)?.as_ref()?;
        Some(self.photo(&page.photos[i], out, from_dir, "", None))
    }

    /// A photo as shown from the page in `from_dir`, with the words of one placement.
    pub(crate) fn photo(
        &self,
        photo: &Photo,
        out: &PhotoOutput,
        from_dir: &str,
        alt: &str,
        caption: Option<&str>,
    ) -> PhotoCtx {
        let label = [Some(alt), caption]
            .into_iter()
            .flatten()
            .find(|s| !s.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                photo
                    .source
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
        let (shown, full) = match self.format {
            Format::Gemini => (&out.gemini, &out.gemini),
            Format::Html => (out.thumbnail(), out.display()),
        };
        let srcset = self.srcset(out, from_dir, Layout::Column);
        PhotoCtx {
            href: relative(from_dir, &full.path),
            src: relative(from_dir, &shown.path),
            srcset,
            sizes: COLUMN,
            width: shown.width,
            height: shown.height,
            alt: alt.to_string(),
            caption: caption.map(str::to_string),
            label,
            format: full.label,
            size: human_bytes(full.bytes),
            original: out.original.as_ref().map(|o| OriginalCtx {
                href: relative(from_dir, &o.path),
                format: o.label,
                width: o.width,
                height: o.height,
                size: human_bytes(o.bytes),
            }),
            id: None,
        }
    }

    /// The sizes of a photo that a browser may choose from where `layout` shows it, as `srcset` says
    /// them: none smaller than the thumbnail in the page column (it is never that narrow), none larger
    /// than half the display size in a grid cell.
    pub(crate) fn srcset(&self, out: &PhotoOutput, from_dir: &str, layout: Layout) -> String {
        if self.format == Format::Gemini {
            return String::new();
        }
        let (thumb, last) = (out.thumbnail, out.html.len() - 1);
        let keep = |i: usize| match layout {
            Layout::Column => i >= thumb,
            Layout::Grid => i < last || last == 0,
        };
        out.html
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, r)| format!("{} {}w", relative(from_dir, &r.path), r.width))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The track at `index` of `page`, the `position`th shown, as the page in `from_dir` shows it.
    pub(crate) fn track(
        &self,
        position: usize,
        (page, index): (&Page, usize),
        out: &TrackOutput,
        from_dir: &str,
    ) -> TrackCtx {
        let track = &page.tracks[index];
        let playlist = (page.kind == PageKind::Playlist)
            .then(|| self.site.playlists.iter().position(|p| p.dir == page.dir))
            .flatten();
        let source = |f: &crate::media::AudioFile| SourceCtx {
            href: relative(from_dir, &f.path),
            mime: f.mime,
            format: f.label,
            size: human_bytes(f.bytes),
        };
        let file = match self.format {
            Format::Gemini => source(&out.gemini),
            Format::Html => source(out.html.last().unwrap_or(&out.gemini)),
        };
        TrackCtx {
            position,
            title: track.title.clone(),
            artist: track.artist.clone(),
            album: track.album.clone(),
            duration: Some(duration(out.duration_secs)).filter(|_| out.duration_secs > 0),
            sources: out.html.iter().map(source).collect(),
            file,
            id: super::music::track_id(&out.name),
            more: playlist
                .map(|p| super::music::more_like_this(self, p, index, from_dir))
                .unwrap_or_default(),
            radio: playlist.and_then(|p| super::music::radio_of(self, p, index, from_dir)),
            from: track
                .elsewhere
                .as_ref()
                .filter(|e| !e.page.is_empty())
                .map(|e| LinkCtx {
                    href: e.page.clone(),
                    title: super::i18n::fill_x(self.words.music.on_site, &e.site),
                }),
        }
    }

    /// An album or playlist as a link from the page in `from_dir`.
    pub(crate) fn item_link(&self, item: &Page, from_dir: &str) -> ItemLink {
        ItemLink {
            title: item.title.clone(),
            href: page_href(self.format, from_dir, &item.dir),
            date: item.date.clone(),
            date_human: item.date.as_deref().map(|d| human_date(self.lang(), d)),
            description: item.description.clone(),
            thumb: self.cover(item, from_dir),
            photos: item.photos.len(),
            tracks: item.tracks.len(),
        }
    }

    pub(crate) fn list(&self, kind: PageKind) -> &'a [Page] {
        match kind {
            PageKind::Album => &self.site.albums,
            PageKind::Playlist => &self.site.playlists,
            _ => &[],
        }
    }
}
