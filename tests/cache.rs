//! The media cache, observed from outside: no work when nothing changed, only the changed photo
//! re-encoded, settings changes touching only their kind, and no corrupt entry after a killed build.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

/// Builds and returns the report's media counts: (photos run, photos reused, tracks run, tracks reused).
fn build_counts(root: &Path) -> (u64, u64, u64, u64) {
    build(root, &["--quiet"]);
    let out = run(&["report", "--json", "--root", root.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |kind: &str, what: &str| json["media"][kind][what].as_u64().unwrap();
    (
        n("photos", "run"),
        n("photos", "reused"),
        n("tracks", "run"),
        n("tracks", "reused"),
    )
}

#[test]
fn a_rebuild_with_nothing_changed_runs_no_media_job() {
    let site = fixture("basic");
    let (photos, reused, _, _) = build_counts(site.path());
    assert!(
        photos >= 7 && reused == 0,
        "first build: {photos} run, {reused} reused"
    );
    let first = tree(&site.path().join("public"));
    let (run, reused, tracks_run, _) = build_counts(site.path());
    assert_eq!(
        (run, reused, tracks_run),
        (0, photos, 0),
        "second build did media work"
    );
    assert_eq!(
        tree(&site.path().join("public")),
        first,
        "the output changed"
    );
}

#[test]
fn changing_one_photo_reencodes_only_that_photo() {
    let site = fixture("basic");
    let (photos, _, _, _) = build_counts(site.path());
    let album = site.path().join("content/albums/harbour-2024");
    // The same bytes with a new modification time is not a change.
    let bytes = std::fs::read(album.join("gull.jpg")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(album.join("gull.jpg"), &bytes).unwrap();
    assert_eq!(
        build_counts(site.path()).0,
        0,
        "rewriting identical bytes re-encoded"
    );
    // New content is (new pixels: the cache is keyed by content, so a copy of another photo would be reused).
    let mut img = image::open(album.join("gull.jpg")).unwrap().into_rgb8();
    image::imageops::invert(&mut img);
    img.save(album.join("gull.jpg")).unwrap();
    let (run, reused, _, _) = build_counts(site.path());
    assert_eq!((run, reused), (1, photos - 1));
}

#[test]
fn changing_a_photo_setting_reencodes_photos_but_no_audio() {
    let site = fixture("basic");
    let (photos, _, _, _) = build_counts(site.path());
    let config = site.path().join("capsule.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("display = 96", "display = 80");
    std::fs::write(&config, text).unwrap();
    let (run, _, tracks_run, _) = build_counts(site.path());
    assert_eq!(run, photos, "every photo is encoded again");
    assert_eq!(tracks_run, 0, "no track is encoded again");
    assert!(site
        .path()
        .join("public/html/albums/harbour-2024/gull-80.webp")
        .is_file());
}

#[test]
fn a_killed_build_leaves_no_corrupt_cache_entry() {
    let site = fixture("basic");
    // Enough real work to be killed in the middle: larger photos in perceptual mode.
    let album = site.path().join("content/albums/big");
    std::fs::create_dir_all(&album).unwrap();
    for i in 0..8u32 {
        let img = image::RgbImage::from_fn(1400, 1000, |x, y| {
            let n = (x.wrapping_mul(2654435761 + i) ^ y.wrapping_mul(40503)) % 61;
            image::Rgb([
                (x / 6 + n) as u8,
                (y / 5) as u8,
                ((x + y + i * 40) / 9 % 255) as u8,
            ])
        });
        img.save(album.join(format!("noise-{i}.png"))).unwrap();
    }
    let config = site.path().join("capsule.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("display = 96", "display = 1200")
        .replace("gemini = 64", "gemini = 1000");
    std::fs::write(&config, text).unwrap();

    let mut child = capsule()
        .args(["build", "--root", site.path().to_str().unwrap()])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();

    let cache = site.path().join(".capsule-cache/media");
    let mut complete = 0;
    for entry in std::fs::read_dir(&cache).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() || name.starts_with(".tmp-") {
            continue;
        }
        let meta: serde_json::Value = serde_json::from_slice(
            &std::fs::read(entry.path().join("meta.json")).unwrap_or_default(),
        )
        .unwrap_or_else(|_| panic!("entry {name} has no readable meta.json"));
        let mut files = vec![meta["gemini"]["file"].as_str().unwrap().to_string()];
        files.extend(
            meta["html"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["file"].as_str().unwrap().to_string()),
        );
        for f in files {
            let path = entry.path().join(&f);
            let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{name}/{f} missing"));
            assert!(
                image::load_from_memory(&bytes).is_ok(),
                "{name}/{f} is not a whole image"
            );
        }
        complete += 1;
    }
    assert!(
        !site.path().join("public/html/albums/big").exists(),
        "a killed build published something"
    );

    // The next build finishes the work and gives exactly what a build from scratch gives.
    let (run, reused, _, _) = build_counts(site.path());
    assert_eq!(reused as usize, complete, "complete entries are reused");
    assert!(run > 0);
    let fresh = tempfile::tempdir().unwrap();
    copy_dir(&site.path().join("content"), &fresh.path().join("content"));
    std::fs::copy(&config, fresh.path().join("capsule.toml")).unwrap();
    build(fresh.path(), &["--quiet"]);
    assert_eq!(
        tree(&site.path().join("public")),
        tree(&fresh.path().join("public"))
    );
    let leftovers = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .count();
    assert_eq!(
        leftovers, 0,
        "temporary folders of the killed build were not pruned"
    );
}

/// Copies of one photo under many names in one album are one cache entry: the build makes it once,
/// whatever runs at the same time, and publishes every copy (two jobs with the same key once both made
/// it, and one replaced the entry while the other read it).
#[test]
fn copies_of_one_photo_are_made_once() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("capsule.toml"), "title = \"Copies\"\n").unwrap();
    let album = site.path().join("content/albums/copies");
    std::fs::create_dir_all(&album).unwrap();
    let photo =
        std::fs::read(repo().join("tests/fixtures/basic/content/albums/harbour-2024/gull.jpg"))
            .unwrap();
    for n in 0..24 {
        std::fs::write(album.join(format!("copy-{n:02}.jpg")), &photo).unwrap();
    }
    let (run, reused, _, _) = build_counts(site.path());
    assert_eq!((run, reused), (1, 23));
    let html = site.path().join("public/html/albums/copies");
    for n in 0..24 {
        assert!(
            html.join(format!("copy-{n:02}/index.html")).is_file(),
            "copy {n}"
        );
    }
}

/// A photo whose colour detail no quality of WebP or JPEG keeps (one-pixel stripes of two saturated
/// colours: both formats store colour at half the resolution) is published at the highest quality with
/// a warning that names it, gives each missed size's real score and points to AVIF; the cached rebuild,
/// which encodes nothing, says it again. A photo that reaches its targets gets no such warning.
#[test]
fn a_photo_that_misses_its_target_at_any_quality_says_so_on_every_build() {
    let site = tempfile::tempdir().unwrap();
    let album = site.path().join("content/albums/stripes");
    std::fs::create_dir_all(&album).unwrap();
    image::RgbImage::from_fn(320, 240, |x, _| {
        image::Rgb(if x % 2 == 1 {
            [230, 30, 120]
        } else {
            [30, 150, 100]
        })
    })
    .save(album.join("stripes.png"))
    .unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/basic/content/albums/harbour-2024/gull.jpg"),
        album.join("gull.jpg"),
    )
    .unwrap();
    std::fs::write(
        album.join("index.md"),
        "+++\ntitle = \"Stripes\"\n+++\n\n![Stripes](stripes.png)\n\n![A gull](gull.jpg)\n",
    )
    .unwrap();
    let warned = |out: &std::process::Output| -> Vec<String> {
        text(out)
            .lines()
            .filter(|l| l.contains("more than the format keeps"))
            .map(str::to_string)
            .collect()
    };
    for (n, expect_run) in [(1, true), (2, false)] {
        let out = build(site.path(), &[]);
        let lines = warned(&out);
        assert_eq!(lines.len(), 1, "build {n}: {lines:?}\n{}", text(&out));
        let line = &lines[0];
        assert!(
            line.contains("content/albums/stripes/stripes.png"),
            "{line}"
        );
        // The real scores, under their targets, of the WebP and of the Gemini JPEG.
        let scores: Vec<(f64, f64)> = line
            .split("scores ")
            .skip(1)
            .filter(|s| s.starts_with(|c: char| c.is_ascii_digit()))
            .map(|s| {
                let score: f64 = s.split(' ').next().unwrap().parse().unwrap();
                let target: f64 = s
                    .split("target is ")
                    .nth(1)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                (score, target)
            })
            .collect();
        assert!(
            !scores.is_empty() && scores.iter().all(|(s, t)| s < t),
            "{line}"
        );
        assert!(
            line.contains("320×240 WebP") && line.contains("JPEG"),
            "{line}"
        );
        assert!(line.contains("format = \"avif\""), "{line}");
        assert!(
            line.contains("at quality 100"),
            "published at the highest quality: {line}"
        );
        let encoded = text(&out).contains("media: 2 photos and 0 tracks encoded");
        assert_eq!(encoded, expect_run, "build {n}: {}", text(&out));
    }
    let html = site.path().join("public/html/albums/stripes");
    assert!(
        html.join("stripes-320.webp").is_file(),
        "the photo is published"
    );
}
