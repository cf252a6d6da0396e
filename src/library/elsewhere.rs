//! This site's playlists meet the followed sites' recordings: a link in a playlist's text to one of
//! them places it, and a track of this site that one of them already publishes is played from there;
//! either way its files are the member's, and this site stores nothing of it.

use std::collections::{HashMap, HashSet};

use super::follow::{Followed, RemoteTrack};
use crate::config::loopback;
use crate::error::Diagnostic;

/// An address as the followed catalogues are searched by: parsed, without `index.html` at the end
/// of its path, with its fragment only when it names a track's place (`#track-…`), and `https:` for
/// `http:` (a catalogue gives only `https:` addresses, but on this computer).
pub(crate) fn address_key(address: &str) -> Option<String> {
    let mut u = url::Url::parse(address.trim()).ok()?;
    if u.scheme() == "http" && !loopback(&u) {
        u.set_scheme("https").ok()?;
    }
    if !u.fragment().is_some_and(|f| f.starts_with("track-")) {
        u.set_fragment(None);
    }
    if let Some(dir) = u.path().strip_suffix("index.html").map(str::to_string) {
        u.set_path(&dir);
    }
    Some(u.to_string())
}

/// Each recording of the followed sites by every address that names it (its place on its page, each
/// of its files, its capsule file): (index into `followed`, index into its `tracks`).
pub(crate) fn by_address(followed: &[Followed]) -> HashMap<String, (usize, usize)> {
    let mut index = HashMap::new();
    for (s, site) in followed.iter().enumerate() {
        for (t, track) in site.tracks.iter().enumerate() {
            let addresses = std::iter::once(&track.page)
                .chain(track.files.iter().map(|(_, a, _)| a))
                .chain(&track.gemini);
            for a in addresses {
                if let Some(key) = address_key(a) {
                    index.entry(key).or_insert((s, t));
                }
            }
        }
    }
    index
}

/// The recording of the followed sites that `address` names, in an index made by [`by_address`].
pub(crate) fn find(
    index: &HashMap<String, (usize, usize)>,
    address: &str,
) -> Option<(usize, usize)> {
    address_key(address).and_then(|k| index.get(&k).copied())
}

/// Gives each track that a playlist's text links to by address (`[Seed](https://alice…/seed.opus)`)
/// the files and facts of that recording in the followed catalogues: it plays from the member's site
/// and costs this site nothing. A link to none of their recordings stays a plain link, with a warning
/// that says why.
pub(crate) fn place(
    site: &mut crate::content::Site,
    followed: &[Followed],
    warnings: &mut Vec<Diagnostic>,
) {
    use crate::content::{Block, Track};
    let index = by_address(followed);
    for page in &mut site.playlists {
        let mut gone: Vec<usize> = Vec::new();
        for (i, t) in page.tracks.iter_mut().enumerate() {
            let Some(e) = t.elsewhere.as_mut() else {
                continue;
            };
            let found =
                find(&index, &e.address).map(|(s, r)| (&followed[s], &followed[s].tracks[r]));
            let playable = |r: &RemoteTrack| {
                r.files
                    .iter()
                    .any(|(m, a, b)| crate::media::AudioFile::played_from(m, a, *b).is_some())
            };
            match found {
                Some((from, remote)) if playable(remote) => {
                    e.site = from.name.clone();
                    e.page = remote.page.clone();
                    e.files = remote.files.clone();
                    e.gemini = remote.gemini.clone();
                    e.recording = remote
                        .uid
                        .strip_prefix("blake3:")
                        .unwrap_or(&remote.uid)
                        .to_string();
                    fill(t, remote);
                }
                found => {
                    let why = match found {
                        Some((from, _)) => format!(
                            "{}'s catalogue gives no file of it that a browser plays (Opus or MP3)",
                            from.host
                        ),
                        None => not_followed(&e.address, followed),
                    };
                    warnings.push(Diagnostic::new(
                        &page.source,
                        Some(e.line),
                        format!("the link to \"{}\" stays a plain link: {why}", e.address),
                    ));
                    gone.push(i);
                }
            }
        }
        // A link that places nothing stays a link, where the text has it.
        for &i in gone.iter().rev() {
            let t: Track = page.tracks.remove(i);
            let e = t.elsewhere.unwrap_or_default();
            page.body.iter_mut().for_each(|b| match b {
                Block::Track(j) if *j == i => *b = Block::link_paragraph(&e.address, &t.title),
                Block::Track(j) if *j > i => *j -= 1,
                _ => {}
            });
        }
    }
}

/// Why an address names no recording of the followed sites.
fn not_followed(address: &str, followed: &[Followed]) -> String {
    let host = url::Url::parse(address).ok().and_then(|u| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_string(),
        })
    });
    match followed.iter().find(|f| Some(&f.host) == host.as_ref()) {
        Some(f) => format!(
            "{} publishes no recording at this address (it may have moved, or the last catalogue read \
             is older than it); check the address on their site",
            f.host
        ),
        None => "it is not on a site this one follows; to play it here, add its site to [library] \
                 follow in capsule.toml (or in the editor's Settings)"
            .to_string(),
    }
}

/// A linked track's facts from the member's catalogue; the words of the link stay its title, as a
/// file's link words do, and the playlist's `genre` stays its genres.
fn fill(t: &mut crate::content::Track, remote: &RemoteTrack) {
    if t.title.trim().is_empty() {
        t.title = remote.title.clone();
        let name = crate::content::slug::slugify(&t.title);
        if !name.is_empty() {
            t.name = name;
        }
    }
    t.artist = remote.artist.clone();
    t.album = remote.album.clone();
    t.number = remote.number;
    t.duration_secs = Some(remote.seconds);
    if t.genres.is_empty() {
        t.genres = remote.genres.clone();
    }
}

/// What linking saved: recordings of this site that a followed site already publishes, each once, and
/// the bytes their files would have taken in each output.
#[derive(Debug, Default, Clone)]
pub(crate) struct Linked {
    pub recordings: usize,
    pub bytes: std::collections::BTreeMap<crate::output::Format, u64>,
}

/// Points every track of this site whose recording a followed site already publishes (the same source
/// hash as its `uid`) at that site's files, which this site then does not store: the pages play them
/// from there. A followed file of a type a browser's `<audio>` may not play (only Opus and MP3 are
/// taken) is not linked to.
pub(crate) fn link_published(
    outputs: &mut crate::media::MediaOutputs,
    followed: &[Followed],
) -> Linked {
    use crate::output::Format;
    let mut by_uid: HashMap<&str, &RemoteTrack> = Default::default();
    for site in followed {
        for t in &site.tracks {
            if let Some(hash) = t.uid.strip_prefix("blake3:") {
                by_uid.entry(hash).or_insert(t);
            }
        }
    }
    let mut linked = Linked::default();
    let mut seen = HashSet::new();
    for page in outputs.values_mut() {
        // A track the text links to on a followed site plays from there already: nothing was saved.
        for out in page.tracks.iter_mut().flatten().filter(|o| !o.elsewhere) {
            let Some(remote) = by_uid.get(out.recording.as_str()) else {
                continue;
            };
            let stored = (
                out.html.iter().map(|f| f.bytes).sum::<u64>(),
                out.gemini.bytes,
            );
            if !out.play_from(&remote.files, remote.gemini.as_deref()) {
                continue;
            }
            if seen.insert(out.recording.clone()) {
                linked.recordings += 1;
                *linked.bytes.entry(Format::Html).or_insert(0) += stored.0;
                *linked.bytes.entry(Format::Gemini).or_insert(0) += stored.1;
            }
        }
    }
    linked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_finds_a_recording_however_the_writer_copied_it() {
        let key = |a: &str| address_key(a).unwrap();
        let place = key("https://alice.example/playlists/night/#track-moss");
        assert_eq!(
            key("https://alice.example/playlists/night/index.html#track-moss"),
            place
        );
        assert_eq!(
            key("http://alice.example/playlists/night/#track-moss"),
            place
        );
        assert_eq!(
            key("HTTPS://Alice.Example/playlists/night/#track-moss"),
            place
        );
        let file = key("https://alice.example/music/tracks/moss.opus");
        assert_eq!(
            key("https://alice.example/music/tracks/moss.opus#t=10"),
            file
        );
        assert_ne!(
            key("https://alice.example/playlists/night/#track-glow"),
            place
        );
        // On this computer, http stays http: a test's site is not its https twin.
        assert_ne!(
            key("http://127.0.0.1:8765/x.opus"),
            key("https://127.0.0.1:8765/x.opus")
        );
    }
}
