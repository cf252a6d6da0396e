//! Albums as galleries, built by the real binary: a page per photo that walks to the previous and the
//! next in both formats, a large album split into light pages, a folder of photos shown as a grid.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;

/// A small JPEG of one colour, different for each `n`.
fn tiny_jpeg(n: u32) -> Vec<u8> {
    let colour = [
        (n * 37 % 256) as u8,
        (n * 91 % 256) as u8,
        (n * 13 % 256) as u8,
    ];
    let img = image::RgbImage::from_pixel(24, 16, image::Rgb(colour));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// A site whose one album is a folder of `count` photos with no text, built.
fn folder_album(count: u32) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("capsule.toml"),
        "title = \"Big\"\nlanguage = \"en\"\n\n[photos]\nthumbnail = 16\ndisplay = 24\ngemini = 24\nmode = \"fixed\"\n",
    )
    .unwrap();
    let album = site.path().join("content/albums/big");
    std::fs::create_dir_all(&album).unwrap();
    for n in 1..=count {
        std::fs::write(album.join(format!("{n:03}.jpg")), tiny_jpeg(n)).unwrap();
    }
    build(site.path(), &[]);
    site
}

/// The target of the first link whose tag or line contains `marker`, resolved from `page`.
fn follow(page: &Path, text: &str, marker: &str, attr_or_prefix: &str) -> Option<PathBuf> {
    let at = text.find(marker)?;
    let (start, end) = if attr_or_prefix == "=> " {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..];
        let url = line.strip_prefix("=> ")?.split(' ').next()?;
        return Some(resolve(page, url, "index.gmi"));
    } else {
        let tag_start = text[..at].rfind('<')?;
        let tag = &text[tag_start..];
        let from = tag.find(attr_or_prefix)? + attr_or_prefix.len();
        (tag_start + from, tag_start + from + tag[from..].find('"')?)
    };
    Some(resolve(page, &text[start..end], "index.html"))
}

/// A relative link from `page`, as a file: a folder's link is its index file; the fragment goes.
fn resolve(page: &Path, url: &str, index: &str) -> PathBuf {
    let path = url.split('#').next().unwrap();
    let mut target = page.parent().unwrap().to_path_buf();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                target.pop();
            }
            p => target.push(p),
        }
    }
    if path.ends_with('/') || path.is_empty() || path == "." {
        target.push(index);
    }
    target
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// 500 photos with no text: every album page is at most 40 KB and lists at most 60 photos, and from
/// the first photo's page the next links visit all 500 once, in order, back to the album's last page;
/// in both formats.
#[test]
fn a_500_photo_album_splits_into_light_pages_and_walks_from_first_to_last() {
    let site = folder_album(500);
    let out = site.path().join("public");
    for (format, index) in [("html", "index.html"), ("gemini", "index.gmi")] {
        let album = out.join(format).join("albums/big");
        let mut pages = vec![album.join(index)];
        pages.extend((2..=9).map(|n| album.join(n.to_string()).join(index)));
        assert!(
            !album.join("10").exists(),
            "{format}: 500 photos need 9 pages of 60"
        );
        let mut listed = 0;
        for page in &pages {
            let bytes = std::fs::metadata(page).unwrap().len();
            assert!(bytes <= 40_000, "{}: {bytes} bytes", page.display());
            let text = read(page);
            let photos = match format {
                "html" => text.matches("<figure").count(),
                _ => text
                    .lines()
                    .filter(|l| l.starts_with("=> ") && l.contains(".jpg "))
                    .count(),
            };
            assert!(photos <= 60, "{}: {photos} photos", page.display());
            listed += photos;
            // Each page links to every other by number.
            for other in pages.iter().filter(|p| *p != page) {
                let rel = other
                    .strip_prefix(&album)
                    .unwrap()
                    .parent()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let number = if rel.is_empty() { "1".into() } else { rel };
                let linked = match format {
                    "html" => text.contains(&format!(">{number}</a>")),
                    _ => text.contains(&format!(" Page {number} of 9\n")),
                };
                assert!(linked, "{}: no link to page {number}", page.display());
            }
        }
        assert_eq!(listed, 500, "{format}: the pages list every photo once");

        // The walk: the first photo's page, then next, next… until the album's last page.
        let first = match format {
            "html" => follow(&pages[0], &read(&pages[0]), "<figure", "href=\"").unwrap(),
            _ => follow(&pages[0], &read(&pages[0]), "One photo at a time", "=> ").unwrap(),
        };
        let mut at = first;
        let mut seen = BTreeSet::new();
        let mut previous: Option<PathBuf> = None;
        let end = loop {
            let text = read(&at);
            assert!(seen.insert(at.clone()), "{}: visited twice", at.display());
            let n = seen.len();
            assert!(
                text.contains(&format!("Photo {n} of 500")),
                "{}: not photo {n} of 500",
                at.display()
            );
            let (prev, next) = match format {
                "html" => (
                    follow(&at, &text, "rel=\"prev\"", "href=\"").unwrap(),
                    follow(&at, &text, "rel=\"next\"", "href=\"").unwrap(),
                ),
                _ => (
                    follow(&at, &text, "← ", "=> ").unwrap(),
                    follow(&at, &text, " →", "=> ").unwrap(),
                ),
            };
            assert_eq!(
                prev,
                previous.clone().unwrap_or_else(|| pages[0].clone()),
                "{}: previous",
                at.display()
            );
            // The photo is on the album page the page leads back to.
            let back = match format {
                "html" => follow(&at, &text, "Back to the album", "href=\""),
                _ => follow(&at, &text, "Back to the album", "=> "),
            };
            let back = back.unwrap();
            let slug = at
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let mark = match format {
                "html" => format!("id=\"{slug}\""),
                // Gemini has no anchors: the album page lists the photo's file.
                _ => {
                    let image = follow(&at, &text, ".jpg ", "=> ").unwrap();
                    image.file_name().unwrap().to_string_lossy().into_owned()
                }
            };
            assert!(
                read(&back).contains(&mark),
                "{}: photo {slug} is not on {}",
                at.display(),
                back.display()
            );
            if pages.contains(&next) {
                break next;
            }
            previous = Some(at.clone());
            at = next;
        };
        assert_eq!(seen.len(), 500, "{format}: the walk visits every photo");
        assert_eq!(
            end, pages[8],
            "{format}: the last photo leads to the album's end"
        );
    }
}

/// The album of the basic fixture places its photos in its text: they stay in one column in their
/// place, each links to its page, and each page leads back to its anchor.
#[test]
fn a_written_album_keeps_its_column_and_links_each_photo_to_its_page() {
    let site = fixture("basic");
    build(site.path(), &[]);
    let album = site
        .path()
        .join("public/html/albums/harbour-2024/index.html");
    let html = read(&album);
    assert!(!html.contains("class=\"grid\""), "{html}");
    let ids: Vec<&str> = html
        .split("<figure id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(ids.len() >= 3, "{html}");
    for id in &ids {
        assert!(
            html.contains(&format!(
                "<figure id=\"{id}\">\n<a href=\"{id}/index.html\""
            )),
            "{id} does not link to its page"
        );
        let page = read(&album.parent().unwrap().join(id).join("index.html"));
        assert!(
            page.contains(&format!("href=\"../index.html#{id}\"")),
            "{page}"
        );
    }
    let first = read(&album.parent().unwrap().join(ids[0]).join("index.html"));
    assert!(
        first.contains("<a rel=\"prev\" href=\"../index.html\">← Start of the album</a>"),
        "{first}"
    );
    let last = read(
        &album
            .parent()
            .unwrap()
            .join(ids[ids.len() - 1])
            .join("index.html"),
    );
    assert!(
        last.contains("<a rel=\"next\" href=\"../index.html\">End of the album →</a>"),
        "{last}"
    );
}

/// A folder of photos is a grid; the photo page shows the large size, eagerly, with its caption.
#[test]
fn a_folder_of_photos_is_a_grid() {
    let site = folder_album(3);
    let html = read(&site.path().join("public/html/albums/big/index.html"));
    assert_eq!(html.matches("<div class=\"grid\">").count(), 1, "{html}");
    assert_eq!(html.matches("<figure").count(), 3);
    assert!(
        !html.contains("aria-current=\"page\">1<"),
        "one page needs no page links"
    );
    let page = read(
        &site
            .path()
            .join("public/html/albums/big/photo-002/index.html"),
    );
    assert!(page.contains("<img src=\"../002-24.webp\""), "{page}");
    assert!(!page.contains("loading=\"lazy\""), "{page}");
    assert!(page.contains("Photo 2 of 3"), "{page}");
}

/// In w3m, a photo's page reads in order: its title, where it stands, the way on, the way back.
#[test]
fn a_photo_page_reads_well_in_a_text_browser() {
    let site = fixture("basic");
    build(site.path(), &[]);
    let page = site
        .path()
        .join("public/html/albums/harbour-2024/boats/index.html");
    let out = std::process::Command::new(w3m())
        .args(["-dump", "-T", "text/html", "-cols", "80"])
        .arg(&page)
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&out.stdout);
    let mut at = 0;
    for needle in [
        "Low tide",
        "Photo 2 of 3",
        "Boats lying on the sand at low tide",
        "← Previous photo",
        "Next photo →",
        "Back to the album: Harbour, June 2024",
    ] {
        let found = dump[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing or out of order in:\n{dump}"));
        at += found + needle.len();
    }
}

/// A written album split over pages: the photos its text places stay on the first page, in their
/// place, in one column with the first 60 others after them; the rest go to page 2; the walk goes
/// through the placed photos first, then the others; a photo page links to the original when the
/// album publishes originals.
#[test]
fn a_long_written_album_keeps_its_placed_photos_on_the_first_page() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("capsule.toml"),
        "title = \"Long\"\nlanguage = \"en\"\n\n[photos]\nthumbnail = 16\ndisplay = 24\ngemini = 24\nmode = \"fixed\"\n",
    )
    .unwrap();
    let album = site.path().join("content/albums/long");
    std::fs::create_dir_all(&album).unwrap();
    for n in 1..=72 {
        std::fs::write(album.join(format!("p{n:03}.jpg")), tiny_jpeg(n)).unwrap();
    }
    std::fs::write(
        album.join("index.md"),
        "+++\ntitle = \"Long\"\npublish_originals = true\n+++\n\nFirst words.\n\n![The fortieth](p040.jpg \"Forty\")\n\nMiddle words.\n\n![The seventh](p007.jpg)\n\nLast words.\n",
    )
    .unwrap();
    build(site.path(), &[]);
    let html = site.path().join("public/html/albums/long");
    let first = read(&html.join("index.html"));
    assert!(
        !first.contains("class=\"grid\""),
        "a written album keeps its column"
    );
    let order = [
        "First words.",
        "id=\"p040\"",
        "Middle words.",
        "id=\"p007\"",
        "Last words.",
        "<div class=\"photos\">",
        "id=\"p001\"",
    ];
    let mut at = 0;
    for needle in order {
        at += first[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing or out of order in the first page"))
            + needle.len();
    }
    assert_eq!(
        first.matches("<figure").count(),
        62,
        "2 placed and 60 others"
    );
    let second = read(&html.join("2/index.html"));
    assert_eq!(second.matches("<figure").count(), 10);
    assert!(!second.contains("First words."));
    // The walk: the placed photos first, in the text's order; the last leads to page 2.
    let p040 = read(&html.join("p040/index.html"));
    assert!(
        p040.contains("Photo 1 of 72") && p040.contains("<h1>Forty</h1>"),
        "{p040}"
    );
    assert!(
        p040.contains("<a rel=\"next\" href=\"../p007/index.html\">"),
        "{p040}"
    );
    assert!(p040.contains("href=\"../p040-original.jpg\""), "{p040}");
    let p007 = read(&html.join("p007/index.html"));
    assert!(
        p007.contains("<a rel=\"next\" href=\"../p001/index.html\">"),
        "{p007}"
    );
    let last = read(&html.join("p072/index.html"));
    assert!(last.contains("Photo 72 of 72"), "{last}");
    assert!(
        last.contains("<a rel=\"next\" href=\"../2/index.html\">End of the album →</a>"),
        "{last}"
    );
    assert!(last.contains("href=\"../2/index.html#p072\""), "{last}");
}
