//! Following other sites: fetches the music catalogue of each site in `[library] follow` (in parallel,
//! with a deadline, conditional requests and a size limit), keeps the last good copy in the cache, and
//! checks everything in it (addresses, counts, text) before any of it can reach a page.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::config::{catalogue_url, fetchable, loopback};
use crate::error::Diagnostic;

/// A catalogue larger than this is refused: 20 MB holds some 40,000 recordings.
pub(crate) const MAX_BYTES: u64 = 20_000_000;
/// Entries (recordings and playlists) one catalogue may hold; more is refused.
pub(crate) const MAX_ENTRIES: usize = 50_000;
/// Tracks one playlist of a catalogue may hold.
const MAX_PLAYLIST_TRACKS: usize = 5_000;
/// Files or links one recording may list, and links a catalogue may give.
const MAX_SMALL_LIST: usize = 16;
/// Characters kept of a text (a title, a name): the rest is cut.
const MAX_TEXT: usize = 300;
/// Characters an address may have.
const MAX_URL: usize = 2_000;
/// The whole exchange with one site, connection to last byte: a slow site is left for its cached copy.
const DEADLINE: Duration = Duration::from_secs(5);
const CONNECT: Duration = Duration::from_secs(3);
/// Redirects followed for one catalogue, each to the same scheme.
const MAX_REDIRECTS: usize = 3;

/// A followed site's catalogue, checked: every address in it is absolute and of a scheme a page may
/// link to, every text is plain and short.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Followed {
    /// The address as `follow` writes it.
    pub site: String,
    /// Its host, to name its curators by (`alice.web.deuxfleurs.fr`).
    pub host: String,
    pub name: String,
    /// The address of its music library, and of the same in its capsule when it has one.
    pub url: String,
    pub gemini: Option<String>,
    pub tracks: Vec<RemoteTrack>,
    pub playlists: Vec<RemotePlaylist>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RemoteTrack {
    /// The hash of the recording's source (`blake3:` and 64 hex digits), or another id of the site's.
    pub uid: String,
    pub title: String,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub genres: Vec<String>,
    pub seconds: u64,
    pub number: Option<u32>,
    pub date: Option<String>,
    /// Its place on the member's pages.
    pub page: String,
    /// Its files, as the member publishes them: (MIME type, address, bytes).
    pub files: Vec<(String, String, u64)>,
    /// Its file in the member's capsule, when the catalogue gives one.
    pub gemini: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RemotePlaylist {
    pub title: String,
    pub page: String,
    pub curator: Option<String>,
    pub date: Option<String>,
    pub description: Option<String>,
    /// Indexes into the site's `tracks`, in the playlist's order.
    pub tracks: Vec<usize>,
}

/// What following every site gave: their catalogues (fresh or cached) and a warning for each site that
/// misbehaved.
#[derive(Default)]
pub(crate) struct Following {
    pub sites: Vec<Followed>,
    pub warnings: Vec<Diagnostic>,
}

/// Reads every followed site's catalogue at once, each within `DEADLINE`; a site that fails gives its
/// cached copy (or nothing) and a warning against `config_file`. Never fails the build. With
/// `fresh_for` (the preview's rebuilds, one at each save), a site asked less than that long ago is not
/// asked again: its kept copy, and what went wrong then, stand.
pub(crate) fn follow(
    sites: &[String],
    cache_dir: &Path,
    config_file: &Path,
    fresh_for: Option<Duration>,
) -> Following {
    let results: Vec<(Option<Followed>, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = sites
            .iter()
            .map(|site| s.spawn(move || follow_one(site, cache_dir, fresh_for)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| (None, Some("reading it failed unexpectedly".into())))
            })
            .collect()
    });
    let mut out = Following::default();
    for (site, (followed, problem)) in sites.iter().zip(results) {
        if let Some(problem) = problem {
            let what = match followed {
                Some(_) => "this build uses the copy kept from an earlier build",
                None => "its music is left out of this build (there is no earlier copy)",
            };
            out.warnings.push(Diagnostic::new(
                config_file,
                None,
                format!("[library] follow: {site}: {problem}; {what}"),
            ));
        }
        out.sites.extend(followed);
    }
    out
}

/// The copies of the followed sites' catalogues kept by the last builds, without asking the sites: for
/// the editor, which shows them and previews pages while the writer types.
pub(crate) fn kept(sites: &[String], cache_dir: &Path) -> Vec<Followed> {
    sites
        .iter()
        .filter_map(|site| {
            let url = catalogue_url(site).ok()?;
            let body = Cached::at(cache_dir, site).read()?;
            check(site, &url, &body).ok()
        })
        .collect()
}

/// The catalogue of one site and what went wrong getting a fresh one, if anything.
fn follow_one(
    site: &str,
    cache_dir: &Path,
    fresh_for: Option<Duration>,
) -> (Option<Followed>, Option<String>) {
    let url = match catalogue_url(site) {
        Ok(u) => u,
        Err(e) => return (None, Some(e)),
    };
    let cached = Cached::at(cache_dir, site);
    let kept = cached.read();
    let meta = cached.meta();
    let from_cache = || kept.as_ref().and_then(|body| check(site, &url, body).ok());
    let recent = meta
        .asked
        .zip(fresh_for)
        .is_some_and(|(asked, window)| now_secs().saturating_sub(asked) < window.as_secs());
    if recent {
        // What the last asking left: its copy, or its problem (a copy gone since is asked for again).
        match (from_cache(), &meta.problem) {
            (Some(f), problem) => return (Some(f), problem.clone()),
            (None, Some(problem)) => return (None, Some(problem.clone())),
            (None, None) => {}
        }
    }
    let fresh = fetch(&url, kept.as_ref().map(|_| &meta)).and_then(|got| match got {
        Fetched::NotModified => Ok(None),
        Fetched::Body(body, meta) => {
            let checked = check(site, &url, &body)?;
            cached.write(&body, &meta);
            Ok(Some(checked))
        }
    });
    cached.asked(fresh.as_ref().err());
    match fresh {
        Ok(Some(f)) => (Some(f), None),
        Ok(None) => match from_cache() {
            Some(f) => (Some(f), None),
            None => (
                None,
                Some("the kept copy cannot be read; it will be fetched again".into()),
            ),
        },
        Err(problem) => (from_cache(), Some(problem)),
    }
}

/// An address a page may link to or play from: absolute, `https:` (or `http:` on this computer), or
/// `gemini:` where `gemini` allows it; never `javascript:`, `data:` or a relative path.
fn safe_link(text: &str, gemini: bool) -> Option<String> {
    if text.len() > MAX_URL || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let u = url::Url::parse(text).ok()?;
    let ok = match u.scheme() {
        "https" => u.host().is_some(),
        "http" => loopback(&u),
        "gemini" => gemini && u.host().is_some(),
        _ => false,
    };
    ok.then(|| u.to_string())
}

enum Fetched {
    NotModified,
    Body(Vec<u8>, Meta),
}

/// What a conditional request sends back: the validators of the copy kept; and when the site was
/// last asked, with what went wrong then, for the preview's rebuilds (see [`follow`]'s `fresh_for`).
#[derive(Serialize, Deserialize, Default, Debug, Clone)]
struct Meta {
    etag: Option<String>,
    last_modified: Option<String>,
    /// Seconds since 1970 when the site was last asked.
    #[serde(default)]
    asked: Option<u64>,
    #[serde(default)]
    problem: Option<String>,
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn fetch(url: &url::Url, kept: Option<&Meta>) -> Result<Fetched, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(DEADLINE))
        .timeout_connect(Some(CONNECT))
        .user_agent(concat!("capsule/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let started = std::time::Instant::now();
    let mut at = url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let mut req = agent.get(at.as_str());
        if let Some(m) = kept {
            if let Some(e) = &m.etag {
                req = req.header("If-None-Match", e);
            }
            if let Some(l) = &m.last_modified {
                req = req.header("If-Modified-Since", l);
            }
        }
        let mut resp = req.call().map_err(|e| match e {
            ureq::Error::Timeout(_) => {
                format!("it did not answer within {} seconds", DEADLINE.as_secs())
            }
            e => format!("it cannot be reached ({e})"),
        })?;
        let status = resp.status().as_u16();
        match status {
            200 => {}
            304 if kept.is_some() => return Ok(Fetched::NotModified),
            301 | 302 | 303 | 307 | 308 => {
                let to = resp
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| at.join(l).ok())
                    .ok_or("it redirected to no address")?;
                if to.scheme() != at.scheme() || !fetchable(&to) {
                    return Err(format!("it redirected to {to}, another kind of address, which capsule does not follow"));
                }
                at = to;
                continue;
            }
            404 => return Err(format!("{at} does not exist (404): the site may have no music, or no html_base_url in its capsule.toml")),
            s => return Err(format!("it answered {s} for {at}")),
        }
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let meta = Meta {
            etag: header("etag"),
            last_modified: header("last-modified"),
            ..Meta::default()
        };
        if header("content-length")
            .and_then(|l| l.parse::<u64>().ok())
            .is_some_and(|l| l > MAX_BYTES)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        resp.body_mut()
            .as_reader()
            .take(MAX_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| match started.elapsed() >= DEADLINE {
                true => format!(
                    "it did not send its catalogue within {} seconds",
                    DEADLINE.as_secs()
                ),
                false => format!("its answer was cut short ({e})"),
            })?;
        if body.len() as u64 > MAX_BYTES {
            return Err(too_large());
        }
        return Ok(Fetched::Body(body, meta));
    }
    Err(format!("it redirected more than {MAX_REDIRECTS} times"))
}

fn too_large() -> String {
    format!(
        "its catalogue is larger than {}, which capsule refuses",
        crate::units::human_bytes(MAX_BYTES)
    )
}

/// The copy of a site's catalogue kept in the cache, with its validators.
struct Cached {
    body: PathBuf,
    meta: PathBuf,
}

impl Cached {
    fn at(cache_dir: &Path, site: &str) -> Cached {
        let key = blake3::hash(site.trim().as_bytes()).to_hex();
        let stem = cache_dir.join(&key.as_str()[..24]);
        Cached {
            body: stem.with_extension("json"),
            meta: stem.with_extension("meta"),
        }
    }

    fn read(&self) -> Option<Vec<u8>> {
        std::fs::read(&self.body).ok()
    }

    fn meta(&self) -> Meta {
        std::fs::read(&self.meta)
            .ok()
            .and_then(|m| serde_json::from_slice(&m).ok())
            .unwrap_or_default()
    }

    fn write_meta(&self, meta: &Meta) {
        if let Some(dir) = self.meta.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(&self.meta, serde_json::to_vec(meta).unwrap_or_default());
    }

    /// Keeps the copy; a cache that cannot be written only costs a full request next time.
    fn write(&self, body: &[u8], meta: &Meta) {
        let Some(dir) = self.body.parent() else {
            return;
        };
        let _ = std::fs::create_dir_all(dir);
        let tmp = self.body.with_extension("tmp");
        if std::fs::write(&tmp, body).is_ok() && std::fs::rename(&tmp, &self.body).is_ok() {
            self.write_meta(meta);
        }
    }

    /// Notes that the site was asked now, and what went wrong, if anything.
    fn asked(&self, problem: Option<&String>) {
        let meta = Meta {
            asked: Some(now_secs()),
            problem: problem.cloned(),
            ..self.meta()
        };
        self.write_meta(&meta);
    }
}

// What is read of a catalogue: the fields capsule uses, everything else skipped unread.

#[derive(Deserialize)]
struct RawRoot {
    name: Option<Text>,
    url: Option<Text>,
    #[serde(default)]
    links: Limited<RawLink, MAX_SMALL_LIST>,
    #[serde(default)]
    children: Limited<RawEntity, MAX_ENTRIES>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum RawEntity {
    Track(RawTrack),
    Playlist(RawPlaylist),
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct RawTrack {
    uid: Option<Text>,
    name: Option<Text>,
    url: Option<Text>,
    artist: Option<Text>,
    album: Option<Text>,
    genre: Option<Text>,
    duration: Option<f64>,
    track: Option<u32>,
    release_date: Option<Text>,
    #[serde(default)]
    media: Limited<RawMedia, MAX_SMALL_LIST>,
    #[serde(default)]
    links: Limited<RawLink, MAX_SMALL_LIST>,
}

#[derive(Deserialize)]
struct RawMedia {
    #[serde(rename = "type")]
    kind: Option<Text>,
    src: Option<Text>,
    size: Option<u64>,
}

#[derive(Deserialize)]
struct RawLink {
    href: Option<Text>,
}

#[derive(Deserialize)]
struct RawPlaylist {
    name: Option<Text>,
    url: Option<Text>,
    author: Option<Text>,
    release_date: Option<Text>,
    summary: Option<Text>,
    #[serde(default)]
    children: Limited<RawRef, MAX_PLAYLIST_TRACKS>,
}

#[derive(Deserialize)]
struct RawRef {
    uid: Option<Text>,
}

/// A string of a catalogue: control characters (a line break would start a new gemtext line) become
/// spaces, runs of spaces one, and it is cut at `MAX_TEXT` characters.
#[derive(Debug, Clone, Default)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let mut out = String::new();
        for c in raw.chars() {
            if out.chars().count() >= MAX_TEXT {
                break;
            }
            let c = if c.is_control() || c.is_whitespace() {
                ' '
            } else {
                c
            };
            if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
                continue;
            }
            out.push(c);
        }
        Ok(Text(out.trim_end().to_string()))
    }
}

/// A list of at most `N` items: a longer one is refused as it is read, before it takes the memory.
struct Limited<T, const N: usize>(Vec<T>);

impl<T, const N: usize> Default for Limited<T, N> {
    fn default() -> Self {
        Limited(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for Limited<T, N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const N: usize>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for V<T, N> {
            type Value = Limited<T, N>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "a list of at most {N} entries")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    if out.len() == N {
                        return Err(de::Error::custom(format!("more than {N} entries")));
                    }
                    out.push(item);
                }
                Ok(Limited(out))
            }
        }
        d.deserialize_seq(V::<T, N>(std::marker::PhantomData))
    }
}

/// The checked catalogue of `site`, fetched from `from`, or why it cannot be used.
fn check(site: &str, from: &url::Url, body: &[u8]) -> Result<Followed, String> {
    let raw: RawRoot = serde_json::from_slice(body)
        .map_err(|e| format!("its catalogue is not one capsule can read ({e})"))?;
    let text = |t: Option<Text>| t.map(|t| t.0).filter(|t| !t.is_empty());
    // With its port when it has one: two sites on one computer are told apart.
    let host = match (from.host_str(), from.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (h, _) => h.unwrap_or("").to_string(),
    };
    let url = raw
        .url
        .and_then(|u| safe_link(&u.0, false))
        .unwrap_or_else(|| from.join("./").map(|u| u.to_string()).unwrap_or_default());
    let gemini = first_gemini(raw.links);
    let mut tracks: Vec<RemoteTrack> = Vec::new();
    let mut by_uid: std::collections::HashMap<String, usize> = Default::default();
    let mut playlists_raw = Vec::new();
    for entity in raw.children.0 {
        match entity {
            RawEntity::Track(t) => {
                let Some(uid) = text(t.uid) else { continue };
                let files: Vec<(String, String, u64)> = t
                    .media
                    .0
                    .into_iter()
                    .filter_map(|m| {
                        let kind = text(m.kind)?;
                        // A type a browser's <audio> plays; anything else is not offered.
                        if !kind.starts_with("audio/") || kind.len() > 40 {
                            return None;
                        }
                        Some((kind, safe_link(&m.src?.0, false)?, m.size.unwrap_or(0)))
                    })
                    .collect();
                // A recording with nothing to play or no page of its own is left out.
                let (Some(page), false) =
                    (t.url.and_then(|u| safe_link(&u.0, false)), files.is_empty())
                else {
                    continue;
                };
                if by_uid.contains_key(&uid) {
                    continue;
                }
                let gemini = first_gemini(t.links);
                by_uid.insert(uid.clone(), tracks.len());
                tracks.push(RemoteTrack {
                    uid,
                    title: text(t.name).unwrap_or_else(|| "Untitled".into()),
                    artist: text(t.artist),
                    album: text(t.album),
                    genres: text(t.genre)
                        .map(|g| {
                            g.split(';')
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty())
                                .take(MAX_SMALL_LIST)
                                .collect()
                        })
                        .unwrap_or_default(),
                    seconds: t
                        .duration
                        .filter(|d| d.is_finite() && *d >= 0.0)
                        .map_or(0, |d| d.min(1e7) as u64),
                    number: t.track,
                    date: text(t.release_date).filter(|d| is_date(d)),
                    page,
                    files,
                    gemini,
                });
            }
            RawEntity::Playlist(p) => playlists_raw.push(p),
            RawEntity::Other => {}
        }
    }
    let playlists = playlists_raw
        .into_iter()
        .filter_map(|p| {
            let page = p.url.and_then(|u| safe_link(&u.0, false))?;
            let mut list: Vec<usize> = Vec::new();
            for r in p.children.0 {
                if let Some(&t) = r.uid.and_then(|u| by_uid.get(&u.0)) {
                    if !list.contains(&t) {
                        list.push(t);
                    }
                }
            }
            Some(RemotePlaylist {
                title: text(p.name).unwrap_or_else(|| "Untitled".into()),
                page,
                curator: text(p.author),
                date: text(p.release_date).filter(|d| is_date(d)),
                description: text(p.summary),
                tracks: list,
            })
        })
        .filter(|p| !p.tracks.is_empty())
        .collect();
    Ok(Followed {
        site: site.to_string(),
        name: text(raw.name).unwrap_or_else(|| host.clone()),
        host,
        url,
        gemini,
        tracks,
        playlists,
    })
}

/// The first `gemini://` address of a list of links.
fn first_gemini(links: Limited<RawLink, MAX_SMALL_LIST>) -> Option<String> {
    links
        .0
        .into_iter()
        .filter_map(|l| safe_link(&l.href?.0, true))
        .find(|l| l.starts_with("gemini://"))
}

/// `YYYY-MM-DD`, as the site's own dates.
fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {

    use super::*;

    fn parse(json: &str) -> Result<Followed, String> {
        let from = url::Url::parse("https://alice.example/music/catalogue.json").unwrap();
        check("https://alice.example/", &from, json.as_bytes())
    }

    #[test]
    fn only_addresses_a_page_may_link_to_are_kept() {
        let json = r#"{"name":"Alice","children":[
            {"type":"track","uid":"blake3:1","name":"Good","url":"https://alice.example/music/a/#t","duration":60,
             "media":[{"type":"audio/ogg","src":"https://alice.example/a.opus","size":10},
                      {"type":"audio/mpeg","src":"javascript:alert(1)","size":10}],
             "links":[{"href":"gemini://alice.example/a.mp3"}]},
            {"type":"track","uid":"blake3:2","name":"Script page","url":"javascript:alert(1)","duration":60,
             "media":[{"type":"audio/ogg","src":"https://alice.example/b.opus"}]},
            {"type":"track","uid":"blake3:3","name":"Data file","url":"https://alice.example/c","duration":60,
             "media":[{"type":"audio/ogg","src":"data:audio/ogg;base64,AAAA"}]},
            {"type":"track","uid":"blake3:4","name":"Relative","url":"../../secret","duration":60,
             "media":[{"type":"audio/ogg","src":"/d.opus"}]},
            {"type":"track","uid":"blake3:5","name":"Plain http","url":"http://alice.example/e","duration":60,
             "media":[{"type":"audio/ogg","src":"http://alice.example/e.opus"}]}
        ]}"#;
        let f = parse(json).unwrap();
        assert_eq!(f.tracks.len(), 1, "{:?}", f.tracks);
        let t = &f.tracks[0];
        assert_eq!(
            t.files,
            vec![(
                "audio/ogg".into(),
                "https://alice.example/a.opus".into(),
                10
            )]
        );
        assert_eq!(t.gemini.as_deref(), Some("gemini://alice.example/a.mp3"));
    }

    #[test]
    fn text_is_one_plain_short_line() {
        let long = "x".repeat(5000);
        let json = format!(
            r#"{{"name":"A\nB","children":[{{"type":"track","uid":"u","name":"Line\n=> gemini://evil.example/ x\u0000","url":"https://a.example/","duration":1,"media":[{{"type":"audio/ogg","src":"https://a.example/a.opus"}}],"artist":"{long}"}}]}}"#
        );
        let f = parse(&json).unwrap();
        assert_eq!(f.name, "A B");
        assert_eq!(f.tracks[0].title, "Line => gemini://evil.example/ x");
        assert_eq!(
            f.tracks[0].artist.as_ref().unwrap().chars().count(),
            MAX_TEXT
        );
    }

    #[test]
    fn too_many_entries_or_too_deep_a_catalogue_is_refused() {
        let many = format!(
            r#"{{"children":[{}]}}"#,
            vec![r#"{"type":"x"}"#; MAX_ENTRIES + 1].join(",")
        );
        assert!(parse(&many)
            .unwrap_err()
            .contains("more than 50000 entries"));
        // Nesting deeper than serde_json's limit is refused where it is read, and skipped unread where
        // it is not: neither overflows the stack.
        let nest = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let deep = format!(
            r#"{{"children":[{{"type":"track","extra":{}}}]}}"#,
            nest(100_000)
        );
        assert!(parse(&deep).unwrap_err().contains("recursion limit"));
        let skipped = format!(r#"{{"extra":{},"children":[]}}"#, nest(100_000));
        assert!(parse(&skipped).unwrap().tracks.is_empty());
        assert!(parse("{\"children\": 3").is_err());
    }

    #[test]
    fn only_https_or_this_computer_is_followed() {
        assert_eq!(
            catalogue_url("https://alice.example").unwrap().as_str(),
            "https://alice.example/music/catalogue.json"
        );
        assert_eq!(
            catalogue_url("https://example.org/~bob/").unwrap().as_str(),
            "https://example.org/~bob/music/catalogue.json"
        );
        assert_eq!(
            catalogue_url("http://127.0.0.1:8080/cat.json")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/cat.json"
        );
        for bad in [
            "http://alice.example/",
            "file:///etc/passwd",
            "gemini://a.example/",
            "alice",
        ] {
            assert!(catalogue_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn playlists_keep_their_order_and_only_known_tracks() {
        let t = |uid: &str| {
            format!(
                r#"{{"type":"track","uid":"{uid}","name":"{uid}","url":"https://a.example/{uid}","duration":1,"media":[{{"type":"audio/ogg","src":"https://a.example/{uid}.opus"}}]}}"#
            )
        };
        let json = format!(
            r#"{{"children":[{},{},{{"type":"playlist","name":"P","url":"https://a.example/p/","author":"Al","children":[{{"uid":"b"}},{{"uid":"zz"}},{{"uid":"a"}},{{"uid":"b"}}]}},{{"type":"playlist","name":"Empty","url":"https://a.example/q/","children":[{{"uid":"nope"}}]}}]}}"#,
            t("a"),
            t("b")
        );
        let f = parse(&json).unwrap();
        assert_eq!(f.playlists.len(), 1);
        assert_eq!(f.playlists[0].tracks, vec![1, 0]);
        assert_eq!(f.playlists[0].curator.as_deref(), Some("Al"));
    }
}
