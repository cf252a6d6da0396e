//! Every Markdown input gives valid HTML and valid gemtext. The 652 examples of the CommonMark spec
//! (npm package commonmark-spec, pinned and checked by its checksum, never committed), and cases of our
//! own for GFM tables, strikethrough, task lists and footnotes, for links in links, control characters
//! and addresses that are not URLs, are each built as a page of one site: the build does not fail, the
//! Nu HTML Checker finds no error, every gemtext page keeps the line-type rules, Markdown syntax is
//! left in gemtext only where the source meant it as text, and nothing of a code block is lost.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// The spec's examples whose Markdown names a file that does not exist: a build refuses each, naming
/// the file, its line, and what is missing.
const REFUSED: [(usize, &str); 8] = [
    (484, "target.md"),
    (517, "moon.jpg"),
    (531, "moon.jpg"),
    (573, "train.jpg"),
    (576, "train.jpg"),
    (577, "train.jpg"),
    (578, "train.jpg"),
    (579, "/path/to/train.jpg"),
];

/// Our own cases, beyond the spec: GFM, footnotes, and the inputs that once gave invalid pages.
const OWN: [(&str, &str); 6] = [
    (
        "own-nested-links",
        "[<http://one> <http://two>](http://three)\n\n[a <https://b.example> c](https://d.example)\n\n[![logo](https://x.example/logo.png)](https://x.example)\n",
    ),
    (
        "own-controls",
        "A bell \u{7} here, a vertical tab \u{b} there, DEL \u{7f} and a C1 \u{85} too.\n\n```\ncode with a bell \u{7} inside\n```\n",
    ),
    (
        "own-invalid-hrefs",
        "[dots](https://../) and <https://../> and [ok](https://example.org/a%20b)\n\n![pic](https://../x.png)\n",
    ),
    (
        "own-nested-list-link",
        "- [foo\n  - - \n  baz](https://example.com)\n\n* [top](https://example.com/top)\n  * [child](https://example.com/child)\n    * grandchild text\n",
    ),
    (
        "own-gfm",
        "| a | b |\n|---|:-:|\n| `x` | **bold** [l](https://e.example) |\n| ~~gone~~ | 2 \\| 3 |\n\n~~strike~~ and ~one~\n\n- [ ] todo\n- [x] done\n\n```rust\nfn main() {\n    println!(\"<&>\");\n}\n```\n",
    ),
    (
        "own-footnotes",
        "Text[^1] and more[^note].\n\n[^1]: The first, with [a link](https://e.example).\n[^note]: Two\n\n    paragraphs, and code:\n\n    ```\n    in a note\n    ```\n",
    ),
];

/// The examples of the spec, numbered from 1 as the spec numbers them (tabs are shown as → there).
fn spec_examples() -> Vec<(usize, String)> {
    let spec = commonmark_spec().replace("\r\n", "\n");
    let fence = "`".repeat(32);
    let mut out = Vec::new();
    let mut lines = spec.lines();
    while let Some(line) = lines.next() {
        if line == "<!-- END TESTS -->" {
            break;
        }
        if line != format!("{fence} example") {
            continue;
        }
        let mut markdown = String::new();
        for l in lines.by_ref() {
            if l == "." {
                break;
            }
            markdown.push_str(l);
            markdown.push('\n');
        }
        for l in lines.by_ref() {
            if l == fence {
                break;
            }
        }
        out.push((out.len() + 1, markdown.replace('→', "\t")));
    }
    out
}

fn page(markdown: &str, title: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n{markdown}")
}

fn new_site(dir: &Path) {
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(dir.join("capsule.toml"), "title = \"CommonMark\"\n").unwrap();
    std::fs::write(
        dir.join("content/index.md"),
        page("Every example of the spec.\n", "CommonMark"),
    )
    .unwrap();
}

/// The text of an HTML page as a reader sees it: tags left out, character references decoded.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    decode(&text)
}

fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| match &after[1..e] {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whitespace runs as one space, so tabs expanded or lines joined compare equal.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of each code block of a Markdown page (fenced or indented), as pulldown-cmark reads it.
fn code_blocks(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => current = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    blocks
}

/// What HTML and gemtext cannot show, as capsule leaves it out.
fn without_controls(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            !((c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
                || ('\u{7f}'..='\u{9f}').contains(&c))
        })
        .collect()
}

/// Problems of one gemtext page. A line that the HTML page also shows as text (the spec's escaped
/// `\*`, `&#42;`, backticks that open no code span…) is text the writer meant, not markup left over.
fn gemtext_problems_of(gmi: &str, html: &str) -> Vec<String> {
    let literal = squeeze(&html_text(html));
    let is_literal = |line: &str| {
        let t = squeeze(
            line.trim_start_matches('#')
                .trim_start_matches("* ")
                .trim_start_matches("> "),
        );
        !t.is_empty() && literal.contains(&t)
    };
    // Lines written with a leading space (so that text reading as `* ` stays text) are checked for
    // what they are.
    let mut kept = Vec::new();
    let mut in_pre = false;
    for line in gmi.lines() {
        if line.starts_with("```") {
            in_pre = !in_pre;
        }
        let escaped = !in_pre && line.starts_with(' ') && is_literal(line);
        kept.push(if escaped { "" } else { line });
    }
    let mut problems = gemtext_line_problems(&kept.join("\n"));
    for (n, line) in text_lines(gmi) {
        for m in markup_left(line) {
            if !is_literal(line) {
                problems.push(format!("line {n}: markup left ({m}): {line:?}"));
            }
        }
    }
    problems
}

#[test]
fn every_commonmark_example_gives_valid_html_and_gemtext() {
    let examples = spec_examples();
    assert_eq!(examples.len(), 652, "the spec's examples");
    let site = tempfile::tempdir().unwrap();
    new_site(site.path());
    let mut cases: Vec<(String, String)> = Vec::new();
    for (n, markdown) in &examples {
        if REFUSED.iter().any(|(r, _)| r == n) {
            continue;
        }
        cases.push((format!("e{n:04}"), markdown.clone()));
    }
    for (name, markdown) in OWN {
        cases.push((name.to_string(), markdown.to_string()));
    }
    for (name, markdown) in &cases {
        std::fs::write(
            site.path().join(format!("content/{name}.md")),
            page(markdown, name),
        )
        .unwrap();
    }
    let out = try_build(site.path(), &["-q"]);
    assert!(
        out.status.success(),
        "the build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let warnings = String::from_utf8_lossy(&out.stderr).to_string();
    for expected in [
        "own-controls.md:4: control character U+0007, U+000B, U+007F, U+0085 left out",
        "own-controls.md:7: control character U+0007 left out",
        "own-invalid-hrefs.md:4: \"https://../\" is not a valid web address",
        "own-invalid-hrefs.md:6: \"https://../x.png\" is not a valid web address",
    ] {
        assert!(
            warnings.contains(expected),
            "no warning {expected:?}:\n{warnings}"
        );
    }

    let public = site.path().join("public");
    let vnu = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .arg(public.join("html"))
        .output()
        .expect("java runs");
    assert!(
        vnu.status.success(),
        "the Nu HTML Checker found errors:\n{}",
        String::from_utf8_lossy(&vnu.stderr)
    );

    let mut problems = Vec::new();
    for (name, markdown) in &cases {
        let gmi = std::fs::read_to_string(public.join(format!("gemini/{name}/index.gmi"))).unwrap();
        let html = std::fs::read_to_string(public.join(format!("html/{name}/index.html"))).unwrap();
        for p in gemtext_problems_of(&gmi, &html) {
            problems.push(format!("{name}: {p}"));
        }
        let (gmi_text, html_text) = (squeeze(&gmi), squeeze(&decode(&html)));
        for code in code_blocks(&without_controls(markdown)) {
            for line in code.lines().map(squeeze).filter(|l| !l.is_empty()) {
                if !gmi_text.contains(&line) {
                    problems.push(format!(
                        "{name}: the code line {line:?} is not in the gemtext"
                    ));
                }
                if !html_text.contains(&line) {
                    problems.push(format!("{name}: the code line {line:?} is not in the HTML"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The cases that once gave invalid pages read as a reader would want.
    let gmi = |name: &str| {
        std::fs::read_to_string(public.join(format!("gemini/{name}/index.gmi"))).unwrap()
    };
    let html = |name: &str| {
        std::fs::read_to_string(public.join(format!("html/{name}/index.html"))).unwrap()
    };
    let nested = html("own-nested-links");
    assert!(
        nested.contains("<a href=\"http://three\">http://one http://two</a>"),
        "{nested}"
    );
    assert!(!gmi("own-nested-links").contains("=> http://one"));
    let invalid = html("own-invalid-hrefs");
    assert!(!invalid.contains("href=\"https://../"), "{invalid}");
    assert!(invalid.contains("dots and https://../ and"), "{invalid}");
    let list = gmi("own-nested-list-link");
    assert_eq!(
        list.matches("[foo baz]").count(),
        1,
        "a parent's text is repeated:\n{list}"
    );
    assert!(list.contains("* top › child\n"), "{list}");
}

#[test]
fn the_spec_examples_that_name_missing_files_are_refused_by_file_and_line() {
    let examples = spec_examples();
    for (n, missing) in REFUSED {
        let site = tempfile::tempdir().unwrap();
        new_site(site.path());
        let file = format!("e{n:04}.md");
        std::fs::write(
            site.path().join("content").join(&file),
            page(&examples[n - 1].1, "refused"),
        )
        .unwrap();
        let out = try_build(site.path(), &["-q"]);
        let err = text(&out);
        assert_eq!(out.status.code(), Some(1), "example {n}: {err}");
        assert!(
            err.contains(&format!("{file}:4: ")) && err.contains(&format!("\"{missing}\"")),
            "example {n}: {err}"
        );
        assert!(
            !site.path().join("public").exists(),
            "example {n} wrote a site"
        );
    }
}

/// No page links to an address that runs code or hides a page (javascript:, data:, vbscript:, in any
/// case), and NUL bytes never reach a page: each is left as text or out, with a warning naming the
/// file and line.
#[test]
fn no_page_links_to_script_or_data_addresses_and_nul_bytes_are_left_out() {
    let site = tempfile::tempdir().unwrap();
    new_site(site.path());
    std::fs::write(
        site.path().join("content/hostile.md"),
        page(
            "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1))\n\n[c](data:text/html;base64,PHNjcmlwdD4=) [d](vbscript:msgbox) <javascript:alert(2)>\n\n![e](javascript:alert(3)) and a NUL \u{0} byte\n\n[fine](mailto:me@example.org)\n",
            "Hostile",
        ),
    )
    .unwrap();
    let out = try_build(site.path(), &["-q"]);
    let err = text(&out);
    assert!(out.status.success(), "{err}");
    for (line, scheme) in [
        (4, "javascript"),
        (6, "data"),
        (6, "vbscript"),
        (8, "javascript"),
    ] {
        assert!(
            err.lines()
                .any(|l| l.contains(&format!("hostile.md:{line}: the link to"))
                    && l.contains(&format!("a {scheme}: address could run code"))),
            "no warning about {scheme}: on line {line}: {err}"
        );
    }
    assert_eq!(
        err.matches("address could run code").count(),
        6,
        "one warning per link: {err}"
    );
    assert!(
        err.contains("hostile.md:8: control character U+0000 left out"),
        "{err}"
    );
    for format in ["html/hostile/index.html", "gemini/hostile/index.gmi"] {
        let body = std::fs::read_to_string(site.path().join("public").join(format)).unwrap();
        let lower = body.to_lowercase();
        for scheme in ["javascript:", "data:", "vbscript:"] {
            assert!(
                !lower.contains(&format!("href=\"{scheme}"))
                    && !lower.contains(&format!("=> {scheme}")),
                "{format} links to {scheme}: {body}"
            );
        }
        assert!(!body.contains('\0'), "{format} has a NUL byte");
        assert!(body.contains("mailto:me@example.org"), "{format}");
    }
}

/// No page grows faster than its source: a list nested 500 deep whose every item has text, and a long
/// footnote cited by 500 paragraphs, each give pages of at most four times their source plus 64 KB, in
/// both formats. (Each nested item named all its parents, and each citation repeated the note.)
#[test]
fn no_page_grows_faster_than_its_source() {
    let site = tempfile::tempdir().unwrap();
    new_site(site.path());
    let deep: String = (0..500)
        .map(|d| format!("{}- item number {d}\n", "  ".repeat(d)))
        .collect();
    let cited: String = (0..500)
        .map(|i| format!("Paragraph {i} cites the note[^n].\n\n"))
        .collect::<String>()
        + "[^n]: "
        + &"a long note ".repeat(2_000)
        + "\n";
    for (name, body) in [("deep", deep), ("cited", cited)] {
        std::fs::write(
            site.path().join(format!("content/{name}.md")),
            page(&body, name),
        )
        .unwrap();
    }
    build(site.path(), &["-q"]);
    for name in ["deep", "cited"] {
        let source = std::fs::metadata(site.path().join(format!("content/{name}.md")))
            .unwrap()
            .len();
        for file in [
            format!("gemini/{name}/index.gmi"),
            format!("html/{name}/index.html"),
        ] {
            let bytes = std::fs::metadata(site.path().join("public").join(&file))
                .unwrap()
                .len();
            assert!(
                bytes <= 4 * source + 64_000,
                "{file}: {bytes} bytes from a source of {source}"
            );
        }
    }
}
