//! Property tests of the whole Markdown path of a build (load → gemtext and HTML pages) over generated
//! Markdown: no panic, pages no larger than a fixed multiple of their source, gemtext the line rules
//! accept, HTML whose tags balance. `bash bench/markdown-props.sh` runs the same for 10 minutes.

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};

use crate::config::Config;
use crate::library::Library;
use crate::media::MediaOutputs;
use crate::output::Format;
use crate::render::{render_site, Templates};

/// Pieces of Markdown, nasty ones included, that generated documents are made of.
fn piece() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "\n",
        "\n\n",
        "  ",
        "    ",
        "\t",
        "*",
        "**",
        "_",
        "~~",
        "`",
        "```",
        "```rust\n",
        "#",
        "## ",
        "> ",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "2) ",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "&",
        "&amp;",
        "\\",
        "|",
        "| a | b |\n|---|---|\n",
        "[^1]",
        "[^1]: a note\n",
        "[x](https://example.org/a b)",
        "[x](https://example.org/)",
        "<https://example.org/>",
        "![alt](https://example.org/p.jpg)",
        "[x](javascript:alert(1))",
        "[x](data:text/html,hi)",
        "[a [b](https://b.example/)](https://a.example/)",
        "=> ",
        "gemini://x.example/",
        "mailto:a@b.example",
        "<b>",
        "</b>",
        "<!-- c -->",
        "\u{0}",
        "\u{7}",
        "\u{85}",
        "é",
        "日本",
        "\u{200b}",
        "---\n",
        "***",
        "- [ ] ",
        "- [x] ",
        "[ref]",
        "[ref]: https://r.example/\n",
        "\r\n",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        3 => fixed,
        2 => "[a-zA-Z0-9 ]{1,12}",
    ]
}

fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..60).prop_map(|v| v.concat())
}

/// The gemtext line rules: preformatted toggles with alt text, link lines with an address, headings of
/// one to three `#` and a space, no control character.
fn gemtext_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut pre = false;
    for (i, line) in text.lines().enumerate() {
        if line.chars().any(|c| c.is_control() && c != '\t') {
            problems.push(format!("line {}: a control character", i + 1));
        }
        if let Some(alt) = line.strip_prefix("```") {
            if !pre && alt.trim().is_empty() {
                problems.push(format!("line {}: preformatted without alt text", i + 1));
            }
            pre = !pre;
            continue;
        }
        if pre {
            continue;
        }
        if let Some(rest) = line.strip_prefix("=>") {
            if rest.trim().is_empty() {
                problems.push(format!("line {}: a link line without address", i + 1));
            }
        } else if line.starts_with('#')
            && !["# ", "## ", "### "].iter().any(|h| line.starts_with(h))
        {
            problems.push(format!("line {}: a malformed heading", i + 1));
        }
    }
    if pre {
        problems.push("a preformatted block that never ends".into());
    }
    problems
}

/// Whether the HTML's tags balance (void elements aside) and every `<` opens a tag or a comment.
fn html_problems(html: &str) -> Vec<String> {
    const VOID: [&str; 8] = ["img", "br", "hr", "input", "source", "meta", "link", "wbr"];
    let mut stack: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => problems.push("a comment that never ends".into()),
            }
            continue;
        }
        if rest.starts_with("!DOCTYPE") || rest.starts_with("!doctype") {
            continue;
        }
        let Some(end) = rest.find('>') else {
            problems.push("a tag that never ends".into());
            break;
        };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            problems.push(format!("a stray < before {:?}", &tag[..tag.len().min(20)]));
            continue;
        }
        if tag.matches('"').count() % 2 == 1 {
            problems.push(format!("an unclosed attribute quote in <{tag}>"));
        }
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if closing {
            match stack.pop() {
                Some(open) if open == name => {}
                other => problems.push(format!("</{name}> closes {other:?}")),
            }
        } else {
            stack.push(name);
        }
    }
    if !stack.is_empty() {
        problems.push(format!("tags left open: {stack:?}"));
    }
    problems
}

/// How much larger than its source a page may be, past its frame (navigation, title, stylesheet link).
const GROWTH: usize = 24;
const FRAME: usize = 4096;

/// Builds a site whose home page is `md` (load and render, no media) and checks both pages.
fn check(md: &str, scratch: &Path) -> Result<(), TestCaseError> {
    let content = scratch.join("content");
    let _ = std::fs::remove_dir_all(&content);
    std::fs::create_dir_all(&content).map_err(|e| TestCaseError::fail(e.to_string()))?;
    std::fs::write(content.join("index.md"), md).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut warnings = Vec::new();
    let Ok(site) = crate::content::load(scratch, Config::default(), false, &mut warnings) else {
        // A refusal that names the file is a fine answer; only a panic would not be.
        return Ok(());
    };
    let templates = Templates::load(scratch).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let files = render_site(&site, &MediaOutputs::new(), &Library::default(), &templates)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for f in files.iter().filter(|f| f.path == f.format.page_file("")) {
        prop_assert!(
            f.text.len() <= GROWTH * md.len() + FRAME,
            "{:?} page of {} bytes from {} bytes of Markdown",
            f.format,
            f.text.len(),
            md.len()
        );
        let problems = match f.format {
            Format::Gemini => gemtext_problems(&f.text),
            Format::Html => html_problems(&f.text),
        };
        prop_assert!(
            problems.is_empty(),
            "{:?}: {problems:?}\nMarkdown: {md:?}\nPage:\n{}",
            f.format,
            f.text
        );
    }
    Ok(())
}

/// Runs `cases` generated documents through [`check`]; the failure, shrunk, when one fails.
fn run(cases: u32) -> Result<(), String> {
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    runner
        .run(&markdown(), |md| check(&md, scratch.path()))
        .map_err(|e| e.to_string())
}

#[test]
fn generated_markdown_gives_bounded_valid_pages() {
    run(2000).unwrap();
}

#[test]
fn the_checkers_find_what_they_look_for() {
    assert!(!gemtext_problems("```\ncode\n```").is_empty());
    assert!(!gemtext_problems("#heading").is_empty());
    assert!(!gemtext_problems("=>   ").is_empty());
    assert!(gemtext_problems("# ok\n=> x y\n```a\n#x\n```").is_empty());
    assert!(!html_problems("<p><em>x</p></em>").is_empty());
    assert!(!html_problems("<p>a < b</p>").is_empty());
    assert!(html_problems("<p>a<br>b &lt; c<img src=\"x\" alt=\"\"></p>").is_empty());
}

/// `bash bench/markdown-props.sh` runs this: the same properties for `CAPSULE_PROPS_SECONDS`.
#[test]
#[ignore = "a long run: bench/markdown-props.sh"]
fn markdown_properties_for_a_while() {
    let seconds: u64 = std::env::var("CAPSULE_PROPS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut cases = 0u64;
    while Instant::now() < end {
        run(1000).unwrap();
        cases += 1000;
    }
    println!("markdown properties: {cases} cases in {seconds} s, none failed");
}
