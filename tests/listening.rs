//! Recommendations that listen, through the real binary: a generated site of tag-less recordings of
//! three kinds (a quiet low drone, loud fast noise beats, a piano-like melody), one playlist each, so
//! that nothing but the sound links them. Their recommendations follow the sound and say so, in English
//! and in French; the analysis is cached and reused; a build from scratch gives the same pages.

mod common;

use std::f32::consts::TAU;
use std::path::Path;

use common::*;

const RATE: u32 = 22_050;
const SECONDS: u32 = 6;

/// Three kinds, three recordings each, in an order that mixes them (the slugs break ties).
const TRACKS: [(&str, &str, u32); 9] = [
    ("a", "drone", 0),
    ("b", "beat", 0),
    ("c", "melody", 0),
    ("d", "melody", 1),
    ("e", "drone", 1),
    ("f", "beat", 1),
    ("g", "beat", 2),
    ("h", "melody", 2),
    ("i", "drone", 2),
];

/// A little noise, the same every run.
fn noise(state: &mut u32) -> f32 {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    (*state as f32 / u32::MAX as f32) * 2.0 - 1.0
}

/// The samples of one recording of `kind`, variant `v` (a little lower, slower or faster).
fn samples(kind: &str, v: u32) -> Vec<f32> {
    let n = (RATE * SECONDS) as usize;
    let mut state = 0x9e37_79b9 ^ ((v + 1) * 7919) ^ kind.len() as u32;
    (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            match kind {
                // 55 to 65 Hz and its octave, quiet, swelling slowly.
                "drone" => {
                    let f = 55.0 + 5.0 * v as f32;
                    let swell = 0.6 + 0.4 * (TAU * 0.2 * t).sin();
                    0.04 * swell * ((TAU * f * t).sin() + 0.5 * (TAU * 2.0 * f * t).sin())
                }
                // Loud bursts of noise at 150 to 170 beats a minute.
                "beat" => {
                    let beat = 60.0 / (150.0 + 10.0 * v as f32);
                    let into = t % beat;
                    let env = (-into * 40.0).exp();
                    0.9 * env * noise(&mut state)
                }
                // Notes of a major scale at 90 beats a minute, with harmonics that fade.
                _ => {
                    let beat = 60.0 / 90.0;
                    let step = (t / beat) as usize;
                    let scale = [0, 2, 4, 5, 7, 9, 11, 12];
                    let semis = scale[(step * 3 + v as usize) % scale.len()] as f32;
                    let f = 262.0 * 2f32.powf((semis + 2.0 * v as f32) / 12.0);
                    let into = t - step as f32 * beat;
                    let env = (-into * 3.0).exp();
                    let tone: f32 = (1..6)
                        .map(|h| (TAU * f * h as f32 * t).sin() / h as f32)
                        .sum();
                    0.25 * env * tone
                }
            }
        })
        .collect()
}

fn write_wav(path: &Path, samples: &[f32]) {
    let pcm: Vec<i16> = samples
        .iter()
        .map(|s| (s.clamp(-1.0, 1.0) * 32767.0) as i16)
        .collect();
    common::media::write_wav(path, RATE, &pcm);
}

/// The tag-less site, in `language`: one playlist per recording, all by one curator.
fn site(language: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("capsule.toml"),
        format!("title = \"Listening\"\nlanguage = \"{language}\"\n"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(
        root.join("content/index.md"),
        "+++\ntitle = \"Listening\"\n+++\n",
    )
    .unwrap();
    for (i, (name, kind, v)) in TRACKS.iter().enumerate() {
        let d = root.join(format!("content/playlists/p{i}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("index.md"),
            format!(
                "+++\ntitle = \"List {i}\"\ndate = 2024-01-0{}\ncurator = \"Ana\"\n+++\n",
                i + 1
            ),
        )
        .unwrap();
        write_wav(&d.join(format!("{name}.wav")), &samples(kind, *v));
    }
    dir
}

fn kind_of(name: &str) -> &'static str {
    TRACKS.iter().find(|t| t.0 == name).map(|t| t.1).unwrap()
}

/// Each track's "more like this" in the capsule: (recommended track's name, why).
fn recommendations(root: &Path, heading: &str) -> Vec<(String, Vec<(String, String)>)> {
    (0..TRACKS.len())
        .map(|i| {
            let page = std::fs::read_to_string(
                root.join(format!("public/gemini/playlists/p{i}/index.gmi")),
            )
            .unwrap();
            let name = TRACKS[i].0;
            let recs = recommendations_under(&page, &format!("{heading} {name}"));
            (name.to_string(), recs)
        })
        .collect()
}

/// The report's counts of recordings listened to: (analysed now, from the cache).
fn listened(root: &Path) -> (u64, u64) {
    let out = run(&["report", "--json", "--root", root.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |what: &str| json["media"]["sounds"][what].as_u64().unwrap();
    (n("run"), n("reused"))
}

#[test]
fn tagless_recordings_are_recommended_by_how_they_sound_and_say_so() {
    let site = site("en");
    let out = build(site.path(), &[]);
    // The report says what was heard.
    assert!(
        text(&out).contains("listened to 9 tracks"),
        "{}",
        text(&out)
    );
    let all = recommendations(site.path(), "More like this:");
    for (name, recs) in &all {
        // The two other recordings of its kind come first.
        assert!(recs.len() >= 2, "{name}: {recs:?}");
        for (what, _) in &recs[..2] {
            assert_eq!(kind_of(what), kind_of(name), "{name}: {recs:?}");
        }
        // The words say "sounds close" only of a recording of its kind, and never with "nothing close".
        for (what, why) in recs {
            if why.starts_with("sounds close") {
                assert_eq!(kind_of(what), kind_of(name), "{name}: {recs:?}");
            } else {
                assert!(why.starts_with("nothing close"), "{name}: {why}");
            }
        }
    }
    // In each kind, the closest pair says so, and names what is clearly alike.
    for kind in ["drone", "beat", "melody"] {
        assert!(
            all.iter().any(
                |(name, recs)| kind_of(name) == kind && recs[0].1.starts_with("sounds close: ")
            ),
            "{kind}: {all:?}"
        );
    }
}

#[test]
fn the_reasons_are_french_on_a_french_site() {
    let site = site("fr");
    build(site.path(), &["--quiet"]);
    let all = recommendations(site.path(), "Dans le même esprit\u{a0}:");
    for (name, recs) in &all {
        for (what, _) in &recs[..2] {
            assert_eq!(kind_of(what), kind_of(name), "{name}: {recs:?}");
        }
    }
    // (A gemtext link's label is one line, its non-breaking spaces plain ones.)
    let words: Vec<&str> = all
        .iter()
        .flat_map(|(_, recs)| recs.iter().map(|(_, why)| why.as_str()))
        .collect();
    assert!(
        words.iter().any(|w| w.starts_with("son proche : ")),
        "{words:?}"
    );
    assert!(
        words
            .iter()
            .all(|w| w.starts_with("son proche") || w.starts_with("rien de très proche")),
        "{words:?}"
    );
}

#[test]
fn each_recording_is_listened_to_once_and_the_cache_keeps_it() {
    let site = site("en");
    let root = site.path();
    build(root, &["--quiet"]);
    assert_eq!(listened(root), (9, 0));
    let first = tree(&root.join("public"));
    // Nothing new: nothing analysed, the same pages.
    build(root, &["--quiet"]);
    assert_eq!(listened(root), (0, 9));
    assert_eq!(first, tree(&root.join("public")));
    // One recording changed: only it is listened to again.
    write_wav(
        &root.join("content/playlists/p0/a.wav"),
        &samples("drone", 3),
    );
    build(root, &["--quiet"]);
    assert_eq!(listened(root), (1, 8));
    // From scratch (no cache), the same pages as with it: the analysis is deterministic.
    write_wav(
        &root.join("content/playlists/p0/a.wav"),
        &samples("drone", 0),
    );
    std::fs::remove_dir_all(root.join(".capsule-cache")).unwrap();
    build(root, &["--quiet"]);
    assert_eq!(listened(root), (9, 0));
    assert_eq!(first, tree(&root.join("public")));
}

#[test]
fn a_site_that_does_not_listen_recommends_by_tags_alone() {
    let site = site("en");
    let root = site.path();
    let toml = std::fs::read_to_string(root.join("capsule.toml")).unwrap();
    std::fs::write(
        root.join("capsule.toml"),
        format!("{toml}\n[library]\nlisten = false\n"),
    )
    .unwrap();
    build(root, &["--quiet"]);
    assert_eq!(listened(root), (0, 0));
    for (name, recs) in recommendations(root, "More like this:") {
        for (_, why) in recs {
            assert_eq!(why, "nothing close · same curator", "{name}");
        }
    }
}
