//! The site model: pages, albums, playlists, their photos and tracks, as loaded from `content/`.

mod document;
pub(crate) mod frontmatter;
mod load;
mod media_files;
pub(crate) mod slug;
mod sources;

use std::collections::BTreeMap;
use std::path::PathBuf;

use pulldown_cmark::Event;
use serde::{Deserialize, Serialize};

use crate::config::Config;

pub(crate) use document::{markdown_options, percent_decode};
pub(crate) use load::{load, load_with, prune_covers, LoadOptions, MUSIC};
pub(crate) use sources::{sources, Source};

/// Link targets to other pages are stored with this prefix and the target's content path,
/// and resolved per format by the renderers.
pub(crate) const PAGE_LINK: &str = "capsule-page:";

/// The whole site, ready to render.
#[derive(Debug)]
pub(crate) struct Site {
    pub config: Config,
    pub home: Page,
    pub pages: Vec<Page>,
    /// Newest first.
    pub albums: Vec<Page>,
    /// Newest first.
    pub playlists: Vec<Page>,
    /// Content path of a Markdown file or item folder → the output folder of its page.
    pub links: BTreeMap<String, String>,
}

impl Site {
    pub(crate) fn all_pages(&self) -> impl Iterator<Item = &Page> {
        std::iter::once(&self.home)
            .chain(&self.pages)
            .chain(&self.albums)
            .chain(&self.playlists)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PageKind {
    Home,
    Page,
    Album,
    Playlist,
}

impl PageKind {
    /// The kinds that have a list page of their own, in the order the site shows them.
    pub(crate) const LISTED: [PageKind; 2] = [PageKind::Album, PageKind::Playlist];

    /// The folder of this kind's items, in `content/` and in both outputs, where its list page is.
    pub(crate) fn list_dir(self) -> Option<&'static str> {
        match self {
            PageKind::Album => Some(load::ALBUMS),
            PageKind::Playlist => Some(load::PLAYLISTS),
            PageKind::Home | PageKind::Page => None,
        }
    }

    /// `home`, `page`, `album`, `playlist`: as templates, the report and its JSON name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Page => "page",
            PageKind::Album => "album",
            PageKind::Playlist => "playlist",
        }
    }
}

impl std::fmt::Display for PageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug)]
pub(crate) struct Page {
    pub kind: PageKind,
    pub slug: String,
    /// Output folder relative to the site root: `""`, `"about"`, `"albums/harbour"`.
    pub dir: String,
    /// The Markdown file (or the folder, when there is none), for messages.
    pub source: PathBuf,
    pub title: String,
    /// `YYYY-MM-DD`
    pub date: Option<String>,
    pub description: Option<String>,
    pub draft: bool,
    /// The author opted in to publishing the photos' original files, metadata included.
    pub publish_originals: bool,
    pub body: Vec<Block>,
    pub photos: Vec<Photo>,
    pub tracks: Vec<Track>,
    /// Index into `photos`.
    pub cover: Option<usize>,
    /// Who made a playlist: its `curator`, or the site's `author`.
    pub curator: Option<String>,
}

/// A piece of a page's body, in reading order.
#[derive(Debug)]
pub(crate) enum Block {
    /// One top-level Markdown block (paragraph, list, table…), as parser events.
    Markdown(Vec<Event<'static>>),
    /// A photo placed in the page, with the words of that placement.
    Photo(PhotoUse),
    /// Index into the page's `tracks`.
    Track(usize),
}

impl Block {
    /// A paragraph of one link, `[words](address)`.
    pub(crate) fn link_paragraph(address: &str, words: &str) -> Block {
        use pulldown_cmark::{CowStr, LinkType, Tag, TagEnd};
        Block::Markdown(vec![
            Event::Start(Tag::Paragraph),
            Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: CowStr::from(address.to_string()),
                title: CowStr::from(""),
                id: CowStr::from(""),
            }),
            Event::Text(CowStr::from(words.to_string())),
            Event::End(TagEnd::Link),
            Event::End(TagEnd::Paragraph),
        ])
    }
}

/// One placement of a photo: the same file may be shown twice with different words.
#[derive(Debug, Clone)]
pub(crate) struct PhotoUse {
    /// Index into the page's `photos`.
    pub photo: usize,
    /// Describes the photo for people who cannot see it; empty when the author gave none.
    pub alt: String,
    /// The author said the photo only decorates (`decorative` in the front matter): no alt text needed.
    pub decorative: bool,
    pub caption: Option<String>,
    /// The text places it; false for the folder's photos that the text does not mention.
    pub placed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Photo {
    pub source: PathBuf,
    /// Slug of the file name without extension; outputs are `<name>-<width>.<ext>`.
    pub name: String,
    /// EXIF capture time `YYYY:MM:DD HH:MM:SS`, when the photo has one.
    pub taken: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Track {
    pub source: PathBuf,
    /// Slug of the file name without extension.
    pub name: String,
    /// Lowercase extension of the source file.
    pub ext: String,
    pub title: String,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub number: Option<u32>,
    pub duration_secs: Option<u64>,
    /// From the track's override, else the file's tags, else the playlist's `genre`.
    pub genres: Vec<String>,
    /// Why the file's tags could not be read, when they could not: said only if the audio itself can
    /// be decoded (else the decoding error says it all, once).
    pub tags_problem: Option<String>,
    /// A recording of a followed site that the text links to by its address: it has no file here
    /// (`source` is the Markdown file that links to it) and plays from that site.
    pub elsewhere: Option<Elsewhere>,
}

/// A followed site's recording in a playlist of this site, as its text links to it; the files are
/// found in that site's catalogue (`library::elsewhere::place`), and stay empty until then.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Elsewhere {
    /// The address the text links to: the recording's place on the member's page, or one of its files.
    pub address: String,
    /// The line of the link in the Markdown file.
    pub line: usize,
    /// Its files as the member publishes them: (media type, address, bytes).
    pub files: Vec<(String, String, u64)>,
    /// Its file in the member's capsule, when there is one.
    pub gemini: Option<String>,
    /// The hash of its source, as the member's catalogue gives it: the same recording here is this one.
    pub recording: String,
    /// The member's site, by its name, and the recording's place on the member's pages.
    pub site: String,
    pub page: String,
}

impl Track {
    /// The track of a playlist's text that links to a followed site's recording at `address`: its title
    /// is the link's words until the followed catalogue tells more.
    pub(crate) fn elsewhere(
        markdown: &std::path::Path,
        text: &str,
        address: &str,
        line: usize,
    ) -> Track {
        Track {
            source: markdown.to_path_buf(),
            name: Some(slug::slugify(text))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "track".into()),
            ext: String::new(),
            title: text.to_string(),
            artist: None,
            album: None,
            number: None,
            duration_secs: None,
            genres: Vec::new(),
            tags_problem: None,
            elsewhere: Some(Elsewhere {
                address: address.to_string(),
                line,
                ..Elsewhere::default()
            }),
        }
    }
}
