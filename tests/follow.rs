//! Following other sites: a site's library takes in the music of the sites `[library] follow` names,
//! read from their catalogues over real HTTP, without storing their audio; a followed site that is down,
//! slow or hostile costs a warning, never the build.

mod common;

use common::text as text_of;
use common::web::{Behaviour, Web};
use common::{build, text};
use std::path::Path;
use std::sync::Arc;

/// A site with no music of its own that follows `sites`.
fn follower(sites: &[String]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let list: Vec<String> = sites.iter().map(|s| format!("\"{s}\"")).collect();
    std::fs::write(
        dir.path().join("capsule.toml"),
        format!(
            "title = \"The collective\"\nhtml_base_url = \"https://collective.example/\"\n\n[library]\nlisten = false\nfollow = [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("content/index.md"),
        "+++\ntitle = \"The collective\"\n+++\n\nEveryone's music.\n",
    )
    .unwrap();
    dir
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join("public").join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every `href="…"` and `src="…"` of an HTML page.
fn addresses(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            if let Some(end) = part.find('"') {
                out.push(part[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}

/// Every page of a built site's HTML.
fn pages(root: &Path) -> Vec<(String, String)> {
    common::files_with_ext(&root.join("public/html"), "html")
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn a_followed_sites_music_joins_the_library_and_plays_from_the_members_site() {
    let web = Web::start(Behaviour::Body(Arc::new(Vec::new())));
    let _member = common::served_member(&web);
    let collective = follower(&[web.url()]);
    let out = build(collective.path(), &["--quiet"]);
    assert!(!text(&out).contains("follow"), "{}", text(&out));

    // The library: the member's 16 recordings, their artists and playlists, its curators named with
    // their site.
    let front = read(collective.path(), "html/music/index.html");
    assert!(front.contains("16 tracks"), "{front}");
    let curators = read(collective.path(), "html/music/curators/index.html");
    let host = web.url()[7..web.url().len() - 1].to_string();
    for name in [format!("Ana ({host})"), format!("Bo ({host})")] {
        assert!(curators.contains(&name), "{name} in {curators}");
    }
    assert!(std::path::Path::new(
        &collective
            .path()
            .join("public/html/music/artist/lumen/index.html")
    )
    .exists());

    // No audio is stored here: every sound and every link to a recording is on the member's site, and
    // each of them answers there.
    let mut remote = std::collections::BTreeSet::new();
    for (page, html) in pages(collective.path()) {
        for a in addresses(&html) {
            assert!(
                !a.starts_with("javascript:") && !a.starts_with("data:"),
                "{page}: {a}"
            );
            if a.starts_with("http://") {
                assert!(a.starts_with(&web.url()), "{page}: {a}");
                remote.insert(a);
            }
        }
    }
    assert!(!remote.is_empty());
    let audio: Vec<_> = ["opus", "mp3", "ogg", "m4a"]
        .iter()
        .flat_map(|e| common::files_with_ext(&collective.path().join("public"), e))
        .collect();
    assert!(audio.is_empty(), "the collective stores {audio:?}");
    for a in &remote {
        let path = a.trim_start_matches(&web.url()[..web.url().len() - 1]);
        let path = path.split('#').next().unwrap();
        let got = common::servers::http_request(
            web.port,
            &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(got.status, 200, "{a}");
    }

    // The M3U8 radio of a followed recording plays the member's files; in Gemini, the member's capsule.
    let library = read(collective.path(), "html/music/library.m3u8");
    let entries: Vec<&str> = library.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 16, "{library}");
    assert!(entries
        .iter()
        .all(|e| e.starts_with(&web.url()) && e.ends_with(".mp3")));
    let gemini = read(collective.path(), "gemini/music/library.m3u8");
    assert!(gemini
        .lines()
        .filter(|l| !l.starts_with('#'))
        .all(|e| e.starts_with("gemini://member.example/")));

    // The collective's own catalogue lists none of the member's music: a site that follows the collective
    // reads the members themselves, so following never goes further than `follow` says.
    let catalogue = read(collective.path(), "html/music/catalogue.json");
    assert!(!catalogue.contains(&web.url()), "{catalogue}");

    // Built again: one conditional request, answered 304, and the same pages.
    let before = common::tree(&collective.path().join("public"));
    build(collective.path(), &["--quiet"]);
    let asked: Vec<_> = web
        .seen()
        .into_iter()
        .filter(|s| s.path.ends_with("catalogue.json"))
        .collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[1].if_none_match.is_some() && asked[1].status == 304,
        "{asked:?}"
    );
    assert_eq!(before, common::tree(&collective.path().join("public")));

    // The member's site down: the build says so and uses the copy it kept.
    web.stop();
    let out = build(collective.path(), &["--quiet"]);
    let said = text(&out);
    assert!(
        said.contains(&web.url()) && said.contains("copy kept from an earlier build"),
        "{said}"
    );
    assert_eq!(before, common::tree(&collective.path().join("public")));
}

/// A catalogue of `n` recordings whose addresses are all `javascript:` or `data:`.
fn hostile_addresses() -> Vec<u8> {
    let mut children = Vec::new();
    for i in 0..20 {
        children.push(format!(
            r#"{{"type":"track","uid":"blake3:{i:064x}","name":"Evil {i}","url":"javascript:alert({i})","duration":60,"media":[{{"type":"audio/ogg","src":"data:audio/ogg;base64,AAAA","size":4}}]}}"#
        ));
    }
    children.push(format!(
        r#"{{"type":"track","uid":"blake3:{:064x}","name":"Half evil","url":"https://ok.example/t","duration":60,"media":[{{"type":"audio/ogg","src":"javascript:alert(1)","size":4}}]}}"#,
        99
    ));
    format!(
        r#"{{"name":"<script>alert(1)</script>","children":[{}]}}"#,
        children.join(",")
    )
    .into_bytes()
}

#[test]
fn misbehaving_sites_cost_a_warning_each_and_the_build_finishes() {
    let million = {
        let mut s = String::from(r#"{"children":["#);
        for i in 0..1_000_000 {
            if i > 0 {
                s.push(',');
            }
            s.push_str(r#"{"type":"t"}"#);
        }
        s.push_str("]}");
        s.into_bytes()
    };
    let nested = format!(
        r#"{{"children":[{{"type":"track","x":{}1{}}}]}}"#,
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let cases: Vec<(&str, Behaviour, &str)> = vec![
        (
            "slow",
            Behaviour::Trickle(Arc::new(vec![b' '; 100])),
            "seconds",
        ),
        ("loop", Behaviour::RedirectLoop, "redirected more than"),
        (
            "scheme",
            Behaviour::RedirectTo("https://127.0.0.1:1/music/catalogue.json".into()),
            "another kind of address",
        ),
        (
            "huge",
            Behaviour::Body(Arc::new(vec![b' '; 21_000_000])),
            "larger than",
        ),
        (
            "million",
            Behaviour::Body(Arc::new(million)),
            "more than 50000 entries",
        ),
        (
            "deep",
            Behaviour::Body(Arc::new(nested.into_bytes())),
            "recursion limit",
        ),
        (
            "malformed",
            Behaviour::Body(Arc::new(b"{\"children\": [".to_vec())),
            "not one capsule can read",
        ),
    ];
    let servers: Vec<(&str, Web, &str)> = cases
        .into_iter()
        .map(|(name, b, why)| (name, Web::start(b), why))
        .collect();
    let evil = Web::start(Behaviour::Body(Arc::new(hostile_addresses())));
    let mut sites: Vec<String> = servers.iter().map(|(_, w, _)| w.url()).collect();
    sites.push(evil.url());
    sites.push("http://127.0.0.1:1/".into()); // nothing listens there
    let collective = follower(&sites);

    let started = std::time::Instant::now();
    let out = build(collective.path(), &["--quiet"]);
    let elapsed = started.elapsed();
    let said = text(&out);
    for (name, web, why) in &servers {
        let line = said
            .lines()
            .find(|l| l.contains(&web.url()))
            .unwrap_or_else(|| panic!("no warning for the {name} site in:\n{said}"));
        assert!(line.contains(why), "{name}: {line}");
        assert!(line.contains("left out"), "{name}: {line}");
    }
    assert!(said.contains("http://127.0.0.1:1/"), "{said}");
    // All sites at once, each within its deadline: not one after the other, never hanging.
    assert!(elapsed.as_secs() < 60, "the build took {elapsed:?}");

    // Of the hostile addresses, nothing reaches a page: the one recording with a page but no playable
    // file is left out with the others, and the site's name is text.
    for (page, html) in pages(collective.path()) {
        for a in addresses(&html) {
            assert!(
                !a.starts_with("javascript:") && !a.starts_with("data:"),
                "{page}: {a}"
            );
        }
        assert!(!html.contains("<script>"), "{page}");
        assert!(!html.contains("Evil"), "{page}");
    }
}

#[test]
fn a_follow_entry_that_is_not_a_site_is_refused_on_its_line() {
    let site = follower(&["http://alice.example/".into()]);
    let out = common::try_build(site.path(), &[]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("capsule.toml:6") && said.contains("https://"),
        "{said}"
    );
}

#[test]
fn a_members_playlist_recommends_another_members_tracks_and_the_report_counts_everyones_music() {
    let web = Web::start(Behaviour::Body(Arc::new(Vec::new())));
    let member = common::served_member(&web);
    // A second member: a playlist of two Drone tracks of their own, following the first member.
    let site = follower(&[web.url()]);
    common::rainy_day_playlist(site.path(), true);
    let out = build(site.path(), &["--quiet"]);
    assert!(!text(&out).contains("warning"), "{}", text(&out));

    // Under Drizzle (Lumen, Drone), the first member's Drone and Lumen tracks, with the reasons, linked
    // to their places on the first member's pages.
    let page = read(site.path(), "gemini/playlists/rainy-day/index.gmi");
    let more = common::recommendations_under(&page, "More like this: Drizzle");
    let titles: Vec<&str> = more.iter().map(|(what, _)| what.as_str()).collect();
    assert!(titles.contains(&"Seed — Lumen"), "{more:?}");
    let (_, why) = more.iter().find(|(w, _)| w == "Seed — Lumen").unwrap();
    assert!(
        why.contains("Drone") && why.contains("same artist") && why.ends_with("on Music fixture"),
        "{why}"
    );
    let html = read(site.path(), "html/playlists/rainy-day/index.html");
    assert!(
        html.contains(&format!(
            "href=\"{}playlists/drive/#track-seed\"",
            web.url()
        )),
        "{html}"
    );

    // Pages that link to another site's recordings and playlists are still valid HTML.
    if let Some(errors) = common::nu_errors(&site.path().join("public/html")) {
        panic!("the Nu HTML Checker found errors:\n{errors}");
    }

    // The report: this site's music and the member's, each as it stores it, and the total.
    let json = common::run(&["report", "--root", site.path().to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let c = &report["collective"];
    let member_audio: u64 = ["opus", "mp3"]
        .iter()
        .flat_map(|e| common::files_with_ext(&member.path().join("public/html"), e))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    let own_audio: u64 = ["opus", "mp3"]
        .iter()
        .flat_map(|e| common::files_with_ext(&site.path().join("public/html"), e))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(own_audio > 0 && member_audio > 0);
    assert_eq!(c["sites"][0]["bytes"], own_audio, "{c}");
    assert_eq!(c["sites"][0]["tracks"], 2, "{c}");
    assert_eq!(c["sites"][1]["bytes"], member_audio, "{c}");
    assert_eq!(c["sites"][1]["tracks"], 16, "{c}");
    assert_eq!(c["sites"][1]["url"], web.url().as_str(), "{c}");
    assert_eq!(c["total_bytes"], own_audio + member_audio, "{c}");
    assert_eq!(c["limit_bytes"], 2_000_000_000u64, "{c}");
    assert_eq!(c["ok"], true, "{c}");
    let table = text(&build(site.path(), &[]));
    assert!(table.contains("budget collective ok"), "{table}");

    // Over the collective's budget: the build warns, and says by how much.
    let config = site.path().join("capsule.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    let limit = member_audio + own_audio / 2;
    std::fs::write(
        &config,
        format!("{toml}\n[budget]\ncollective = \"{limit} B\"\n"),
    )
    .unwrap();
    let out = build(site.path(), &[]);
    let said = text(&out);
    assert!(said.contains("budget collective OVER"), "{said}");
    assert!(
        said.contains("warning") && said.contains("over [budget] collective"),
        "{said}"
    );
}

#[test]
fn a_playlist_plays_the_followed_recordings_its_text_links_to_and_stores_none_of_them() {
    let web = Web::start(Behaviour::Body(Arc::new(Vec::new())));
    let _member = common::served_member(&web);
    let url = web.url();
    let site = follower(std::slice::from_ref(&url));
    common::rainy_day_playlist(site.path(), true);
    let md = site.path().join("content/playlists/rainy-day/index.md");
    let mut text = std::fs::read_to_string(&md).unwrap();
    // By its place on the member's page (as a browser's address bar shows it), by its file with no
    // words, by an address the member does not publish, and on a site this one does not follow.
    text.push_str(&format!(
        "\nThen Ana's moss:\n\n[Moss, by the water]({url}playlists/night/index.html#track-moss)\n\n[]({url}music/tracks/seed.opus)\n\n[Gone]({url}music/tracks/gone.opus)\n\n[Elsewhere](https://archive.example/x.mp3)\n"
    ));
    std::fs::write(&md, &text).unwrap();
    let line_of = |needle: &str| 1 + text.lines().position(|l| l.contains(needle)).unwrap();
    let out = build(site.path(), &["--quiet"]);
    let said = text_of(&out);
    let warnings: Vec<&str> = said.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 2, "{said}");
    assert!(
        warnings[0].contains(&format!("index.md:{}", line_of("[Gone]")))
            && warnings[0].contains("publishes no recording at this address"),
        "{said}"
    );
    assert!(
        warnings[1].contains(&format!("index.md:{}", line_of("[Elsewhere]")))
            && warnings[1].contains("not on a site this one follows"),
        "{said}"
    );

    // Four tracks play on the page: two of this site, two from the member's files, each with a link to
    // its place on the member's site; the words of the link are the title, the member's title when
    // there are none.
    let html = read(site.path(), "html/playlists/rainy-day/index.html");
    assert_eq!(html.matches("<figure class=\"track\"").count(), 4, "{html}");
    assert!(html.contains(&format!(
        "<source src=\"{url}music/tracks/moss.opus\" type=\"audio/ogg; codecs=opus\">"
    )));
    assert!(
        html.contains("<strong>Moss, by the water</strong> — Moss"),
        "{html}"
    );
    assert!(html.contains(&format!(
        "<a href=\"{url}playlists/night/#track-moss\">on Music fixture</a>"
    )));
    assert!(html.contains("<strong>Seed</strong> — Lumen"), "{html}");
    assert!(html.contains(&format!("<source src=\"{url}music/tracks/seed.opus\"")));
    // The links that place nothing stay links, where the text has them.
    assert!(html.contains(&format!("<a href=\"{url}music/tracks/gone.opus\">Gone</a>")));
    assert!(html.contains("<a href=\"https://archive.example/x.mp3\">Elsewhere</a>"));

    // In the capsule, the member's capsule file; in the playlist's M3U8, the member's files.
    let gmi = read(site.path(), "gemini/playlists/rainy-day/index.gmi");
    assert!(
        gmi.contains(
            "=> gemini://member.example/music/tracks/moss.mp3 3. Moss, by the water — Moss"
        ),
        "{gmi}"
    );
    let m3u: Vec<String> = read(site.path(), "html/playlists/rainy-day/playlist.m3u8")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    assert_eq!(m3u.len(), 4, "{m3u:?}");
    assert_eq!(m3u[2], format!("{url}music/tracks/moss.mp3"));
    assert_eq!(m3u[3], format!("{url}music/tracks/seed.mp3"));

    // Nothing of them is stored here: only this site's two recordings, in two formats for the web.
    let audio: Vec<String> = ["opus", "mp3"]
        .iter()
        .flat_map(|e| common::files_with_ext(&site.path().join("public/html"), e))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(audio.len(), 4, "{audio:?}");
    assert!(
        audio
            .iter()
            .all(|a| a.starts_with("drizzle") || a.starts_with("hum")),
        "{audio:?}"
    );
    let json = common::run(&["report", "--root", site.path().to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["collective"]["sites"][0]["tracks"], 2, "{report}");
    // This site's catalogue lists them with the member's files, and still validates.
    let catalogue: serde_json::Value =
        serde_json::from_str(&read(site.path(), "html/music/catalogue.json")).unwrap();
    let problems = common::catalogue_problems(&catalogue);
    assert!(problems.is_empty(), "{problems:#?}");
    let moss = catalogue["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Moss, by the water")
        .expect("the linked recording in the catalogue");
    assert_eq!(
        moss["media"][0]["src"],
        format!("{url}music/tracks/moss.opus")
    );

    // Every address of the member on the page answers there, but for the one the text has wrong.
    for a in addresses(&html)
        .iter()
        .filter(|a| a.starts_with(&url) && !a.ends_with("gone.opus"))
    {
        let path = a.trim_start_matches(&url[..url.len() - 1]);
        let path = path.split('#').next().unwrap();
        let got = common::servers::http_request(
            web.port,
            &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(got.status, 200, "{a}");
    }
    if let Some(errors) = common::nu_errors(&site.path().join("public/html")) {
        panic!("the Nu HTML Checker found errors:\n{errors}");
    }

    // The member gone and the kept catalogue cleared: the tracks become the links the text has, with a
    // warning each, and the build goes on.
    web.stop();
    std::fs::remove_dir_all(site.path().join(".capsule-cache/follow")).unwrap();
    let out = build(site.path(), &["--quiet"]);
    let said = text_of(&out);
    assert!(
        said.contains("not on a site this one follows") || said.contains("publishes no recording"),
        "{said}"
    );
    let html = read(site.path(), "html/playlists/rainy-day/index.html");
    assert_eq!(html.matches("<figure class=\"track\"").count(), 2, "{html}");
    assert!(html.contains(&format!(
        "<a href=\"{url}playlists/night/index.html#track-moss\">Moss, by the water</a>"
    )));
}

/// The preview rebuilds at each save: it asks a followed site at most every few minutes, so a site that
/// answers slowly costs its wait once, not at every save, and its warning stays on the pages meanwhile.
/// `capsule build`, asked for, asks again.
#[test]
fn the_preview_asks_followed_sites_once_not_at_every_save() {
    let web = Web::start(Behaviour::Body(Arc::new(Vec::new())));
    let _member = common::served_member(&web);
    let slow = Web::start(Behaviour::Trickle(Arc::new(vec![b' '; 100])));
    let site = follower(&[web.url(), slow.url()]);
    let asked = |w: &Web| {
        w.seen()
            .iter()
            .filter(|s| s.path.ends_with("catalogue.json"))
            .count()
    };
    let serve = common::servers::Serve::start(site.path(), &["--no-gemini"]);
    assert_eq!((asked(&web), asked(&slow)), (1, 1));
    assert!(serve.get("/music/").text().contains("16 tracks"));

    // A save, and the page asked for: the site is rebuilt, without asking either site again.
    let index = site.path().join("content/index.md");
    std::fs::write(
        &index,
        "+++\ntitle = \"The collective\"\n+++\n\nSaved again.\n",
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(120));
    let home = serve.get("/").text();
    assert!(home.contains("Saved again."), "{home}");
    assert_eq!((asked(&web), asked(&slow)), (1, 1));
    // The slow site's warning is still given: the preview's pages list the build's warnings.
    let said = serve.output.lock().unwrap().clone();
    assert!(said.matches(&slow.url()).count() >= 2, "{said}");
    drop(serve);

    // A build asked for asks both: the member with the copy's validators.
    build(site.path(), &["--quiet"]);
    assert_eq!((asked(&web), asked(&slow)), (2, 2));
    assert!(web.seen().last().unwrap().if_none_match.is_some());
}
