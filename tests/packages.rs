//! The packages, installed and run where a member would run them: the .deb and the static binary in a
//! Debian 12 that has no Rust and no C compiler (a debootstrap root, entered with chroot), capsule.exe
//! under Wine; and the desktop entry, checked by desktop-file-validate.
//!
//! The packages come from `bash packaging/build.sh --profile package-check` (`.ci/run` builds them, from what the
//! test build already compiled); these tests need root (chroot) and Debian's debootstrap and wine.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use common::servers::http_request;

/// The package of `target/packages/` whose name ends with `suffix`.
fn package(suffix: &str) -> PathBuf {
    let dir = common::repo().join("target/packages");
    std::fs::read_dir(&dir)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| {
            panic!(
                "no package *{suffix} in {}: build them first with `bash packaging/build.sh --profile package-check` (.ci/run does)",
                dir.display()
            )
        })
}

fn ok(command: &mut Command) -> Output {
    let out = command.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}",
        common::text(&out)
    );
    out
}

/// A Debian 12 (bookworm) minimal root, made once by debootstrap and kept as a tarball in target/tools.
fn debian_tarball() -> &'static Path {
    static TARBALL: OnceLock<PathBuf> = OnceLock::new();
    TARBALL.get_or_init(|| {
        let tools = common::repo().join("target/tools");
        let tarball = tools.join("debian12-minbase.tar");
        if !tarball.exists() {
            let root = tempfile::tempdir().unwrap();
            let debootstrap = common::tool(
                "debootstrap",
                &["apt-get", "install", "-y", "-qq", "debootstrap"],
            );
            ok(Command::new(debootstrap).args([
                "--variant=minbase",
                "bookworm",
                root.path().to_str().unwrap(),
                "http://deb.debian.org/debian",
            ]));
            std::fs::create_dir_all(&tools).unwrap();
            let partial = tools.join("debian12-minbase.tar.partial");
            ok(Command::new("tar")
                .arg("-C")
                .arg(root.path())
                .arg("-cf")
                .arg(&partial)
                .arg("."));
            std::fs::rename(&partial, &tarball).unwrap();
        }
        tarball
    })
}

/// A fresh copy of the Debian 12 root.
fn debian_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    ok(Command::new("tar")
        .arg("-C")
        .arg(root.path())
        .arg("-xf")
        .arg(debian_tarball()));
    // No Rust and no C compiler: what the package runs on owes nothing to the machine that built it.
    let found = in_root(
        root.path(),
        "for c in cc gcc clang rustc cargo; do command -v $c; done; true",
    );
    assert_eq!(common::text(&found).trim(), "", "a compiler in the root");
    root
}

/// Runs `script` with sh inside the root, as root, with a plain environment.
fn in_root(root: &Path, script: &str) -> Output {
    Command::new("chroot")
        .arg(root)
        .args(["/bin/sh", "-c", script])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        .env("HOME", "/root")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("chroot runs")
}

fn in_root_ok(root: &Path, script: &str) -> String {
    let out = in_root(root, script);
    assert!(
        out.status.success(),
        "`{script}` failed in Debian 12:\n{}",
        common::text(&out)
    );
    common::text(&out)
}

/// `capsule --version`, `new` and `build` in the root, with the capsule found on its PATH.
fn new_and_build(root: &Path) {
    let version = in_root_ok(root, "capsule --version");
    assert!(
        version.starts_with(&format!("capsule {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    in_root_ok(root, "cd /root && capsule new my-site");
    let built = in_root_ok(root, "cd /root/my-site && capsule build");
    assert!(built.contains("HTML"), "the size report: {built}");
    assert!(root.join("root/my-site/public/html/index.html").is_file());
    assert!(root.join("root/my-site/public/gemini/index.gmi").is_file());
}

#[test]
fn the_deb_installs_and_runs_on_debian_12_without_rust_or_a_compiler() {
    let deb = package("_amd64.deb");
    let root = debian_root();
    std::fs::copy(&deb, root.path().join("tmp/capsule.deb")).unwrap();
    in_root_ok(root.path(), "dpkg -i /tmp/capsule.deb");
    let files = in_root_ok(root.path(), "dpkg -L capsule");
    for f in [
        "/usr/bin/capsule",
        "/usr/share/applications/capsule.desktop",
        "/usr/share/icons/hicolor/scalable/apps/capsule.svg",
        "/usr/share/icons/hicolor/48x48/apps/capsule.png",
        "/usr/share/icons/hicolor/256x256/apps/capsule.png",
        "/usr/share/doc/capsule/copyright",
    ] {
        assert!(
            files.lines().any(|l| l == f),
            "{f} is not in the package:\n{files}"
        );
    }
    let copyright =
        std::fs::read_to_string(root.path().join("usr/share/doc/capsule/copyright")).unwrap();
    assert!(copyright.contains("License: AGPL-3.0-or-later"));
    assert!(copyright.contains("GNU AFFERO GENERAL PUBLIC LICENSE"));
    // The menu entry runs what was installed.
    let entry = std::fs::read_to_string(root.path().join("usr/share/applications/capsule.desktop"))
        .unwrap();
    assert!(entry.contains("\nExec=capsule edit --welcome\n"), "{entry}");
    let depends = in_root_ok(root.path(), "dpkg-query -W -f '${Depends}' capsule");
    assert!(depends.starts_with("libc6 (>= 2."), "{depends}");
    new_and_build(root.path());
}

#[test]
fn the_static_binary_runs_on_debian_12_without_rust_or_a_compiler() {
    let tarball = package("-x86_64-linux.tar.gz");
    let root = debian_root();
    ok(Command::new("tar")
        .arg("-C")
        .arg(root.path().join("opt"))
        .arg("-xzf")
        .arg(&tarball));
    let dir = std::fs::read_dir(root.path().join("opt"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("capsule-"))
        .expect("the tarball holds one folder")
        .path();
    for f in [
        "capsule",
        "capsule.desktop",
        "capsule.svg",
        "INSTALL.txt",
        "LICENSE.txt",
    ] {
        assert!(dir.join(f).is_file(), "{f} is not in the tarball");
    }
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    in_root_ok(
        root.path(),
        &format!("ln -s /opt/{name}/capsule /usr/local/bin/capsule"),
    );
    new_and_build(root.path());
}

#[test]
fn the_desktop_entry_is_valid() {
    let validate = common::tool(
        "desktop-file-validate",
        &["apt-get", "install", "-y", "-qq", "desktop-file-utils"],
    );
    let out = Command::new(validate)
        .arg(common::repo().join("packaging/capsule.desktop"))
        .output()
        .unwrap();
    let said = common::text(&out);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

/// Wine, in a prefix of its own, quiet.
fn wine(prefix: &Path, dir: &Path) -> Command {
    let mut command = Command::new(common::tool(
        "wine",
        &["apt-get", "install", "-y", "-qq", "wine", "wine64"],
    ));
    command
        .current_dir(dir)
        .env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("DISPLAY");
    command
}

#[test]
fn the_windows_exe_makes_builds_and_edits_a_site_under_wine() {
    let zip = package("-windows-x86_64.zip");
    let work = tempfile::tempdir().unwrap();
    let prefix = work.path().join("wine");
    let unpacked = work.path().join("app");
    ok(Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&zip)
        .arg(&unpacked));
    let exe = std::fs::read_dir(&unpacked)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("capsule.exe"))
        .find(|p| p.is_file())
        .expect("capsule.exe in the zip");
    // Debian 12's Wine 8.0 lacks a DLL of Windows 10 and 11 (tests/fixtures/wine/bcryptprimitives.c).
    let mingw = common::tool(
        "x86_64-w64-mingw32-gcc",
        &["apt-get", "install", "-y", "-qq", "gcc-mingw-w64-x86-64"],
    );
    ok(Command::new(mingw)
        .args(["-O2", "-shared", "-o"])
        .arg(exe.with_file_name("bcryptprimitives.dll"))
        .arg(common::repo().join("tests/fixtures/wine/bcryptprimitives.c"))
        .arg("-ladvapi32"));
    let sites = work.path().join("sites");
    std::fs::create_dir_all(&sites).unwrap();

    let version = ok(wine(&prefix, &sites).arg(&exe).arg("--version"));
    assert!(common::text(&version).contains(env!("CARGO_PKG_VERSION")));
    ok(wine(&prefix, &sites).arg(&exe).args(["new", "my-site"]));
    let built = ok(wine(&prefix, &sites)
        .arg(&exe)
        .args(["build", "--root", "my-site"]));
    assert!(common::text(&built).contains("HTML"));
    assert!(sites.join("my-site/public/html/index.html").is_file());
    assert!(sites.join("my-site/public/gemini/index.gmi").is_file());

    // The editor answers over HTTP: its login address sets the session, its dashboard shows the site.
    let mut edit = wine(&prefix, &sites)
        .arg(&exe)
        .args([
            "edit",
            "--root",
            "my-site",
            "--no-browser",
            "--no-gemini",
            "--http-port",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut login = None;
    for line in BufReader::new(edit.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        if let Some(url) = line.strip_prefix("Editor:") {
            login = Some(url.trim().to_string());
            break;
        }
    }
    let login = login.expect("capsule.exe edit printed its login address");
    let rest = login.strip_prefix("http://127.0.0.1:").unwrap();
    let port: u16 = rest[..rest.find('/').unwrap()].parse().unwrap();
    let path = &rest[rest.find('/').unwrap()..];
    let res = http_request(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(res.status, 303, "{}", res.text());
    let cookie = res
        .header("Set-Cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let dashboard = http_request(
        port,
        &format!("GET /_edit/ HTTP/1.1\r\nHost: localhost:{port}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.text().contains("My capsule"));
    let _ = edit.kill();
    let _ = edit.wait();
    let _ = Command::new("wineserver")
        .arg("-k")
        .env("WINEPREFIX", &prefix)
        .status();
    std::thread::sleep(Duration::from_millis(100));
}
