//! Helpers shared by the integration tests: run the real binary, copy fixtures, read output trees,
//! and find (or install) the external checkers the tests use.
#![allow(dead_code)]

pub(crate) mod garage;
pub(crate) mod media;
pub(crate) mod servers;
pub(crate) mod web;
pub(crate) mod webdriver;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn capsule() -> Command {
    Command::new(env!("CARGO_BIN_EXE_capsule"))
}

/// Runs capsule with `args` and returns its output.
pub(crate) fn run(args: &[&str]) -> Output {
    capsule().args(args).output().expect("capsule runs")
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Copies a folder recursively (a fixture site into a temp folder, so builds never write into the repo).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temp copy of `tests/fixtures/<name>` (its `content/`, `capsule.toml`, `templates/`).
pub(crate) fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
    dir
}

/// Runs `capsule build` on the site in `root`, whatever its outcome.
pub(crate) fn try_build(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

/// Builds the site in `root`; panics with capsule's output if the build fails.
pub(crate) fn build(root: &Path, extra: &[&str]) -> Output {
    let out = try_build(root, extra);
    assert!(
        out.status.success(),
        "build of {} failed:\n{}",
        root.display(),
        text(&out)
    );
    out
}

/// Every file under `dir`, by relative path, with its bytes.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

pub(crate) fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == ext))
        .map(|e| e.into_path())
        .collect()
}

/// Runs an installer command once per test process; later calls get the same answer.
fn installed(
    cell: &'static OnceLock<Option<PathBuf>>,
    find: impl Fn() -> Option<PathBuf>,
    install: impl Fn(),
) -> PathBuf {
    cell.get_or_init(|| {
        find().or_else(|| {
            install();
            find()
        })
    })
    .clone()
    .expect("a checker the tests need is missing and could not be installed; run `bash .ci/run` once, which installs it")
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// A command on PATH; when it is missing, `install` runs once and PATH is searched again.
pub(crate) fn tool(name: &str, install: &[&str]) -> PathBuf {
    on_path(name)
        .or_else(|| {
            let _ = Command::new(install[0]).args(&install[1..]).status();
            on_path(name)
        })
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing and `{}` did not install it; run `bash .ci/run`",
                install.join(" ")
            )
        })
}

/// Installs the npm package `spec` into target/tools.
fn npm_install(spec: &str) {
    let tools = repo().join("target/tools");
    std::fs::create_dir_all(&tools).unwrap();
    let _ = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&tools)
        .arg(spec)
        .status();
}

/// A file of an npm package in target/tools (`file` under node_modules/), installed when missing.
fn npm_file(cell: &'static OnceLock<Option<PathBuf>>, file: &str, spec: &str) -> PathBuf {
    let path = repo().join("target/tools/node_modules").join(file);
    installed(
        cell,
        || path.is_file().then(|| path.clone()),
        || npm_install(spec),
    )
}

/// The Nu HTML Checker (npm package vnu-jar), installed into target/tools when missing.
pub(crate) fn vnu_jar() -> PathBuf {
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    match std::env::var_os("VNU_JAR") {
        Some(jar) => PathBuf::from(jar),
        None => npm_file(&CELL, "vnu-jar/build/dist/vnu.jar", "vnu-jar@26"),
    }
}

/// The Nu HTML Checker's errors in the HTML files under `path` (a folder or a file), or `None`.
pub(crate) fn nu_errors(path: &Path) -> Option<String> {
    let out = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--skip-non-html", "--format", "text"])
        .arg(path)
        .output()
        .expect("java runs");
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

/// axe-core (npm), the accessibility checker, installed into target/tools when missing; its script.
pub(crate) fn axe_script() -> String {
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    std::fs::read_to_string(npm_file(&CELL, "axe-core/axe.min.js", "axe-core@4")).unwrap()
}

/// The CommonMark spec (npm package commonmark-spec, CC-BY-SA-4.0, pinned), installed into target/tools
/// when missing; its text, checked against the checksum of that version.
pub(crate) fn commonmark_spec() -> String {
    const VERSION: &str = "0.31.2";
    const SHA256: &str = "257c41ad946f7a1414a499aca402a1aa8fdac3678532266611348c1cf54f4b80";
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    let path = npm_file(
        &CELL,
        "commonmark-spec/spec.txt",
        &format!("commonmark-spec@{VERSION}"),
    );
    let text = std::fs::read_to_string(path).unwrap();
    use sha2::Digest;
    let sum: String = sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        sum, SHA256,
        "target/tools/node_modules/commonmark-spec is not version {VERSION}; delete it and run again"
    );
    text
}

/// w3m, the text browser (Debian package w3m), installed with apt-get when missing.
pub(crate) fn w3m() -> PathBuf {
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    installed(
        &CELL,
        || on_path("w3m"),
        || {
            let _ = Command::new("apt-get")
                .args(["install", "-y", "-qq", "w3m"])
                .status();
        },
    )
}

/// Problems found by classifying every line of a gemtext document by the Gemini spec's line types.
pub(crate) fn gemtext_problems(text: &str) -> Vec<String> {
    let mut problems = gemtext_line_problems(text);
    for (n, line) in text_lines(text) {
        problems.extend(
            markup_left(line)
                .map(|m| format!("line {n}: Markdown or HTML markup left ({m}): {line:?}")),
        );
    }
    problems
}

/// The text lines of a gemtext page, numbered from 1: not link lines, not preformatted.
pub(crate) fn text_lines(text: &str) -> Vec<(usize, &str)> {
    let mut in_pre = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_pre = !in_pre;
        } else if !in_pre && !line.starts_with("=>") {
            out.push((i + 1, line));
        }
    }
    out
}

/// The Markdown or HTML syntax in a gemtext text line.
pub(crate) fn markup_left(line: &str) -> impl Iterator<Item = &'static str> + '_ {
    [
        "**", "__", "`", "](", "<b>", "</b>", "<i>", "<em>", "<strong>", "<script", "<div",
    ]
    .into_iter()
    .filter(move |m| line.contains(m))
}

/// The line-type rules of gemtext: headings of one to three `#` and a space, link lines with a URL,
/// preformatted blocks with alt text that close, list items at column 0 with `* `, and no control
/// characters. (Markup inside preformatted blocks is left alone.)
pub(crate) fn gemtext_line_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut in_pre = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(alt) = line.strip_prefix("```") {
            if !in_pre && alt.trim().is_empty() {
                problems.push(format!("line {n}: preformatted block without alt text"));
            }
            in_pre = !in_pre;
            continue;
        }
        if in_pre {
            continue;
        }
        if let Some(rest) = line.strip_prefix("=>") {
            if rest.trim().is_empty() {
                problems.push(format!("line {n}: link line without a URL"));
            }
            continue;
        }
        if line.starts_with("####") {
            problems.push(format!("line {n}: heading deeper than ###"));
        }
        if line.starts_with('#')
            && !line.starts_with("# ")
            && !line.starts_with("## ")
            && !line.starts_with("### ")
        {
            problems.push(format!("line {n}: malformed heading"));
        }
        let trimmed = line.trim_start();
        if line != trimmed
            && (trimmed.starts_with("* ") || trimmed.starts_with("- "))
            && !trimmed.starts_with("* * *")
        {
            problems.push(format!(
                "line {n}: indented list item (gemtext has no nesting): {line:?}"
            ));
        }
        if line.starts_with("- ") || line.starts_with("+ ") {
            problems.push(format!("line {n}: Markdown list marker left: {line:?}"));
        }
    }
    for (i, line) in text.lines().enumerate() {
        if line.chars().any(|c| c.is_control() && c != '\t') {
            problems.push(format!("line {}: control character: {line:?}", i + 1));
        }
    }
    if in_pre {
        problems.push("preformatted block never closed".into());
    }
    problems
}

/// A snapshot of an output tree that holds on any CPU: text files verbatim but for the printed file sizes,
/// encoded media by format, length or pixel size (see `common::media`), anything else by size and hash, in
/// path order. The sizes left out are checked by `printed_sizes_are_the_sizes_of_the_published_files` and
/// `media_sizes_stay_near_the_reference` (tests/outputs.rs); `snapshots_hold_on_a_cpu_without_avx` runs the build on another CPU.
pub(crate) fn snapshot_of(dir: &Path) -> String {
    let mut s = String::new();
    for (path, bytes) in tree(dir) {
        let is_text = [".gmi", ".html", ".xml", ".css", ".m3u8"]
            .iter()
            .any(|e| path.ends_with(e));
        if path.ends_with(".json") || path.ends_with(".jspf") {
            // Pretty-printed, with the file sizes (which vary with the CPU's encoder paths) left out.
            s.push_str(&format!("==> {path}\n{}\n", json_without_sizes(&bytes)));
        } else if is_text {
            s.push_str(&format!(
                "==> {path}\n{}\n",
                crate::common::media::without_sizes(&String::from_utf8_lossy(&bytes))
            ));
        } else if let Some(described) = crate::common::media::describe_media(&path, &bytes) {
            s.push_str(&format!("==> {path} ({described})\n"));
        } else {
            let hash = bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
                (h ^ *b as u64).wrapping_mul(0x100000001b3)
            });
            s.push_str(&format!(
                "==> {path} ({} bytes, fnv {hash:016x})\n",
                bytes.len()
            ));
        }
    }
    s
}

/// A JSON file pretty-printed, each `"size"` number replaced by `‹size›`.
fn json_without_sizes(bytes: &[u8]) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k == "size" && v.is_number() {
                        *v = "‹size›".into();
                    } else {
                        strip(v);
                    }
                }
            }
            serde_json::Value::Array(list) => list.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).expect("valid JSON");
    strip(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

/// The recommendations listed under the line `heading` of a gemtext page (a track's "more like this"):
/// (what, why) for each link up to the radio's.
pub(crate) fn recommendations_under(page: &str, heading: &str) -> Vec<(String, String)> {
    let start = page
        .find(&format!("{heading}\n"))
        .unwrap_or_else(|| panic!("no list under {heading} in\n{page}"));
    page[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("=> ") && !l.contains("/radio/"))
        .map(|l| {
            let label = l.splitn(3, ' ').nth(2).unwrap();
            let (what, why) = label.split_once(" · ").unwrap();
            (what.trim().to_string(), why.to_string())
        })
        .collect()
}

/// The music fixture built as a member's site at the address of `web` (with a capsule at
/// gemini://member.example/), then served by it.
pub(crate) fn served_member(web: &web::Web) -> tempfile::TempDir {
    let site = fixture("music");
    let config = site.path().join("capsule.toml");
    let toml = std::fs::read_to_string(&config).unwrap().replace(
        "html_base_url = \"https://music.fixture.example/\"",
        &format!(
            "html_base_url = \"{}\"\ngemini_base_url = \"gemini://member.example/\"",
            web.url()
        ),
    );
    std::fs::write(&config, toml).unwrap();
    build(site.path(), &["--quiet"]);
    web.set(web::Behaviour::Folder(site.path().join("public/html")));
    site
}

/// A member's playlist for the tests of following: "Rainy day", curated by Cy, with two recordings of its
/// own: Drizzle (artist Lumen, Drone, as the music fixture's Seed) and, with `both`, Hum (Piano).
pub(crate) fn rainy_day_playlist(root: &Path, both: bool) {
    let dir = root.join("content/playlists/rainy-day");
    std::fs::create_dir_all(&dir).unwrap();
    media::write_short_wav(&dir.join("drizzle.wav"), 7);
    let mut text = String::from(
        "+++\ntitle = \"Rainy day\"\ndate = 2024-09-01\ncurator = \"Cy\"\n\n[tracks.\"drizzle.wav\"]\nartist = \"Lumen\"\ngenre = \"Drone\"\n",
    );
    if both {
        media::write_short_wav(&dir.join("hum.wav"), 11);
        text.push_str("\n[tracks.\"hum.wav\"]\nartist = \"Hum\"\ngenre = \"Piano\"\n");
    }
    text.push_str("+++\n\n[Drizzle](drizzle.wav)\n");
    if both {
        text.push_str("[Hum](hum.wav)\n");
    }
    std::fs::write(dir.join("index.md"), text).unwrap();
}

/// Where a catalogue breaks docs/catalogue.schema.json: each problem with its place; none when valid.
pub(crate) fn catalogue_problems(catalogue: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/catalogue.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(catalogue)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Adds `toml` (tables and their settings) at the end of a site's capsule.toml.
pub(crate) fn add_to_config(root: &Path, toml: &str) {
    let config = root.join("capsule.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n{toml}")).unwrap();
}
