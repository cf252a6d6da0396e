//! The track table of a playlist: each track's file, title, artist and length, titles and artists
//! saved as `[tracks."file"]` keys of the front matter (which the build reads before the tags), and
//! removal to the trash, which turns the text's link to the track back into plain words.

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use super::forms::Form;
use super::markdown;
use super::pages::{edit_link, Pages};
use super::words::Words;
use super::write::{self, Saved};
use super::Reply;
use crate::content::{markdown_options, Block, Page, PageKind};
use crate::library::elsewhere;
use crate::library::follow::{self, Followed};

/// The editor's address of a playlist's track table.
pub(super) fn playlist_link(dir: &str) -> String {
    let item = super::forms::encode(dir);
    format!("/_edit/playlist?item={item}")
}

struct Row {
    file: String,
    title: String,
    artist: String,
    duration: String,
    /// A followed site's recording that the text links to: where it plays from (`on Alice's music`),
    /// or that it is on none of the followed sites. Its words and place are the text's.
    from: Option<String>,
}

/// The followed sites' catalogues as the last build kept them (the editor never waits on a network).
fn followed(pages: &Pages) -> Vec<Followed> {
    follow::kept(
        &pages.config.library.follow,
        &crate::config::Config::cache_dir(&pages.root).join("follow"),
    )
}

/// Places a loaded site's links to followed sites' recordings as the build does, so the editor counts
/// what the site will have (the build gives the warnings).
pub(super) fn place_followed(pages: &Pages, site: &mut crate::content::Site) {
    elsewhere::place(site, &followed(pages), &mut Vec::new());
}

/// A length as the table shows it: `3:07`.
fn minutes(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn rows(page: &Page, folder: &Path, t: &Words, followed: &[Followed]) -> Vec<Row> {
    let index = elsewhere::by_address(followed);
    page.body
        .iter()
        .filter_map(|b| match b {
            Block::Track(i) => page.tracks.get(*i),
            _ => None,
        })
        .map(|tr| match &tr.elsewhere {
            Some(e) => {
                let found = elsewhere::find(&index, &e.address)
                    .map(|(s, r)| (&followed[s], &followed[s].tracks[r]));
                Row {
                    file: crate::content::percent_decode(&e.address),
                    title: match found {
                        Some((_, r)) if tr.title.trim().is_empty() => r.title.clone(),
                        _ => tr.title.clone(),
                    },
                    artist: found
                        .and_then(|(_, r)| r.artist.clone())
                        .unwrap_or_default(),
                    duration: found.map(|(_, r)| minutes(r.seconds)).unwrap_or_default(),
                    from: Some(match found {
                        Some((site, _)) => t.on_site.replace("{x}", &site.name),
                        None => t.not_followed.to_string(),
                    }),
                }
            }
            None => Row {
                file: tr
                    .source
                    .strip_prefix(folder)
                    .unwrap_or(&tr.source)
                    .to_string_lossy()
                    .replace('\\', "/"),
                title: tr.title.clone(),
                artist: tr.artist.clone().unwrap_or_default(),
                duration: tr.duration_secs.map(minutes).unwrap_or_default(),
                from: None,
            },
        })
        .collect()
}

/// How many found tracks the search shows at once.
const FOUND: usize = 20;

/// A followed site's track, as the search shows it.
#[derive(Serialize)]
struct FoundCtx {
    title: String,
    artist: String,
    duration: String,
    site: String,
    /// Its place on the member's pages: what the text links to.
    address: String,
}

/// The followed sites' tracks whose title, artist or album holds `find` (any case), but for those
/// the playlist has already: at most [`FOUND`], and how many more there are.
fn find(followed: &[Followed], page: &Page, find: &str, t: &Words) -> (Vec<FoundCtx>, usize) {
    let index = elsewhere::by_address(followed);
    let present: std::collections::HashSet<(usize, usize)> = page
        .tracks
        .iter()
        .filter_map(|tr| elsewhere::find(&index, &tr.elsewhere.as_ref()?.address))
        .collect();
    let wanted = find.trim().to_lowercase();
    let mut matching = followed.iter().enumerate().flat_map(|(s, site)| {
        let present = &present;
        let wanted = &wanted;
        site.tracks
            .iter()
            .enumerate()
            .filter(move |(r, _)| !present.contains(&(s, *r)))
            .map(move |(_, r)| (site, r))
            .filter(move |(_, r)| {
                wanted.is_empty()
                    || [Some(&r.title), r.artist.as_ref(), r.album.as_ref()]
                        .into_iter()
                        .flatten()
                        .any(|text| text.to_lowercase().contains(wanted.as_str()))
            })
    });
    let shown = matching
        .by_ref()
        .take(FOUND)
        .map(|(site, r)| FoundCtx {
            title: r.title.clone(),
            artist: r.artist.clone().unwrap_or_default(),
            duration: minutes(r.seconds),
            site: t.on_site.replace("{x}", &site.name),
            address: r.page.clone(),
        })
        .collect();
    (shown, matching.count())
}

/// `text` as the words of a Markdown link: the characters Markdown would read as markup escaped.
fn link_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>' | '!' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `cover.*` photos of a playlist's folder, which the build takes as its cover.
pub(super) fn cover_files(folder: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut covers: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_stem()
                .is_some_and(|s| s.eq_ignore_ascii_case("cover"))
                && p.extension().is_some_and(|e| {
                    ["jpg", "jpeg", "png", "webp"]
                        .contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
                })
        })
        .collect();
    covers.sort();
    covers
}

/// The files that the links of `body` point to, decoded.
fn linked(body: &str) -> Vec<String> {
    Parser::new_ext(body, markdown_options())
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some(
                crate::content::percent_decode(&dest_url)
                    .trim_start_matches("./")
                    .to_string(),
            ),
            _ => None,
        })
        .collect()
}

/// `body` with every link to `file` replaced by its words.
fn unlink(body: &str, file: &str) -> String {
    let mut spans = Vec::new();
    let mut events = Parser::new_ext(body, markdown_options()).into_offset_iter();
    while let Some((event, range)) = events.next() {
        if let Event::Start(Tag::Link { dest_url, .. }) = event {
            let mut text = String::new();
            let mut end = range.end;
            for (e, r) in events.by_ref() {
                match e {
                    Event::End(TagEnd::Link) => {
                        end = end.max(r.end);
                        break;
                    }
                    Event::Text(t) | Event::Code(t) => text.push_str(&t),
                    _ => {}
                }
            }
            let target = crate::content::percent_decode(&dest_url);
            if target.trim_start_matches("./") == file {
                spans.push((range.start..end, text));
            }
        }
    }
    let mut out = body.to_string();
    for (range, text) in spans.into_iter().rev() {
        out.replace_range(range, &text);
    }
    out
}

impl Pages {
    /// The track table and the upload form of a playlist.
    pub(crate) fn playlist_page(
        &self,
        csrf: &str,
        item: &str,
        done: Option<&str>,
        refused: &[String],
        find_text: Option<&str>,
    ) -> Reply {
        #[derive(Serialize)]
        struct RowCtx {
            file: String,
            title: String,
            artist: String,
            duration: String,
            /// Its place comes from a link in the text; the others can move.
            placed: bool,
            from: Option<String>,
        }
        #[derive(Serialize)]
        struct Cover {
            src: String,
            width: u32,
            height: u32,
        }
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: super::pages::Base<'a>,
            item: &'a str,
            fingerprint: String,
            rows: Vec<RowCtx>,
            text_link: String,
            #[serde(flatten)]
            upload: super::pages::UploadCtx<'a>,
            cover_action: String,
            cover: Option<Cover>,
            cover_file: bool,
            /// The search of the followed sites' tracks: `none` (no site followed), `unread` (no
            /// catalogue kept yet) or `ready`.
            followed: &'static str,
            find: &'a str,
            found: Vec<FoundCtx>,
            more: Option<String>,
        }
        let (source, page, text) = match self.load_item(item, PageKind::Playlist) {
            Ok(l) => l,
            Err(reply) => return reply,
        };
        let folder = source.folder.clone().unwrap_or_default();
        let links = linked(markdown::body_of(&text));
        let followed = followed(self);
        let rows = rows(&page, &folder, self.t, &followed)
            .into_iter()
            .map(|r| RowCtx {
                placed: links.contains(&r.file),
                file: r.file,
                title: r.title,
                artist: r.artist,
                duration: r.duration,
                from: r.from,
            })
            .collect();
        let find_text = find_text.unwrap_or("");
        let (found, more) = find(&followed, &page, find_text, self.t);
        let state = if self.config.library.follow.is_empty() {
            "none"
        } else if followed.is_empty() {
            "unread"
        } else {
            "ready"
        };
        let built = crate::output::out_dir(&self.root)
            .join("html")
            .join(&source.dir);
        let cover = super::photos::thumbnail(&built, "cover").and_then(|file| {
            let (width, height) = image::image_dimensions(built.join(&file)).ok()?;
            Some(Cover {
                src: format!("/{}/{file}", source.dir),
                width,
                height,
            })
        });
        let upload = self.upload_ctx(item, csrf, false, refused);
        let cover_action = format!("{}&cover=1", upload.upload_action);
        let mut base = self.base(&page.title, "dashboard", csrf);
        base.notice = self.notice(done);
        Reply::html(
            200,
            self.render(
                "edit/playlist.html",
                &Ctx {
                    base,
                    item,
                    fingerprint: write::fingerprint(text.as_bytes()),
                    rows,
                    text_link: edit_link(&source.dir),
                    upload,
                    cover_action,
                    cover,
                    cover_file: !cover_files(&folder).is_empty(),
                    followed: state,
                    find: find_text,
                    found,
                    more: (more > 0)
                        .then(|| self.t.followed_more.replace("{n}", &more.to_string())),
                },
            ),
        )
    }

    /// Saves the track table: changed titles and artists, or the removal its button asked for.
    pub(crate) fn save_playlist(&self, form: &Form) -> Reply {
        let (source, page, original) =
            match self.load_item(form.get("item").unwrap_or("\0"), PageKind::Playlist) {
                Ok(l) => l,
                Err(reply) => return reply,
            };
        let folder = source.folder.clone().unwrap_or_default();
        let followed = followed(self);
        let current = rows(&page, &folder, self.t, &followed);
        let count: usize = form.text("count").parse().unwrap_or(0);
        let mut text = original.clone();
        for i in 0..count.min(10_000) {
            let Some(file) = form.get(&format!("file-{i}")) else {
                continue;
            };
            // A followed site's track has its words in the text and its facts on its site.
            let Some(row) = current.iter().find(|r| r.file == file && r.from.is_none()) else {
                continue;
            };
            for (key, now, sent) in [
                ("title", &row.title, form.text(&format!("title-{i}"))),
                ("artist", &row.artist, form.text(&format!("artist-{i}"))),
            ] {
                if &sent != now {
                    let value = (!sent.is_empty()).then(|| markdown::toml_value(&sent));
                    text = markdown::with_track_key(&text, file, key, value.as_deref());
                }
            }
        }
        // Moves: among the tracks the text does not place, whose order is their track numbers.
        let links = linked(markdown::body_of(&original));
        let mut free: Vec<&str> = current
            .iter()
            .map(|r| r.file.as_str())
            .filter(|f| !links.iter().any(|l| l == f))
            .collect();
        let before = free.clone();
        if let Some((what, at)) = form.text("action").split_once(':') {
            let moved = at
                .parse::<usize>()
                .ok()
                .and_then(|i| form.get(&format!("file-{i}")))
                .and_then(|f| free.iter().position(|x| *x == f));
            match (what, moved) {
                ("top", Some(i)) => {
                    let f = free.remove(i);
                    free.insert(0, f);
                }
                ("up", Some(i)) if i > 0 => free.swap(i, i - 1),
                ("down", Some(i)) if i + 1 < free.len() => free.swap(i, i + 1),
                _ => {}
            }
        }
        if free != before {
            for (n, file) in free.iter().enumerate() {
                text = markdown::with_track_key(&text, file, "number", Some(&(n + 1).to_string()));
            }
        }
        let mut removed = None;
        if let Some(at) = form.text("action").strip_prefix("remove:") {
            let row = at
                .parse::<usize>()
                .ok()
                .and_then(|i| form.get(&format!("file-{i}")))
                .and_then(|f| current.iter().find(|r| r.file == f));
            if let Some(row) = row {
                let file = row.file.as_str();
                text = markdown::with_body(&text, &unlink(markdown::body_of(&text), file));
                // A followed site's track only leaves the text: its file is the member's.
                if row.from.is_none() {
                    for key in ["title", "artist", "album", "number"] {
                        text = markdown::with_track_key(&text, file, key, None);
                    }
                    removed = Some(file.to_string());
                }
            }
        }
        // A followed site's track, chosen in the search: a link to its place on the member's pages,
        // at the end of the text. Only an address of the catalogues kept is taken.
        if let Some(address) = form.text("action").strip_prefix("add:") {
            // The catalogues kept are checked: a page address found in them is one a page may link to.
            let track = followed
                .iter()
                .flat_map(|f| &f.tracks)
                .find(|r| r.page == address);
            match track {
                Some(r) => {
                    let body = markdown::body_of(&text).trim_end();
                    let link = format!("[{}](<{}>)", link_words(&r.title), r.page);
                    let body = if body.is_empty() {
                        format!("{link}\n")
                    } else {
                        format!("{body}\n\n{link}\n")
                    };
                    text = markdown::with_body(&text, &body);
                }
                _ => {
                    return Reply::html(
                        400,
                        self.message(400, self.t.tracks, self.t.not_followed, true),
                    )
                }
            }
        }
        let back = playlist_link(&source.dir);
        match write::replace(&source.markdown, text.as_bytes(), &form.text("fingerprint")) {
            Ok(Saved::Conflict(disk)) => self.conflict(&source, &text, &disk),
            Ok(saved) => {
                let mut gone: Vec<std::path::PathBuf> =
                    removed.map(|f| folder.join(f)).into_iter().collect();
                if form.text("action") == "cover:tags" {
                    gone.extend(cover_files(&folder));
                }
                for file in gone {
                    if let Err(e) = write::trash(&self.root, &file) {
                        return Reply::html(500, self.message(500, "Error", &e.to_string(), true));
                    }
                }
                let done = if saved == Saved::Written {
                    "saved"
                } else {
                    "unchanged"
                };
                Reply::see_other(format!("{back}&done={done}"))
            }
            Err(e) => Reply::html(500, self.message(500, "Error", &e.to_string(), true)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unlink;

    #[test]
    fn a_removed_track_leaves_its_words() {
        let body =
            "Then comes [City Lights](02-city.mp3), the longest.\n\n[Intro](01-intro.flac)\n";
        assert_eq!(
            unlink(body, "02-city.mp3"),
            "Then comes City Lights, the longest.\n\n[Intro](01-intro.flac)\n"
        );
    }
}
