//! The published HTML sites in a real browser: every page of the fixture sites and of the example
//! `content/` passes axe-core (WCAG 2.1 A and AA, and its best practices) in Chromium, in the light and
//! the dark colour scheme.

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
