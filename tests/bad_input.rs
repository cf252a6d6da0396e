//! Bad input never crashes, never loses data: each case gets a clear error naming the file (and line),
//! exit code 1, nothing written into content/, and the previous public/ left exactly as it was.

mod common;

use std::path::Path;

use common::*;

/// A minimal valid site in a temp folder: one page and one album with one photo.
fn small_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/albums/trip")).unwrap();
    std::fs::write(
        root.join("content/index.md"),
        "+++\ntitle = \"Home\"\n+++\nHello.\n",
    )
    .unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/basic/content/albums/harbour-2024/gull.jpg"),
        root.join("content/albums/trip/gull.jpg"),
    )
    .unwrap();
    std::fs::write(
        root.join("content/albums/trip/index.md"),
        "+++\ntitle = \"Trip\"\n+++\n\n![A gull](gull.jpg)\n",
    )
    .unwrap();
    dir
}

/// Builds once successfully, applies `break_it`, builds again: the second build must fail with code 1,
/// print every `expected` fragment, leave public/ byte-identical and content/ untouched.
fn assert_fails_cleanly(break_it: impl FnOnce(&Path), expected: &[&str]) {
    let site = small_site();
    let root = site.path();
    build(root, &[]);
    let public_before = tree(&root.join("public"));
    break_it(root);
    let content_before = tree(&root.join("content"));
    let out = run(&["build", "--root", root.to_str().unwrap()]);
    let msg = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1, got {:?}:\n{msg}",
        out.status.code()
    );
    assert!(!msg.contains("panicked"), "capsule panicked:\n{msg}");
    for e in expected {
        assert!(msg.contains(e), "message lacks {e:?}:\n{msg}");
    }
    assert_eq!(
        tree(&root.join("public")),
        public_before,
        "public/ changed after a failed build"
    );
    assert_eq!(
        tree(&root.join("content")),
        content_before,
        "content/ changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn broken_front_matter_names_file_and_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/index.md"),
                "+++\ntitle = \"Home\"\ndate = \n+++\nHello\n",
            )
            .unwrap()
        },
        &["content/index.md:3:", "front matter"],
    );
}

#[test]
fn unknown_front_matter_key_names_key_and_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/albums/trip/index.md"),
                "+++\ntitle = \"Trip\"\ncolour = \"red\"\n+++\n",
            )
            .unwrap()
        },
        &["content/albums/trip/index.md:3:", "colour"],
    );
}

#[test]
fn unterminated_front_matter_is_reported() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/index.md"),
                "+++\ntitle = \"Home\"\n\nHello\n",
            )
            .unwrap()
        },
        &["content/index.md:1:", "never ends"],
    );
}

#[test]
fn bad_date_names_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/index.md"),
                "+++\ntitle = \"Home\"\ndate = \"last summer\"\n+++\n",
            )
            .unwrap()
        },
        &["content/index.md:3:", "last summer"],
    );
}

#[test]
fn missing_photo_names_markdown_file_and_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/albums/trip/index.md"),
                "+++\ntitle = \"Trip\"\n+++\n\nText.\n\n![A boat](boat.jpg)\n",
            )
            .unwrap()
        },
        &[
            "content/albums/trip/index.md:7:",
            "boat.jpg",
            "does not exist",
        ],
    );
}

#[test]
fn missing_track_names_markdown_file_and_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("content/playlists/mix")).unwrap();
            std::fs::write(
                root.join("content/playlists/mix/index.md"),
                "Listen:\n\n[Song](song.flac)\n",
            )
            .unwrap();
        },
        &["content/playlists/mix/index.md:3:", "song.flac"],
    );
}

#[test]
fn corrupt_photo_names_the_file() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/albums/trip/gull.jpg"),
                b"this is not a jpeg at all",
            )
            .unwrap()
        },
        &["content/albums/trip/gull.jpg", "export it"],
    );
}

#[test]
fn truncated_photo_names_the_file() {
    assert_fails_cleanly(
        |root| {
            let path = root.join("content/albums/trip/gull.jpg");
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        },
        &["content/albums/trip/gull.jpg", "damaged or truncated"],
    );
}

#[test]
fn zero_byte_photo_names_the_file() {
    assert_fails_cleanly(
        |root| std::fs::write(root.join("content/albums/trip/empty.jpg"), b"").unwrap(),
        &["content/albums/trip/empty.jpg", "empty"],
    );
}

#[test]
fn zero_byte_track_names_the_file() {
    assert_fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("content/playlists/mix")).unwrap();
            std::fs::write(root.join("content/playlists/mix/silence.mp3"), b"").unwrap();
        },
        &["content/playlists/mix/silence.mp3", "empty"],
    );
}

#[test]
fn corrupt_track_names_the_file() {
    assert_fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("content/playlists/mix")).unwrap();
            std::fs::write(
                root.join("content/playlists/mix/noise.flac"),
                b"fLaC but then nothing useful",
            )
            .unwrap();
        },
        &[
            "content/playlists/mix/noise.flac",
            "not a readable audio file",
        ],
    );
}

#[test]
fn non_utf8_markdown_names_file_and_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/about.md"),
                b"Line one\nCaf\xe9 in Latin-1\n",
            )
            .unwrap()
        },
        &["content/about.md:2:", "UTF-8"],
    );
}

#[test]
fn unsupported_photo_format_says_what_to_do() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/albums/trip/IMG_0001.HEIC"),
                b"....ftypheic",
            )
            .unwrap()
        },
        &["content/albums/trip/IMG_0001.HEIC", "export it as JPEG"],
    );
}

#[test]
fn path_leaving_content_is_refused() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(root.join("secret.jpg"), b"x").unwrap();
            std::fs::write(
                root.join("content/albums/trip/index.md"),
                "![x](../../../secret.jpg)\n![y](%2e%2e/%2e%2e/%2e%2e/secret.jpg)\n",
            )
            .unwrap();
        },
        &[
            "content/albums/trip/index.md:1:",
            "content/albums/trip/index.md:2:",
            "outside the content folder",
        ],
    );
}

#[test]
fn two_items_with_the_same_address_name_both() {
    assert_fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("content/albums/Trip!")).unwrap();
            std::fs::copy(
                root.join("content/albums/trip/gull.jpg"),
                root.join("content/albums/Trip!/gull.jpg"),
            )
            .unwrap();
        },
        &[
            "content/albums/Trip!",
            "content/albums/trip",
            "both get the address \"albums/trip\"",
        ],
    );
}

#[test]
fn link_to_a_missing_page_names_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/index.md"),
                "Hello.\n\nSee [about](about.md).\n",
            )
            .unwrap()
        },
        &["content/index.md:3:", "about.md", "does not match any page"],
    );
}

#[test]
fn broken_config_names_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("capsule.toml"),
                "title = \"x\"\n[photos]\ndisplay = \"big\"\n",
            )
            .unwrap()
        },
        &["capsule.toml:3:"],
    );
}

#[test]
fn broken_template_names_template_file_and_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("templates/html")).unwrap();
            std::fs::write(root.join("templates/html/page.html"), "{% extends \"html/base.html\" %}\n{% block main %}\n{{ title | nosuchfilter }}\n{% endblock %}\n").unwrap();
            std::fs::write(root.join("content/about.md"), "About.\n").unwrap();
        },
        &["templates/html/page.html:3:", "template error"],
    );
}

#[test]
fn all_errors_are_reported_together() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(root.join("content/index.md"), "+++\nbad = 1\n+++\n").unwrap();
            std::fs::write(
                root.join("content/albums/trip/index.md"),
                "![gone](gone.jpg)\n",
            )
            .unwrap();
        },
        &[
            "content/index.md:2:",
            "content/albums/trip/index.md:1:",
            "2 errors",
        ],
    );
}

#[test]
fn odd_file_names_build_with_slugged_outputs() {
    let site = small_site();
    let root = site.path();
    let album = root.join("content/albums/Vacances d'été \"2024\"");
    std::fs::create_dir_all(&album).unwrap();
    std::fs::copy(
        root.join("content/albums/trip/gull.jpg"),
        album.join("Mouette à l'aube.jpg"),
    )
    .unwrap();
    std::fs::write(album.join("index.md"), "![Une mouette](<Mouette à l'aube.jpg>)\n\n![La même, encore](Mouette%20%C3%A0%20l'aube.jpg)\n").unwrap();
    build(root, &[]);
    let html = root.join("public/html/albums/vacances-d-ete-2024");
    assert!(html.join("index.html").is_file());
    let page = std::fs::read_to_string(html.join("index.html")).unwrap();
    // Default sizes: the 160 px photo is never enlarged, so its one version keeps its width.
    assert!(page.contains("src=\"mouette-a-l-aube-160.webp\""), "{page}");
    assert!(root
        .join("public/gemini/albums/vacances-d-ete-2024/mouette-a-l-aube-160.jpg")
        .is_file());
    // The same file placed twice keeps the words of each placement.
    assert!(
        page.contains("alt=\"Une mouette\"") && page.contains("alt=\"La même, encore\""),
        "{page}"
    );
}

#[test]
fn output_folder_that_holds_other_files_is_refused() {
    let site = small_site();
    let root = site.path();
    let out = run(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("contains the site itself"));
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("thesis.odt"), b"precious").unwrap();
    let out = run(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        other.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("thesis.odt"));
    assert_eq!(
        std::fs::read(other.path().join("thesis.odt")).unwrap(),
        b"precious"
    );
}

#[test]
fn missing_content_folder_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("there is no content/ folder"),
        "{}",
        text(&out)
    );
}

/// A PNG whose header claims 100 000 × 100 000 pixels (30 GB decoded) is refused by the decoder's
/// limits with a clear error, instead of exhausting memory.
#[test]
fn photo_claiming_huge_dimensions_is_refused() {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let body: Vec<u8> = kind.iter().chain(data).copied().collect();
        c.extend(&body);
        c.extend(crc32(&body).to_be_bytes());
        c
    }
    let mut ihdr = Vec::new();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    assert_fails_cleanly(
        |root| std::fs::write(root.join("content/albums/trip/huge.png"), &png).unwrap(),
        &[
            "content/albums/trip/huge.png",
            "100000×100000 pixels",
            "export a smaller version",
        ],
    );
}

/// With --keep-going a damaged photo is left out with a warning naming it, and the rest is published.
#[test]
fn keep_going_leaves_out_damaged_media_and_builds_the_rest() {
    let site = small_site();
    let root = site.path();
    let album = root.join("content/albums/trip");
    std::fs::write(
        album.join("broken.jpg"),
        b"\xff\xd8\xff\xe0 not really a jpeg",
    )
    .unwrap();
    let without = run(&["build", "--root", root.to_str().unwrap()]);
    assert_eq!(
        without.status.code(),
        Some(1),
        "without the flag the build fails"
    );
    let out = run(&["build", "--root", root.to_str().unwrap(), "--keep-going"]);
    let msg = text(&out);
    assert!(out.status.success(), "{msg}");
    assert!(
        msg.contains("content/albums/trip/broken.jpg") && msg.contains("left out of the site"),
        "{msg}"
    );
    let page = std::fs::read_to_string(root.join("public/html/albums/trip/index.html")).unwrap();
    assert!(
        page.contains("gull-160.webp"),
        "the good photo is published"
    );
    assert!(!page.contains("broken"), "the damaged photo is left out");
}

/// A symlink that leads outside the site (a page linked to a secret file, a photo, a whole album folder)
/// is refused by name, and nothing of it is published; a symlink inside the site keeps working.
#[cfg(unix)]
#[test]
fn symlinks_that_leave_the_site_are_refused_and_those_inside_work() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let gull = repo().join("tests/fixtures/basic/content/albums/harbour-2024/gull.jpg");
    std::fs::write(outside.path().join("secret.md"), "TOP-SECRET\n").unwrap();
    std::fs::copy(&gull, outside.path().join("photo.jpg")).unwrap();
    std::fs::create_dir(outside.path().join("album")).unwrap();
    std::fs::copy(&gull, outside.path().join("album/a.jpg")).unwrap();
    let cases = [
        ("content/leak.md", "secret.md"),
        ("content/albums/trip/far.jpg", "photo.jpg"),
        ("content/albums/elsewhere", "album"),
    ];
    for (link, target) in cases {
        let target = outside.path().join(target);
        let expected = format!("{link}: this is a link to ");
        assert_fails_cleanly(
            |root| symlink(&target, root.join(link)).unwrap(),
            &[expected.as_str(), "outside the site's content/ folder"],
        );
    }

    let site = small_site();
    let root = site.path();
    symlink("gull.jpg", root.join("content/albums/trip/same.jpg")).unwrap();
    build(root, &[]);
    let published = tree(&root.join("public"));
    assert!(
        published.keys().any(|k| k.contains("trip/same")),
        "the photo linked inside the site is missing: {:?}",
        published.keys().collect::<Vec<_>>()
    );
}

/// A photo-like JPEG of `w`×`h` pixels: smooth gradients and fine noise, as a camera would make.
fn jpeg_bytes(w: u32, h: u32) -> Vec<u8> {
    let mut state = 12345u32;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state % 24) as u8;
        image::Rgb([(x * 200 / w) as u8 + n, (y * 200 / h) as u8 + n, 120 + n])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// A JPEG cut short (its headers whole, its image data ending early) or with corrupt image data is an
/// error naming the file, never a photo published half grey; with --keep-going it is left out with a
/// warning and the rest is built.
#[test]
fn damaged_jpegs_are_refused_not_published_grey() {
    let whole = jpeg_bytes(640, 480);
    let mut corrupt = whole.clone();
    let middle = corrupt.len() / 2;
    for b in &mut corrupt[middle..middle + 64] {
        *b = 0xff;
    }
    for (name, bytes, why) in [
        (
            "cut.jpg",
            whole[..whole.len() * 6 / 10].to_vec(),
            "its data ends early",
        ),
        ("corrupt.jpg", corrupt, "its image data is corrupt"),
    ] {
        let path = format!("content/albums/trip/{name}");
        assert_fails_cleanly(
            |root| std::fs::write(root.join(&path), &bytes).unwrap(),
            &[path.as_str(), why, "would show grey"],
        );
    }

    let site = small_site();
    let root = site.path();
    std::fs::write(
        root.join("content/albums/trip/cut.jpg"),
        &whole[..whole.len() / 2],
    )
    .unwrap();
    let out = build(root, &["--keep-going"]);
    let shown = text(&out);
    assert!(
        shown.contains("content/albums/trip/cut.jpg") && shown.contains("left out"),
        "{shown}"
    );
    let published = tree(&root.join("public"));
    assert!(published.keys().any(|k| k.contains("trip/gull")));
    assert!(!published.keys().any(|k| k.contains("trip/cut")));
}

/// A folder under albums/ holding no photo (only a PDF and notes) is not a silent empty page: the build
/// says so, naming the folder, and still builds the rest.
#[test]
fn an_album_without_photos_is_named_in_a_warning() {
    let site = small_site();
    let root = site.path();
    let folder = root.join("content/albums/papers");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("scan.pdf"), b"%PDF-1.4\n").unwrap();
    std::fs::write(folder.join("notes.txt"), "notes\n").unwrap();
    let shown = text(&build(root, &[]));
    assert!(
        shown.contains("content/albums/papers: this album has no photo"),
        "{shown}"
    );
    assert!(
        !shown.contains("albums/trip: this album has no photo"),
        "{shown}"
    );
}

/// A cover that does not exist is named with the line of its `cover =` key.
#[test]
fn a_missing_cover_names_its_line() {
    assert_fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/albums/trip/index.md"),
                "+++\ntitle = \"Trip\"\ncover = \"nope.jpg\"\n+++\n\n![A gull](gull.jpg)\n",
            )
            .unwrap()
        },
        &[
            "content/albums/trip/index.md:3:",
            "cover = \"nope.jpg\" does not exist",
        ],
    );
}

/// An album folder whose name starts with a dot is hidden, so it is left out, with a warning that
/// says why and what to do, never silently.
#[test]
fn a_hidden_album_folder_is_named_in_a_warning() {
    let site = small_site();
    let root = site.path();
    let hidden = root.join("content/albums/.holiday");
    std::fs::create_dir_all(&hidden).unwrap();
    std::fs::copy(
        root.join("content/albums/trip/gull.jpg"),
        hidden.join("gull.jpg"),
    )
    .unwrap();
    let shown = text(&build(root, &[]));
    assert!(
        shown.contains("content/albums/.holiday: this folder's name starts with a dot"),
        "{shown}"
    );
    assert!(!root.join("public/html/albums/holiday").exists());
}

/// `--keep-going` leaves out every photo and track it cannot publish, whatever the reason, with one
/// warning each that names it: a HEIC, a GIF, a TIFF, an empty photo, an empty track, a photo the
/// text names that does not exist, a symlink to a file outside the site. The rest is published.
#[cfg(unix)]
#[test]
fn keep_going_leaves_out_whatever_cannot_be_published() {
    let site = small_site();
    let root = site.path();
    let album = root.join("content/albums/trip");
    for name in ["phone.heic", "anim.gif", "scan.tiff"] {
        std::fs::write(album.join(name), b"not decoded by capsule").unwrap();
    }
    std::fs::write(album.join("empty.jpg"), b"").unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.jpg");
    std::fs::copy(album.join("gull.jpg"), &secret).unwrap();
    std::os::unix::fs::symlink(&secret, album.join("linked.jpg")).unwrap();
    std::fs::write(
        album.join("index.md"),
        "+++\ntitle = \"Trip\"\n+++\n\n![A gull](gull.jpg)\n\n![Gone](missing.jpg)\n\n![Empty](empty.jpg)\n",
    )
    .unwrap();
    let playlist = root.join("content/playlists/mix");
    std::fs::create_dir_all(&playlist).unwrap();
    std::fs::write(playlist.join("silence.mp3"), b"").unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/basic/content/playlists/night-drive/03-outro.ogg"),
        playlist.join("outro.ogg"),
    )
    .unwrap();

    let without = run(&["build", "--root", root.to_str().unwrap()]);
    assert_eq!(without.status.code(), Some(1), "{}", text(&without));
    let out = run(&["build", "--root", root.to_str().unwrap(), "--keep-going"]);
    let msg = text(&out);
    assert!(out.status.success(), "{msg}");
    for name in [
        "phone.heic",
        "anim.gif",
        "scan.tiff",
        "empty.jpg",
        "linked.jpg",
        "missing.jpg",
        "silence.mp3",
    ] {
        let warnings = msg
            .lines()
            .filter(|l| l.contains(name) && l.contains("left out of the site: --keep-going"))
            .count();
        assert_eq!(warnings, 1, "{name}: {warnings} warnings in\n{msg}");
    }
    let page = std::fs::read_to_string(root.join("public/html/albums/trip/index.html")).unwrap();
    assert!(page.contains("gull-160.webp"), "{page}");
    assert!(
        !page.contains("empty") && !page.contains("linked"),
        "{page}"
    );
    let mix = std::fs::read_to_string(root.join("public/html/playlists/mix/index.html")).unwrap();
    assert!(
        mix.contains("outro.mp3") && !mix.contains("silence"),
        "{mix}"
    );
}

/// A target out of range is one error, on its own key and line: `gemini_target`, which follows
/// `target` when it is not written, is not blamed too.
#[test]
fn an_out_of_range_target_is_one_error_on_its_own_key() {
    let site = small_site();
    let root = site.path();
    std::fs::write(
        root.join("capsule.toml"),
        "title = \"x\"\n[photos]\ntarget = 200\n",
    )
    .unwrap();
    let out = run(&["build", "--root", root.to_str().unwrap()]);
    let msg = text(&out);
    assert_eq!(out.status.code(), Some(1), "{msg}");
    assert!(
        msg.contains("capsule.toml:3: photos.target = 200 is out of range"),
        "{msg}"
    );
    assert!(!msg.contains("gemini_target"), "{msg}");
}

/// Run where there is no site, capsule says which folder it looked in.
#[test]
fn no_content_folder_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = capsule()
        .arg("build")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let msg = text(&out);
    assert_eq!(out.status.code(), Some(2), "{msg}");
    let shown = dir.path().canonicalize().unwrap();
    assert!(
        msg.contains(&format!(
            "there is no content/ folder in {}",
            shown.display()
        )) || msg.contains(&format!(
            "there is no content/ folder in {}",
            dir.path().display()
        )),
        "{msg}"
    );
}

/// A HEIC photo renamed `.jpg` (or a GIF renamed `.png`) is told for what it is, by its content,
/// not called a damaged JPEG.
#[test]
fn a_renamed_heic_is_named_by_its_content() {
    assert_fails_cleanly(
        |root| {
            let album = root.join("content/albums/trip");
            let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
            heic.extend([0u8; 64]);
            std::fs::write(album.join("phone.jpg"), heic).unwrap();
            std::fs::write(album.join("anim.png"), b"GIF89a\x01\0\x01\0").unwrap();
        },
        &[
            "phone.jpg: this file is a HEIC photo, though its name ends in .jpg",
            "anim.png: this file is a GIF photo, though its name ends in .png",
        ],
    );
}

/// `café.jpg` stored decomposed (NFD, as macOS stores names) and named composed (NFC) in the text is
/// the same file: it is published once, where the text puts it, with no "does not exist".
#[test]
fn a_name_matches_whatever_its_unicode_normalisation() {
    let site = small_site();
    let root = site.path();
    let album = root.join("content/albums/trip");
    let nfd = "cafe\u{301}.jpg";
    std::fs::copy(album.join("gull.jpg"), album.join(nfd)).unwrap();
    std::fs::write(
        album.join("index.md"),
        "+++\ntitle = \"Trip\"\n+++\n\n![A gull](gull.jpg)\n\n![A café](caf\u{e9}.jpg)\n",
    )
    .unwrap();
    let out = run(&["build", "--root", root.to_str().unwrap()]);
    let msg = text(&out);
    assert!(out.status.success(), "{msg}");
    let page = std::fs::read_to_string(root.join("public/html/albums/trip/index.html")).unwrap();
    assert!(page.contains("alt=\"A café\""), "{page}");
    assert_eq!(
        page.matches("<img src=\"cafe-160.webp\"").count(),
        1,
        "{page}"
    );
}

/// A photo whose name is as long as a disk allows (255 bytes) is published under a shorter name, kept
/// apart from another long name that starts the same.
#[test]
fn photos_with_the_longest_names_are_published_under_shorter_ones() {
    let site = small_site();
    let root = site.path();
    let album = root.join("content/albums/trip");
    let long_a = format!("{}a.jpg", "x".repeat(250));
    let long_b = format!("{}b.jpg", "x".repeat(250));
    for name in [&long_a, &long_b] {
        std::fs::copy(album.join("gull.jpg"), album.join(name)).unwrap();
    }
    let out = run(&["build", "--root", root.to_str().unwrap()]);
    let msg = text(&out);
    assert!(out.status.success(), "{msg}");
    let published: Vec<String> = std::fs::read_dir(root.join("public/html/albums/trip"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("xxx") && n.ends_with("-160.webp"))
        .collect();
    assert_eq!(published.len(), 2, "{published:?}");
    assert!(published.iter().all(|n| n.len() < 120), "{published:?}");
}

/// A track that cannot be decoded gets one message, the decoding error, not also a warning about
/// its tags.
#[test]
fn one_bad_track_is_one_message() {
    let site = small_site();
    let root = site.path();
    let playlist = root.join("content/playlists/p");
    std::fs::create_dir_all(&playlist).unwrap();
    std::fs::write(
        playlist.join("bad.flac"),
        b"fLaC and then nothing a decoder can read",
    )
    .unwrap();
    let out = run(&["build", "--root", root.to_str().unwrap()]);
    let msg = text(&out);
    assert_eq!(out.status.code(), Some(1), "{msg}");
    let about_it = msg.lines().filter(|l| l.contains("bad.flac")).count();
    assert_eq!(about_it, 1, "{msg}");
    assert!(msg.contains("bad.flac: not a readable audio file"), "{msg}");
}

/// A FLAC whose cue sheet breaks the CD rules (symphonia refuses it; ffmpeg plays it) is published
/// whole, with a warning that its cue sheet is left out.
#[test]
fn a_flac_with_an_odd_cue_sheet_is_published() {
    let site = small_site();
    let root = site.path();
    let playlist = root.join("content/playlists/p");
    std::fs::create_dir_all(&playlist).unwrap();
    let flac = std::fs::read(
        repo().join("tests/fixtures/basic/content/playlists/night-drive/01-intro.flac"),
    )
    .unwrap();
    assert_eq!(&flac[..4], b"fLaC");
    // STREAMINFO is the first block (34 bytes); a CD-DA cue sheet goes right after it.
    let mut cue = vec![0u8; 128]; // media catalog number
    cue.extend(88_200u64.to_be_bytes()); // lead-in
    cue.push(0x80); // is CD-DA
    cue.extend([0u8; 258]);
    cue.push(2); // tracks: one, and the lead-out
    for (offset, number) in [(1u64, 1u8), (588 * 10, 170)] {
        cue.extend(offset.to_be_bytes()); // 1 is no multiple of 588: what CD-DA forbids
        cue.push(number);
        cue.extend([0u8; 12]); // ISRC
        cue.push(0);
        cue.extend([0u8; 13]);
        if number == 170 {
            cue.push(0);
        } else {
            cue.push(1);
            cue.extend(0u64.to_be_bytes());
            cue.push(1);
            cue.extend([0u8; 3]);
        }
    }
    let streaminfo_end = 4 + 4 + 34;
    let mut out = flac[..streaminfo_end].to_vec();
    let last = out[4] & 0x80;
    out[4] &= 0x7f;
    out.push(last | 5);
    out.extend(&(cue.len() as u32).to_be_bytes()[1..]);
    out.extend(&cue);
    out.extend(&flac[streaminfo_end..]);
    std::fs::write(playlist.join("cued.flac"), out).unwrap();
    let built = run(&["build", "--root", root.to_str().unwrap()]);
    let msg = text(&built);
    assert!(built.status.success(), "{msg}");
    assert!(
        msg.contains("cued.flac: its cue sheet is not valid"),
        "{msg}"
    );
    assert!(root.join("public/html/music/tracks/cued.opus").is_file());
}

/// Control characters never reach a page, whatever brought them: a heading's attributes with a form
/// feed and a vertical tab (as in pulldown-cmark's heading_attrs tests), a title written with TOML
/// escapes, an escape character in a description. Tabs and line feeds stay; the body's are named.
#[test]
fn control_characters_never_reach_a_page() {
    let site = small_site();
    let root = site.path();
    std::fs::write(
        root.join("content/odd.md"),
        "+++\ntitle = \"Bell\\u0007 and\\u000Bvertical\\u000Cform\"\ndescription = \"Esc\\u001B[31m red\\u007F\"\n+++\n# Heading\u{b} one {#first\u{c} .wide}\n\n## Two\u{c} {\u{b}.narrow}\n\nText\twith a tab\u{c}and a form feed.\n",
    )
    .unwrap();
    let out = build(root, &[]);
    let said = text(&out);
    assert!(
        said.contains("content/odd.md:5: control character U+000B left out"),
        "{said}"
    );
    let mut seen = 0;
    for (path, bytes) in tree(&root.join("public")) {
        if ![".html", ".gmi", ".xml", ".m3u", ".json", ".css"]
            .iter()
            .any(|e| path.ends_with(e))
        {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        if text.contains("vertical") {
            seen += 1;
        }
        let bad: Vec<String> = text
            .chars()
            .filter(|&c| c.is_control() && c != '\t' && c != '\n')
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(bad.is_empty(), "{path} holds {bad:?}");
    }
    assert!(
        seen >= 4,
        "the title is on the page and in the lists of both sites"
    );
    let page = std::fs::read_to_string(root.join("public/html/odd/index.html")).unwrap();
    assert!(page.contains("Bell andvertical form"), "{page}");
    assert!(page.contains("Text\twith a tab and a form feed."), "{page}");
    let gmi = std::fs::read_to_string(root.join("public/gemini/odd/index.gmi")).unwrap();
    assert!(
        gmi.lines()
            .any(|l| l.starts_with("# Bell and") && l.ends_with("form")),
        "{gmi}"
    );
}
