//! Loads `content/` into a [`Site`]: home, plain pages, albums and playlists, with every problem collected.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::document::{leaves_site, leaves_site_message, parse_body, BodySource, ParsedBody};
use super::frontmatter::{self, FrontMatter};
use super::media_files::{
    self, capture_time, file_slug, is_audio, is_photo, is_unsupported_photo, read_track,
};
use super::slug::slugify;
use super::{Block, Page, PageKind, Photo, PhotoUse, Site, Track};
use crate::config::Config;
use crate::error::{display_path, Diagnostic, Diagnostics, Error};

/// Folder names under `content/` that hold items rather than pages.
pub(super) const ALBUMS: &str = "albums";
pub(super) const PLAYLISTS: &str = "playlists";
/// The music library's folder in both outputs.
pub(crate) const MUSIC: &str = "music";

pub(crate) fn load(
    root: &Path,
    config: Config,
    drafts: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Site, Error> {
    let opts = LoadOptions {
        drafts,
        keep_going: false,
    };
    load_with(root, config, opts, warnings, &HashMap::new())
}

/// How to load: with drafts or not, and whether what cannot be published is left out (`--keep-going`)
/// or fails the load.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LoadOptions {
    pub drafts: bool,
    pub keep_going: bool,
}

/// `load`, reading the Markdown files named in `texts` from there instead of the disk: the editor's
/// preview of a text that is not saved.
pub(crate) fn load_with(
    root: &Path,
    config: Config,
    LoadOptions { drafts, keep_going }: LoadOptions,
    warnings: &mut Vec<Diagnostic>,
    texts: &HashMap<PathBuf, String>,
) -> Result<Site, Error> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::Usage(format!(
            "there is no content/ folder in {}; run capsule from your site's folder, point to it with --root, or create a site with `capsule new my-site`",
            match display_path(root) {
                shown if shown.is_empty() || shown == "." => std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|_| "this folder".into()),
                shown => shown,
            }
        )));
    }
    let mut loader = Loader {
        content: content.clone(),
        diags: Diagnostics {
            keep_going,
            ..Diagnostics::default()
        },
        links: Vec::new(),
        texts,
        config_author: config.author.clone(),
    };
    let home_md = content.join("index.md");
    let mut home = loader.page(
        home_md.is_file().then_some(home_md.as_path()),
        &content,
        PageKind::Home,
        "",
    );
    if home.title.is_empty() {
        home.title = config.title.clone();
    }

    let mut pages = Vec::new();
    for path in loader.sorted_entries(&content) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_file() && media_files::extension(&path) == "md" && name != "index.md" {
            let slug = file_slug(&path);
            pages.push(loader.page(Some(&path), &content, PageKind::Page, &slug));
        } else if path.is_dir() && name != ALBUMS && name != PLAYLISTS && !name.starts_with('.') {
            loader.diags.warn(&path, None, "this folder is ignored: albums go in content/albums/, playlists in content/playlists/");
        }
    }
    let albums = loader.items(ALBUMS, PageKind::Album);
    let playlists = loader.items(PLAYLISTS, PageKind::Playlist);

    let mut site = Site {
        config,
        home,
        pages,
        albums,
        playlists,
        links: BTreeMap::new(),
    };
    let with_drafts = link_map(&site, &content);
    let keep = |p: &Page| drafts || !p.draft;
    site.pages.retain(keep);
    site.albums.retain(keep);
    site.playlists.retain(keep);
    for list in [&mut site.albums, &mut site.playlists] {
        list.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    }
    for page in site.all_pages() {
        loader.check_alt_text(page);
    }
    loader.check_slugs(&site);
    if site.config.html_base_url.is_none() && site.playlists.iter().any(|p| !p.tracks.is_empty()) {
        loader.diags.warn(
            root.join("capsule.toml"),
            None,
            "html_base_url is not set, so the playlists get no podcast feed and the site no music catalogue for other sites to follow (both need the site's full address); set it to the address of your HTML site, such as \"https://my-site.web.deuxfleurs.fr/\"",
        );
    }
    site.links = link_map(&site, &content);
    loader.check_links(&site, &with_drafts);
    loader.diags.finish(warnings)?;
    Ok(site)
}

struct Loader<'t> {
    content: PathBuf,
    diags: Diagnostics,
    /// Every link to a page: the linking file, the target's content path, the line.
    links: Vec<(PathBuf, String, usize)>,
    /// Texts to read in place of some Markdown files.
    texts: &'t HashMap<PathBuf, String>,
    /// The site's `author`: the curator of a playlist that names none.
    config_author: Option<String>,
}

fn source_of(md: Option<&Path>, dir: &Path) -> PathBuf {
    md.unwrap_or(dir).to_path_buf()
}

impl Loader<'_> {
    /// Entries of a folder, sorted by name, hidden files left out, and links that lead outside the
    /// site refused (an error names each).
    fn sorted_entries(&mut self, dir: &Path) -> Vec<PathBuf> {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.path())
                .filter(|path| match leaves_site(path, &self.content) {
                    Some(target) => {
                        self.diags
                            .cannot_publish(path, None, leaves_site_message(&target), path);
                        false
                    }
                    None => true,
                })
                .collect(),
            Err(e) => {
                self.diags
                    .error(dir, None, format!("cannot read this folder: {e}"));
                Vec::new()
            }
        };
        entries.sort();
        entries
    }

    fn read_markdown(&mut self, path: &Path) -> Option<frontmatter::Document> {
        if let Some(target) = leaves_site(path, &self.content) {
            self.diags.error(path, None, leaves_site_message(&target));
            return None;
        }
        let given = self.texts.get(path).map(|t| t.as_bytes().to_vec());
        let bytes = match given.map_or_else(|| std::fs::read(path), Ok) {
            Ok(b) => b,
            Err(e) => {
                self.diags
                    .error(path, None, format!("cannot read this file: {e}"));
                return None;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let line = e.as_bytes()[..valid]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1;
                self.diags.error(
                    path,
                    Some(line),
                    "this file is not UTF-8 text; save it as UTF-8 in your editor",
                );
                return None;
            }
        };
        match frontmatter::parse(&text, path) {
            Ok(doc) => Some(doc),
            Err(d) => {
                self.diags.errors.push(d);
                None
            }
        }
    }

    /// A page from a Markdown file (or from nothing, for a bare item folder).
    /// `src_dir` is where its relative links resolve.
    fn page(&mut self, md: Option<&Path>, src_dir: &Path, kind: PageKind, dir: &str) -> Page {
        let doc = md.and_then(|p| self.read_markdown(p));
        let (front, parsed) = match (&doc, md) {
            (Some(doc), Some(file)) => {
                let rel_dir = src_dir
                    .strip_prefix(&self.content)
                    .unwrap_or(Path::new(""))
                    .to_path_buf();
                let src = BodySource {
                    file,
                    body: &doc.body,
                    body_line: doc.body_line,
                    dir: &rel_dir,
                    content: &self.content,
                    playlist: kind == PageKind::Playlist,
                };
                (Some(&doc.front), parse_body(&src, &mut self.diags))
            }
            _ => (None, ParsedBody::default()),
        };
        for (target, line) in &parsed.page_links {
            self.links
                .push((source_of(md, src_dir), target.clone(), *line));
        }
        let default_front = FrontMatter::default();
        let front = front.unwrap_or(&default_front);
        let source = md
            .map(Path::to_path_buf)
            .unwrap_or_else(|| src_dir.to_path_buf());
        let date = front.date.as_ref().and_then(|d| match d.normalise() {
            Ok(d) => Some(d),
            Err(msg) => {
                let line = doc.as_ref().and_then(|doc| doc.line_of("date"));
                self.diags.error(&source, line, msg);
                None
            }
        });
        let fallback_title = match kind {
            PageKind::Home => String::new(),
            _ => humanise(
                &md.filter(|_| kind == PageKind::Page)
                    .and_then(|p| p.file_stem())
                    .or_else(|| src_dir.file_name())
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
        };
        let mut page = Page {
            kind,
            slug: dir.rsplit('/').next().unwrap_or("").to_string(),
            dir: dir.to_string(),
            source: source.clone(),
            title: front.title.clone().unwrap_or(fallback_title),
            date,
            description: front.description.clone(),
            draft: front.draft,
            publish_originals: front.publish_originals,
            body: Vec::new(),
            photos: Vec::new(),
            tracks: Vec::new(),
            cover: None,
            curator: (kind == PageKind::Playlist)
                .then(|| {
                    front
                        .curator
                        .as_deref()
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .or_else(|| self.config_author.clone())
                })
                .flatten(),
        };
        let cover_line = doc.as_ref().and_then(|d| d.line_of("cover"));
        self.attach_media(&mut page, parsed, (front, cover_line), src_dir);
        // What the writer wrote for the playlist wins over the files' tags; a track's own wins over both.
        if let Some(genres) = front.genre.as_ref().map(|g| g.list()) {
            for t in &mut page.tracks {
                let key = t
                    .source
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if front.tracks.get(&key).is_none_or(|o| o.genre.is_none()) {
                    t.genres = genres.clone();
                }
            }
        }
        if page.publish_originals {
            for photo in page
                .photos
                .iter()
                .filter(|p| super::media_files::has_gps(&p.source))
            {
                self.diags.warn(
                    &photo.source,
                    None,
                    "publish_originals = true publishes this file as it is, with the GPS position where it was \
                     taken; remove the position from the file, or the setting, if that is not what you want",
                );
            }
        }
        page
    }

    /// Turns the body's photo and track references into real `Photo`s and `Track`s,
    /// appends the unmentioned files of an album or playlist folder, and picks the cover.
    fn attach_media(
        &mut self,
        page: &mut Page,
        parsed: ParsedBody,
        (front, cover_line): (&FrontMatter, Option<usize>),
        src_dir: &Path,
    ) {
        let mut photo_index: HashMap<PathBuf, usize> = HashMap::new();
        let mut track_index: HashMap<PathBuf, usize> = HashMap::new();
        let mut photo_map = Vec::new();
        for r in parsed.photos {
            let abs = self.content.join(&r.path);
            let idx = *photo_index.entry(abs.clone()).or_insert_with(|| {
                page.photos.push(new_photo(abs));
                page.photos.len() - 1
            });
            photo_map.push(idx);
        }
        let mut track_map = Vec::new();
        let mut address_index: HashMap<String, usize> = HashMap::new();
        for r in parsed.tracks {
            if let Some((address, line)) = &r.address {
                // The same recording linked twice is one track, as the same file is.
                let idx = *address_index.entry(address.clone()).or_insert_with(|| {
                    page.tracks
                        .push(Track::elsewhere(&page.source, &r.text, address, *line));
                    page.tracks.len() - 1
                });
                track_map.push(Some(idx));
                continue;
            }
            let abs = self.content.join(&r.path);
            let idx = match track_index.get(&abs) {
                Some(&i) => Some(i),
                None => self.read_track(&abs, Some(&r.text), front).map(|t| {
                    page.tracks.push(t);
                    track_index.insert(abs, page.tracks.len() - 1);
                    page.tracks.len() - 1
                }),
            };
            track_map.push(idx);
        }
        page.body = parsed
            .blocks
            .into_iter()
            .filter_map(|b| match b {
                Block::Photo(u) => Some(Block::Photo(PhotoUse {
                    photo: photo_map[u.photo],
                    ..u
                })),
                Block::Track(i) => track_map[i].map(Block::Track),
                other => Some(other),
            })
            .collect();

        let is_item = matches!(page.kind, PageKind::Album | PageKind::Playlist);
        let cover_file = front.cover.as_ref().map(|c| src_dir.join(c));
        if let Some(cover) = &cover_file {
            if !cover.is_file() {
                self.diags.error(
                    &page.source,
                    cover_line,
                    format!(
                        "cover = \"{}\" does not exist in {}",
                        front.cover.as_deref().unwrap_or(""),
                        display_path(src_dir)
                    ),
                );
            } else if !is_photo(cover) {
                self.diags.error(
                    &page.source,
                    cover_line,
                    "the cover must be a JPEG, PNG or WebP photo",
                );
            }
        }
        if is_item {
            let extra = self.unmentioned(
                page.kind,
                src_dir,
                &photo_index,
                &track_index,
                front,
                cover_file.as_deref(),
            );
            for p in extra.photos {
                page.body.push(Block::Photo(PhotoUse {
                    photo: page.photos.len(),
                    alt: String::new(),
                    caption: None,
                    decorative: false,
                    placed: false,
                }));
                page.photos.push(p);
            }
            for t in extra.tracks {
                page.body.push(Block::Track(page.tracks.len()));
                page.tracks.push(t);
            }
            if let Some(cover) = extra.cover {
                page.photos.push(new_photo(cover));
            }
            for key in front.tracks.keys() {
                if !src_dir.join(key).is_file() {
                    self.diags.warn(
                        &page.source,
                        None,
                        format!("[tracks.\"{key}\"] names a file that is not in this folder"),
                    );
                }
            }
        }
        for block in &mut page.body {
            if let Block::Photo(u) = block {
                let name = page.photos[u.photo].source.file_name();
                u.decorative = front
                    .decorative
                    .iter()
                    .any(|d| name.is_some_and(|n| n.to_string_lossy() == d.as_str()));
            }
        }
        page.cover = match &cover_file {
            Some(c) => page.photos.iter().position(|p| &p.source == c).or_else(|| {
                c.is_file().then(|| {
                    page.photos.push(new_photo(c.clone()));
                    page.photos.len() - 1
                })
            }),
            None if page.kind == PageKind::Album => (!page.photos.is_empty()).then_some(0),
            None => page.photos.iter().position(|p| p.name == "cover"),
        };
        if page.kind == PageKind::Playlist && page.cover.is_none() {
            if let Some(cover) = self.cover_from_tags(page) {
                page.photos.push(cover);
                page.cover = Some(page.photos.len() - 1);
            }
        }
        if page.kind == PageKind::Album && page.date.is_none() {
            page.date = page
                .photos
                .iter()
                .filter_map(|p| p.taken.as_ref())
                .max()
                .map(|t| t[..10].replace(':', "-"));
        }
        self.check_media(page);
        self.drop_left_out(page);
    }

    /// Takes the photos and tracks that `--keep-going` left out out of the page, its body and cover.
    fn drop_left_out(&self, page: &mut Page) {
        let left_out = &self.diags.left_out;
        if left_out.is_empty() {
            return;
        }
        let gone = |p: &Path| left_out.iter().any(|l| l == p);
        let photo_at = keep_where(&mut page.photos, |p| !gone(&p.source));
        let track_at = keep_where(&mut page.tracks, |t| !gone(&t.source));
        page.cover = page.cover.and_then(|c| photo_at[c]);
        page.body.retain_mut(|b| match b {
            Block::Photo(u) => photo_at[u.photo].map(|i| u.photo = i).is_some(),
            Block::Track(t) => track_at[*t].map(|i| *t = i).is_some(),
            Block::Markdown(_) => true,
        });
    }

    /// The files of an item's folder that its text does not mention: photos to append to an album
    /// (in capture order), tracks to append to a playlist (in track-number order), a playlist's cover.
    fn unmentioned(
        &mut self,
        kind: PageKind,
        dir: &Path,
        photos: &HashMap<PathBuf, usize>,
        tracks: &HashMap<PathBuf, usize>,
        front: &FrontMatter,
        cover: Option<&Path>,
    ) -> Unmentioned {
        let mut extra = Unmentioned::default();
        for path in self.sorted_entries(dir) {
            let album = kind == PageKind::Album;
            if path.is_dir() {
                self.diags.warn(
                    &path,
                    None,
                    "sub-folders of an album or playlist are ignored",
                );
            } else if path.file_name().is_some_and(|n| n == "index.md") {
                continue;
            } else if is_unsupported_photo(&path) {
                let msg = media_files::unsupported_photo_message(&path);
                self.diags.cannot_publish(&path, None, msg, &path);
            } else if is_photo(&path) {
                if photos.contains_key(&path) {
                    continue;
                } else if album {
                    extra.photos.push(new_photo(path));
                } else if file_slug(&path) == "cover" || cover == Some(path.as_path()) {
                    extra.cover = Some(path);
                } else {
                    self.diags.warn(&path, None, "photos in a playlist folder are ignored unless the playlist shows them or uses one as cover");
                }
            } else if is_audio(&path) {
                if album {
                    self.diags.warn(&path, None, "audio files in an album are ignored; put tracks in a folder under content/playlists/");
                } else if !tracks.contains_key(&path) {
                    extra.tracks.extend(self.read_track(&path, None, front));
                }
            } else if let Some(msg) = media_files::unsupported_audio_message(&path) {
                self.diags.warn(&path, None, msg);
            } else if media_files::extension(&path) != "md" {
                self.diags.warn(
                    &path,
                    None,
                    "this file is not a photo or a track, so it is not published",
                );
            }
        }
        extra.photos.sort_by(|a, b| {
            (a.taken.is_none(), &a.taken, &a.source).cmp(&(b.taken.is_none(), &b.taken, &b.source))
        });
        extra.tracks.sort_by(|a, b| {
            (a.number.is_none(), a.number, &a.source).cmp(&(
                b.number.is_none(),
                b.number,
                &b.source,
            ))
        });
        extra
    }

    fn read_track(
        &mut self,
        path: &Path,
        text: Option<&str>,
        front: &FrontMatter,
    ) -> Option<Track> {
        let key = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let over = front.tracks.get(&key).cloned().unwrap_or_default();
        match read_track(path, text, &over) {
            // A tags problem is told by the media phase, once it knows the audio itself decodes.
            Ok((t, _)) => Some(t),
            Err(msg) => {
                self.diags.cannot_publish(path, None, msg, path);
                None
            }
        }
    }

    /// Empty photos and two files that would get the same output name.
    fn check_media(&mut self, page: &Page) {
        let empty = match page.kind {
            PageKind::Album => page
                .photos
                .is_empty()
                .then_some("photo (JPEG, PNG or WebP)"),
            PageKind::Playlist => page
                .tracks
                .is_empty()
                .then_some("track (FLAC, WAV, MP3, Ogg, Opus, M4A or AIFF)"),
            _ => None,
        };
        if let Some(what) = empty {
            self.diags.warn(
                &page.source,
                None,
                format!(
                    "this {} has no {what}, so its page is empty; put them in its folder",
                    page.kind.name()
                ),
            );
        }
        let mut seen: HashMap<(&str, &str), &Path> = HashMap::new();
        for p in &page.photos {
            if std::fs::metadata(&p.source)
                .map(|m| m.len() == 0)
                .unwrap_or(false)
            {
                self.diags.cannot_publish(
                    &p.source,
                    None,
                    "the file is empty (0 bytes); copy it again from your camera or phone",
                    &p.source,
                );
            } else if let Some(kind) = media_files::unsupported_content(&p.source) {
                let msg = media_files::disguised_photo_message(&p.source, kind);
                self.diags.cannot_publish(&p.source, None, msg, &p.source);
            }
            if let Some(other) = seen.insert(("photo", &p.name), &p.source) {
                self.diags.error(
                    &p.source,
                    None,
                    format!(
                        "this photo and {} get the same name \"{}\" online; rename one of them",
                        display_path(other),
                        p.name
                    ),
                );
            }
        }
        // A followed site's recording has no file here: its name is made unique when its files are named.
        for t in page.tracks.iter().filter(|t| t.elsewhere.is_none()) {
            if let Some(other) = seen.insert(("track", &t.name), &t.source) {
                self.diags.error(
                    &t.source,
                    None,
                    format!(
                        "this track and {} get the same name \"{}\" online; rename one of them",
                        display_path(other),
                        t.name
                    ),
                );
            }
        }
    }

    /// Albums or playlists: each folder under `content/<folder>/`.
    fn items(&mut self, folder: &str, kind: PageKind) -> Vec<Page> {
        let dir = self.content.join(folder);
        if !dir.is_dir() {
            return Vec::new();
        }
        let mut items = Vec::new();
        let mut hidden: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        hidden.sort();
        for path in hidden {
            let what = if kind == PageKind::Album {
                "album"
            } else {
                "playlist"
            };
            self.diags.warn(
                &path,
                None,
                format!("this folder's name starts with a dot, which hides it, so it is no {what} of the site; rename it without the dot to publish it"),
            );
        }
        for path in self.sorted_entries(&dir) {
            if !path.is_dir() {
                self.diags.warn(
                    &path,
                    None,
                    format!(
                        "files directly in content/{folder}/ are ignored; each item is a folder"
                    ),
                );
                continue;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let slug = slugify(&name);
            if slug.is_empty() {
                self.diags.error(&path, None, "this folder name has no letters or digits; rename it so it can have an address");
                continue;
            }
            let md = path.join("index.md");
            let page = self.page(
                md.is_file().then_some(md.as_path()),
                &path,
                kind,
                &format!("{folder}/{slug}"),
            );
            items.push(page);
        }
        items
    }

    /// Photos shown in a published page's body without a description get one warning per page.
    fn check_alt_text(&mut self, page: &Page) {
        let missing = page
            .body
            .iter()
            .filter(|b| matches!(b, Block::Photo(u) if u.alt.is_empty() && !u.decorative))
            .count();
        if missing > 0 {
            self.diags.warn(&page.source, None, format!(
                "{missing} photo{} no alt text; describe each photo with ![what it shows](file.jpg) for people who cannot see it",
                if missing == 1 { " has" } else { "s have" }
            ));
        }
    }

    fn check_slugs(&mut self, site: &Site) {
        let mut seen: HashMap<&str, &Path> = HashMap::new();
        for reserved in [ALBUMS, PLAYLISTS, MUSIC] {
            seen.insert(reserved, Path::new(reserved));
        }
        for page in site.pages.iter().chain(&site.albums).chain(&site.playlists) {
            if page.slug.is_empty() && page.kind == PageKind::Page {
                self.diags.error(
                    &page.source,
                    None,
                    "this file name has no letters or digits; rename it so it can have an address",
                );
            } else if let Some(other) = seen.insert(&page.dir, &page.source) {
                let why = if other == Path::new(MUSIC) {
                    format!(
                        "the address \"{}\" is reserved for the music library; rename the file",
                        page.dir
                    )
                } else if other == Path::new(ALBUMS) || other == Path::new(PLAYLISTS) {
                    format!(
                        "the address \"{}\" is reserved for the list of {other}; rename the file",
                        page.dir,
                        other = other.display()
                    )
                } else {
                    format!(
                        "this and {} both get the address \"{}\"; rename one of them",
                        display_path(other),
                        page.dir
                    )
                };
                self.diags.error(&page.source, None, why);
            }
        }
    }

    fn check_links(&mut self, site: &Site, with_drafts: &BTreeMap<String, String>) {
        for (file, target, line) in std::mem::take(&mut self.links) {
            if site.links.contains_key(&target) {
                continue;
            }
            if with_drafts.contains_key(&target) {
                self.diags.warn(&file, Some(line), format!("\"{target}\" is a draft, so this link is shown as plain text; build with --drafts to include it"));
            } else {
                self.diags.error(&file, Some(line), format!("the link to \"{target}\" does not match any page of this site; check the file name"));
            }
        }
    }
}

#[derive(Default)]
struct Unmentioned {
    photos: Vec<Photo>,
    tracks: Vec<Track>,
    cover: Option<PathBuf>,
}

impl Loader<'_> {
    /// A playlist with no cover file takes the cover art embedded in its first track that has one,
    /// copied into the cache (never into content/) so the photo pipeline can read it like any photo.
    fn cover_from_tags(&mut self, page: &Page) -> Option<Photo> {
        let (track, (data, ext)) = page
            .tracks
            .iter()
            .filter(|t| t.elsewhere.is_none())
            .find_map(|t| super::media_files::embedded_cover(&t.source).map(|c| (t, c)))?;
        let dir = covers_dir(self.content.parent().unwrap_or(Path::new(".")));
        let path = dir.join(format!("{}.{ext}", blake3::hash(&data).to_hex()));
        if !path.is_file() {
            let tmp = path.with_extension("tmp");
            let written = std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&tmp, &data))
                .and_then(|_| std::fs::rename(&tmp, &path));
            if let Err(e) = written {
                self.diags.warn(
                    &track.source,
                    None,
                    format!(
                        "its cover art could not be copied into {}: {e}",
                        dir.display()
                    ),
                );
                return None;
            }
        }
        Some(Photo {
            source: path,
            name: "cover".into(),
            taken: None,
        })
    }
}

/// Where cover art copied out of tags is kept, named by a hash of the picture.
fn covers_dir(root: &Path) -> PathBuf {
    crate::config::Config::cache_dir(root).join("covers")
}

/// Removes the cover art copied out of tags (`.capsule-cache/covers/`, named by a hash of the picture)
/// that no playlist uses any more. Best effort, like the media cache's pruning.
pub(crate) fn prune_covers(root: &Path, site: &Site) {
    let used: std::collections::HashSet<&std::ffi::OsStr> = site
        .playlists
        .iter()
        .flat_map(|p| &p.photos)
        .filter_map(|p| p.source.file_name())
        .collect();
    for entry in std::fs::read_dir(covers_dir(root))
        .into_iter()
        .flatten()
        .flatten()
    {
        if !used.contains(entry.file_name().as_os_str()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn new_photo(source: PathBuf) -> Photo {
    Photo {
        name: file_slug(&source),
        taken: capture_time(&source),
        source,
    }
}

/// "harbour-2024" → "Harbour 2024"
fn humanise(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every content path a link may name → that page's output folder.
fn link_map(site: &Site, content: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for page in site.all_pages() {
        let rel = |p: &Path| {
            p.strip_prefix(content)
                .ok()
                .map(|r| r.to_string_lossy().replace('\\', "/"))
        };
        if let Some(src) = rel(&page.source) {
            map.insert(src.clone(), page.dir.clone());
            if let Some(folder) = src.strip_suffix("/index.md") {
                map.insert(folder.to_string(), page.dir.clone());
            }
        }
    }
    map.insert(String::new(), String::new());
    map.insert(ALBUMS.into(), ALBUMS.into());
    map.insert(PLAYLISTS.into(), PLAYLISTS.into());
    map
}

/// Keeps the items for which `keep` holds, in order, and says where each old index went (`None` for an
/// item taken out), so that indexes into the list can follow.
fn keep_where<T>(items: &mut Vec<T>, keep: impl Fn(&T) -> bool) -> Vec<Option<usize>> {
    let mut at = Vec::with_capacity(items.len());
    let mut kept = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if keep(&item) {
            at.push(Some(kept.len()));
            kept.push(item);
        } else {
            at.push(None);
        }
    }
    *items = kept;
    at
}
