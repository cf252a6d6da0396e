//! Size budgets, seen from the command line: the per-item report and its JSON, a build over budget that
//! refuses to write and says what would save what, `--allow-over-budget`, `--fit` and its saved settings,
//! and bad budget strings.

mod common;

use std::path::Path;

use common::*;

/// A photo-like picture: smooth light with fine texture, different for each seed, so encoders have work.
fn write_photo(path: &Path, width: u32, height: u32, seed: u32) {
    let mut img = image::RgbImage::new(width, height);
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    for (x, y, px) in img.enumerate_pixels_mut() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 12) as f32 - 6.0;
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let wave = ((fx * 9.0 + seed as f32).sin() * (fy * 7.0).cos()) * 60.0;
        let base = [90.0 + 120.0 * fy, 110.0 + wave, 160.0 - 80.0 * fx];
        let c = |v: f32| (v + noise).clamp(0.0, 255.0) as u8;
        *px = image::Rgb([c(base[0]), c(base[1]), c(base[2])]);
    }
    img.save(path).unwrap();
}

/// The budget fixture with its photos made: a large album, a smaller one and a playlist.
fn budget_site() -> tempfile::TempDir {
    let site = fixture("budget");
    let albums = site.path().join("content/albums");
    for i in 0..3 {
        write_photo(&albums.join(format!("harbour/pier-{i}.png")), 800, 600, i);
    }
    write_photo(&albums.join("dunes/sand.png"), 560, 420, 7);
    site
}

fn set_budget(root: &Path, budget: &str) {
    let path = root.join("capsule.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, _) = text.split_once("[budget]").unwrap();
    std::fs::write(&path, format!("{head}[budget]\n{budget}\n")).unwrap();
}

fn report_json(root: &Path) -> serde_json::Value {
    let out = run(&["report", "--json", "--root", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn budget_line<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("no {name} budget in {json}"))
}

fn dir_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

#[test]
fn report_json_items_and_budgets_match_the_bytes_on_disk() {
    let site = budget_site();
    set_budget(site.path(), "html = \"100 MB\"\ngemini = \"20 MB\"");
    let out = build(site.path(), &[]);
    let shown = text(&out);
    assert!(
        shown.contains("Albums and playlists, largest first") && shown.contains("budget html"),
        "{shown}"
    );
    let json = report_json(site.path());
    let public = site.path().join("public");
    let items = json["items"].as_array().unwrap();
    let slugs: Vec<&str> = items.iter().map(|i| i["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs.len(), 3, "{slugs:?}");
    for item in items {
        let dir = format!(
            "{}s/{}",
            item["kind"].as_str().unwrap(),
            item["slug"].as_str().unwrap()
        );
        for format in ["gemini", "html"] {
            // A playlist's tracks are stored in music/tracks/ (the fixture has one playlist: all of them).
            let tracks = if dir.starts_with("playlists/") {
                dir_bytes(&public.join(format).join("music/tracks"))
            } else {
                0
            };
            assert_eq!(
                item["bytes"][format].as_u64().unwrap(),
                dir_bytes(&public.join(format).join(&dir)) + tracks,
                "{dir} in {format}"
            );
        }
    }
    let totals: Vec<u64> = items
        .iter()
        .map(|i| i["bytes"]["gemini"].as_u64().unwrap() + i["bytes"]["html"].as_u64().unwrap())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "not largest first: {totals:?}"
    );

    for (name, format, limit) in [
        ("html", "html", 100_000_000),
        ("gemini", "gemini", 20_000_000),
    ] {
        let b = budget_line(&json, name);
        assert_eq!(b["format"], format);
        assert_eq!(b["limit_bytes"].as_u64().unwrap(), limit);
        assert_eq!(
            b["used_bytes"].as_u64().unwrap(),
            dir_bytes(&public.join(format))
        );
        assert_eq!(b["ok"], true);
    }
    let audio = budget_line(&json, "audio");
    assert_eq!(
        audio["used_bytes"].as_u64().unwrap(),
        audio_bytes(&public, "html")
    );
    assert_eq!(audio["limit_bytes"].as_u64().unwrap(), 2_000_000_000);
}

/// The audio files of one site, and their bytes.
fn audio_bytes(public: &Path, format: &str) -> u64 {
    files_with_ext(&public.join(format), "mp3")
        .into_iter()
        .chain(files_with_ext(&public.join(format), "opus"))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum()
}

/// The audio budget counts what the bucket stores, the HTML site's audio; the capsule's audio counts in the
/// Gemini budget with its pages. `audio_counts = "both"` counts both sites' audio, for one host of both.
/// The report gives the music in hours: published, bytes per hour, and the hours each budget holds.
#[test]
fn the_audio_budget_counts_the_html_sites_audio_and_reports_hours() {
    let site = budget_site();
    set_budget(site.path(), "html = \"100 MB\"\ngemini = \"20 MB\"");
    let shown = text(&build(site.path(), &[]));
    let public = site.path().join("public");
    let json = report_json(site.path());
    let (html, gemini) = (audio_bytes(&public, "html"), audio_bytes(&public, "gemini"));
    assert!(html > 0 && gemini > 0, "{html} {gemini}");
    let audio = budget_line(&json, "audio");
    assert_eq!(audio["format"], "html");
    assert_eq!(audio["used_bytes"].as_u64().unwrap(), html);
    assert_eq!(
        budget_line(&json, "gemini")["used_bytes"].as_u64().unwrap(),
        dir_bytes(&public.join("gemini")),
        "the capsule's audio counts in its own budget"
    );

    // Hours: three tracks, each counted once although the HTML site has two encodings of each.
    let mp3s = files_with_ext(&public.join("html"), "mp3");
    let seconds: f64 = mp3s.iter().map(|p| media::mp3_seconds(p)).sum();
    let music = &json["formats"]["html"]["music"];
    assert_eq!(music["tracks"].as_u64().unwrap(), mp3s.len() as u64);
    let reported = music["seconds"].as_u64().unwrap();
    assert!(
        (reported as f64 - seconds).abs() <= mp3s.len() as f64,
        "{reported} s reported, {seconds} s of MP3"
    );
    let per_hour = music["bytes_per_hour"].as_u64().unwrap();
    assert_eq!(per_hour, html * 3600 / reported);
    let holds = music["budget_holds_hours"].as_f64().unwrap();
    let expected = 2e9 / per_hour as f64;
    assert!((holds - expected).abs() <= 0.1, "{holds} h, not {expected}");
    let room = audio["music"]["room_hours"].as_f64().unwrap();
    let expected = (2e9 - html as f64) / per_hour as f64;
    assert!((room - expected).abs() <= 0.1, "{room} h, not {expected}");
    assert_eq!(
        json["formats"]["gemini"]["music"]["tracks"]
            .as_u64()
            .unwrap(),
        mp3s.len() as u64
    );
    assert!(
        shown.contains("of music published, room for") && shown.contains("music "),
        "{shown}"
    );

    // One host for both sites: the audio budget counts both again.
    let toml = site.path().join("capsule.toml");
    let text_before = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text_before}audio_counts = \"both\"\n")).unwrap();
    build(site.path(), &[]);
    let json = report_json(site.path());
    let audio = budget_line(&json, "audio");
    assert_eq!(audio["format"], "all");
    assert_eq!(audio["used_bytes"].as_u64().unwrap(), html + gemini);
}

#[test]
fn a_build_over_budget_exits_1_names_the_largest_album_and_leaves_public_untouched() {
    let site = budget_site();
    // First a site over its budget, written anyway on request.
    let out = build(site.path(), &["--allow-over-budget"]);
    assert!(text(&out).contains("OVER"), "{}", text(&out));
    let json = report_json(site.path());
    let html = budget_line(&json, "html");
    assert_eq!(
        html["ok"], false,
        "the fixture should be over 165 KB: {html}"
    );
    let before = tree(&site.path().join("public"));

    // Then an ordinary build: refused, with the measured savings.
    std::fs::write(
        site.path().join("content/albums/dunes/index.md"),
        "+++\ntitle = \"Dunes\"\ndate = 2024-06-02\n+++\nEdited.\n",
    )
    .unwrap();
    let out = try_build(site.path(), &[]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the HTML site is"), "{err}");
    assert!(err.contains("over its budget of 165 KB"), "{err}");
    let largest = err.find("album \"harbour\"").expect(&err);
    if let Some(other) = err.find("album \"dunes\"") {
        assert!(
            largest < other,
            "the largest album is not named first: {err}"
        );
    }
    assert!(err.contains("[photos] display 800 → 640 px saves"), "{err}");
    assert!(err.contains("[photos] target 70 → 60 saves"), "{err}");
    assert!(err.contains("--fit"), "{err}");
    assert_eq!(tree(&site.path().join("public")), before, "public/ changed");
    assert!(!site.path().join(".public.building").exists());
}

#[test]
fn the_audio_budget_names_the_playlist_and_measured_bitrate_savings() {
    let site = budget_site();
    set_budget(site.path(), "html = \"100 MB\"\naudio = \"15 KB\"");
    let out = try_build(site.path(), &[]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the audio of the HTML site is"), "{err}");
    assert!(err.contains("playlist \"night-drive\""), "{err}");
    assert!(
        err.contains("[audio] opus_bitrate 48 → 40 kb/s saves"),
        "{err}"
    );
    assert!(err.contains("no MP3 fallback"), "{err}");
    assert!(
        !site.path().join("public").exists(),
        "a site over budget was written"
    );

    // The HTML site's audio fits in 40 KB; both sites' audio does not.
    set_budget(site.path(), "html = \"100 MB\"\naudio = \"40 KB\"");
    build(site.path(), &["-q"]);
    set_budget(
        site.path(),
        "html = \"100 MB\"\naudio = \"40 KB\"\naudio_counts = \"both\"",
    );
    let out = try_build(site.path(), &[]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the audio of both sites is"), "{err}");
}

#[test]
fn fit_chooses_settings_under_the_budget_and_reuses_them() {
    let site = budget_site();
    let out = build(site.path(), &["--fit"]);
    let shown = text(&out);
    assert!(shown.contains("`--fit` chose:"), "{shown}");
    let json = report_json(site.path());
    let html = budget_line(&json, "html");
    assert_eq!(html["ok"], true, "{html}");
    let used = html["used_bytes"].as_u64().unwrap();
    assert!(used <= 165_000, "{used}");
    assert_eq!(used, dir_bytes(&site.path().join("public/html")));
    let saved = std::fs::read_to_string(site.path().join("capsule-fit.toml")).unwrap();
    assert!(
        saved.contains("[photos]") && saved.contains("target ="),
        "{saved}"
    );

    // The best quality that fits: the unfitted site is about 30 % over, so one step down the ladder (the
    // HTML target 70 → 65 at the same size) is enough, and the Gemini photos, with no budget, keep theirs.
    for line in [
        "display = 800",
        "target = 65",
        "gemini = 640",
        "gemini_target = 70",
    ] {
        assert!(saved.contains(line), "{line} not in {saved}");
    }

    // Deterministic and cached: a second --fit, then a plain build, run no media job and write the same site.
    let first = tree(&site.path().join("public"));
    for args in [&["--fit"][..], &[][..]] {
        let out = build(site.path(), args);
        assert!(
            text(&out).contains("Using the settings chosen by `capsule build --fit`"),
            "{}",
            text(&out)
        );
        let json = report_json(site.path());
        assert_eq!(json["media"]["photos"]["run"], 0, "{args:?}");
        assert_eq!(json["media"]["tracks"]["run"], 0, "{args:?}");
        assert_eq!(tree(&site.path().join("public")), first, "{args:?}");
    }

    // A changed budget makes the saved settings stale: the plain build says so and is over budget again.
    set_budget(site.path(), "html = \"110 KB\"");
    let out = try_build(site.path(), &[]);
    let err = text(&out);
    assert!(
        err.contains("capsule-fit.toml: was chosen for other"),
        "{err}"
    );
}

#[test]
fn fit_says_what_to_cut_when_even_the_floors_do_not_fit() {
    let site = budget_site();
    set_budget(site.path(), "html = \"20 KB\"");
    let out = try_build(site.path(), &["--fit"]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("does not fit its budget of 20 KB even at the lowest settings"),
        "{err}"
    );
    assert!(err.contains("album \"harbour\""), "{err}");
    assert!(!site.path().join("public").exists());
    assert!(!site.path().join("capsule-fit.toml").exists());
}

#[test]
fn bad_budget_strings_are_rejected_with_file_and_line() {
    for bad in ["\"100 MBs\"", "\"lots\"", "\"-5 MB\"", "\"\"", "true"] {
        let site = fixture("budget");
        set_budget(site.path(), &format!("# the limits\nhtml = {bad}"));
        let out = try_build(site.path(), &[]);
        let err = text(&out);
        assert_eq!(out.status.code(), Some(1), "{bad}: {err}");
        let line = std::fs::read_to_string(site.path().join("capsule.toml"))
            .unwrap()
            .lines()
            .position(|l| l.starts_with("html ="))
            .unwrap()
            + 1;
        assert!(
            err.contains(&format!("capsule.toml:{line}:")),
            "{bad}: {err}"
        );
        assert!(err.contains("a size"), "{bad}: {err}");
        assert!(
            err.contains(&format!("capsule.toml:{line}: budget.html: ")),
            "{bad}: {err}"
        );
        assert!(!site.path().join("public").exists());
    }
}
