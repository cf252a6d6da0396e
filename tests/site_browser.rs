//! The published HTML sites in a real browser: every page of the fixture sites and of the example
//! `content/` passes axe-core (WCAG 2.1 A and AA, and its best practices) in Chromium, in the light and
//! the dark colour scheme; a photo's page fits a phone and walks on by keyboard.

mod common;

use std::path::Path;

use common::webdriver::Browser;
use common::*;

/// Every HTML page of `site`'s output, as `file://` addresses (the sites work from the disk).
fn pages(public: &Path) -> Vec<String> {
    files_with_ext(&public.join("html"), "html")
        .into_iter()
        .map(|f| format!("file://{}", f.display()))
        .collect()
}

#[test]
fn every_page_passes_axe_in_light_and_dark() {
    let axe = axe_script();
    let browser = Browser::start();
    // The checker itself: a page with faults it must find, in both schemes (light grey on white fails
    // contrast; an image has no alt text).
    let faulty = tempfile::tempdir().unwrap();
    let bad = faulty.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head><body><main><h1>x</h1>\
         <p style=\"color:#ccc;background:#fff\">faint</p><img src=\"x.png\"></main></body></html>",
    )
    .unwrap();
    browser.go(&format!("file://{}", bad.display()));
    let found = browser.axe(&axe, true).join("\n");
    assert!(
        found.contains("image-alt") && found.contains("color-contrast"),
        "{found}"
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for name in ["basic", "french", "music", "example"] {
        let site = tempfile::tempdir().unwrap();
        if name == "example" {
            copy_dir(&repo().join("content"), &site.path().join("content"));
            std::fs::copy(
                repo().join("capsule.toml"),
                site.path().join("capsule.toml"),
            )
            .unwrap();
        } else {
            copy_dir(&repo().join("tests/fixtures").join(name), site.path());
        }
        build(site.path(), &["-q"]);
        let all = pages(&site.path().join("public"));
        assert!(all.len() > 5, "{name}: {all:?}");
        for dark in [false, true] {
            browser.color_scheme(dark);
            for url in &all {
                browser.go(url);
                let scheme: bool = browser
                    .execute("return matchMedia('(prefers-color-scheme: dark)').matches;")
                    .as_bool()
                    .unwrap();
                assert_eq!(scheme, dark, "the colour scheme did not switch");
                for v in browser.axe(&axe, true) {
                    let page = url.rsplit("/public/html/").next().unwrap_or(url);
                    let mode = if dark { "dark" } else { "light" };
                    problems.push(format!("{name} {page} ({mode}): {v}"));
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} pages");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A photo's page on a phone (390 CSS px wide): nothing scrolls sideways, the previous and next links
/// are at least 44 px each way and come first in the keyboard order after the photo, and the photo
/// shown is the one the screen needs. Screenshots go to target/screenshots/ to be looked at.
#[test]
fn a_photo_page_fits_a_phone_and_walks_on_by_keyboard() {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &site.path().join("content"));
    std::fs::copy(
        repo().join("capsule.toml"),
        site.path().join("capsule.toml"),
    )
    .unwrap();
    build(site.path(), &["-q"]);
    let browser = Browser::start();
    let shots = repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let html = site.path().join("public/html/albums/basque-mountains");
    for (width, height, name) in [(390, 844, "phone"), (1280, 800, "laptop")] {
        browser.viewport(width, height, 1.0, width < 500);
        browser.go(&format!(
            "file://{}",
            html.join("life/index.html").display()
        ));
        let fits: bool = browser
            .execute("return document.documentElement.scrollWidth <= window.innerWidth;")
            .as_bool()
            .unwrap();
        assert!(fits, "{name}: the photo page scrolls sideways");
        let links = browser.execute(
            "const img = document.querySelector('.photo-page img');\n\
             const after = [...document.querySelectorAll('a[href], [tabindex]')]\n\
               .filter(a => img.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);\n\
             return after.slice(0, 2).map(a => { const r = a.getBoundingClientRect();\n\
               return [a.rel, r.width, r.height]; });",
        );
        let links = links.as_array().unwrap();
        for (link, rel) in links.iter().zip(["prev", "next"]) {
            assert_eq!(link[0], rel, "{name}: {links:?}");
            let (w, h) = (link[1].as_f64().unwrap(), link[2].as_f64().unwrap());
            assert!(w >= 44.0 && h >= 44.0, "{name}: {rel} is {w}×{h}");
        }
        let shown = browser
            .execute("return document.querySelector('.photo-page img').currentSrc;")
            .as_str()
            .unwrap()
            .to_string();
        assert!(shown.ends_with(".webp"), "{name}: {shown}");
        browser.screenshot(&shots.join(format!("photo-page-{name}.png")));
        browser.go(&format!("file://{}", html.join("index.html").display()));
        browser.screenshot(&shots.join(format!("album-{name}.png")));
        browser.go(&format!(
            "file://{}",
            site.path()
                .join("public/html/albums/odds-and-ends/index.html")
                .display()
        ));
        browser.screenshot(&shots.join(format!("grid-{name}.png")));
    }
}
