//! The photo table of an album, and uploads: the page, its save (alt texts, captions, order, cover,
//! "decorative", removal), and the multipart upload of new photos.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tiny_http::Request;

use super::album::{Row, Table};
use super::forms::{self, Form};
use super::markdown;
use super::pages::{edit_link, Pages};
use super::upload::{self, Part, Sniffed, UploadError};
use super::write::{self, Saved};
use super::Reply;
use crate::config::Config;
use crate::content::{Block, Page, PageKind, Source};
use crate::error::Error;
use crate::units::human_bytes;

/// The editor's address of an album's photo table.
pub(super) fn album_link(dir: &str) -> String {
    let item = super::forms::encode(dir);
    format!("/_edit/album?item={item}")
}

/// What an album is made of, now, on disk.
struct Loaded {
    source: Source,
    page: Page,
    text: String,
    table: Table,
}

impl Pages {
    fn load_album(&self, item: &str) -> Result<Loaded, Reply> {
        let (source, page, text) = self.load_item(item, PageKind::Album)?;
        let folder = source.folder.clone().unwrap_or_default();
        let table = Table::of(&page, markdown::body_of(&text), &folder).ok_or_else(|| {
            Reply::html(
                409,
                self.message(409, self.t.edit_photos, self.t.table_unavailable, true),
            )
        })?;
        Ok(Loaded {
            source,
            page,
            text,
            table,
        })
    }

    /// The photo table and the upload form of an album.
    pub(crate) fn album_page(
        &self,
        csrf: &str,
        item: &str,
        done: Option<&str>,
        refused: &[String],
    ) -> Reply {
        #[derive(Serialize)]
        struct RowCtx {
            file: String,
            alt: String,
            caption: String,
            decorative: bool,
            missing: bool,
            cover: bool,
            thumb: Option<String>,
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
        }
        let loaded = match self.load_album(item) {
            Ok(l) => l,
            Err(reply) => return reply,
        };
        let cover = loaded.page.cover.map(|i| &loaded.page.photos[i].source);
        let names: HashMap<String, &str> = loaded
            .page
            .body
            .iter()
            .filter_map(|b| match b {
                Block::Photo(u) => Some(&loaded.page.photos[u.photo]),
                _ => None,
            })
            .map(|p| (file_in(&loaded.source, &p.source), p.name.as_str()))
            .collect();
        let built = crate::output::out_dir(&self.root)
            .join("html")
            .join(&loaded.source.dir);
        let folder = loaded.source.folder.clone().unwrap_or_default();
        let rows = loaded
            .table
            .rows
            .iter()
            .map(|r| {
                let thumb = names.get(&r.file).and_then(|name| thumbnail(&built, name));
                let (width, height) = match &thumb {
                    Some(t) => image::image_dimensions(built.join(t)).ok(),
                    // Before any build: the editor's own preview, when it is made (the upload
                    // made it); its address makes it otherwise.
                    None => self
                        .cached_preview(&folder.join(&r.file))
                        .and_then(|p| image::image_dimensions(p).ok()),
                }
                .unwrap_or((0, 0));
                let is_cover = cover.is_some_and(|c| file_in(&loaded.source, c) == r.file);
                RowCtx {
                    file: r.file.clone(),
                    alt: r.alt.clone(),
                    caption: r.caption.clone(),
                    decorative: r.decorative,
                    missing: r.alt.is_empty() && !r.decorative,
                    cover: is_cover,
                    thumb: Some(match thumb {
                        Some(t) => format!("/{}/{t}", loaded.source.dir),
                        None => format!(
                            "/_edit/photo?item={}&file={}",
                            forms::encode(item),
                            forms::encode(&r.file)
                        ),
                    }),
                    width,
                    height,
                }
            })
            .collect();
        let mut base = self.base(&loaded.page.title, "dashboard", csrf);
        base.notice = self.notice(done);
        Reply::html(
            200,
            self.render(
                "edit/album.html",
                &Ctx {
                    base,
                    item,
                    fingerprint: write::fingerprint(loaded.text.as_bytes()),
                    rows,
                    text_link: edit_link(&loaded.source.dir),
                    upload: self.upload_ctx(item, csrf, true, refused),
                },
            ),
        )
    }

    /// Saves the photo table: the whole table at once, with the move or removal its button asked for.
    pub(crate) fn save_album(&self, form: &Form) -> Reply {
        let item = form.get("item").unwrap_or("\0");
        let loaded = match self.load_album(item) {
            Ok(l) => l,
            Err(reply) => return reply,
        };
        let folder = loaded.source.folder.clone().unwrap_or_default();
        let count: usize = form.text("count").parse().unwrap_or(0);
        let mut rows: Vec<Row> = (0..count.min(10_000))
            .filter_map(|i| {
                let file = form.get(&format!("file-{i}"))?.to_string();
                // Only the album's own photos: a row naming anything else is ignored.
                loaded.table.rows.iter().find(|r| r.file == file)?;
                Some(Row {
                    file,
                    alt: form.text(&format!("alt-{i}")),
                    caption: form.text(&format!("caption-{i}")),
                    decorative: form.checked(&format!("decorative-{i}")),
                })
            })
            .collect();
        // Photos added since the form was made keep their place after the others.
        for r in &loaded.table.rows {
            if !rows.iter().any(|x| x.file == r.file) {
                rows.push(r.clone());
            }
        }
        let mut removed = None;
        if let Some((what, at)) = form.text("action").split_once(':') {
            let at: usize = at.parse().unwrap_or(usize::MAX);
            if at < rows.len() {
                match what {
                    "top" => {
                        let r = rows.remove(at);
                        rows.insert(0, r);
                    }
                    "up" if at > 0 => rows.swap(at, at - 1),
                    "down" if at + 1 < rows.len() => rows.swap(at, at + 1),
                    "remove" => removed = Some(rows.remove(at)),
                    _ => {}
                }
            }
        }
        let body = loaded.table.apply(markdown::body_of(&loaded.text), &rows);
        let mut text = markdown::with_body(&loaded.text, &body);
        // The keys the table sets, only when they change.
        let decorative: Vec<String> = rows
            .iter()
            .filter(|r| r.decorative)
            .map(|r| r.file.clone())
            .collect();
        let had: Vec<String> = loaded
            .table
            .rows
            .iter()
            .filter(|r| r.decorative)
            .map(|r| r.file.clone())
            .collect();
        if decorative != had {
            let value = (!decorative.is_empty()).then(|| markdown::toml_strings(&decorative));
            text = markdown::with_key(
                &text,
                "decorative",
                value.as_deref(),
                markdown::body_of(&text),
            );
        }
        let cover_now = loaded
            .page
            .cover
            .map(|i| file_in(&loaded.source, &loaded.page.photos[i].source));
        let cover = form.get("cover").map(str::to_string);
        let removed_cover = removed
            .as_ref()
            .is_some_and(|r| Some(&r.file) == cover_now.as_ref());
        if (cover.is_some() && cover != cover_now) || removed_cover {
            let value = cover
                .filter(|c| removed.as_ref().is_none_or(|r| &r.file != c))
                .filter(|c| rows.iter().any(|r| &r.file == c))
                .map(|c| markdown::toml_value(&c));
            text = markdown::with_key(&text, "cover", value.as_deref(), markdown::body_of(&text));
        }
        let back = album_link(&loaded.source.dir);
        match write::replace(
            &loaded.source.markdown,
            text.as_bytes(),
            &form.text("fingerprint"),
        ) {
            Ok(Saved::Conflict(disk)) => self.conflict(&loaded.source, &text, &disk),
            Ok(saved) => {
                if let Some(r) = removed {
                    if let Err(e) = write::trash(&self.root, &folder.join(&r.file)) {
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

    /// Receives new photos for an album, or tracks for a playlist (multipart). Returns the editor's
    /// address of the item and the files it refused, with why, or the page to answer with when the
    /// whole upload is refused.
    pub(crate) fn upload(
        &self,
        request: &mut Request,
        item: &str,
        cover: bool,
    ) -> Result<(String, Vec<String>), Reply> {
        let Some(source) = self
            .source(item)
            .filter(|s| matches!(s.kind, PageKind::Album | PageKind::Playlist))
        else {
            return Err(self.not_found());
        };
        let album = source.kind == PageKind::Album;
        // A playlist's cover is a photo too.
        let photos = album || cover;
        let folder = source.folder.clone().unwrap_or_default();
        let limits = &self.config.edit;
        if let (Some(len), Some(limit)) = (request.body_length(), limits.max_request.0) {
            if len as u64 > limit {
                return Err(self.upload_too_large(None, limit));
            }
        }
        let content_type = super::guard::header(request, "Content-Type")
            .unwrap_or("")
            .to_string();
        let Some(boundary) = upload::boundary(&content_type) else {
            return Err(Reply::html(
                400,
                self.message(400, "…", "Not an upload.", true),
            ));
        };
        // Uploads wait outside content/ until write.rs moves them in.
        let uploads = Config::cache_dir(&self.root).join("uploads");
        std::fs::create_dir_all(&uploads)
            .map_err(|e| Reply::html(500, self.message(500, "Error", &e.to_string(), true)))?;
        let parts = upload::read_parts(
            request.as_reader(),
            &boundary,
            &uploads,
            limits.max_file.0,
            limits.max_request.0,
        );
        let parts = match parts {
            Ok(p) => p,
            Err(UploadError::FileTooLarge(name, limit)) => {
                return Err(self.upload_too_large(Some(&name), limit))
            }
            Err(UploadError::RequestTooLarge(limit)) => {
                return Err(self.upload_too_large(None, limit))
            }
            Err(UploadError::Malformed) => {
                return Err(Reply::html(
                    400,
                    self.message(
                        400,
                        "…",
                        "The upload broke off; nothing was added. Try again.",
                        true,
                    ),
                ))
            }
            Err(UploadError::Io(e)) => {
                return Err(Reply::html(
                    500,
                    self.message(500, "Error", &e.to_string(), true),
                ))
            }
        };
        let mut refused = Vec::new();
        for part in &parts {
            let Part::File { name, temp } = part else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            let mut head = [0u8; 64];
            let n = std::fs::File::open(temp)
                .and_then(|mut f| f.read(&mut head))
                .unwrap_or(0);
            let shown = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let ext = match (upload::sniff(&head[..n]), photos) {
                (Sniffed::Photo(ext), true) | (Sniffed::Audio(ext), false) => ext,
                (Sniffed::UnsupportedPhoto(kind), true) => {
                    refused.push(format!("{shown}: {kind} {}", self.t.unsupported_photo));
                    continue;
                }
                (_, true) => {
                    refused.push(format!("{shown} {}", self.t.not_a_photo));
                    continue;
                }
                (_, false) => {
                    refused.push(format!("{shown} {}", self.t.not_a_track));
                    continue;
                }
            };
            let target = if cover {
                // The one cover: the one before goes to the trash.
                for old in super::tracks::cover_files(&folder) {
                    if let Err(e) = write::trash(&self.root, &old) {
                        refused.push(format!("{shown}: {e}"));
                    }
                }
                folder.join(format!("cover.{ext}"))
            } else {
                upload::safe_name(&folder, name, ext)
            };
            match write::adopt(temp, &target) {
                // The photo table shows it at once, before a build has made its sizes.
                Ok(true) if album => {
                    let _ = self.preview_of(&target);
                }
                Ok(true) => {}
                Ok(false) => refused.push(format!("{shown}: {}", self.t.exists)),
                Err(e) => refused.push(format!("{shown}: {e}")),
            }
        }
        upload::discard(&parts);
        let back = if album {
            album_link(&source.dir)
        } else {
            super::tracks::playlist_link(&source.dir)
        };
        Ok((back, refused))
    }

    fn upload_too_large(&self, file: Option<&str>, limit: u64) -> Reply {
        let limit = human_bytes(limit);
        let text = match file {
            Some(f) => format!(
                "{f} {} {limit} at most. Nothing was added. {}",
                self.t.file_too_large, self.t.raise_max_file
            ),
            None => format!("{} ({limit}). Nothing was added.", self.t.too_large_text),
        };
        Reply::html(413, self.message(413, self.t.too_large_title, &text, true))
    }
}

/// The long side of the editor's own previews: the photo table shows them 15 rem wide, twice as sharp.
const PREVIEW_LONG: u32 = 480;

impl Pages {
    /// Where the editor keeps its preview of `file`, named by its path, size and time: a changed
    /// file gets a new one.
    fn preview_path(&self, file: &Path) -> Option<PathBuf> {
        let meta = std::fs::metadata(file).ok()?;
        let time = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        let key = blake3::hash(format!("{}\0{}\0{time}", file.display(), meta.len()).as_bytes());
        Some(
            Config::cache_dir(&self.root)
                .join("previews")
                .join(format!("{}.jpg", &key.to_hex()[..32])),
        )
    }

    /// The editor's preview of `file`, when it is already made.
    fn cached_preview(&self, file: &Path) -> Option<PathBuf> {
        self.preview_path(file).filter(|p| p.is_file())
    }

    /// The editor's preview of `file`, made now when it is not yet: upright, small, without metadata.
    fn preview_of(&self, file: &Path) -> Result<PathBuf, Error> {
        static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let path = self
            .preview_path(file)
            .ok_or_else(|| Error::file(file, "cannot be read"))?;
        if path.is_file() {
            return Ok(path);
        }
        let bytes = crate::media::photo_preview(file, PREVIEW_LONG)?;
        let dir = path.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = path.with_extension(format!("{}-{n}.tmp", std::process::id()));
        std::fs::write(&tmp, &bytes).map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(Error::io("write", &path))?;
        Ok(path)
    }

    /// `GET /_edit/photo?item=…&file=…`: the preview of one of the album's photos (only a photo its
    /// table lists, so no other file is ever read).
    pub(crate) fn photo_preview(&self, item: &str, file: &str) -> Reply {
        let loaded = match self.load_album(item) {
            Ok(l) => l,
            Err(reply) => return reply,
        };
        let folder = loaded.source.folder.clone().unwrap_or_default();
        let Some(row) = loaded.table.rows.iter().find(|r| r.file == file) else {
            return self.not_found();
        };
        match self
            .preview_of(&folder.join(&row.file))
            .and_then(|p| std::fs::read(&p).map_err(Error::io("read", &p)))
        {
            Ok(bytes) => Reply::jpeg(bytes),
            Err(_) => self.not_found(),
        }
    }
}

/// A photo file's name relative to its item's folder.
fn file_in(source: &Source, file: &Path) -> String {
    let folder = source.folder.clone().unwrap_or_default();
    file.strip_prefix(&folder)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The HTML size of the photo named `name` that the last build made to show it small: the smallest at
/// least `SMALL_ENOUGH` pixels wide (the table shows it 240 px wide), else the largest.
pub(super) fn thumbnail(built: &Path, name: &str) -> Option<String> {
    const SMALL_ENOUGH: u32 = 300;
    let prefix = format!("{name}-");
    let sizes: Vec<(u32, String)> = std::fs::read_dir(built)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            let width: u32 = file
                .strip_prefix(&prefix)?
                .split('.')
                .next()?
                .parse()
                .ok()?;
            Some((width, file))
        })
        .collect();
    let wide_enough = sizes.iter().filter(|(w, _)| *w >= SMALL_ENOUGH).min();
    wide_enough
        .or_else(|| sizes.iter().max())
        .map(|(_, f)| f.clone())
}
