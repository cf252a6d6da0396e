//! A collective on a real Garage: two members each publish their site to their own bucket, served by
//! Garage's website endpoint, and a third site follows both: one library for everyone's music, which
//! stores none of it, and which still builds from its cache when the members' sites are gone.

mod common;

use common::garage::Garage;
use common::web::{Behaviour, Web};
use common::{build, text};
use std::path::Path;

/// A site's address: a loopback port in front of Garage's website endpoint for `bucket`.
fn address(garage: &Garage, bucket: &str) -> Web {
    garage.create_bucket(bucket);
    Web::start(Behaviour::Proxy(garage.web_port, Garage::web_host(bucket)))
}

fn set_config(root: &Path, text: &str) {
    std::fs::write(root.join("capsule.toml"), text).unwrap();
}

fn publish(garage: &Garage, root: &Path) {
    let out = garage.publish(root, &[]);
    assert!(out.status.success(), "{}", text(&out));
}

/// The audio files under `dir`.
fn audio_files(dir: &Path) -> Vec<std::path::PathBuf> {
    ["opus", "mp3", "ogg", "m4a"]
        .iter()
        .flat_map(|e| common::files_with_ext(dir, e))
        .collect()
}

/// GET through a site's address, as a browser would.
fn get(web: &Web, path: &str) -> common::servers::HttpResponse {
    common::servers::http_request(
        web.port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    )
}

/// Member one: the music fixture (16 recordings, curators Ana and Bo) at `ana`, built and published
/// to the bucket "ana-site".
fn member_one(garage: &Garage, ana: &Web) -> tempfile::TempDir {
    let one = common::fixture("music");
    set_config(
        one.path(),
        &format!(
            "title = \"Ana's music\"\nhtml_base_url = \"{}\"\n\n[library]\nlisten = false\n{}",
            ana.url(),
            garage.publish_section_for("ana-site")
        ),
    );
    build(one.path(), &["--quiet"]);
    publish(garage, one.path());
    one
}

fn validate(catalogue: &[u8]) {
    let value: serde_json::Value = serde_json::from_slice(catalogue).unwrap();
    let problems = common::catalogue_problems(&value);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn two_members_and_a_collective_site_on_garage() {
    let garage = Garage::start();
    let (ana, cy, all) = (
        address(&garage, "ana-site"),
        address(&garage, "cy-site"),
        address(&garage, "collective"),
    );

    let one = member_one(&garage, &ana);

    // Member two: a playlist of their own that shares a genre and an artist with member one's, and
    // follows member one.
    let two = tempfile::tempdir().unwrap();
    common::rainy_day_playlist(two.path(), true);
    std::fs::write(
        two.path().join("content/index.md"),
        "+++\ntitle = \"Cy\"\n+++\n",
    )
    .unwrap();
    // And a recording member one publishes too: the same file, which member two does not store again.
    std::fs::copy(
        common::repo().join("tests/fixtures/music/content/playlists/night/seed.flac"),
        two.path().join("content/playlists/rainy-day/seed.flac"),
    )
    .unwrap();
    set_config(
        two.path(),
        &format!(
            "title = \"Cy's music\"\nhtml_base_url = \"{}\"\n\n[library]\nlisten = false\nfollow = [\"{}\"]\n{}",
            cy.url(),
            ana.url(),
            garage.publish_section_for("cy-site")
        ),
    );
    let out = build(two.path(), &[]);
    assert!(
        text(&out).contains("1 recording that followed sites publish, played from there"),
        "{}",
        text(&out)
    );
    publish(&garage, two.path());

    // The shared recording is stored once, by member one: member two's page plays it from there.
    assert_eq!(get(&cy, "/music/tracks/seed.opus").status, 404);
    assert_eq!(get(&cy, "/music/tracks/drizzle.opus").status, 200);
    let page = get(&cy, "/playlists/rainy-day/").text();
    for ext in ["opus", "mp3"] {
        let src = format!("src=\"{}music/tracks/seed.{ext}\"", ana.url());
        assert!(page.contains(&src), "{src} in {page}");
    }

    // Both catalogues, as Garage serves them, validate.
    for (web, tracks) in [(&ana, 16), (&cy, 3)] {
        let got = get(web, "/music/catalogue.json");
        assert_eq!(got.status, 200);
        validate(&got.body);
        let value: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
        let n = value["children"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["type"] == "track")
            .count();
        assert_eq!(
            n, tracks,
            "a catalogue lists only its own site's recordings"
        );
    }

    // A recommendation crosses from one member to the other: on member two's page as Garage serves it
    // (Drizzle is Drone, and Seed, in the same playlist, is left out of its list), member one's Twin
    // (Drone), at its place on member one's page.
    let twin = format!("{}playlists/drive/#track-twin", ana.url());
    assert!(page.contains(&format!("href=\"{twin}\"")), "{page}");

    // The collective's site: no music of its own, following both members.
    let collective = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(collective.path().join("content")).unwrap();
    std::fs::write(
        collective.path().join("content/index.md"),
        "+++\ntitle = \"The collective\"\n+++\n\nEveryone's music.\n",
    )
    .unwrap();
    set_config(
        collective.path(),
        &format!(
            "title = \"The collective\"\nhtml_base_url = \"{}\"\n\n[library]\nlisten = false\nfollow = [\"{}\", \"{}\"]\n{}",
            all.url(),
            ana.url(),
            cy.url(),
            garage.publish_section_for("collective")
        ),
    );
    let out = build(collective.path(), &[]);
    assert!(!text(&out).contains("warning"), "{}", text(&out));
    publish(&garage, collective.path());
    assert!(audio_files(&collective.path().join("public")).is_empty());

    // Its library, as Garage serves it: both members' recordings, with their curators named with
    // their sites.
    let front = get(&all, "/music/").text();
    assert!(front.contains("18 tracks"), "{front}");
    let curators = get(&all, "/music/curators/").text();
    let host = |w: &Web| w.url()[7..w.url().len() - 1].to_string();
    for name in [
        format!("Ana ({})", host(&ana)),
        format!("Bo ({})", host(&ana)),
        format!("Cy ({})", host(&cy)),
    ] {
        assert!(curators.contains(&name), "{name} in {curators}");
    }

    // Every sound and every link to a member's site on the collective's pages answers 200 from Garage.
    let mut checked = 0;
    for page in common::files_with_ext(&collective.path().join("public/html"), "html") {
        let html = std::fs::read_to_string(&page).unwrap();
        for attr in ["href=\"", "src=\""] {
            for part in html.split(attr).skip(1) {
                let a = &part[..part.find('"').unwrap()];
                for member in [&ana, &cy] {
                    if let Some(path) = a.strip_prefix(&member.url()) {
                        let path = format!("/{}", path.split('#').next().unwrap());
                        assert_eq!(get(member, &path).status, 200, "{a} on {}", page.display());
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 18, "{checked} links checked");

    // The report's collective total is what the members' buckets hold in audio, as Garage serves it.
    let mut bucket_audio = 0;
    for (member, web) in [(&one, &ana), (&two, &cy)] {
        for file in audio_files(&member.path().join("public/html")) {
            let rel = file
                .strip_prefix(member.path().join("public/html"))
                .unwrap();
            let got = get(web, &format!("/{}", rel.to_string_lossy()));
            assert_eq!(got.status, 200);
            bucket_audio += got.body.len() as u64;
        }
    }
    let json = common::run(&[
        "report",
        "--root",
        collective.path().to_str().unwrap(),
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        report["collective"]["total_bytes"], bucket_audio,
        "{}",
        report["collective"]
    );
    assert_eq!(report["collective"]["sites"][0]["bytes"], 0);

    // Member one's site gone from the web: the collective still builds, from its copy, and says so.
    let out = garage.cli(&["bucket", "website", "--deny", "ana-site"]);
    assert!(out.status.success(), "{out:?}");
    let before = common::tree(&collective.path().join("public"));
    let out = build(collective.path(), &[]);
    let said = text(&out);
    assert!(
        said.contains(&ana.url()) && said.contains("copy kept"),
        "{said}"
    );
    assert_eq!(before, common::tree(&collective.path().join("public")));

    // With the network off (Garage and the addresses stopped), the same, from the cache alone.
    drop(garage);
    ana.stop();
    cy.stop();
    let out = build(collective.path(), &[]);
    let said = text(&out);
    assert!(
        said.contains(&ana.url()) && said.contains(&cy.url()),
        "{said}"
    );
    assert_eq!(before, common::tree(&collective.path().join("public")));
}

/// Over `[budget] collective`, a member's build warns, and their publish refuses the new music that
/// would put everyone's over: nothing is uploaded. Within it, the same publish goes through.
#[test]
fn new_music_that_would_put_the_collective_over_its_budget_is_not_published() {
    let garage = Garage::start();
    let (ana, cy) = (address(&garage, "ana-site"), address(&garage, "cy-site"));
    let one = member_one(&garage, &ana);
    let member_audio: u64 = audio_files(&one.path().join("public/html"))
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();

    let two = tempfile::tempdir().unwrap();
    common::rainy_day_playlist(two.path(), false);
    std::fs::write(
        two.path().join("content/index.md"),
        "+++\ntitle = \"Cy\"\n+++\n",
    )
    .unwrap();
    let config = |collective: &str| {
        format!(
            "title = \"Cy's music\"\nhtml_base_url = \"{}\"\n\n[library]\nlisten = false\nfollow = [\"{}\"]\n\n[budget]\ncollective = \"{collective}\"\n{}",
            cy.url(),
            ana.url(),
            garage.publish_section_for("cy-site")
        )
    };
    // The limit leaves room for member one's music and 1,000 bytes more: not for this one's.
    set_config(two.path(), &config(&format!("{} B", member_audio + 1000)));
    let out = build(two.path(), &[]);
    let said = text(&out);
    assert!(said.contains("over [budget] collective"), "{said}");
    let out = garage.publish(two.path(), &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("new music") && said.contains("Nothing was uploaded"),
        "{said}"
    );
    assert_eq!(garage.objects_in("cy-site"), 0);

    set_config(two.path(), &config("2 GB"));
    build(two.path(), &["--quiet"]);
    publish(&garage, two.path());
    assert!(garage.objects_in("cy-site") > 0);
}
