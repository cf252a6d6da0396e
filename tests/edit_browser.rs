//! The editor in a real headless browser (Debian's chromium and chromedriver, over WebDriver), as a
//! writer uses it: make an album, upload three photos, describe them, move the third to the top, pick
//! a cover, save, build, and find it all in both sites; then a stale form refused, and a photo removed
//! and put back from the trash.

mod common;

use std::path::Path;

use common::servers::Serve;
use common::webdriver::Browser;
use common::*;

/// A photo of `w`×`h` pixels in one colour with a darker band, as a camera would not make it.
fn write_photo(path: &Path, w: u32, h: u32, colour: [u8; 3]) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let shade = if (x / 8 + y / 8) % 2 == 0 { 1.0 } else { 0.8 };
        image::Rgb(colour.map(|c| (c as f32 * shade) as u8))
    });
    img.save_with_format(path, image::ImageFormat::Png).unwrap();
}

/// The `alt` attributes of the `<img>` elements of an HTML page, in order.
fn alts(html: &str) -> Vec<String> {
    html.split("<img ")
        .skip(1)
        .filter_map(|tag| {
            let start = tag.find(" alt=\"")? + 6;
            Some(tag[start..start + tag[start..].find('"')?].to_string())
        })
        .collect()
}

#[test]
fn a_writer_makes_an_album_by_clicking() {
    let site = fixture("basic");
    build(site.path(), &["-q"]);
    let shots = tempfile::tempdir().unwrap();
    let photos = tempfile::tempdir().unwrap();
    let files = [
        ("Red Door.png", [200, 40, 40]),
        ("green field.png", [40, 160, 60]),
        ("Blue Sea.png", [40, 70, 200]),
    ];
    for (name, colour) in files {
        write_photo(&photos.path().join(name), 96, 64, colour);
    }

    let serve = Serve::start_edit(site.path(), &["--no-gemini"]);
    let browser = Browser::start();
    browser.go(serve.login.as_deref().unwrap());
    // The login answers with a redirect to the dashboard.
    assert!(browser.url().ends_with("/_edit/"), "{}", browser.url());
    assert!(browser.text().contains("Dashboard"));
    browser.screenshot(&shots.path().join("dashboard.png"));

    // A new album.
    browser.find("a[href='/_edit/new?kind=album']").click();
    browser.find("#title").type_text("Colours of the coast");
    browser.find("#date").type_text("2026-11-29");
    browser.find("#description").type_text("Three colours.");
    browser.screenshot(&shots.path().join("new.png"));
    browser.find("button[type=submit]").click();
    assert!(browser.text().contains("Created."), "{}", browser.text());
    let index = site
        .path()
        .join("content/albums/colours-of-the-coast/index.md");
    assert!(index.is_file());

    // Its photos, where a new album opens: three files at once.
    assert!(
        browser
            .url()
            .contains("/_edit/album?item=albums%2Fcolours-of-the-coast"),
        "a new album opens on its photos: {}",
        browser.url()
    );
    let paths: Vec<String> = files
        .iter()
        .map(|(n, _)| photos.path().join(n).display().to_string())
        .collect();
    browser.find("#files").type_text(&paths.join("\n"));
    browser
        .find("form[enctype='multipart/form-data'] button")
        .click();
    assert!(browser.text().contains("Uploaded."), "{}", browser.text());
    // Each photo shows at once, before any build: three images, loaded, big enough to describe.
    let loaded = browser.execute(
        "return [...document.querySelectorAll('table.photos img')].map(i => i.complete && i.naturalWidth > 0 ? i.getBoundingClientRect().width : 0)",
    );
    let widths: Vec<f64> = loaded
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    assert!(
        widths.len() == 3 && widths.iter().all(|&w| w >= 240.0),
        "the previews just after the upload: {widths:?}"
    );
    let folder = site.path().join("content/albums/colours-of-the-coast");
    for name in ["red-door.png", "green-field.png", "blue-sea.png"] {
        assert!(folder.join(name).is_file(), "{name} not uploaded");
    }

    // Words for each, then the third (by name order: red-door) to the top, a cover, and save.
    let row_of = |file: &str| -> usize {
        let source = browser.source();
        let at = source.find(&format!("value=\"{file}\"")).unwrap();
        let name = &source[..at];
        let start = name.rfind("name=\"file-").unwrap() + 11;
        name[start..start + name[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    for (file, alt) in [
        ("red-door.png", "A red door in a white wall"),
        ("green-field.png", "A green field under rain"),
        ("blue-sea.png", "The sea, very blue"),
    ] {
        let i = row_of(file);
        browser.find(&format!("#alt-{i}")).type_text(alt);
    }
    let sea = row_of("blue-sea.png");
    browser
        .find(&format!("#caption-{sea}"))
        .type_text("Noon at the harbour");
    let red = row_of("red-door.png");
    browser.find(&format!("button[value='top:{red}']")).click();
    assert!(browser.text().contains("Saved."), "{}", browser.text());
    assert_eq!(row_of("red-door.png"), 0, "moved to the top");
    let field = row_of("green-field.png");
    browser.find(&format!("#cover-{field}")).tick();
    browser.find("button[value='save']").click();
    assert!(browser.text().contains("Saved."));
    browser.screenshot(&shots.path().join("album.png"));

    // Build, and look at both sites.
    browser.find("a[href='/_edit/']").click();
    browser.find("form[action='/_edit/build'] button").click();
    // The build runs in the background; its page reloads itself until it is done.
    let started = std::time::Instant::now();
    while !browser.text().contains("Done.") {
        assert!(started.elapsed().as_secs() < 60, "{}", browser.text());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(browser.text().contains("Size report"), "{}", browser.text());
    let html = std::fs::read_to_string(
        site.path()
            .join("public/html/albums/colours-of-the-coast/index.html"),
    )
    .unwrap();
    let order: Vec<String> = alts(&html);
    let expected = [
        "A red door in a white wall",
        "A green field under rain",
        "The sea, very blue",
    ];
    let shown: Vec<&str> = order
        .iter()
        .map(String::as_str)
        .filter(|a| expected.contains(a))
        .collect();
    // Blue sea and green field were uploaded in name order after red door; the table's order is kept.
    assert_eq!(shown.len(), 3, "{order:?}");
    assert_eq!(shown[0], "A red door in a white wall", "{order:?}");
    assert!(html.contains("Noon at the harbour"));
    let gmi = std::fs::read_to_string(
        site.path()
            .join("public/gemini/albums/colours-of-the-coast/index.gmi"),
    )
    .unwrap();
    let red_at = gmi.find("A red door in a white wall").unwrap();
    for later in ["A green field under rain", "The sea, very blue"] {
        assert!(gmi.find(later).unwrap() > red_at, "{gmi}");
    }
    assert!(gmi.contains("Noon at the harbour"));
    let albums =
        std::fs::read_to_string(site.path().join("public/html/albums/index.html")).unwrap();
    let item = &albums[albums.find("colours-of-the-coast/index.html").unwrap()..];
    assert!(
        item[..300].contains("green-field-"),
        "the cover is the green field: {item}"
    );

    // A change made behind the editor's back: the open form can no longer save over it.
    browser.go(&format!(
        "http://127.0.0.1:{}/_edit/album?item=albums%2Fcolours-of-the-coast",
        serve.http
    ));
    // Previews big enough to describe a photo from.
    let shown = browser.execute(
        "return Math.min(...[...document.querySelectorAll('table.photos img')].map(i => i.getBoundingClientRect().width))",
    );
    assert!(shown.as_f64().unwrap() >= 240.0, "previews {shown} px wide");
    let by_hand = std::fs::read_to_string(&index).unwrap() + "\nA line typed in a text editor.\n";
    std::fs::write(&index, &by_hand).unwrap();
    browser.find("#alt-0").clear();
    browser.find("#alt-0").type_text("A door");
    browser.find("button[value='save']").click();
    assert!(
        browser
            .text()
            .contains("This file changed since you opened it"),
        "{}",
        browser.text()
    );
    assert!(
        browser.source().contains("A door"),
        "what was typed is kept"
    );
    assert_eq!(std::fs::read_to_string(&index).unwrap(), by_hand);

    // Remove a photo, then put it back from the trash.
    browser.go(&format!(
        "http://127.0.0.1:{}/_edit/album?item=albums%2Fcolours-of-the-coast",
        serve.http
    ));
    let sea = row_of("blue-sea.png");
    browser
        .find(&format!("button[value='remove:{sea}']"))
        .click();
    assert!(!folder.join("blue-sea.png").exists());
    browser.find("a[href='/_edit/trash']").click();
    assert!(
        browser.text().contains("blue-sea.png"),
        "{}",
        browser.text()
    );
    browser.find("form[action='/_edit/restore'] button").click();
    assert!(browser.text().contains("Put back where it was."));
    assert!(folder.join("blue-sea.png").is_file());
    browser.screenshot(&shots.path().join("trash.png"));
    for shot in ["dashboard.png", "new.png", "album.png", "trash.png"] {
        assert!(std::fs::metadata(shots.path().join(shot)).unwrap().len() > 1000);
        // `CAPSULE_SCREENSHOTS=docs cargo test --test edit_browser` refreshes the README's pictures.
        if let Some(dir) = std::env::var_os("CAPSULE_SCREENSHOTS") {
            std::fs::copy(
                shots.path().join(shot),
                Path::new(&dir).join(format!("edit-{shot}")),
            )
            .unwrap();
        }
    }
}

/// Every page of the editor passes axe-core (WCAG 2.1 A and AA rules), in English and in French, in the
/// light and the dark colour scheme.
#[test]
fn editor_pages_pass_axe() {
    let axe = axe_script();
    for name in ["basic", "french"] {
        let site = fixture(name);
        build(site.path(), &["-q"]);
        let serve = Serve::start_edit(site.path(), &["--no-gemini"]);
        let browser = Browser::start();
        browser.go(serve.login.as_deref().unwrap());
        let base = format!("http://127.0.0.1:{}", serve.http);
        let (album, playlist) = if name == "basic" {
            ("albums%2Fharbour-2024", "playlists%2Fnight-drive")
        } else {
            ("albums%2Fmarche", "")
        };
        let mut pages = vec![
            "/_edit/".to_string(),
            "/_edit/new?kind=album".into(),
            format!("/_edit/album?item={album}"),
            format!("/_edit/text?item={album}"),
            "/_edit/text?item=".into(),
            "/_edit/trash".into(),
            "/_edit/settings".into(),
            "/_edit/publishing".into(),
            "/_edit/welcome".into(),
        ];
        if !playlist.is_empty() {
            pages.push(format!("/_edit/playlist?item={playlist}"));
        }
        let mut problems = Vec::new();
        for page in &pages {
            browser.go(&format!("{base}{page}"));
            for dark in [false, true] {
                browser.color_scheme(dark);
                for v in browser.axe(&axe, false) {
                    problems.push(format!("{name} {page} (dark: {dark}): {v}"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// The whole journey of a new writer: `capsule new`, then only clicks: a new album, two photos with
/// their descriptions, a build, and a publish to the local Garage, which then serves the album.
#[test]
fn from_capsule_new_to_a_published_site_by_clicking() {
    let garage = common::garage::Garage::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("my-site");
    let out = run(&["new", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    // The one thing a writer types: where to publish (the README says how).
    let config = root.join("capsule.toml");
    let settings = std::fs::read_to_string(&config).unwrap() + &garage.publish_section();
    std::fs::write(&config, settings).unwrap();
    let photos = tempfile::tempdir().unwrap();
    write_photo(
        &photos.path().join("Lighthouse.png"),
        96,
        64,
        [230, 230, 240],
    );
    write_photo(&photos.path().join("Boat.png"), 64, 96, [120, 60, 30]);

    let env = garage.credentials();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let serve = Serve::start_edit_with_env(&root, &["--no-gemini"], &env);
    let browser = Browser::start();
    browser.go(serve.login.as_deref().unwrap());
    browser.find("a[href='/_edit/new?kind=album']").click();
    browser.find("#title").type_text("The lighthouse");
    browser.find("button[type=submit]").click();
    assert!(browser
        .url()
        .contains("/_edit/album?item=albums%2Fthe-lighthouse"));
    let paths = ["Lighthouse.png", "Boat.png"].map(|n| photos.path().join(n).display().to_string());
    browser.find("#files").type_text(&paths.join("\n"));
    browser
        .find("form[enctype='multipart/form-data'] button")
        .click();
    browser
        .find("#alt-0")
        .type_text("A red boat on the shingle");
    browser
        .find("#alt-1")
        .type_text("A white lighthouse against the sky");
    browser.find("button[value='save']").click();
    assert!(browser.text().contains("Saved."), "{}", browser.text());

    let wait_done = || {
        let started = std::time::Instant::now();
        while !browser.text().contains("Done.") && !browser.text().contains("It did not work") {
            assert!(started.elapsed().as_secs() < 120, "{}", browser.text());
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    };
    browser.find("a[href='/_edit/']").click();
    browser.find("form[action='/_edit/build'] button").click();
    wait_done();
    assert!(browser.text().contains("Done."), "{}", browser.text());
    browser.find("a[href='/_edit/']").click();
    browser.find("form[action='/_edit/publish'] button").click();
    wait_done();
    let shown = browser.text();
    assert!(shown.contains("HTML site ✓"), "{shown}");

    let page = garage.web("/albums/the-lighthouse/", "");
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(
        html.contains("A white lighthouse against the sky"),
        "{html}"
    );
    assert!(html.contains("A red boat on the shingle"), "{html}");
    assert_eq!(garage.web("/", "").status, 200);
}
