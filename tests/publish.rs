//! `capsule publish`, against a real Garage (the S3 server Deuxfleurs runs) and real tar and rsync:
//! what the website endpoint then serves, incremental and interrupted publishes, `--delete`, `--dry-run`,
//! budgets and quotas, credentials, and the capsule's tarball, folder copy and rsync.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::garage::{Garage, KEY_ID};
use common::*;

/// The basic fixture, built, with `[publish.html]` pointing at `garage` and `extra` appended to capsule.toml.
fn built_site(garage: &Garage, extra: &str) -> tempfile::TempDir {
    let site = fixture("basic");
    let config = site.path().join("capsule.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&garage.publish_section());
    text.push_str(extra);
    std::fs::write(&config, text).unwrap();
    build(site.path(), &["--quiet"]);
    site
}

fn files_in(dir: &Path) -> u64 {
    tree(dir).len() as u64
}

fn ok(out: &std::process::Output) -> String {
    let t = text(out);
    assert!(out.status.success(), "{t}");
    t
}

#[test]
fn a_published_site_is_served_by_garage_and_a_second_publish_uploads_nothing() {
    let garage = Garage::start();
    let site = built_site(&garage, "");
    let html = site.path().join("public/html");
    let shown = ok(&garage.publish(site.path(), &[]));
    let n = files_in(&html);
    assert!(shown.contains(&format!("{n} uploaded")), "{shown}");
    assert_eq!(garage.objects(), n);

    let home = garage.web("/", "");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.body, std::fs::read(html.join("index.html")).unwrap());
    assert_eq!(home.header("cache-control"), Some("no-cache"));
    let album = garage.web("/albums/harbour-2024/", "");
    assert_eq!(album.status, 200);
    assert_eq!(
        album.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let css = garage.web("/style.css", "");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let feed = garage.web("/atom.xml", "");
    assert_eq!(feed.header("content-type"), Some("application/atom+xml"));

    // The website address of the first published file with this extension.
    let first = |ext: &str| {
        let path = files_with_ext(&html, ext)[0].clone();
        let key = path
            .strip_prefix(&html)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        (path, format!("/{key}"))
    };
    let (track, url) = first("opus");
    let part = garage.web(&url, "Range: bytes=0-99\r\n");
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-type"), Some("audio/ogg"));
    assert_eq!(part.body, std::fs::read(&track).unwrap()[..100]);
    assert_eq!(part.header("cache-control"), Some("public, max-age=86400"));
    for (ext, mime) in [("mp3", "audio/mpeg"), ("webp", "image/webp")] {
        let url = first(ext).1;
        assert_eq!(
            garage.web(&url, "").header("content-type"),
            Some(mime),
            "{url}"
        );
    }

    let missing = garage.web("/no/such/page/", "");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, std::fs::read(html.join("404.html")).unwrap());

    let again = ok(&garage.publish(site.path(), &[]));
    assert!(
        again.contains(&format!("0 uploaded (0 B), 0 deleted, {n} unchanged")),
        "{again}"
    );
}

#[test]
fn delete_removes_the_keys_of_a_removed_album_and_nothing_else() {
    let garage = Garage::start();
    let site = built_site(&garage, "");
    ok(&garage.publish(site.path(), &[]));
    let before = garage.objects();
    let gone_album = garage.web("/albums/ete-a-brest/", "");
    assert_eq!(gone_album.status, 200);
    let gone_files = tree(&site.path().join("public/html/albums/ete-a-brest")).len() as u64;

    std::fs::remove_dir_all(site.path().join("content/albums/Été à Brest")).unwrap();
    build(site.path(), &["--quiet"]);
    let kept = ok(&garage.publish(site.path(), &[]));
    assert!(kept.contains("`--delete` removes them"), "{kept}");
    assert_eq!(
        garage.web("/albums/ete-a-brest/", "").status,
        200,
        "removed without --delete"
    );

    let shown = ok(&garage.publish(site.path(), &["--delete"]));
    assert!(shown.contains(&format!("{gone_files} deleted")), "{shown}");
    assert_eq!(garage.web("/albums/ete-a-brest/", "").status, 404);
    assert_eq!(garage.web("/albums/harbour-2024/", "").status, 200);
    let now = files_in(&site.path().join("public/html"));
    assert_eq!(garage.objects(), now);
    assert!(now < before);
}

#[test]
fn dry_run_shows_the_plan_and_changes_nothing() {
    let garage = Garage::start();
    let site = built_site(&garage, "");
    let shown = ok(&garage.publish(site.path(), &["--dry-run"]));
    assert!(shown.contains("Dry run, nothing is changed"), "{shown}");
    assert!(shown.contains("upload index.html ("), "{shown}");
    assert!(shown.contains("upload style.css ("), "{shown}");
    assert_eq!(garage.objects(), 0);
    assert_eq!(garage.web("/", "").status, 404);
}

#[test]
fn uploads_go_media_first_and_home_page_last() {
    let garage = Garage::start();
    let site = built_site(&garage, "");
    let shown = ok(&garage.publish(site.path(), &["--verbose"]));
    let puts: Vec<&str> = shown
        .lines()
        .filter_map(|l| l.trim().strip_prefix("PUT "))
        .filter_map(|l| l.split(" → ").next())
        .filter(|k| *k != "the website settings")
        .collect();
    let first_page = puts.iter().position(|k| k.ends_with(".html")).unwrap();
    assert!(
        puts[..first_page]
            .iter()
            .all(|k| !k.ends_with(".html") && !k.ends_with(".xml")),
        "{puts:?}"
    );
    assert!(
        puts[first_page..]
            .iter()
            .all(|k| k.ends_with(".html") || k.ends_with(".xml")),
        "{puts:?}"
    );
    let home = puts.iter().position(|k| *k == "index.html").unwrap();
    let item_pages = puts
        .iter()
        .filter(|k| k.contains('/') && k.ends_with(".html"));
    for page in item_pages {
        assert!(
            puts.iter().position(|k| k == page).unwrap() < home,
            "{puts:?}"
        );
    }
    // The secret is never printed, even with --verbose.
    assert!(!shown.contains(&garage.secret), "the secret was printed");
}

#[test]
fn a_publish_killed_in_the_middle_completes_when_run_again() {
    let garage = Garage::start();
    let site = built_site(&garage, "");
    let mut child = capsule()
        .args(["publish", "html", "--verbose", "--root"])
        .arg(site.path())
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", &garage.secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it right after its third upload.
    let mut puts = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if line.unwrap().trim_start().starts_with("PUT albums/") {
            puts += 1;
            if puts == 3 {
                child.kill().unwrap();
                break;
            }
        }
    }
    let _ = child.wait();
    let partial = garage.objects();
    let total = files_in(&site.path().join("public/html"));
    assert!(partial < total, "the publish finished before it was killed");
    // Nothing that links to other files (a page) is there yet: only media went first.
    assert_eq!(garage.web("/", "").status, 404);

    let shown = ok(&garage.publish(site.path(), &[]));
    assert!(
        shown.contains(&format!("{} uploaded", total - partial)),
        "re-uploaded what was there: {shown}"
    );
    assert_eq!(garage.objects(), total);
    assert_eq!(garage.web("/", "").status, 200);
}

#[test]
fn a_site_over_the_budget_is_refused_before_any_upload() {
    let garage = Garage::start();
    garage.set_quota("20KiB");
    // The writer sets the budget to the quota the host gave them.
    let site = built_site(&garage, "");
    let config = site.path().join("capsule.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{toml}\n[budget]\nhtml = \"20 KiB\"\n")).unwrap();
    let out = garage.publish(site.path(), &[]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("over the HTML budget of 20 KB"), "{err}");
    assert!(err.contains("Nothing was uploaded"), "{err}");
    assert!(err.contains("playlist \"night-drive\""), "{err}");
    assert_eq!(garage.objects(), 0);
}

#[test]
fn a_full_quota_and_wrong_credentials_get_clear_messages() {
    let garage = Garage::start();
    garage.set_quota("20KiB");
    let site = built_site(&garage, "");
    let out = garage.publish(site.path(), &[]);
    let err = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the bucket \"capsule-test\" is full"), "{err}");
    assert!(err.contains("quota"), "{err}");

    let out = garage.publish_with_secret(site.path(), &["--verbose"], "0123456789wrongsecret");
    let err = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("refused the credentials"), "{err}");
    assert!(
        !err.contains("0123456789wrongsecret"),
        "the secret was printed: {err}"
    );

    let out = capsule()
        .args(["publish", "html", "--root"])
        .arg(site.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{}",
        text(&out)
    );
}

/// The Gemini side: a site with `[publish.gemini]` set to `section`, built.
fn gemini_site(section: &str) -> tempfile::TempDir {
    let site = fixture("basic");
    let config = site.path().join("capsule.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[publish.gemini]\n{section}\n")).unwrap();
    build(site.path(), &["--quiet"]);
    site
}

fn publish_gemini(root: &Path, extra: &[&str]) -> std::process::Output {
    capsule()
        .args(["publish", "gemini", "--root"])
        .arg(root)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_tarball_holds_the_capsule_byte_for_byte_with_plain_modes_and_is_deterministic() {
    let site = gemini_site("target = \"example.org\"");
    let shown = ok(&publish_gemini(site.path(), &[]));
    assert!(
        shown.contains("hut pages publish -d example.org -p gemini "),
        "{shown}"
    );
    let archive = site.path().join("capsule-gemini.tar.gz");
    let first = std::fs::read(&archive).unwrap();

    let unpacked = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(unpacked.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        tree(unpacked.path()),
        tree(&site.path().join("public/gemini"))
    );

    let listing = Command::new("tar")
        .arg("-tvzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    assert!(listing.contains(" index.gmi"), "{listing}");
    for line in listing.lines() {
        assert!(
            line.starts_with("-rw-r--r-- 0/0"),
            "not a plain 644 file: {line}"
        );
        let name = line.rsplit(' ').next().unwrap();
        assert!(
            !name.starts_with('/') && !name.starts_with("gemini/"),
            "{line}"
        );
    }

    // A fresh build of the same content gives the same archive, byte for byte.
    std::fs::remove_dir_all(site.path().join("public")).unwrap();
    build(site.path(), &["--quiet"]);
    ok(&publish_gemini(site.path(), &[]));
    assert_eq!(std::fs::read(&archive).unwrap(), first);
}

#[test]
fn directory_publishing_copies_and_deletes_only_when_asked() {
    let dest = tempfile::tempdir().unwrap();
    let site = gemini_site(&format!(
        "method = \"directory\"\ntarget = \"{}\"",
        dest.path().join("capsule").display()
    ));
    let target = dest.path().join("capsule");
    ok(&publish_gemini(site.path(), &["--dry-run"]));
    assert!(!target.exists(), "--dry-run wrote files");
    ok(&publish_gemini(site.path(), &[]));
    assert_eq!(tree(&target), tree(&site.path().join("public/gemini")));

    std::fs::remove_dir_all(site.path().join("content/albums/Été à Brest")).unwrap();
    build(site.path(), &["--quiet"]);
    let shown = ok(&publish_gemini(site.path(), &[]));
    assert!(shown.contains("`--delete` removes them"), "{shown}");
    assert!(target.join("albums/ete-a-brest/index.gmi").exists());
    ok(&publish_gemini(site.path(), &["--delete"]));
    assert_eq!(tree(&target), tree(&site.path().join("public/gemini")));
    assert!(
        !target.join("albums/ete-a-brest").exists(),
        "empty folder left"
    );
}

#[test]
fn rsync_publishing_mirrors_the_capsule_and_says_when_rsync_is_missing() {
    tool("rsync", &["apt-get", "install", "-y", "-qq", "rsync"]);
    let dest = tempfile::tempdir().unwrap();
    let target = dest.path().join("capsule");
    let site = gemini_site(&format!(
        "method = \"rsync\"\ntarget = \"{}/\"",
        target.display()
    ));
    ok(&publish_gemini(site.path(), &[]));
    assert_eq!(tree(&target), tree(&site.path().join("public/gemini")));

    let out = capsule()
        .args(["publish", "gemini", "--root"])
        .arg(site.path())
        .env("PATH", dest.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("rsync is not installed"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_unreachable_server_is_retried_then_named_in_the_error() {
    let site = fixture("basic");
    build(site.path(), &["--quiet"]);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = site.path().join("capsule.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{toml}\n[publish.html]\nbucket = \"b\"\nendpoint = \"http://127.0.0.1:{port}\"\n"),
    )
    .unwrap();
    let out = capsule()
        .args(["publish", "html", "--verbose", "--root"])
        .arg(site.path())
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .output()
        .unwrap();
    let err = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("after 4 tries"), "{err}");
    assert!(err.contains("the list of bucket \"b\""), "{err}");
    assert_eq!(
        err.matches("GET the list of bucket").count(),
        4 + 1,
        "{err}"
    );
}
