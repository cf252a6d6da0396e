//! Builds the fixture sites and the example `content/` with the real binary, then checks both outputs:
//! snapshots, the gemtext rules, the Nu HTML Checker, no JavaScript, images, text browsers, links, the report.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;

/// A site built once per test run, in `target/test-sites/<name>`.
struct Site {
    root: PathBuf,
}

impl Site {
    fn out(&self) -> PathBuf {
        self.root.join("public")
    }
}

fn built(name: &str, cell: &'static OnceLock<Site>) -> &'static Site {
    cell.get_or_init(|| {
        let root = repo().join("target/test-sites").join(name);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        if name == "example" {
            copy_dir(&repo().join("content"), &root.join("content"));
            std::fs::copy(repo().join("capsule.toml"), root.join("capsule.toml")).unwrap();
        } else {
            copy_dir(&repo().join("tests/fixtures").join(name), &root);
        }
        build(&root, &[]);
        Site { root }
    })
}

fn basic() -> &'static Site {
    static CELL: OnceLock<Site> = OnceLock::new();
    built("basic", &CELL)
}

fn formats() -> &'static Site {
    static CELL: OnceLock<Site> = OnceLock::new();
    built("formats", &CELL)
}

fn french() -> &'static Site {
    static CELL: OnceLock<Site> = OnceLock::new();
    built("french", &CELL)
}

fn example() -> &'static Site {
    static CELL: OnceLock<Site> = OnceLock::new();
    built("example", &CELL)
}

fn music() -> &'static Site {
    static CELL: OnceLock<Site> = OnceLock::new();
    built("music", &CELL)
}

fn all_sites() -> [&'static Site; 4] {
    [basic(), french(), example(), music()]
}

#[test]
fn snapshot_basic_gemini() {
    insta::assert_snapshot!(snapshot_of(&basic().out().join("gemini")));
}

#[test]
fn snapshot_basic_html() {
    insta::assert_snapshot!(snapshot_of(&basic().out().join("html")));
}

#[test]
fn snapshot_french_gemini() {
    insta::assert_snapshot!(snapshot_of(&french().out().join("gemini")));
}

#[test]
fn snapshot_french_html() {
    insta::assert_snapshot!(snapshot_of(&french().out().join("html")));
}

/// The basic fixture's snapshots hold when the build runs on a processor without AVX, AVX2 or FMA (qemu's
/// Nehalem model), where opus-pure, fast-ssim2, rubato and fast_image_resize take other code paths than
/// on the machines CI runs on. qemu-user is a Debian package; `.ci/run` installs it.
#[cfg(target_arch = "x86_64")]
#[test]
fn snapshots_hold_on_a_cpu_without_avx() {
    let qemu = tool(
        "qemu-x86_64",
        &["apt-get", "install", "-y", "-qq", "qemu-user"],
    );
    let site = fixture("basic");
    let out = Command::new(qemu)
        .args([
            "-cpu",
            "Nehalem",
            env!("CARGO_BIN_EXE_capsule"),
            "build",
            "-q",
            "--root",
        ])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let public = site.path().join("public");
    insta::assert_snapshot!("snapshot_basic_gemini", snapshot_of(&public.join("gemini")));
    insta::assert_snapshot!("snapshot_basic_html", snapshot_of(&public.join("html")));
}

#[test]
fn every_gemtext_line_is_well_formed() {
    let mut count = 0;
    for site in all_sites() {
        for file in files_with_ext(&site.out().join("gemini"), "gmi") {
            let text = std::fs::read_to_string(&file).unwrap();
            let problems = gemtext_problems(&text);
            assert!(
                problems.is_empty(),
                "{}:\n{}",
                file.display(),
                problems.join("\n")
            );
            count += 1;
        }
    }
    assert!(count >= 15, "only {count} gemtext pages checked");
}

#[test]
fn gemtext_checker_catches_bad_lines() {
    // The checker itself must fail on each thing it is meant to catch.
    for bad in [
        "  * indented",
        "#### deep",
        "```\ncode\n```",
        "some **bold**",
        "a [link](x)",
        "<b>x</b>",
        "- item",
    ] {
        assert!(
            !gemtext_problems(bad).is_empty(),
            "checker accepted {bad:?}"
        );
    }
    assert!(gemtext_problems("# ok\n\n* item\n=> x label\n```alt\n  * kept\n```").is_empty());
}

#[test]
fn html_passes_the_nu_html_checker() {
    for site in all_sites() {
        if let Some(errors) = nu_errors(&site.out().join("html")) {
            panic!("vnu found errors in {}:\n{errors}", site.root.display());
        }
    }
}

/// Every link of every HTML page has a name a screen reader can say (axe's `link-name` rule): text, an
/// image with alt text, or an `aria-label`. A photo without alt text is still a link to its larger
/// version, named by its caption or file name.
#[test]
fn every_link_has_an_accessible_name() {
    for site in all_sites() {
        for file in files_with_ext(&site.out().join("html"), "html") {
            let html = std::fs::read_to_string(&file).unwrap();
            for part in html.split("<a ").skip(1) {
                let (tag, rest) = part.split_once('>').unwrap();
                let inner = rest.split("</a>").next().unwrap();
                let labelled = tag.contains("aria-label=\"") && !tag.contains("aria-label=\"\"");
                let alt = inner.contains(" alt=\"") && !inner.contains(" alt=\"\"");
                let mut text = String::new();
                let mut in_tag = false;
                for c in inner.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        _ if !in_tag => text.push(c),
                        _ => {}
                    }
                }
                assert!(
                    labelled || alt || !text.trim().is_empty(),
                    "{}: a link with no name: <a {tag}>{inner}</a>",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn html_has_no_javascript() {
    for site in all_sites() {
        for file in files_with_ext(&site.out().join("html"), "html") {
            let html = std::fs::read_to_string(&file).unwrap().to_lowercase();
            assert!(!html.contains("<script"), "{} has a script", file.display());
            assert!(
                !html.contains("javascript:"),
                "{} has a javascript: URL",
                file.display()
            );
            let handler = html.split(|c: char| c.is_whitespace()).find(|w| {
                w.starts_with("on")
                    && w.contains('=')
                    && w[2..w.find('=').unwrap()]
                        .chars()
                        .all(|c| c.is_ascii_alphabetic())
            });
            assert!(
                handler.is_none(),
                "{} has an event handler: {handler:?}",
                file.display()
            );
        }
    }
}

#[test]
fn html_pages_have_language_landmarks_and_skip_link() {
    for site in all_sites() {
        for file in files_with_ext(&site.out().join("html"), "html") {
            let html = std::fs::read_to_string(&file).unwrap();
            for needle in [
                "<html lang=\"",
                "<header>",
                "<nav ",
                "<main id=\"main\">",
                "<footer>",
                "class=\"skip\" href=\"#main\"",
                "style.css\">",
            ] {
                assert!(html.contains(needle), "{} lacks {needle}", file.display());
            }
            assert_eq!(
                html.matches("<link rel=\"stylesheet\"").count(),
                1,
                "{}",
                file.display()
            );
        }
    }
    let fr = std::fs::read_to_string(french().out().join("html/index.html")).unwrap();
    assert!(
        fr.contains("<html lang=\"fr\">") && fr.contains("Aller au contenu"),
        "French words missing"
    );
}

#[test]
fn stylesheet_is_small_and_has_dark_mode() {
    let css = std::fs::read_to_string(basic().out().join("html/style.css")).unwrap();
    assert!(css.len() < 4096, "style.css is {} bytes", css.len());
    assert!(css.contains("prefers-color-scheme:dark"));
}

#[test]
fn images_have_size_alt_lazy_link_to_their_page_and_offer_the_sizes_shown() {
    let mut seen = 0;
    for site in all_sites() {
        for file in files_with_ext(&site.out().join("html"), "html") {
            let html = std::fs::read_to_string(&file).unwrap();
            // A photo's own page loads its photo at once: it is what the reader came for.
            let photo_page = html.contains("<article class=\"photo-page\">");
            for img in html.split("<img ").skip(1) {
                let tag = &img[..img.find('>').unwrap()];
                for attr in [
                    "width=\"",
                    "height=\"",
                    "alt=\"",
                    "loading=\"lazy\"",
                    "src=\"",
                ] {
                    if photo_page && attr.starts_with("loading") {
                        assert!(
                            !tag.contains(attr),
                            "{}: <img {tag}> is lazy",
                            file.display()
                        );
                        continue;
                    }
                    assert!(
                        tag.contains(attr),
                        "{}: <img {tag}> lacks {attr}",
                        file.display()
                    );
                }
                seen += 1;
            }
        }
    }
    assert!(seen > 10);
    let album =
        std::fs::read_to_string(basic().out().join("html/albums/harbour-2024/index.html")).unwrap();
    assert!(album.contains(r#"<a href="gull/index.html"><img src="gull-48.webp" srcset="gull-48.webp 48w, gull-96.webp 96w""#), "{album}");
    let page = std::fs::read_to_string(
        basic()
            .out()
            .join("html/albums/harbour-2024/gull/index.html"),
    )
    .unwrap();
    assert!(
        page.contains(
            r#"<img src="../gull-96.webp" srcset="../gull-48.webp 48w, ../gull-96.webp 96w""#
        ),
        "{page}"
    );
    // A grid cell offers half the thumbnail and the thumbnail, never the display size.
    let grid =
        std::fs::read_to_string(basic().out().join("html/albums/ete-a-brest/index.html")).unwrap();
    assert!(
        grid.contains(
            r#"srcset="a-first-24.webp 24w, a-first-48.webp 48w" sizes="(min-width: 44rem) 10.2rem"#
        ),
        "{grid}"
    );
}

#[test]
fn audio_has_controls_no_preload_and_typed_sources() {
    let html = std::fs::read_to_string(basic().out().join("html/playlists/night-drive/index.html"))
        .unwrap();
    assert_eq!(html.matches("<audio controls preload=\"none\">").count(), 3);
    // Opus first for browsers that play it, then the MP3 fallback; both encoded from any source format.
    for name in ["01-intro", "02-city", "03-outro"] {
        let sources = format!("<source src=\"../../music/tracks/{name}.opus\" type=\"audio/ogg; codecs=opus\">\n<source src=\"../../music/tracks/{name}.mp3\" type=\"audio/mpeg\">");
        assert!(
            html.contains(&sources),
            "no Opus and MP3 sources for {name}:\n{html}"
        );
    }
}

#[test]
fn text_browser_shows_title_text_and_captions_in_order() {
    let out = Command::new(w3m())
        .args(["-dump", "-T", "text/html", "-cols", "100"])
        .arg(basic().out().join("html/albums/harbour-2024/index.html"))
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&out.stdout);
    let order = [
        "Harbour, June 2024",
        "We arrived before the fishing boats.",
        "The first gull of the morning",
        "By ten the tide was out",
        "Low tide",
        "The last photo was taken",
    ];
    let mut at = 0;
    for needle in order {
        let found = dump[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing or out of order in:\n{dump}"));
        at += found + needle.len();
    }
}

/// Every relative link and media source of both formats points to a file that exists,
/// so the sites work from `file://` and from any sub-path.
#[test]
fn all_relative_links_resolve() {
    for site in all_sites() {
        let html_root = site.out().join("html");
        for file in files_with_ext(&html_root, "html") {
            let html = std::fs::read_to_string(&file).unwrap();
            for attr in ["href=\"", "src=\""] {
                for part in html.split(attr).skip(1) {
                    let url = &part[..part.find('"').unwrap()];
                    check_local(&file, url, "index.html");
                }
            }
            for part in html.split("srcset=\"").skip(1) {
                for candidate in part[..part.find('"').unwrap()].split(", ") {
                    check_local(&file, candidate.split(' ').next().unwrap(), "index.html");
                }
            }
        }
        for file in files_with_ext(&site.out().join("gemini"), "gmi") {
            for line in std::fs::read_to_string(&file).unwrap().lines() {
                if let Some(rest) = line.strip_prefix("=> ") {
                    check_local(&file, rest.split(' ').next().unwrap(), "index.gmi");
                }
            }
        }
    }
}

fn check_local(page: &Path, url: &str, index: &str) {
    if url.contains("://") || url.starts_with('#') || url.starts_with("mailto:") {
        return;
    }
    assert!(
        !url.starts_with('/'),
        "{}: absolute link {url}",
        page.display()
    );
    let path = url.split('#').next().unwrap();
    let mut target = page.parent().unwrap().join(path);
    if path.ends_with('/') || path == "./" {
        target = target.join(index);
    }
    assert!(
        target.is_file(),
        "{}: link {url} points to nothing ({})",
        page.display(),
        target.display()
    );
}

#[test]
fn gemini_indexes_follow_the_gemfeed_convention() {
    let home = std::fs::read_to_string(basic().out().join("gemini/index.gmi")).unwrap();
    let feed_lines: Vec<&str> = home
        .lines()
        .filter(|l| {
            l.len() > 14
                && l.starts_with("=> ")
                && l.as_bytes()[3 + l[3..].find(' ').unwrap() + 1].is_ascii_digit()
        })
        .collect();
    assert_eq!(
        feed_lines,
        [
            "=> albums/harbour-2024/ 2024-06-01 Harbour, June 2024",
            "=> albums/ete-a-brest/ 2023-07-03 Été à Brest",
            "=> playlists/night-drive/ 2024-07-14 Night drive",
        ]
    );
    let atom = std::fs::read_to_string(basic().out().join("gemini/atom.xml")).unwrap();
    assert!(
        atom.contains("<link href=\"gemini://fixture.example/albums/harbour-2024/\"/>"),
        "{atom}"
    );
    let html_atom = std::fs::read_to_string(basic().out().join("html/atom.xml")).unwrap();
    assert!(html_atom
        .contains("<link href=\"https://fixture.web.deuxfleurs.fr/playlists/night-drive/\"/>"));
    assert!(
        !french().out().join("gemini/atom.xml").exists(),
        "no feed without a base URL"
    );
}

#[test]
fn drafts_are_left_out() {
    assert!(!basic().out().join("html/albums/secret").exists());
    assert!(
        !std::fs::read_to_string(basic().out().join("html/index.html"))
            .unwrap()
            .contains("Secret")
    );
}

#[test]
fn report_json_matches_the_bytes_on_disk() {
    for site in all_sites() {
        let out = run(&["report", "--json", "--root", site.root.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for format in ["gemini", "html"] {
            let files = tree(&site.out().join(format));
            let f = &json["formats"][format];
            let bytes: u64 = files.values().map(|b| b.len() as u64).sum();
            assert_eq!(f["total_bytes"].as_u64().unwrap(), bytes, "{format} total");
            assert_eq!(
                f["files"].as_u64().unwrap(),
                files.len() as u64,
                "{format} files"
            );
            let kind_of = |p: &str| match p.rsplit('.').next().unwrap() {
                "gmi" | "html" => "pages",
                "jpg" | "png" | "webp" | "avif" => "images",
                "flac" | "mp3" | "ogg" | "opus" | "wav" | "m4a" => "audio",
                _ => "other",
            };
            for kind in ["pages", "images", "audio", "other"] {
                let (n, b) = files
                    .iter()
                    .filter(|(p, _)| kind_of(p) == kind)
                    .fold((0u64, 0u64), |(n, b), (_, v)| (n + 1, b + v.len() as u64));
                assert_eq!(
                    f["kinds"][kind]["files"].as_u64().unwrap(),
                    n,
                    "{format} {kind} files"
                );
                assert_eq!(
                    f["kinds"][kind]["bytes"].as_u64().unwrap(),
                    b,
                    "{format} {kind} bytes"
                );
            }
        }
    }
}

#[test]
fn no_metadata_survives_in_published_images() {
    for site in all_sites() {
        for format in ["gemini", "html"] {
            for (path, bytes) in tree(&site.out().join(format)) {
                if !path.ends_with(".jpg") && !path.ends_with(".webp") {
                    continue;
                }
                // EXIF and XMP blocks of JPEG (APP1) and WebP (chunks), IPTC (Photoshop APP13), camera names.
                for marker in [
                    &b"Exif\0\0"[..],
                    b"EXIF",
                    b"XMP ",
                    b"http://ns.adobe.com/xap",
                    b"Photoshop 3.0",
                    b"FixtureCam",
                    b"Canon",
                ] {
                    assert!(
                        !bytes.windows(marker.len()).any(|w| w == marker),
                        "{path} contains {:?}",
                        String::from_utf8_lossy(marker)
                    );
                }
            }
        }
    }
}

#[test]
fn exif_orientation_is_applied() {
    // rotated.jpg is stored 160×120 with orientation 6 (turn 90° clockwise): published upright, 120×160 scaled.
    let gmi = std::fs::read_to_string(basic().out().join("gemini/albums/harbour-2024/index.gmi"))
        .unwrap();
    assert!(
        gmi.contains("=> rotated-48.jpg rotated.jpg (JPEG, 48×64,"),
        "{gmi}"
    );
    let img = image::open(
        basic()
            .out()
            .join("html/albums/harbour-2024/rotated-72.webp"),
    )
    .unwrap();
    assert_eq!((img.width(), img.height()), (72, 96));
    // The white mark drawn at the stored top-left must now be at the top-right.
    let px = |x, y| img.to_rgb8().get_pixel(x, y).0;
    assert!(
        px(70, 2).iter().all(|&c| c > 200),
        "top-right is {:?}",
        px(70, 2)
    );
    assert!(px(2, 2)[0] < 150, "top-left is {:?}", px(2, 2));
}

#[test]
fn builds_are_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let site = fixture("basic");
    for out in [&a, &b] {
        build(
            site.path(),
            &["--out", out.path().join("public").to_str().unwrap()],
        );
    }
    assert_eq!(
        tree(&a.path().join("public")),
        tree(&b.path().join("public"))
    );
}

/// What opusinfo (Debian opus-tools) says of a file, after checking that it found nothing wrong.
fn opusinfo(opus: &Path) -> String {
    let out = Command::new(tool(
        "opusinfo",
        &["apt-get", "install", "-y", "-qq", "opus-tools"],
    ))
    .arg(opus)
    .output()
    .expect("opusinfo runs");
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && !info.contains("WARNING") && !info.contains("ERROR"),
        "{}: {info}",
        opus.display()
    );
    info
}

/// Checks that a fixture's Opus file lasts exactly its source's 1 s and carries its title and artist.
fn opus_is_one_tagged_second(opus: &Path, title: &str) {
    let info = opusinfo(opus);
    let name = opus.display();
    assert!(
        info.contains("Playback length: 0m:01.000s"),
        "{name} is not exactly 1 s long:\n{info}"
    );
    assert!(
        info.contains(&format!("TITLE={title}")) && info.contains("ARTIST=The Fixtures"),
        "{name} tags:\n{info}"
    );
}

/// AIFF, ALAC and AAC in M4A, and Opus sources of exactly 1 s are read, keep their tags, and are
/// published at exactly their length: the M4A edit list (AAC's encoder delay) is applied, and the MP3
/// carries a LAME tag with its delay and padding.
#[test]
fn every_audio_format_is_read_and_published_at_its_exact_length() {
    let dir = formats().out().join("html/music/tracks");
    for (name, title) in [
        ("01-aiff", "Aiff"),
        ("02-alac", "Alac"),
        ("03-aac", "Aac"),
        ("04-opus", "Opus"),
    ] {
        opus_is_one_tagged_second(&dir.join(format!("{name}.opus")), title);
    }
    // The lossy sources (about 24 to 32 kb/s) are not published at more than their own bitrate.
    let kbps = |path: PathBuf| {
        use lofty::prelude::*;
        let file = lofty::read_from_path(&path).unwrap();
        file.properties().audio_bitrate().unwrap()
    };
    let sources = repo().join("tests/fixtures/formats/content/playlists/formats");
    for source in ["03-aac.m4a", "04-opus.opus"] {
        let own = kbps(sources.join(source));
        for ext in ["opus", "mp3"] {
            let name = source.replace(".m4a", "").replace(".opus", "");
            let published = kbps(dir.join(format!("{name}.{ext}")));
            // A few kb/s of container overhead at most.
            assert!(
                published <= own + 6,
                "{name}.{ext}: {published} kb/s from a {own} kb/s source"
            );
        }
    }
    // The lossless sources get the default MP3 bitrate. (The 24 kb/s ones get 24 kb/s MP3s, whose
    // frames are too small for LAME to write its tag in.)
    for name in ["01-aiff", "02-alac"] {
        let seconds = media::mp3_seconds(&dir.join(format!("{name}.mp3")));
        assert!(
            (seconds - 1.0).abs() < 0.001,
            "{name}.mp3 plays {seconds} s"
        );
    }
}

/// The MP3 of a lossless source carries a LAME header (Info, at the default constant bitrate) whose
/// frame count covers exactly its length, so players show the right duration and play it gapless.
/// (The other tracks come from lossy sources under 32 kb/s: their MP3s are too small for LAME to write
/// its header in.) `tests/audio_browser.rs` checks the same of a VBR MP3 in Chromium.
#[test]
fn mp3s_carry_a_lame_header_with_their_length() {
    let path = basic().out().join("html/music/tracks/01-intro.mp3");
    let (tag, frames) = media::mp3_xing(&path).expect("01-intro.mp3 has no LAME header");
    assert_eq!(tag, "Info", "01-intro.mp3 is not of a constant bitrate");
    let seconds = media::mp3_seconds(&path);
    // Frames of 1152 samples at 48 kHz: the encoder's delay and padding add less than two frames.
    let framed = frames as f64 * 1152.0 / 48_000.0;
    assert!(
        framed >= seconds && framed < seconds + 0.1,
        "01-intro.mp3: {frames} frames ({framed} s) for {seconds} s"
    );
}

/// Encoded bytes depend on the CPU (the snapshots leave sizes out), but not by much: each kind of media
/// of the basic fixture stays within 15 % of what it weighed when the snapshots were made, so a change of
/// bitrate, size or quality target still shows.
#[test]
fn media_sizes_stay_near_the_reference() {
    let out = basic().out();
    for (format, ext, reference) in [
        ("html", "opus", 11_677u64),
        ("html", "mp3", 21_003),
        ("html", "webp", 2_212),
        ("gemini", "mp3", 21_003),
        ("gemini", "jpg", 3_584),
    ] {
        let bytes: u64 = files_with_ext(&out.join(format), ext)
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        let ratio = bytes as f64 / reference as f64;
        assert!(
            (0.85..=1.15).contains(&ratio),
            "{format} .{ext}: {bytes} bytes, {ratio:.2}× the reference {reference}"
        );
    }
}

/// "470 B", "2.4 KB": the same decimal units as the pages print.
fn human_bytes(bytes: u64) -> String {
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let (mut value, mut unit) = (bytes as f64 / 1000.0, 0);
    while value >= 1000.0 && unit < 3 {
        value /= 1000.0;
        unit += 1;
    }
    let unit = ["KB", "MB", "GB", "TB"][unit];
    if value < 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// Every size a page prints, in a gemtext link line or an HTML download link, is the size of the file
/// that the link points to.
#[test]
fn printed_sizes_are_the_sizes_of_the_published_files() {
    let mut checked = 0;
    for site in all_sites() {
        for format in ["gemini", "html"] {
            let root = site.out().join(format);
            for page in files_with_ext(&root, if format == "gemini" { "gmi" } else { "html" }) {
                let text = std::fs::read_to_string(&page).unwrap();
                let dir = page.parent().unwrap();
                for (href, printed) in sized_links(&text, format) {
                    let file = dir.join(&href);
                    let bytes = std::fs::metadata(&file)
                        .unwrap_or_else(|_| panic!("{}: {href} is missing", page.display()))
                        .len();
                    assert_eq!(
                        printed,
                        human_bytes(bytes),
                        "{}: the size printed for {href}",
                        page.display()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} printed sizes found");
}

/// (link target, printed size) of each link whose text ends with a size: gemtext link lines, and HTML
/// `<a href>` elements.
fn sized_links(text: &str, format: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut push = |href: &str, label: &str| {
        if let Some(open) = label.rfind(", ") {
            let tail = &label[open + 2..];
            if media::size_then_paren(tail) == Some(tail.len()) {
                found.push((href.to_string(), tail.trim_end_matches(')').to_string()));
            }
        }
    };
    if format == "gemini" {
        for line in text.lines() {
            if let Some((href, label)) = line.strip_prefix("=> ").and_then(|l| l.split_once(' ')) {
                push(href, label.trim_end());
            }
        }
    } else {
        for piece in text.split("<a href=\"").skip(1) {
            let Some((href, rest)) = piece.split_once('"') else {
                continue;
            };
            let Some(label) = rest.split_once('>').and_then(|(_, r)| r.split_once("</a>")) else {
                continue;
            };
            push(href, label.0);
        }
    }
    found
}

/// Every Opus file passes opusinfo (Debian opus-tools), lasts what its source lasts (gapless), and carries
/// the source's tags; no lossy source is published at a higher bitrate than its own.
#[test]
fn audio_is_valid_gapless_tagged_and_never_inflated() {
    let dir = basic().out().join("html/music/tracks");
    for (name, title, source_kbps) in [
        ("01-intro", "Intro", None),
        ("02-city", "City Lights", Some(16)),
        ("03-outro", "Outro", None),
    ] {
        opus_is_one_tagged_second(&dir.join(format!("{name}.opus")), title);
        if let Some(kbps) = source_kbps {
            for ext in ["opus", "mp3"] {
                use lofty::prelude::*;
                let file = lofty::read_from_path(dir.join(format!("{name}.{ext}"))).unwrap();
                let published = file.properties().audio_bitrate().unwrap_or(0);
                // A few kb/s of container overhead at most.
                assert!(
                    published <= kbps + 6,
                    "{name}.{ext}: {published} kb/s from a {kbps} kb/s source"
                );
            }
        }
        let mp3 = lofty::read_from_path(dir.join(format!("{name}.mp3"))).unwrap();
        use lofty::prelude::*;
        assert_eq!(
            mp3.primary_tag().and_then(|t| t.title()).as_deref(),
            Some(title),
            "{name}.mp3 title"
        );
    }
}

#[test]
fn originals_are_published_only_when_the_album_opts_in() {
    let site = fixture("basic");
    let index = site.path().join("content/albums/harbour-2024/index.md");
    let source = std::fs::read_to_string(&index).unwrap();
    let opted = source.replacen("+++\n", "+++\npublish_originals = true\n", 1);
    assert_ne!(source, opted);
    std::fs::write(&index, opted).unwrap();
    let out = build(site.path(), &[]);
    let shown = text(&out);
    assert!(
        shown.contains("gull.jpg: publish_originals = true publishes this file as it is, with the GPS position"),
        "{shown}"
    );
    let original = std::fs::read(site.path().join("content/albums/harbour-2024/gull.jpg")).unwrap();
    let public = site.path().join("public");
    for format in ["html", "gemini"] {
        let published = public
            .join(format)
            .join("albums/harbour-2024/gull-original.jpg");
        assert_eq!(
            std::fs::read(&published).unwrap(),
            original,
            "{format}: not byte for byte"
        );
    }
    let html = std::fs::read_to_string(public.join("html/albums/harbour-2024/index.html")).unwrap();
    assert!(
        html.contains("<a href=\"gull-original.jpg\">Original file (JPEG, "),
        "{html}"
    );
    let gmi = std::fs::read_to_string(public.join("gemini/albums/harbour-2024/index.gmi")).unwrap();
    assert!(
        gmi.contains("=> gull-original.jpg Original file: "),
        "{gmi}"
    );
    // Albums that did not opt in publish no original.
    for (path, _) in tree(&public) {
        assert!(
            !path.contains("-original.") || path.contains("albums/harbour-2024/"),
            "{path}"
        );
    }
}

#[test]
fn a_playlist_without_a_cover_file_shows_the_cover_art_of_its_tags() {
    use lofty::config::WriteOptions;
    use lofty::file::TaggedFileExt;
    use lofty::picture::{MimeType, Picture, PictureType};
    use lofty::tag::TagExt;

    let site = fixture("basic");
    let dir = site.path().join("content/playlists/night-drive");
    let cover = std::fs::read(dir.join("cover.jpg")).unwrap();
    std::fs::remove_file(dir.join("cover.jpg")).unwrap();
    let flac = dir.join("01-intro.flac");
    let tagged = lofty::read_from_path(&flac).unwrap();
    let mut tag = tagged.primary_tag().unwrap().clone();
    tag.push_picture(
        Picture::unchecked(cover.clone())
            .pic_type(PictureType::CoverFront)
            .mime_type(MimeType::Jpeg)
            .build(),
    );
    tag.save_to_path(&flac, WriteOptions::default()).unwrap();
    let content_before = tree(&site.path().join("content"));

    build(site.path(), &["--quiet"]);
    let html = std::fs::read_to_string(
        site.path()
            .join("public/html/playlists/night-drive/index.html"),
    )
    .unwrap();
    assert!(
        html.contains("<p class=\"cover\"><a href=\"cover-"),
        "{html}"
    );
    let gmi = std::fs::read_to_string(
        site.path()
            .join("public/gemini/playlists/night-drive/index.gmi"),
    )
    .unwrap();
    assert!(gmi.contains("=> cover-"), "{gmi}");
    assert_eq!(
        tree(&site.path().join("content")),
        content_before,
        "the build wrote into content/"
    );
    let covers = site.path().join(".capsule-cache/covers");
    assert_eq!(std::fs::read_dir(&covers).unwrap().count(), 1);
    // Once the playlist has a cover file again, the copy of the tag's picture is pruned.
    std::fs::write(dir.join("cover.jpg"), &cover).unwrap();
    build(site.path(), &["--quiet"]);
    assert_eq!(std::fs::read_dir(&covers).unwrap().count(), 0);
}

#[test]
fn avif_photos_in_fixed_mode_and_at_their_target_in_perceptual_mode() {
    let site = fixture("basic");
    let config = site.path().join("capsule.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        toml.replace(
            "[photos]\n",
            "[photos]\nformat = \"avif\"\nmode = \"fixed\"\n",
        ),
    )
    .unwrap();
    build(site.path(), &["--quiet"]);
    let html = site.path().join("public/html");
    let avifs = files_with_ext(&html, "avif");
    assert!(avifs.len() >= 7, "{avifs:?}");
    for f in &avifs {
        let bytes = std::fs::read(f).unwrap();
        assert_eq!(&bytes[4..12], b"ftypavif", "{f:?}");
        assert!(
            !bytes.windows(6).any(|w| w == b"Exif\0\0"),
            "{f:?} carries EXIF"
        );
    }
    let page = std::fs::read_to_string(html.join("albums/harbour-2024/index.html")).unwrap();
    assert!(page.contains(".avif 48w"), "{page}");
    // The capsule keeps JPEG, which Gemini clients show.
    assert!(files_with_ext(&site.path().join("public/gemini"), "avif").is_empty());

    // Perceptual mode (the default mode): capsule decodes each AVIF it tries, so every photo gets the
    // quality that reaches its target, scored on the whole frame. (That it is the smallest such
    // quality is the search's unit test: this fixture's photos are a few dozen pixels wide, where one
    // quality step can move the score by ten points.)
    std::fs::write(
        &config,
        toml.replace(
            "[photos]\n",
            "[photos]\nformat = \"avif\"\navif_speed = 8\n",
        ),
    )
    .unwrap();
    build(site.path(), &["--quiet"]);
    let mut scored = 0;
    for entry in std::fs::read_dir(site.path().join(".capsule-cache/media"))
        .unwrap()
        .flatten()
    {
        let Ok(meta) = std::fs::read(entry.path().join("meta.json")) else {
            continue;
        };
        let meta: serde_json::Value = serde_json::from_slice(&meta).unwrap();
        let Some(html) = meta["html"].as_array() else {
            continue;
        };
        if html.iter().any(|e| e["format"] != "avif") {
            continue;
        }
        // The last is the display size (target 70 by default), any before it the thumbnail (60).
        for (i, e) in html.iter().enumerate() {
            let target = if i + 1 == html.len() { 70.0 } else { 60.0 };
            let score = e["score"]
                .as_f64()
                .unwrap_or_else(|| panic!("{e} has no score"));
            assert!(
                score >= target,
                "{e}: scores {score} for a target of {target}"
            );
            scored += 1;
        }
    }
    assert!(scored >= 7, "only {scored} AVIF files were scored");
    assert!(files_with_ext(&html, "avif").len() >= 7);
}
