//! Podcast feeds (RSS 2.0 with the iTunes namespace): one item per track, with its MP3 as enclosure.

use serde::Serialize;

use super::context::Ctx;
use super::links::{absolute, file_url};
use super::music::output_of;

#[derive(Serialize)]
pub(super) struct PodcastCtx {
    title: String,
    link: String,
    self_url: String,
    description: String,
    language: &'static str,
    author: String,
    image: Option<String>,
    items: Vec<ItemCtx>,
}

#[derive(Serialize)]
struct ItemCtx {
    title: String,
    author: Option<String>,
    url: String,
    bytes: u64,
    mime: &'static str,
    guid: String,
    date: Option<String>,
    seconds: u64,
}

/// `2024-06-01` → `Sat, 01 Jun 2024 00:00:00 +0000` (RFC 2822, as RSS wants).
fn rfc2822(date: &str) -> Option<String> {
    let d: jiff::civil::Date = date.parse().ok()?;
    Some(d.strftime("%a, %d %b %Y 00:00:00 +0000").to_string())
}

/// The feed of `list` (recordings), for the page in `dir`, whose cover is that of playlist `cover_of`.
pub(super) fn context(
    ctx: &Ctx,
    base: &str,
    title: &str,
    description: Option<&str>,
    dir: &str,
    cover_of: Option<usize>,
    list: &[usize],
) -> PodcastCtx {
    let lib = ctx.library;
    let image = cover_of
        .and_then(|p| ctx.site.playlists.get(p))
        .and_then(|page| {
            let i = page.cover?;
            let out = ctx.media_of(page).photos.get(i)?.as_ref()?;
            Some(file_url(base, &out.display().path))
        });
    let mut items: Vec<ItemCtx> = list
        .iter()
        .filter_map(|&r| {
            let rec = &lib.recordings[r];
            let out = output_of(ctx, r)?;
            let file = out
                .html
                .iter()
                .find(|f| f.mime == "audio/mpeg")
                .or(out.html.first())?;
            Some(ItemCtx {
                title: rec.title.clone(),
                author: rec.artist.clone(),
                url: file_url(base, &file.path),
                bytes: file.bytes,
                mime: if file.mime == "audio/mpeg" {
                    "audio/mpeg"
                } else {
                    "audio/ogg"
                },
                guid: format!("capsule-{}", &rec.id[..rec.id.len().min(32)]),
                date: rec.date.as_deref().and_then(rfc2822),
                seconds: rec.seconds,
            })
        })
        .collect();
    // Newest first, as podcast apps expect; the list's own order otherwise.
    items.sort_by(|a, b| {
        let key = |i: &ItemCtx| {
            i.date
                .as_deref()
                .and_then(|d| jiff::fmt::rfc2822::parse(d).ok())
                .map(|z| z.timestamp())
        };
        key(b).cmp(&key(a))
    });
    let config = &ctx.site.config;
    PodcastCtx {
        title: title.to_string(),
        link: absolute(base, dir),
        self_url: format!("{}podcast.xml", absolute(base, dir)),
        description: description
            .or(config.description.as_deref())
            .unwrap_or(title)
            .to_string(),
        language: config.language.code(),
        author: config
            .author
            .clone()
            .unwrap_or_else(|| config.title.clone()),
        image,
        items,
    }
}
