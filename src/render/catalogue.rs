//! The music catalogue other sites read (`music/catalogue.json`, Canimus JSON) and each playlist's JSPF:
//! pure functions of the library and the media outputs (the README and docs/catalogue.schema.json
//! describe the format).

use serde::Serialize;

use super::context::Ctx;
use super::links::{absolute, file_url, list_href};
use super::music::{curator_dir, file_of, output_of, track_id};
use crate::content::MUSIC;
use crate::output::Format;

/// The Canimus specification the catalogue follows: the commit of format.md it was written from
/// (github.com/PlaidWeb/Canimus).
const CANIMUS_VERSION: &str = "c1abb7e";
/// The version of what capsule writes in it (the fields docs/catalogue.schema.json describes).
const CATALOGUE_VERSION: u32 = 1;
pub(crate) use crate::config::CATALOGUE_PATH;

#[derive(Serialize)]
struct Root {
    #[serde(rename = "type")]
    kind: &'static str,
    protocol: &'static str,
    version: &'static str,
    capsule_catalogue: u32,
    name: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    curators: Vec<Curator>,
    children: Vec<Entity>,
}

#[derive(Serialize)]
struct Curator {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct Link {
    name: &'static str,
    href: String,
    rel: &'static str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Entity {
    Playlist(Playlist),
    Track(Track),
}

#[derive(Serialize)]
struct Playlist {
    uid: String,
    name: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    images: Option<Images>,
    children: Vec<TrackRef>,
}

#[derive(Serialize)]
struct Images {
    main: Image,
}

#[derive(Serialize)]
struct Image {
    src: String,
    #[serde(rename = "type")]
    kind: &'static str,
    width: u32,
    height: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    alt: Option<String>,
}

#[derive(Serialize)]
struct TrackRef {
    #[serde(rename = "type")]
    kind: &'static str,
    uid: String,
}

#[derive(Serialize)]
struct Track {
    uid: String,
    name: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    artist: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    album: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    genre: Option<String>,
    duration: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    track: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release_date: Option<String>,
    media: Vec<Media>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
}

#[derive(Serialize)]
struct Media {
    #[serde(rename = "type")]
    kind: &'static str,
    src: String,
    size: u64,
}

/// A recording's `uid`: the hash of its source file's bytes, the same on every site that publishes it.
fn uid(recording_id: &str) -> String {
    format!("blake3:{recording_id}")
}

/// The catalogue of the HTML site whose address is `base`: every recording once, then every playlist.
pub(super) fn catalogue(ctx: &Ctx, base: &str) -> String {
    debug_assert_eq!(ctx.format, Format::Html);
    let lib = ctx.library;
    let config = &ctx.site.config;
    let gemini_base = config.gemini_base_url.as_deref();
    let mut children = Vec::new();
    for (p, page) in ctx.site.playlists.iter().enumerate() {
        let list = lib.tracks_of(p);
        if list.is_empty() {
            continue;
        }
        let images = page.cover.and_then(|i| {
            let out = ctx.media_of(page).photos.get(i)?.as_ref()?;
            let shown = out.display();
            let alt = page.body.iter().find_map(|b| match b {
                crate::content::Block::Photo(u) if u.photo == i && !u.alt.is_empty() => {
                    Some(u.alt.clone())
                }
                _ => None,
            });
            Some(Images {
                main: Image {
                    src: file_url(base, &shown.path),
                    kind: crate::mime::content_type(std::path::Path::new(&shown.path)),
                    width: shown.width,
                    height: shown.height,
                    alt,
                },
            })
        });
        children.push(Entity::Playlist(Playlist {
            uid: format!("playlist:{}", page.dir),
            name: page.title.clone(),
            url: absolute(base, &page.dir),
            author: page.curator.clone(),
            release_date: page.date.clone(),
            summary: page.description.clone(),
            images,
            children: list
                .iter()
                .map(|&r| TrackRef {
                    kind: "track",
                    uid: uid(&lib.recordings[r].id),
                })
                .collect(),
        }));
    }
    for (r, rec) in lib.recordings.iter().enumerate() {
        let Some(out) = output_of(ctx, r) else {
            continue;
        };
        let Some(&(p, _)) = rec.uses.first() else {
            continue;
        };
        let page = &ctx.site.playlists[p];
        let genres: Vec<&str> = rec
            .genres
            .iter()
            .map(|&g| lib.genres[g].name.as_str())
            .collect();
        let links = gemini_base
            .map(|g| Link {
                name: "Gemini",
                href: file_url(g, &out.gemini.path),
                rel: "alternate",
                kind: Some(out.gemini.mime),
            })
            .into_iter()
            .collect();
        children.push(Entity::Track(Track {
            uid: uid(&rec.id),
            name: rec.title.clone(),
            url: format!("{}#{}", absolute(base, &page.dir), track_id(&rec.slug)),
            artist: rec.artist.clone(),
            album: rec.album_group.map(|a| lib.albums[a].name.clone()),
            genre: (!genres.is_empty()).then(|| genres.join("; ")),
            duration: rec.seconds,
            track: rec.number,
            release_date: rec.date.clone(),
            media: out
                .html
                .iter()
                .map(|f| Media {
                    kind: f.mime,
                    src: file_url(base, &f.path),
                    size: f.bytes,
                })
                .collect(),
            links,
        }));
    }
    let links = gemini_base
        .map(|g| Link {
            name: "Gemini",
            href: absolute(g, MUSIC),
            rel: "alternate",
            kind: None,
        })
        .into_iter()
        .collect();
    let root = Root {
        kind: "root",
        protocol: "Canimus",
        version: CANIMUS_VERSION,
        capsule_catalogue: CATALOGUE_VERSION,
        name: config.title.clone(),
        url: absolute(base, MUSIC),
        summary: config.description.clone(),
        links,
        // This site's own: a site that follows this one reads the followed sites themselves.
        curators: lib
            .curators
            .iter()
            .filter(|c| lib.is_local_curator(c))
            .map(|c| Curator {
                name: c.name.clone(),
                url: absolute(base, &curator_dir(&c.slug)),
            })
            .collect(),
        children,
    };
    // Compact: a collective's catalogue of thousands of recordings is read by programs, and a third
    // of a pretty-printed one is spaces.
    serde_json::to_string(&root).unwrap_or_default() + "\n"
}

#[derive(Serialize)]
struct Jspf {
    playlist: JspfPlaylist,
}

#[derive(Serialize)]
struct JspfPlaylist {
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<String>,
    track: Vec<JspfTrack>,
}

#[derive(Serialize)]
struct JspfTrack {
    location: Vec<String>,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    creator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    album: Option<String>,
    #[serde(rename = "trackNum", skip_serializing_if = "Option::is_none")]
    track_num: Option<u32>,
    /// Milliseconds, as XSPF counts.
    duration: u64,
}

/// The JSPF (XSPF in JSON) of playlist `p`, for the page in `dir`: its tracks in order, each with the
/// files of this format (absolute addresses with a base URL, relative to `dir` otherwise, as the M3U8).
pub(super) fn jspf(ctx: &Ctx, p: usize, dir: &str, base: Option<&str>) -> String {
    let lib = ctx.library;
    let page = &ctx.site.playlists[p];
    let href = |path: &str| list_href(base, dir, path);
    let track = lib
        .tracks_of(p)
        .into_iter()
        .filter_map(|r| {
            let rec = &lib.recordings[r];
            let out = output_of(ctx, r)?;
            let location = match ctx.format {
                Format::Html => out.html.iter().map(|f| href(&f.path)).collect(),
                Format::Gemini => vec![href(&file_of(ctx, r)?.path)],
            };
            Some(JspfTrack {
                location,
                title: rec.title.clone(),
                creator: rec.artist.clone(),
                album: rec.album_group.map(|a| lib.albums[a].name.clone()),
                track_num: rec.number,
                duration: rec.seconds * 1000,
            })
        })
        .collect();
    let jspf = Jspf {
        playlist: JspfPlaylist {
            title: page.title.clone(),
            creator: page.curator.clone(),
            annotation: page.description.clone(),
            info: base.map(|b| absolute(b, &page.dir)),
            track,
        },
    };
    serde_json::to_string_pretty(&jspf).unwrap_or_default() + "\n"
}
