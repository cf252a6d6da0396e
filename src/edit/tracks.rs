//! The track table of a playlist: each track's file, title, artist and length, titles and artists
//! saved as `[tracks."file"]` keys of the front matter (which the build reads before the tags), and
//! removal to the trash, which turns the text's link to the track back into plain words.

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use super::forms::Form;
use super::markdown;
use super::pages::{edit_link, Pages};
use super::write::{self, Saved};
use super::Reply;
use crate::content::{markdown_options, Block, Page, PageKind};

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
}

fn rows(page: &Page, folder: &Path) -> Vec<Row> {
    page.body
        .iter()
        .filter_map(|b| match b {
            Block::Track(i) => page.tracks.get(*i),
            _ => None,
        })
        .map(|t| Row {
            file: t
                .source
                .strip_prefix(folder)
                .unwrap_or(&t.source)
                .to_string_lossy()
                .replace('\\', "/"),
            title: t.title.clone(),
            artist: t.artist.clone().unwrap_or_default(),
            duration: t
                .duration_secs
                .map(|s| format!("{}:{:02}", s / 60, s % 60))
                .unwrap_or_default(),
        })
        .collect()
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
    ) -> Reply {
        #[derive(Serialize)]
        struct RowCtx {
            file: String,
            title: String,
            artist: String,
            duration: String,
            /// Its place comes from a link in the text; the others can move.
            placed: bool,
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
        }
        let (source, page, text) = match self.load_item(item, PageKind::Playlist) {
            Ok(l) => l,
            Err(reply) => return reply,
        };
        let folder = source.folder.clone().unwrap_or_default();
        let links = linked(markdown::body_of(&text));
        let rows = rows(&page, &folder)
            .into_iter()
            .map(|r| RowCtx {
                placed: links.contains(&r.file),
                file: r.file,
                title: r.title,
                artist: r.artist,
                duration: r.duration,
            })
            .collect();
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
        let current = rows(&page, &folder);
        let count: usize = form.text("count").parse().unwrap_or(0);
        let mut text = original.clone();
        for i in 0..count.min(10_000) {
            let Some(file) = form.get(&format!("file-{i}")) else {
                continue;
            };
            let Some(row) = current.iter().find(|r| r.file == file) else {
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
            let file = at
                .parse::<usize>()
                .ok()
                .and_then(|i| form.get(&format!("file-{i}")))
                .filter(|f| current.iter().any(|r| r.file == *f));
            if let Some(file) = file {
                for key in ["title", "artist", "album", "number"] {
                    text = markdown::with_track_key(&text, file, key, None);
                }
                text = markdown::with_body(&text, &unlink(markdown::body_of(&text), file));
                removed = Some(file.to_string());
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
