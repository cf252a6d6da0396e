//! The command line as a user meets it: `new`, `build`, `report`, help texts, exit codes, drafts, overrides.

mod common;

use common::*;

#[test]
fn new_site_builds_from_inside_and_with_root() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-site");
    let out = run(&["new", site.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    for file in [
        "capsule.toml",
        "content/index.md",
        "content/albums/my-first-album/index.md",
        "content/albums/my-first-album/sunset.jpg",
        "content/playlists/my-first-playlist/index.md",
        "content/playlists/my-first-playlist/tone.wav",
    ] {
        assert!(site.join(file).is_file(), "{file} missing");
    }
    // Every setting is present, commented, and the file parses as the real config.
    let toml = std::fs::read_to_string(site.join("capsule.toml")).unwrap();
    for key in [
        "title",
        "author",
        "description",
        "language",
        "html_base_url",
        "gemini_base_url",
        "thumbnail",
        "display",
        "gemini",
        "quality",
    ] {
        assert!(
            toml.contains(&format!("{key} =")),
            "capsule.toml lacks {key}"
        );
    }
    build(&site, &[]);
    let album =
        std::fs::read_to_string(site.join("public/html/albums/my-first-album/index.html")).unwrap();
    assert!(album.contains("sunset-480.webp"));
    let playlist =
        std::fs::read_to_string(site.join("public/gemini/playlists/my-first-playlist/index.gmi"))
            .unwrap();
    assert!(
        playlist.contains(
            "=> ../../music/tracks/tone.mp3 1. A gentle tone — The capsule example (0:02, MP3,"
        ),
        "{playlist}"
    );

    std::fs::remove_dir_all(site.join("public")).unwrap();
    let out = capsule().arg("build").current_dir(&site).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(site.join("public/html/index.html").is_file());
    assert!(site.join("public/gemini/index.gmi").is_file());
}

#[test]
fn new_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = run(&["new", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("not empty"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn every_command_explains_itself() {
    for cmd in [
        vec!["--help"],
        vec!["new", "--help"],
        vec!["build", "--help"],
        vec!["report", "--help"],
    ] {
        let out = run(&cmd);
        assert!(out.status.success(), "{cmd:?}");
        let help = text(&out);
        assert!(help.contains("Usage:"), "{cmd:?}: {help}");
    }
    let build_help = text(&run(&["build", "--help"]));
    for flag in ["--root", "--out", "--drafts", "--quiet"] {
        assert!(build_help.contains(flag), "build --help lacks {flag}");
    }
    assert!(text(&run(&["report", "--help"])).contains("--json"));
}

#[test]
fn usage_errors_exit_with_two() {
    assert_eq!(run(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    let empty = tempfile::tempdir().unwrap();
    let out = run(&["report", "--root", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("run `capsule build` first"));
}

#[test]
fn quiet_prints_no_report_and_report_prints_the_last_one() {
    let site = fixture("basic");
    let root = site.path().to_str().unwrap();
    let out = build(site.path(), &["--quiet"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Size report"));
    let out = run(&["report", "--root", root]);
    let table = text(&out);
    assert!(out.status.success());
    for line in [
        "Gemini", "HTML", "pages", "images", "audio", "other", "total",
    ] {
        assert!(table.contains(line), "report lacks {line}:\n{table}");
    }
    let out = run(&["report", "--root", root, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["formats"]["gemini"]["kinds"]["images"]["files"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(json["formats"]["html"]["total_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn drafts_are_built_with_the_flag() {
    let site = fixture("basic");
    build(site.path(), &["--drafts"]);
    assert!(site
        .path()
        .join("public/html/albums/secret/index.html")
        .is_file());
    assert!(
        std::fs::read_to_string(site.path().join("public/gemini/albums/index.gmi"))
            .unwrap()
            .contains("Secret album")
    );
}

#[test]
fn a_site_template_replaces_one_built_in_file() {
    let site = fixture("french");
    std::fs::create_dir_all(site.path().join("templates/gemini")).unwrap();
    std::fs::write(
        site.path().join("templates/gemini/album.gmi"),
        "# {{ title }} (custom)\n{% include \"gemini/body.gmi\" %}\n",
    )
    .unwrap();
    build(site.path(), &[]);
    let album =
        std::fs::read_to_string(site.path().join("public/gemini/albums/marche/index.gmi")).unwrap();
    assert!(album.starts_with("# Le marché (custom)\n"), "{album}");
    assert!(
        album.contains("=> legumes-64.jpg"),
        "the built-in partial still works: {album}"
    );
    let html =
        std::fs::read_to_string(site.path().join("public/html/albums/marche/index.html")).unwrap();
    assert!(
        !html.contains("(custom)"),
        "the HTML template is still the built-in one"
    );
}

#[test]
fn out_flag_writes_elsewhere_and_content_is_never_written() {
    let site = fixture("basic");
    let before = tree(&site.path().join("content"));
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    build(site.path(), &["--out", target.to_str().unwrap()]);
    assert!(target.join("html/index.html").is_file());
    assert!(!site.path().join("public").exists());
    assert_eq!(tree(&site.path().join("content")), before);
}

#[test]
fn progress_is_plain_lines_off_a_terminal_and_silent_with_quiet() {
    let site = fixture("basic");
    let out = run(&["build", "--root", site.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("media: ") && err.contains(" done"),
        "no progress line:\n{err}"
    );
    let quiet_site = fixture("french");
    let out = run(&[
        "build",
        "--root",
        quiet_site.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.success());
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("media: "),
        "--quiet printed progress"
    );
    assert!(out.stdout.is_empty(), "--quiet printed the report");
}
