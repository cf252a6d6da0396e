//! A member's whole journey with no terminal, in real Chromium: capsule started from the installed .deb
//! exactly as its desktop entry's `Exec=` line says, with a home folder that holds no site and no
//! configuration; the welcome page, a new site, Settings (a new title, French), a new album with three
//! photos described, Publishing against a real Garage (Check works, a wrong secret is told as such),
//! Publish, and the album fetched from Garage's web endpoint. Then a second launch opens a working
//! login, and *Stop capsule* ends the process.
//!
//! The .deb comes from `bash packaging/build.sh --profile package-check` (`.ci/run` builds it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::garage::{Garage, BUCKET, KEY_ID};
use common::servers::{http_request, Serve};
use common::webdriver::Browser;

/// A photo of `w`×`h` pixels in one colour with a checker, so that it is not flat.
fn write_photo(path: &Path, w: u32, h: u32, colour: [u8; 3]) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let shade = if (x / 8 + y / 8) % 2 == 0 { 1.0 } else { 0.8 };
        image::Rgb(colour.map(|c| (c as f32 * shade) as u8))
    });
    img.save_with_format(path, image::ImageFormat::Png).unwrap();
}

/// The .deb unpacked (as dpkg would install it) into `to`; the desktop entry's command line.
fn install_deb(to: &Path) -> Vec<String> {
    let deb = std::fs::read_dir(common::repo().join("target/packages"))
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with("_amd64.deb"))
        .expect("no .deb in target/packages: run `bash packaging/build.sh --profile package-check` (.ci/run does)");
    let out = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(to)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::text(&out));
    let entry = std::fs::read_to_string(to.join("usr/share/applications/capsule.desktop")).unwrap();
    let exec = entry
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec= line");
    exec.split_whitespace().map(str::to_string).collect()
}

/// Every regular file under `dir`, as text.
fn files_text(dir: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (
                e.path().to_path_buf(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

#[test]
fn a_member_installs_creates_sets_up_and_publishes_with_no_terminal() {
    let garage = Garage::start();
    let work = tempfile::tempdir().unwrap();
    let installed = work.path().join("installed");
    let home = work.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let exec = install_deb(&installed);
    assert_eq!(exec, ["capsule", "edit", "--welcome"]);
    let path = format!(
        "{}:{}",
        installed.join("usr/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let launch = || {
        let mut command = Command::new(installed.join("usr/bin").join(&exec[0]));
        command
            .args(&exec[1..])
            .current_dir(&home)
            .env("HOME", &home)
            .env("PATH", &path)
            .env("LANG", "C.UTF-8")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            // No desktop here: the browser is the test's; xdg-open, where there is one, runs `true`.
            .env_remove("DISPLAY")
            .env("BROWSER", "true");
        command
    };
    let mut app = Serve::spawn(launch(), &home);
    let login = app
        .login
        .clone()
        .expect("capsule printed its login address");

    let browser = Browser::start();
    let mut seen = Vec::new();
    let mut look = |browser: &Browser| seen.push(browser.source());
    browser.go(&login);
    assert!(
        browser.text().contains("Welcome to capsule"),
        "{}",
        browser.text()
    );

    // Welcome page → Create a new site.
    browser.find("#title").type_text("Harbour walks");
    browser.find("#author").type_text("Camille Martin");
    browser
        .find("section[aria-labelledby=new-site] button")
        .click();
    look(&browser);
    let site = home.join("Capsule/harbour-walks");
    let config_file = site.join("capsule.toml");
    let comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    let made = std::fs::read_to_string(&config_file).expect("the site was made");
    assert!(
        browser.text().contains("Harbour walks"),
        "{}",
        browser.text()
    );

    // Settings: a new title, and French.
    browser.find("a[href='/_edit/settings']").click();
    browser.find("#title").clear();
    browser.find("#title").type_text("Les quais");
    browser.find("#language option[value=fr]").tick();
    browser
        .find("form[action='/_edit/settings'] button[type=submit]")
        .click();
    look(&browser);
    assert!(browser.text().contains("Enregistré."), "{}", browser.text());
    assert!(
        browser.text().contains("Réglages"),
        "the editor speaks French now"
    );

    // A new album, which opens on its photos: three uploaded, then described.
    let photos = work.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let files = [
        ("quai.png", [200, 60, 40], "Un quai rouge au soleil"),
        ("mer.png", [40, 60, 200], "La mer, très bleue"),
        ("herbe.png", [40, 160, 60], "De l’herbe sous la pluie"),
    ];
    for (name, colour, _) in &files {
        write_photo(&photos.join(name), 640, 480, *colour);
    }
    browser.find("a[href='/_edit/']").click();
    browser.find("a[href='/_edit/new?kind=album']").click();
    browser.find("#title").type_text("Le port");
    browser.find("button[type=submit]").click();
    assert!(browser.url().contains("/_edit/album?item=albums%2Fle-port"));
    let paths: Vec<String> = files
        .iter()
        .map(|(n, _, _)| photos.join(n).display().to_string())
        .collect();
    browser.find("#files").type_text(&paths.join("\n"));
    browser
        .find("form[enctype='multipart/form-data'] button")
        .click();
    for (i, (name, _, _)) in files.iter().enumerate() {
        let row = browser.find(&format!("input[name='file-{i}']")).value();
        let alt = files
            .iter()
            .find(|(n, _, _)| *n == row)
            .map(|(_, _, a)| *a)
            .unwrap_or_else(|| panic!("row {i} is {row}, not {name}"));
        browser.find(&format!("#alt-{i}")).type_text(alt);
    }
    browser.find("button[value='save']").click();
    look(&browser);
    assert!(browser.text().contains("Enregistré."), "{}", browser.text());

    // Publishing: another S3 host (the test's Garage), its bucket and key; Check, then a wrong secret.
    let endpoint = format!("http://127.0.0.1:{}", garage.s3_port);
    browser.find("a[href='/_edit/publishing']").click();
    browser.find("input[name=host][value=other]").tick();
    browser.find("#endpoint").clear();
    browser.find("#endpoint").type_text(&endpoint);
    browser.find("#bucket").type_text(BUCKET);
    browser.find("#key_id").type_text(KEY_ID);
    browser.find("#secret").type_text(&garage.secret);
    browser.find("button[value=check]").click();
    look(&browser);
    assert!(
        browser.text().contains("Cela fonctionne"),
        "{}",
        browser.text()
    );
    browser.find("#secret").type_text("not-the-secret");
    browser.find("button[value=check]").click();
    look(&browser);
    assert!(
        browser.text().contains("La clé secrète ne correspond pas"),
        "{}",
        browser.text()
    );
    browser.find("#secret").type_text(&garage.secret);
    browser.find("button[value=save]").click();
    look(&browser);
    assert!(
        browser.text().contains("Une clé est enregistrée (GK…"),
        "{}",
        browser.text()
    );

    // Publish, from the dashboard: the album is then on Garage's web endpoint.
    browser.find("a[href='/_edit/']").click();
    browser.find("form[action='/_edit/build'] button").click();
    let wait_done = |browser: &Browser| {
        let started = Instant::now();
        while !browser.text().contains("Terminé.")
            && !browser.text().contains("Cela n’a pas marché")
        {
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "{}",
                browser.text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        assert!(browser.text().contains("Terminé."), "{}", browser.text());
    };
    wait_done(&browser);
    browser.find("a[href='/_edit/']").click();
    browser.find("form[action='/_edit/publish'] button").click();
    wait_done(&browser);
    look(&browser);
    let album = garage.web("/albums/le-port/", "");
    assert_eq!(album.status, 200);
    let html = String::from_utf8_lossy(&album.body);
    for (_, _, alt) in &files {
        assert!(html.contains(alt), "{alt} not in {html}");
    }

    // The key: outside the site, for the user alone; the secret in no page, file or printed line.
    let config: toml::Table =
        toml::from_str(&std::fs::read_to_string(&config_file).unwrap()).unwrap();
    let key_file = PathBuf::from(
        config["publish"]["html"]["credentials_file"]
            .as_str()
            .unwrap(),
    );
    assert!(
        key_file.starts_with(home.join(".config/capsule")),
        "{}",
        key_file.display()
    );
    assert!(!key_file.starts_with(&site));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for page in &seen {
        assert!(!page.contains(&garage.secret), "a page shows the secret");
    }
    for (file, text) in files_text(&site) {
        assert!(
            !text.contains(&garage.secret),
            "{} holds the secret",
            file.display()
        );
    }
    assert!(
        !app.output.lock().unwrap().contains(&garage.secret),
        "printed"
    );
    // capsule.toml: its comments are those it was made with; only the changed keys changed.
    let now = std::fs::read_to_string(&config_file).unwrap();
    assert_eq!(comments(&now), comments(&made));
    assert!(now.contains("title = \"Les quais\"\n"));
    assert!(now.contains("language = \"fr\"\n"));

    // The menu entry clicked again: a working login of the running capsule.
    let second = launch().output().unwrap();
    let said = common::text(&second);
    assert!(second.status.success(), "{said}");
    let url = said
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address: {said}"));
    let rest = url.strip_prefix("http://127.0.0.1:").unwrap();
    let port: u16 = rest[..rest.find('/').unwrap()].parse().unwrap();
    assert_eq!(port, app.http);
    let res = http_request(
        port,
        &format!(
            "GET {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
            &rest[rest.find('/').unwrap()..]
        ),
    );
    assert_eq!(res.status, 303, "{}", res.text());

    // Stop capsule ends the process.
    browser.find("a[href='/_edit/']").click();
    browser.find("footer button").click();
    let started = Instant::now();
    while app.child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "capsule did not stop:\n{}",
            app.output.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
