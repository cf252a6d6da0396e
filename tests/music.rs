//! The music library, built by the real binary from the music fixture (16 recordings in 4 playlists by 2
//! curators, 4 files shared between playlists, one of them under another name): its pages, its recommendations (known in advance), each
//! recording stored once, the M3U8 playlists and podcast feeds, and the audio budget.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;

const BASE: &str = "https://music.fixture.example/";

/// The fixture, built once per test run in `target/test-sites/music-library`.
fn site() -> &'static Path {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    CELL.get_or_init(|| {
        let root = repo().join("target/test-sites/music-library");
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&repo().join("tests/fixtures/music"), &root);
        build(&root, &[]);
        root
    })
}

fn read(path: &str) -> String {
    std::fs::read_to_string(site().join("public").join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Only the library's own files and the playlists' pages: the rest of the site has its own snapshots.
fn music_snapshot(format: &str) -> String {
    let out = site().join("public").join(format);
    let mut s = String::new();
    for dir in ["music", "playlists"] {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&out.join(dir), &tmp.path().join(dir));
        // Audio files are checked by the other tests; the snapshot keeps what a listener reads.
        for f in files_with_ext(tmp.path(), "mp3")
            .into_iter()
            .chain(files_with_ext(tmp.path(), "opus"))
        {
            std::fs::remove_file(f).unwrap();
        }
        s.push_str(&snapshot_of(tmp.path()));
    }
    s
}

#[test]
fn snapshot_music_gemini() {
    insta::assert_snapshot!(music_snapshot("gemini"));
}

#[test]
fn snapshot_music_html() {
    insta::assert_snapshot!(music_snapshot("html"));
}

/// `seed` is in three playlists and `twin`, `puddle` in two (`puddle` as `puddle-again.flac` in drive);
/// each is one file in each output, in `music/tracks/`, and every playlist links to that one file.
#[test]
fn a_recording_in_several_playlists_is_stored_once_in_each_output() {
    for (format, exts) in [("html", &["opus", "mp3"][..]), ("gemini", &["mp3"][..])] {
        let root = site().join("public").join(format);
        for ext in exts {
            let files = files_with_ext(&root, ext);
            assert_eq!(files.len(), 16, "{format} {ext}: {files:?}");
            assert!(
                files
                    .iter()
                    .all(|f| f.parent().unwrap().ends_with("music/tracks")),
                "{format}: {files:?}"
            );
        }
        let index = if format == "html" {
            "index.html"
        } else {
            "index.gmi"
        };
        for playlist in ["night", "rain", "drive"] {
            let page = read(&format!("{format}/playlists/{playlist}/{index}"));
            assert!(
                page.contains("../../music/tracks/seed.mp3"),
                "{playlist} in {format} does not link the one seed.mp3"
            );
        }
        // The same bytes under two names are one recording, named after the first use (drive is
        // newer than rain, so listed first).
        for playlist in ["rain", "drive"] {
            let page = read(&format!("{format}/playlists/{playlist}/{index}"));
            assert!(
                page.contains("../../music/tracks/puddle-again.mp3"),
                "{playlist} in {format}"
            );
        }
    }
}

/// Links to a track's place on its playlist page (`…/index.html#track-seed`) land on an element with
/// that id; the plain links are checked with every other site's by `all_relative_links_resolve`.
#[test]
fn every_link_to_a_track_lands_on_it() {
    let html = site().join("public/html");
    let mut checked = 0;
    for file in files_with_ext(&html, "html") {
        let text = std::fs::read_to_string(&file).unwrap();
        for part in text.split("href=\"").skip(1) {
            let url = &part[..part.find('"').unwrap()];
            let Some((path, id)) = url.split_once('#') else {
                continue;
            };
            if path.is_empty() {
                continue;
            }
            let target = file.parent().unwrap().join(path);
            let page = std::fs::read_to_string(&target)
                .unwrap_or_else(|_| panic!("{}: {url} points to nothing", file.display()));
            assert!(
                page.contains(&format!("id=\"{id}\"")),
                "{}: {url}: no element with that id",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} links to tracks");
}

/// The entries of an M3U8 file: (seconds, "Artist – Title", address).
fn m3u_entries(text: &str) -> Vec<(u64, String, String)> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("#EXTM3U"), "{text}");
    let mut out = Vec::new();
    while let Some(info) = lines.next() {
        let rest = info
            .strip_prefix("#EXTINF:")
            .unwrap_or_else(|| panic!("expected #EXTINF, got {info:?} in\n{text}"));
        let (secs, name) = rest.split_once(',').unwrap();
        let url = lines.next().expect("an #EXTINF without its address");
        assert!(!url.is_empty() && !url.starts_with('#'), "{text}");
        out.push((secs.parse().unwrap(), name.to_string(), url.to_string()));
    }
    out
}

/// The local file an address of the output in `format` points to, from the file in `from`.
fn local(format: &str, from: &Path, url: &str) -> PathBuf {
    match url.strip_prefix(BASE) {
        Some(rest) => {
            assert_eq!(format, "html", "an absolute link in the capsule: {url}");
            site().join("public/html").join(rest)
        }
        None => {
            assert!(!url.contains("://"), "{url}");
            from.parent().unwrap().join(url)
        }
    }
}

/// Every M3U8 of both outputs parses (`#EXTM3U`, then `#EXTINF:<seconds>,<Artist> – <Title>` and an
/// address per entry) and every entry is a file of the site; the HTML site, which has a base URL,
/// gives absolute addresses, the capsule relative ones.
#[test]
fn every_m3u8_parses_and_every_entry_is_a_file_of_the_site() {
    let mut lists = 0;
    for format in ["html", "gemini"] {
        for file in files_with_ext(&site().join("public").join(format), "m3u8") {
            let text = std::fs::read_to_string(&file).unwrap();
            let entries = m3u_entries(&text);
            assert!(!entries.is_empty(), "{}", file.display());
            let mut seen = BTreeSet::new();
            for (secs, name, url) in &entries {
                assert_eq!(*secs, 1, "{name}: every fixture track lasts 1 s");
                assert!(name.contains(" – "), "{name}");
                assert!(seen.insert(url.clone()), "{}: {url} twice", file.display());
                assert!(
                    local(format, &file, url).is_file(),
                    "{}: {url} is not a file of the site",
                    file.display()
                );
            }
            lists += 1;
        }
    }
    // A library, 4 playlists, 16 tracks, 8 artists and 6 genres, in each format.
    assert_eq!(lists, 2 * (1 + 4 + 16 + 8 + 6));
    let night = m3u_entries(&read("gemini/playlists/night/playlist.m3u8"));
    let names: Vec<&str> = night.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        names,
        [
            "bjork – Fjord",
            "Lumen – Glow",
            "Moss – Moss Bank",
            "Lumen – Seed"
        ]
    );
    // The radio of a track starts with it, then what is most like it.
    let radio = m3u_entries(&read("html/music/radio/track-seed.m3u8"));
    assert_eq!(radio[0].1, "Lumen – Seed");
    assert_eq!(radio[1].1, "Kestrel – Twin");
    assert_eq!(radio.len(), 16, "an hour holds the whole library here");
}

/// Every podcast feed (one per playlist, one per curator) parses and validates as RSS 2.0 (the `rss`
/// crate), carries the iTunes namespace, and gives each track an MP3 enclosure whose address is a file
/// of the HTML site, with that file's length and type.
#[test]
fn every_podcast_feed_parses_and_carries_valid_enclosures() {
    use rss::validation::Validate;
    let html = site().join("public/html");
    let mut feeds = BTreeMap::new();
    for file in files_with_ext(&html, "xml") {
        if file.file_name().unwrap() != "podcast.xml" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let channel = rss::Channel::read_from(text.as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        channel
            .validate()
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(channel.itunes_ext().is_some(), "{}", file.display());
        for item in channel.items() {
            let e = item.enclosure().expect("an item without enclosure");
            assert_eq!(e.mime_type(), "audio/mpeg");
            let path = local("html", &file, e.url());
            assert_eq!(
                e.length().parse::<u64>().unwrap(),
                std::fs::metadata(&path).unwrap().len(),
                "{}",
                e.url()
            );
            assert!(item.pub_date().is_some() && item.guid().is_some());
        }
        let rel = file
            .strip_prefix(&html)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        feeds.insert(
            rel,
            (
                channel.items().len(),
                channel
                    .itunes_ext()
                    .and_then(|i| i.image().map(str::to_string)),
            ),
        );
    }
    let got: Vec<(&str, usize)> = feeds.iter().map(|(k, v)| (k.as_str(), v.0)).collect();
    assert_eq!(
        got,
        [
            ("music/curator/ana/podcast.xml", 7),
            ("music/curator/bo/podcast.xml", 12),
            ("playlists/drive/podcast.xml", 6),
            ("playlists/morning/podcast.xml", 6),
            ("playlists/night/podcast.xml", 4),
            ("playlists/rain/podcast.xml", 4),
        ]
    );
    // Night has a cover: it is the feed's image, at an absolute address of a file of the site.
    let image = feeds["playlists/night/podcast.xml"]
        .1
        .clone()
        .expect("no itunes:image");
    assert!(local("html", &html.join("x"), &image).is_file(), "{image}");
    // The capsule has no base URL, and podcasts are for the HTML site only.
    assert!(files_with_ext(&site().join("public/gemini"), "xml").is_empty());
}

/// The "more like this" list under each track of a playlist page, in gemtext: (title — artist, why).
fn more_like_this(page: &str, track: &str) -> Vec<(String, String)> {
    recommendations_under(page, &format!("More like this: {track}"))
}

/// The recommendations the fixture was made for: `seed` (night, rain, drive) and `twin` (rain, drive)
/// are the only Drone tracks, so on night's page seed recommends twin first; `lone` shares no playlist
/// and no genre with anyone, so it gets only its curator's tracks, and says so.
#[test]
fn recommendations_are_those_known_in_advance_and_say_why() {
    let night = read("gemini/playlists/night/index.gmi");
    let seed = more_like_this(&night, "Seed");
    assert_eq!(
        seed[0],
        (
            "Twin — Kestrel".to_string(),
            "same genre: Drone · in 2 playlists with it · same curator".to_string()
        )
    );
    let morning = read("gemini/playlists/morning/index.gmi");
    let lone = more_like_this(&morning, "Lone");
    assert_eq!(lone.len(), 5);
    for (what, why) in &lone {
        assert_eq!(why, "nothing close · same curator", "{what}");
    }
    // The same list in HTML, with the same reasons.
    let html = read("html/playlists/night/index.html");
    assert!(
        html.contains("Twin — Kestrel</a> <span class=\"note\">· same genre: Drone · in 2 playlists with it · same curator</span>"),
        "{html}"
    );
    // Related playlists: rain shares three tracks with drive.
    let rain = read("gemini/playlists/rain/index.gmi");
    let related = rain.split("## Related playlists\n\n").nth(1).unwrap();
    assert!(
        related.starts_with(
            "=> ../drive/ Drive · same genres: Ambient, Jazz, Drone · 3 tracks in common"
        ),
        "{related}"
    );
}

/// No list recommends the track itself, a track of the same playlist, or more than 2 by one artist.
#[test]
fn recommendations_keep_their_variety_rules() {
    for playlist in ["night", "rain", "drive", "morning"] {
        let page = read(&format!("gemini/playlists/{playlist}/index.gmi"));
        let own: Vec<String> = page
            .lines()
            .filter_map(|l| {
                let label = l.strip_prefix("=> ../../music/tracks/")?.split_once(' ')?.1;
                let (_, rest) = label.split_once(". ")?;
                Some(rest.split(" (").next()?.to_string())
            })
            .collect();
        assert!(own.len() >= 4, "{playlist}: {own:?}");
        for track in &own {
            let title = track.split(" — ").next().unwrap();
            let list = more_like_this(&page, title);
            assert!(!list.is_empty() && list.len() <= 5, "{playlist}/{title}");
            let mut by_artist: BTreeMap<&str, usize> = BTreeMap::new();
            for (what, _) in &list {
                let (t, artist) = what.split_once(" — ").unwrap();
                assert!(
                    !own.iter().any(|o| o.starts_with(&format!("{t} — "))),
                    "{playlist}/{title} recommends {t}, of the same playlist"
                );
                *by_artist.entry(artist).or_insert(0) += 1;
            }
            assert!(
                by_artist.values().all(|&n| n <= 2),
                "{playlist}/{title}: {by_artist:?}"
            );
        }
    }
}

/// Artists are filed by normalised name: `bjork` and `Björk` are one artist shown as `Björk`, `VOLT`
/// and `Volt feat. Neon` count for Volt.
#[test]
fn artists_are_grouped_by_normalised_name() {
    let index = read("gemini/music/artists/index.gmi");
    let names: Vec<&str> = index
        .lines()
        .filter_map(|l| l.strip_prefix("=> ../artist/"))
        .map(|l| l.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(
        names,
        [
            "Björk · 2 tracks · 2 s",
            "Kestrel · 1 track · 1 s",
            "Lumen · 2 tracks · 2 s",
            "Moss · 2 tracks · 2 s",
            "Neon · 1 track · 1 s",
            "Quiet · 1 track · 1 s",
            "Solo · 2 tracks · 2 s",
            "Volt · 5 tracks · 5 s",
        ]
    );
    let volt = read("gemini/music/artist/volt/index.gmi");
    assert!(volt.contains("Together — Volt"), "{volt}");
    assert!(volt.contains("## Related artists"), "{volt}");
}

/// The report counts each shared recording once against the audio budget, says what sharing saved,
/// and gives each curator's music.
#[test]
fn the_audio_budget_counts_shared_recordings_once() {
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site().join(".capsule-cache/report.json")).unwrap(),
    )
    .unwrap();
    let size = |path: &str| {
        std::fs::metadata(site().join("public").join(path))
            .unwrap()
            .len()
    };
    let tracks = site().join("public/html/music/tracks");
    let stored: u64 = std::fs::read_dir(&tracks)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let audio = json["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "audio")
        .unwrap();
    assert_eq!(audio["used_bytes"].as_u64().unwrap(), stored);
    // seed is in 3 playlists (2 extra copies), twin and puddle in 2 (one each).
    let html = |n: &str| {
        size(&format!("html/music/tracks/{n}.opus")) + size(&format!("html/music/tracks/{n}.mp3"))
    };
    assert_eq!(
        json["shared_bytes"]["html"].as_u64().unwrap(),
        2 * html("seed") + html("twin") + html("puddle-again")
    );
    let curators: Vec<(&str, u64)> = json["curators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["tracks"].as_u64().unwrap()))
        .collect();
    assert_eq!(curators, [("Ana", 7), ("Bo", 12)]);
    let bo = &json["curators"][1];
    assert!(bo["bytes"]["html"].as_u64().unwrap() > 0);
}

/// The catalogue another site follows: it validates against docs/catalogue.schema.json; it holds each
/// recording once, named by the BLAKE3 hash of its source file, with its published files at absolute
/// addresses that exist with the sizes given; every playlist lists its tracks in order by those names,
/// as its M3U8 does, and so does its JSPF.
#[test]
fn the_catalogue_validates_and_lists_each_recording_once_with_its_files() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/catalogue.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let catalogue: serde_json::Value =
        serde_json::from_str(&read("html/music/catalogue.json")).unwrap();
    let problems: Vec<String> = validator
        .iter_errors(&catalogue)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    // The schema is not a formality: a javascript: address, a missing uid or a wrong version fail it.
    for broken in [
        serde_json::json!({"url": "javascript:alert(1)"}),
        serde_json::json!({"capsule_catalogue": 2}),
    ] {
        let mut c = catalogue.clone();
        for (k, v) in broken.as_object().unwrap() {
            c[k] = v.clone();
        }
        assert!(!validator.is_valid(&c), "{broken}");
    }
    let mut c = catalogue.clone();
    c["children"][0].as_object_mut().unwrap().remove("uid");
    assert!(!validator.is_valid(&c));

    assert_eq!(catalogue["name"], "Music fixture");
    assert_eq!(catalogue["url"], format!("{BASE}music/"));
    let curators: BTreeSet<&str> = catalogue["curators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(curators, BTreeSet::from(["Ana", "Bo"]));
    let children = catalogue["children"].as_array().unwrap();
    let of = |kind: &'static str| children.iter().filter(move |c| c["type"] == kind);
    // Each recording once: 16, whatever the number of playlists that hold it, each with the hash of
    // one of the fixture's source files.
    let mut sources = BTreeMap::new();
    for file in files_with_ext(&repo().join("tests/fixtures/music/content"), "flac") {
        let hash = blake3::hash(&std::fs::read(&file).unwrap())
            .to_hex()
            .to_string();
        sources.insert(format!("blake3:{hash}"), file);
    }
    let uids: BTreeSet<&str> = of("track").map(|t| t["uid"].as_str().unwrap()).collect();
    assert_eq!(of("track").count(), 16);
    assert_eq!(uids.len(), 16);
    assert!(uids.iter().all(|u| sources.contains_key(*u)), "{uids:?}");
    for track in of("track") {
        assert!(track["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{BASE}playlists/")));
        let media = track["media"].as_array().unwrap();
        let types: Vec<&str> = media.iter().map(|m| m["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["audio/ogg; codecs=opus", "audio/mpeg"], "{track}");
        for m in media {
            let path = m["src"].as_str().unwrap().strip_prefix(BASE).unwrap();
            let bytes = std::fs::metadata(site().join("public/html").join(path))
                .unwrap()
                .len();
            assert_eq!(m["size"].as_u64().unwrap(), bytes, "{path}");
        }
    }
    let seed = of("track").find(|t| t["name"] == "Seed").unwrap();
    assert_eq!(seed["duration"], 1);
    // Each playlist: its tracks in the order of its M3U8, by uid; the JSPF lists the same files.
    assert_eq!(of("playlist").count(), 4);
    for playlist in of("playlist") {
        let dir = playlist["url"]
            .as_str()
            .unwrap()
            .strip_prefix(BASE)
            .unwrap()
            .to_string();
        let m3u = read(&format!("html/{dir}playlist.m3u8"));
        let from_m3u: Vec<&str> = m3u.lines().filter(|l| !l.starts_with('#')).collect();
        let in_order: Vec<String> = playlist["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let t = of("track").find(|t| t["uid"] == c["uid"]).unwrap();
                t["media"][1]["src"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(in_order, from_m3u, "{dir}");
        let jspf: serde_json::Value =
            serde_json::from_str(&read(&format!("html/{dir}playlist.jspf"))).unwrap();
        assert_eq!(jspf["playlist"]["title"], playlist["name"]);
        assert_eq!(jspf["playlist"]["creator"], playlist["author"]);
        let jspf_files: Vec<&str> = jspf["playlist"]["track"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["location"][1].as_str().unwrap())
            .collect();
        assert_eq!(jspf_files, from_m3u, "{dir}");
    }
    // The capsule has no catalogue: other sites read the HTML site's.
    assert!(!site().join("public/gemini/music/catalogue.json").exists());
}

/// Same content, same library: two builds from scratch give byte-identical music pages and lists.
#[test]
fn the_library_is_the_same_from_one_build_to_the_next() {
    let other = fixture("music");
    build(other.path(), &["-q"]);
    for format in ["html", "gemini"] {
        let a = tree(&site().join("public").join(format).join("music"));
        let b = tree(&other.path().join("public").join(format).join("music"));
        let text = |t: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
            t.iter()
                .filter(|(k, _)| !k.ends_with(".mp3") && !k.ends_with(".opus"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        assert_eq!(text(&a), text(&b), "{format}");
        assert!(text(&a).len() > 30);
    }
}

/// The music pages read well in a text browser: w3m shows the counts, the lists and the reasons.
#[test]
fn music_pages_read_well_in_w3m() {
    let dump = |path: &str| {
        let out = Command::new(w3m())
            .args(["-dump", "-cols", "80", "-T", "text/html"])
            .arg(site().join("public/html").join(path))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let front = dump("music/index.html");
    for needle in [
        "16 tracks · 16 s · 8 artists · 0 albums · 6 genres · 4 playlists · 2 curators",
        "Newest tracks",
        "2024-06-01 Glacier — Björk · 0:01 · in Morning",
        "Browse the library",
    ] {
        assert!(front.contains(needle), "{needle:?} not in\n{front}");
    }
    let night = dump("playlists/night/index.html");
    assert!(night.contains("More like this: “Seed”"), "{night}");
    assert!(night.contains("Related playlists"), "{night}");
    let curator = dump("music/curator/bo/index.html");
    assert!(curator.contains("of the audio budget"), "{curator}");
}

/// A site with more than 100 artists lists them by initial, one page per letter, never one long page;
/// a site with no playlist has no music pages and no "Music" in its navigation.
#[test]
fn large_indexes_are_split_by_initial_and_a_site_without_music_has_none() {
    let site = tempfile::tempdir().unwrap();
    let folder = site.path().join("content/playlists/many");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(site.path().join("capsule.toml"), "title = \"Many\"\n").unwrap();
    let mut front = String::from("+++\ntitle = \"Many\"\n");
    for i in 0..104 {
        let name = format!("t{i:03}.wav");
        common::media::write_short_wav(&folder.join(&name), i as u16);
        // Initials a…z, four artists each.
        let initial = (b'a' + (i % 26) as u8) as char;
        front.push_str(&format!(
            "[tracks.\"{name}\"]\nartist = \"{initial}rtist {i}\"\n"
        ));
    }
    front.push_str("+++\n");
    std::fs::write(folder.join("index.md"), front).unwrap();
    let shown = text(&build(site.path(), &[]));
    // Without html_base_url there is no podcast feed and no catalogue, and the build says why.
    assert!(
        shown.contains(
            "capsule.toml: html_base_url is not set, so the playlists get no podcast feed and the \
             site no music catalogue for other sites to follow"
        ),
        "{shown}"
    );
    assert!(files_with_ext(&site.path().join("public"), "xml")
        .iter()
        .all(|f| f.file_name().unwrap() != "podcast.xml"));
    assert!(!site
        .path()
        .join("public/html/music/catalogue.json")
        .exists());
    // The JSPF is there all the same, with addresses relative to it, as the M3U8's.
    let jspf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.path().join("public/html/playlists/many/playlist.jspf"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        jspf["playlist"]["track"][0]["location"][0],
        "../../music/tracks/t000.opus"
    );
    let out = site.path().join("public/gemini/music/artists");
    let index = std::fs::read_to_string(out.join("index.gmi")).unwrap();
    assert!(index.contains("## By initial"), "{index}");
    assert!(index.contains("=> a/ A · 4"), "{index}");
    for letter in ["a", "m", "z"] {
        let page = std::fs::read_to_string(out.join(letter).join("index.gmi")).unwrap();
        let entries = page
            .lines()
            .filter(|l| l.starts_with("=> ../../artist/"))
            .count();
        assert_eq!(entries, 4, "{letter}: {page}");
    }
    for file in files_with_ext(&site.path().join("public/gemini/music"), "gmi") {
        let text = std::fs::read_to_string(&file).unwrap();
        let links = text.lines().filter(|l| l.starts_with("=> ")).count();
        assert!(links <= 100 + 12, "{}: {links} links", file.display());
    }

    let photos = fixture("basic");
    std::fs::remove_dir_all(photos.path().join("content/playlists")).unwrap();
    build(photos.path(), &["-q"]);
    assert!(!photos.path().join("public/html/music").exists());
    let home = std::fs::read_to_string(photos.path().join("public/html/index.html")).unwrap();
    assert!(!home.contains(">Music<"), "{home}");
}
