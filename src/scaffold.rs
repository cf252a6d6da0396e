//! `capsule new`: a ready-to-edit site whose example files explain by example how to write one.

use std::f64::consts::PI;
use std::path::Path;

use crate::error::{display_path, Error};

/// The commented `capsule.toml` of a new site.
const CONFIG: &str = include_str!("scaffold/capsule.toml");

const FILES: &[(&str, &str)] = &[
    (".gitignore", include_str!("scaffold/gitignore")),
    ("content/index.md", include_str!("scaffold/index.md")),
    ("content/about.md", include_str!("scaffold/about.md")),
    (
        "content/albums/my-first-album/index.md",
        include_str!("scaffold/album.md"),
    ),
    (
        "content/playlists/my-first-playlist/index.md",
        include_str!("scaffold/playlist.md"),
    ),
];

pub(crate) fn create(dir: &Path) -> Result<(), Error> {
    create_with(dir, CONFIG)
}

/// A new site as the welcome page makes it: `create`, with the title, author and language of the form
/// written into the commented `capsule.toml`.
pub(crate) fn create_site(
    dir: &Path,
    title: &str,
    author: &str,
    language: crate::config::Language,
) -> Result<(), Error> {
    create_with(dir, &site_config(title, author, language))
}

/// The new `capsule.toml`, with its three lines for the title, the author and the language set.
fn site_config(title: &str, author: &str, language: crate::config::Language) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut text = CONFIG.replacen(
        "\ntitle = \"My capsule\"\n",
        &format!("\ntitle = {}\n", quoted(title)),
        1,
    );
    if !author.is_empty() {
        text = text.replacen(
            "\n# author = \"Camille Martin\"\n",
            &format!("\nauthor = {}\n", quoted(author)),
            1,
        );
    }
    text.replacen(
        "\nlanguage = \"en\"\n",
        &format!("\nlanguage = {}\n", quoted(language.code())),
        1,
    )
}

fn create_with(dir: &Path, config: &str) -> Result<(), Error> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(Error::io("read", dir))?
            .next()
            .is_some()
    {
        return Err(Error::Usage(format!(
            "{} already exists and is not empty; choose a new folder name",
            display_path(dir)
        )));
    }
    write(&dir.join(crate::config::CONFIG_FILE), config.as_bytes())?;
    for (name, text) in FILES {
        write(&dir.join(name), text.as_bytes())?;
    }
    write(
        &dir.join("content/albums/my-first-album/sunset.jpg"),
        &example_photo()?,
    )?;
    write(
        &dir.join("content/playlists/my-first-playlist/tone.wav"),
        &example_tone(),
    )?;
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
    }
    std::fs::write(path, bytes).map_err(Error::io("write", path))
}

/// A dusk-coloured gradient, so the example album has a real photo to show.
fn example_photo() -> Result<Vec<u8>, Error> {
    let img = image::RgbImage::from_fn(1200, 800, |x, y| {
        let t = y as f64 / 800.0;
        let glow = (1.0 - ((x as f64 - 600.0) / 600.0).powi(2)).max(0.0) * t;
        let mix = |a: f64, b: f64| (a + (b - a) * t + 40.0 * glow).clamp(0.0, 255.0) as u8;
        image::Rgb([mix(40.0, 240.0), mix(60.0, 140.0), mix(140.0, 60.0)])
    });
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 85)
        .encode_image(&img)
        .map_err(Error::internal("make the example photo"))?;
    Ok(buf)
}

/// Two seconds of a soft 440 Hz tone as 16-bit mono WAV, so the example playlist plays.
fn example_tone() -> Vec<u8> {
    const RATE: u32 = 22_050;
    let samples: Vec<i16> = (0..RATE * 2)
        .map(|i| {
            let t = i as f64 / RATE as f64;
            let fade = (t * 4.0).min(1.0).min((2.0 - t) * 4.0);
            ((2.0 * PI * 440.0 * t).sin() * 6000.0 * fade) as i16
        })
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Language};

    /// The welcome page's new site: its title, author and language are set, every comment stays.
    #[test]
    fn a_new_site_gets_its_title_author_and_language() {
        let text = super::site_config("Les \"quais\" de Nantes", "Camille Martin", Language::Fr);
        let config = Config::parse(&text, std::path::Path::new("capsule.toml")).unwrap();
        assert_eq!(config.title, "Les \"quais\" de Nantes");
        assert_eq!(config.author.as_deref(), Some("Camille Martin"));
        assert_eq!(config.language, Language::Fr);
        let template = include_str!("scaffold/capsule.toml");
        let comments = |t: &str| t.lines().filter(|l| l.starts_with('#')).count();
        assert_eq!(
            comments(&text),
            comments(template) - 1,
            "only the author line was uncommented"
        );
        let config = Config::parse(
            &super::site_config("x", "", Language::En),
            std::path::Path::new("capsule.toml"),
        )
        .unwrap();
        assert_eq!(config.author, None);
    }

    fn keys(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
        for (k, v) in table {
            let key = format!("{prefix}{k}");
            match v {
                toml::Value::Table(t) => keys(&format!("{key}."), t, out),
                _ => out.push(key),
            }
        }
    }

    /// `capsule new` promises a capsule.toml that shows every setting, with its default value.
    #[test]
    fn the_new_capsule_toml_lists_every_setting_at_its_default() {
        let text = include_str!("scaffold/capsule.toml");
        let parsed = Config::parse(text, std::path::Path::new("capsule.toml")).unwrap();
        let (mut written, mut all) = (Vec::new(), Vec::new());
        keys("", &toml::from_str(text).unwrap(), &mut written);
        keys(
            "",
            &toml::Table::try_from(Config::default()).unwrap(),
            &mut all,
        );
        let optional = ["author", "description", "html_base_url", "gemini_base_url"];
        all.retain(|k| !optional.contains(&k.as_str()));
        written.retain(|k| !optional.contains(&k.as_str()));
        // The bitrates come from the preset, so they are shown commented out: set, they would win over it.
        for key in ["opus_bitrate", "mp3_bitrate", "mp3_mode"] {
            assert!(
                text.contains(&format!("\n# {key} = ")),
                "{key} is not shown"
            );
            all.retain(|k| k != &format!("audio.{key}"));
        }
        all.push("audio.quality".into());
        written.sort();
        all.sort();
        assert_eq!(written, all);
        assert_eq!(
            toml::Table::try_from(&parsed.photos).unwrap(),
            toml::Table::try_from(Config::default().photos).unwrap()
        );
        assert_eq!(
            toml::Table::try_from(&parsed.budget).unwrap(),
            toml::Table::try_from(Config::default().budget).unwrap()
        );
        assert_eq!(
            toml::Table::try_from(&parsed.audio).unwrap(),
            toml::Table::try_from(Config::default().audio).unwrap()
        );
        let (opus, mp3, mode) = parsed.audio.quality.settings();
        let mode = toml::Value::try_from(mode).unwrap();
        assert!(text.contains(&format!(
            "# opus_bitrate = {opus}\n# mp3_bitrate = {mp3}\n# mp3_mode = {mode}\n"
        )));
    }
}
