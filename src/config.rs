//! `capsule.toml` → [`Config`]: every setting has a default, unknown keys are refused, values are validated.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{line_of_offset, Diagnostic, Error};
pub(crate) use crate::formats::ImageFormat;
use crate::formats::AVIF_SPEED;
use crate::units::parse_size;

pub(crate) const CONFIG_FILE: &str = "capsule.toml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Config {
    /// The site's name, shown on every page.
    pub title: String,
    pub author: Option<String>,
    pub description: Option<String>,
    pub language: Language,
    /// Absolute address of the HTML site, for its Atom feed.
    pub html_base_url: Option<String>,
    /// Absolute `gemini://` address of the capsule, for its Atom feed.
    pub gemini_base_url: Option<String>,
    pub photos: PhotoConfig,
    pub audio: AudioConfig,
    pub budget: BudgetConfig,
    pub publish: PublishConfig,
    pub edit: EditConfig,
    pub library: LibraryConfig,
}

/// The music library: what its recommendations draw on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct LibraryConfig {
    /// Listen to each recording (once; the cache keeps it) to recommend tracks that sound close, not
    /// only those that share a playlist, a genre or an artist.
    pub listen: bool,
    /// Other sites whose music joins this library (each one's `music/catalogue.json`), by their
    /// addresses: `https://`, or `http://` on this computer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follow: Vec<String>,
}

impl Default for LibraryConfig {
    fn default() -> Self {
        LibraryConfig {
            listen: true,
            follow: Vec::new(),
        }
    }
}

/// `capsule edit`: how large an upload may be.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct EditConfig {
    /// One uploaded file (a photo, a track).
    pub max_file: Limit,
    /// One upload form, all its files together.
    pub max_request: Limit,
}

impl Default for EditConfig {
    fn default() -> Self {
        EditConfig {
            max_file: Limit(Some(64_000_000)),
            max_request: Limit(Some(1_000_000_000)),
        }
    }
}

/// How tracks are published: Opus for browsers, MP3 as the fallback that every player and Gemini client plays.
/// `quality` names a preset for both codecs; `opus_bitrate` and `mp3_bitrate` override it.
#[derive(Debug, Clone, Deserialize, Serialize, Hash)]
#[serde(from = "RawAudio")]
pub(crate) struct AudioConfig {
    /// The preset the bitrates came from (not part of what the encoders see).
    #[serde(skip_serializing)]
    pub quality: AudioQuality,
    /// Publish Ogg Opus (HTML `<audio>`).
    pub opus: bool,
    /// Opus bitrate in kb/s (never above a lossy source's own).
    pub opus_bitrate: u32,
    /// Publish MP3 too: the HTML fallback and the file Gemini links to.
    pub mp3: bool,
    /// MP3 bitrate in kb/s (never above a lossy source's own): the average aimed at in VBR mode.
    pub mp3_bitrate: u32,
    /// `vbr` (LAME's -V levels) or `cbr` (a constant bitrate); the preset's unless set.
    pub mp3_mode: Mp3Mode,
}

/// Named presets for both codecs. The README's benchmark gives the bytes per hour and the measured
/// quality of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AudioQuality {
    Frugal,
    #[default]
    Standard,
    High,
}

impl AudioQuality {
    /// The Opus bitrate, and the MP3 bitrate and mode, in kb/s, chosen from the scores of
    /// `bench/audio-quality.sh` (see the README): `standard` is the lowest of each codec that keeps
    /// each kind of music in ViSQOL's "good" range (4 and up). LAME's VBR levels scored lower than
    /// constant bitrates of the same size there, so the presets use constant bitrates.
    pub(crate) fn settings(self) -> (u32, u32, Mp3Mode) {
        match self {
            AudioQuality::Frugal => (32, 96, Mp3Mode::Cbr),
            AudioQuality::Standard => (48, 128, Mp3Mode::Cbr),
            AudioQuality::High => (96, 160, Mp3Mode::Cbr),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Mp3Mode {
    #[default]
    Vbr,
    Cbr,
}

/// LAME's VBR levels (-V0 to -V9) and the average bitrate each gives on music, in kb/s (LAME's docs).
pub(crate) const MP3_VBR_KBPS: [u32; 10] = [245, 225, 190, 175, 165, 130, 115, 100, 85, 65];

/// The best LAME VBR level whose average stays at or under `kbps`, if any does.
pub(crate) fn mp3_vbr_level(kbps: u32) -> Option<u8> {
    MP3_VBR_KBPS
        .iter()
        .position(|&k| k <= kbps)
        .map(|v| v as u8)
}

/// `[audio]` as written: the bitrates a preset gives unless set.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawAudio {
    quality: AudioQuality,
    opus: bool,
    opus_bitrate: Option<u32>,
    mp3: bool,
    mp3_bitrate: Option<u32>,
    mp3_mode: Option<Mp3Mode>,
}

impl Default for RawAudio {
    fn default() -> Self {
        RawAudio {
            quality: AudioQuality::default(),
            opus: true,
            opus_bitrate: None,
            mp3: true,
            mp3_bitrate: None,
            mp3_mode: None,
        }
    }
}

impl From<RawAudio> for AudioConfig {
    fn from(r: RawAudio) -> Self {
        let (opus, mp3, mode) = r.quality.settings();
        AudioConfig {
            quality: r.quality,
            opus: r.opus,
            opus_bitrate: r.opus_bitrate.unwrap_or(opus),
            mp3: r.mp3,
            mp3_bitrate: r.mp3_bitrate.unwrap_or(mp3),
            mp3_mode: r.mp3_mode.unwrap_or(mode),
        }
    }
}

impl Default for AudioConfig {
    fn default() -> Self {
        RawAudio::default().into()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "My capsule".into(),
            author: None,
            description: None,
            language: Language::En,
            html_base_url: None,
            gemini_base_url: None,
            photos: PhotoConfig::default(),
            audio: AudioConfig::default(),
            budget: BudgetConfig::default(),
            publish: PublishConfig::default(),
            edit: EditConfig::default(),
            library: LibraryConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Language {
    En,
    Fr,
}

impl Language {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }
}

/// Sizes are the longest side in pixels; a photo is never enlarged.
#[derive(Debug, Clone, Deserialize, Serialize, Hash)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PhotoConfig {
    /// Small version shown in lists and grids; half its size is made too.
    pub thumbnail: u32,
    /// Large version in the HTML site, on the photo's own page; half its size is made too.
    pub display: u32,
    /// The one version in the Gemini capsule (always JPEG, which every Gemini client shows).
    pub gemini: u32,
    /// The format of the HTML site's photos.
    pub format: ImageFormat,
    /// `perceptual`: the smallest file whose SSIMULACRA2 score reaches `target`; `fixed`: `quality`.
    pub mode: QualityMode,
    /// SSIMULACRA2 score for display and Gemini sizes, in perceptual mode (70 is high quality).
    pub target: u8,
    /// SSIMULACRA2 score for thumbnails, in perceptual mode.
    pub thumbnail_target: u8,
    /// SSIMULACRA2 score for the Gemini size, when it should differ from `target` (`build --fit` sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gemini_target: Option<u8>,
    /// Encoder quality, 1 to 100, in fixed mode.
    pub quality: u8,
    /// ravif's speed for AVIF photos, 1 (slowest, smallest) to 10 (fastest); unset means the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avif_speed: Option<u8>,
}

impl PhotoConfig {
    /// The AVIF speed in use: `avif_speed`, else the default.
    pub(crate) fn avif_speed(&self) -> u8 {
        self.avif_speed.unwrap_or(AVIF_SPEED)
    }
}

impl Default for PhotoConfig {
    fn default() -> Self {
        PhotoConfig {
            thumbnail: 480,
            display: 1440,
            gemini: 1200,
            format: ImageFormat::Webp,
            mode: QualityMode::Perceptual,
            target: 70,
            thumbnail_target: 60,
            gemini_target: None,
            quality: 80,
            avif_speed: None,
        }
    }
}

/// Size limits per format, as the host counts them, and how far `capsule build --fit` may go to meet them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct BudgetConfig {
    /// The whole HTML site (Deuxfleurs: 100 MB for a gallery).
    pub html: Limit,
    /// The whole Gemini capsule (no limit unless set).
    pub gemini: Limit,
    /// The audio of all playlists that the host of `audio_counts` stores, each file once.
    pub audio: Limit,
    /// Which site's audio files the audio budget counts: `html` (the bucket's, the default) or `both`
    /// (the HTML site's and the capsule's, for one host that keeps both).
    pub audio_counts: AudioCounts,
    /// The music of this site and of every site it follows (`[library] follow`), each as it stores it.
    pub collective: Limit,
    /// `--fit` never lowers a photo's SSIMULACRA2 target below this.
    pub min_photo_target: u8,
    /// `--fit` never lowers the Opus bitrate below this, in kb/s.
    pub min_opus_bitrate: u32,
    /// `--fit` may turn off the MP3 fallback (Gemini then links to the Opus file).
    pub fit_may_drop_mp3: bool,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            html: Limit(Some(100_000_000)),
            gemini: Limit(None),
            audio: Limit(Some(2_000_000_000)),
            audio_counts: AudioCounts::Html,
            collective: Limit(Some(2_000_000_000)),
            min_photo_target: 55,
            min_opus_bitrate: 32,
            fit_may_drop_mp3: false,
        }
    }
}

/// Which site's audio the audio budget counts. The capsule's audio always counts in `[budget] gemini`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AudioCounts {
    /// The HTML site's: what the Deuxfleurs bucket stores.
    Html,
    /// Both sites': one host keeps the HTML site and the capsule.
    Both,
}

/// Where `capsule publish` sends each site.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PublishConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<HtmlPublish>,
    pub gemini: GeminiPublish,
}

/// The HTML site's S3 bucket (Deuxfleurs: Garage).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HtmlPublish {
    pub bucket: String,
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    #[serde(default = "default_region")]
    pub region: String,
    /// A file holding `aws_access_key_id = …` and `aws_secret_access_key = …`, used when the
    /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables are not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_file: Option<PathBuf>,
    /// `Cache-Control` of pages and feeds: browsers check for a new version each time.
    #[serde(default = "default_pages_cache")]
    pub pages_cache_control: String,
    /// `Cache-Control` of photos, audio and the stylesheet.
    #[serde(default = "default_media_cache")]
    pub media_cache_control: String,
}

fn default_endpoint() -> String {
    "https://garage.deuxfleurs.fr".into()
}
fn default_region() -> String {
    "garage".into()
}
fn default_pages_cache() -> String {
    "no-cache".into()
}
fn default_media_cache() -> String {
    "public, max-age=86400".into()
}

/// How the capsule reaches its Gemini host.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct GeminiPublish {
    pub method: GeminiMethod,
    /// `directory`: the folder to copy into; `rsync`: the rsync destination (`user@host:path/`);
    /// `tarball`: the domain, shown in the upload command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `tarball`: where to write the archive, relative to the site folder.
    pub archive: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GeminiMethod {
    #[default]
    Tarball,
    Directory,
    Rsync,
}

/// A size limit written in human units (`"100 MB"`, `"500 KiB"`), or `"none"` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Limit(pub Option<u64>);

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Limit, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Limit;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a size such as \"100 MB\", \"500 KiB\" or \"2 GB\", or \"none\"")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Limit, E> {
                Ok(Limit(Some(n)))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Limit, E> {
                u64::try_from(n)
                    .map(|n| Limit(Some(n)))
                    .map_err(|_| E::custom(format!("{n} is not a size; a size cannot be negative")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Limit, E> {
                if matches!(v.trim(), "none" | "off") {
                    return Ok(Limit(None));
                }
                parse_size(v).map(|n| Limit(Some(n))).ok_or_else(|| {
                    E::custom(format!(
                        "\"{v}\" is not a size; write a number and a unit, like \"100 MB\", \"500 KiB\", \"2 GB\" or \"123456 B\" (or \"none\" for no limit)"
                    ))
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Serialize for Limit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(n) => s.serialize_str(&format!("{n} B")),
            None => s.serialize_str("none"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub(crate) enum QualityMode {
    Perceptual,
    Fixed,
}

impl Config {
    /// Reads `ROOT/capsule.toml`, or the defaults when the file does not exist.
    pub(crate) fn load(root: &Path) -> Result<Config, Error> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                Error::content(Diagnostic::new(
                    &path,
                    None,
                    "is not UTF-8 text; save it as UTF-8 in your editor",
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Error::io("read", &path)(e)),
        };
        Config::parse(&text, &path)
    }

    pub(crate) fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            let message = match line.and_then(|l| key_at_line(text, l)) {
                Some(key) => format!("{key}: {}", toml_message(&e)),
                None => toml_message(&e),
            };
            Error::content(Diagnostic::new(path, line, message))
        })?;
        config.validate(text, path)?;
        Ok(config)
    }

    fn validate(&self, text: &str, path: &Path) -> Result<(), Error> {
        let mut errors = Vec::new();
        let mut check = |ok: bool, key: &str, msg: String| {
            if !ok {
                errors.push(Diagnostic::new(path, line_of_key(text, key), msg));
            }
        };
        let p = &self.photos;
        for (key, value) in [
            ("thumbnail", p.thumbnail),
            ("display", p.display),
            ("gemini", p.gemini),
        ] {
            check(
                (16..=8192).contains(&value),
                key,
                format!("photos.{key} = {value} is out of range; use a size in pixels between 16 and 8192"),
            );
        }
        check(
            p.thumbnail <= p.display,
            "thumbnail",
            format!(
                "photos.thumbnail ({}) is larger than photos.display ({}); the thumbnail must be the smaller one",
                p.thumbnail, p.display
            ),
        );
        if let Some(speed) = p.avif_speed {
            check(
                (1..=10).contains(&speed),
                "avif_speed",
                format!("photos.avif_speed = {speed} is out of range; use 1 (slowest, smallest files) to 10 (fastest)"),
            );
        }
        check(
            (1..=100).contains(&p.quality),
            "quality",
            format!(
                "photos.quality = {} is out of range; use 1 to 100 (80 is a good start)",
                p.quality
            ),
        );
        // Only the keys written: gemini_target follows target when it is not set.
        for (section, key, value) in [
            ("photos", "target", Some(p.target)),
            ("photos", "thumbnail_target", Some(p.thumbnail_target)),
            ("photos", "gemini_target", p.gemini_target),
            (
                "budget",
                "min_photo_target",
                Some(self.budget.min_photo_target),
            ),
        ] {
            let Some(value) = value else { continue };
            check(
                (10..=95).contains(&value),
                key,
                format!("{section}.{key} = {value} is out of range; use a SSIMULACRA2 score from 10 to 95 (70 is high quality, 50 is medium)"),
            );
        }
        let a = &self.audio;
        check(
            (6..=256).contains(&a.opus_bitrate),
            "opus_bitrate",
            format!("audio.opus_bitrate = {} is out of range; use 6 to 256 kb/s (or a preset: quality = \"frugal\", \"standard\" or \"high\")", a.opus_bitrate),
        );
        check(
            (32..=320).contains(&a.mp3_bitrate),
            "mp3_bitrate",
            format!("audio.mp3_bitrate = {} is out of range; use 32 to 320 kb/s (or a preset: quality = \"frugal\", \"standard\" or \"high\")", a.mp3_bitrate),
        );
        check(
            (6..=256).contains(&self.budget.min_opus_bitrate),
            "min_opus_bitrate",
            format!("budget.min_opus_bitrate = {} is out of range; use 6 to 256 kb/s (32 is the lowest that still sounds like music)", self.budget.min_opus_bitrate),
        );
        check(
            a.opus || a.mp3,
            "mp3",
            "[audio] turns off both opus and mp3; keep at least one".to_string(),
        );
        if let Some(url) = &self.html_base_url {
            check(
                url.starts_with("https://") || url.starts_with("http://"),
                "html_base_url",
                format!("html_base_url = \"{url}\" must start with https:// (for example \"https://mysite.web.deuxfleurs.fr/\")"),
            );
        }
        if let Some(url) = &self.gemini_base_url {
            check(
                url.starts_with("gemini://"),
                "gemini_base_url",
                format!("gemini_base_url = \"{url}\" must start with gemini:// (for example \"gemini://example.org/\")"),
            );
        }
        for site in &self.library.follow {
            if let Err(why) = catalogue_url(site) {
                check(false, "follow", format!("library.follow: \"{site}\" {why}"));
            }
        }
        if let Some(h) = &self.publish.html {
            check(
                !h.bucket.trim().is_empty(),
                "bucket",
                "[publish.html] bucket is empty; write the name of your bucket, e.g. bucket = \"my-site\"".into(),
            );
            check(
                h.endpoint.starts_with("https://") || h.endpoint.starts_with("http://"),
                "endpoint",
                format!("[publish.html] endpoint = \"{}\" must start with https:// (Deuxfleurs: \"https://garage.deuxfleurs.fr\")", h.endpoint),
            );
        }
        if self.publish.gemini.method != GeminiMethod::Tarball {
            check(
                self.publish.gemini.target.is_some(),
                "method",
                "[publish.gemini] needs a target for this method: the folder (directory) or the rsync destination such as \"me@host:gemini/\" (rsync)".into(),
            );
        }
        Error::check(errors)
    }

    /// The cache folder for this site: outside `content/` and `public/`.
    pub(crate) fn cache_dir(root: &Path) -> PathBuf {
        root.join(".capsule-cache")
    }
}

/// Where a site's music catalogue is, in its HTML site (and so under the address `follow` gives).
pub(crate) const CATALOGUE_PATH: &str = "music/catalogue.json";

/// The catalogue's address for a `follow` entry: the site's address and `music/catalogue.json`, or the
/// catalogue's own address when given.
pub(crate) fn catalogue_url(site: &str) -> Result<url::Url, String> {
    let base = url::Url::parse(site.trim()).map_err(|_| {
        "is not an address; write the site's address, like \"https://alice.web.deuxfleurs.fr/\""
            .to_string()
    })?;
    if !fetchable(&base) {
        return Err("is not an https:// address: only https:// sites can be followed (http:// only on this computer)".into());
    }
    if base.path().ends_with(".json") {
        return Ok(base);
    }
    let mut dir = base.clone();
    if !dir.path().ends_with('/') {
        dir.set_path(&format!("{}/", dir.path()));
    }
    dir.join(CATALOGUE_PATH).map_err(|e| e.to_string())
}

/// Whether a catalogue may be fetched from this address: HTTPS, or HTTP on this computer (for tests and
/// previews).
pub(crate) fn fetchable(u: &url::Url) -> bool {
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => loopback(u),
        _ => false,
    }
}

pub(crate) fn loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The TOML parser's message without its own source excerpt (we print file and line ourselves).
pub(crate) fn toml_message(e: &toml::de::Error) -> String {
    let msg = e.message().trim();
    format!("{msg} (check the TOML syntax: key = \"value\", one setting per line)")
}

/// The full name (`budget.audio`) of the setting written on a 1-based line, for messages about its value.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let (key, _) = lines.get(line.checked_sub(1)?)?.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let section = lines[..line - 1].iter().rev().find_map(|l| {
        let l = l.trim();
        l.strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .map(|s| s.trim().to_string())
    });
    Some(match section {
        Some(s) => format!("{s}.{key}"),
        None => key.to_string(),
    })
}

/// The 1-based line where `key = …` first appears, for validation messages.
pub(crate) fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = Config::parse("", Path::new("capsule.toml")).unwrap();
        assert_eq!(c.photos.display, 1440);
        assert_eq!(c.language, Language::En);
    }

    #[test]
    fn unknown_key_names_line() {
        let err = Config::parse(
            "title = \"x\"\ncolour = \"red\"\n",
            Path::new("capsule.toml"),
        )
        .unwrap_err();
        let Error::Content { errors, .. } = err else {
            panic!("not a content error")
        };
        assert_eq!(errors[0].line, Some(2));
        assert!(
            errors[0].message.contains("colour"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn budget_defaults_and_bad_size_line() {
        let c = Config::parse("", Path::new("capsule.toml")).unwrap();
        assert_eq!(c.budget.html, Limit(Some(100_000_000)));
        assert_eq!(c.budget.gemini, Limit(None));
        assert_eq!(c.budget.audio, Limit(Some(2_000_000_000)));
        let c = Config::parse(
            "[budget]\nhtml = \"300 KB\"\ngemini = \"none\"\n",
            Path::new("capsule.toml"),
        )
        .unwrap();
        assert_eq!(c.budget.html, Limit(Some(300_000)));
        let err = Config::parse(
            "title = \"x\"\n[budget]\naudio = \"2 gigs\"\n",
            Path::new("capsule.toml"),
        )
        .unwrap_err();
        let Error::Content { errors, .. } = err else {
            panic!("not a content error")
        };
        assert_eq!(errors[0].line, Some(3));
        assert!(
            errors[0].message.contains("2 gigs"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[0].message.starts_with("budget.audio: "),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn bad_value_names_key_and_line() {
        let err = Config::parse("[photos]\nquality = 0\n", Path::new("capsule.toml")).unwrap_err();
        let Error::Content { errors, .. } = err else {
            panic!("not a content error")
        };
        assert_eq!(errors[0].line, Some(2));
        assert!(errors[0].message.contains("photos.quality"));
    }

    #[test]
    fn an_avif_speed_outside_one_to_ten_is_refused_on_its_line() {
        let parse = |t: &str| Config::parse(t, Path::new("capsule.toml"));
        let cfg = parse("[photos]\nformat = \"avif\"\navif_speed = 8\n").unwrap();
        assert_eq!(cfg.photos.avif_speed, Some(8));
        // AVIF works in the default, perceptual mode.
        assert_eq!(cfg.photos.mode, QualityMode::Perceptual);
        let Error::Content { errors, .. } = parse("[photos]\navif_speed = 11\n").unwrap_err()
        else {
            panic!("not a content error")
        };
        assert_eq!(errors[0].line, Some(2));
        assert!(
            errors[0].message.contains("photos.avif_speed = 11"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn audio_presets_set_both_codecs_and_explicit_bitrates_win() {
        let parse = |t: &str| Config::parse(t, Path::new("capsule.toml")).unwrap().audio;
        let standard = parse("");
        assert_eq!(standard.quality, AudioQuality::Standard);
        assert_eq!(
            (
                standard.opus_bitrate,
                standard.mp3_bitrate,
                standard.mp3_mode
            ),
            AudioQuality::Standard.settings()
        );
        for (name, preset) in [
            ("frugal", AudioQuality::Frugal),
            ("high", AudioQuality::High),
        ] {
            let a = parse(&format!("[audio]\nquality = \"{name}\"\n"));
            assert_eq!(
                (a.opus_bitrate, a.mp3_bitrate, a.mp3_mode),
                preset.settings(),
                "{name}"
            );
        }
        let a = parse("[audio]\nquality = \"high\"\nopus_bitrate = 40\nmp3_mode = \"cbr\"\n");
        assert_eq!(a.mp3_mode, Mp3Mode::Cbr);
        assert_eq!(a.opus_bitrate, 40);
        assert_eq!(a.mp3_bitrate, AudioQuality::High.settings().1);
        let err =
            Config::parse("[audio]\nquality = \"best\"\n", Path::new("capsule.toml")).unwrap_err();
        let Error::Content { errors, .. } = err else {
            panic!("not a content error")
        };
        assert_eq!(errors[0].line, Some(2), "{}", errors[0].message);
        assert!(
            errors[0].message.contains("frugal"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn mp3_vbr_levels_stay_under_the_bitrate_asked_for() {
        assert_eq!(mp3_vbr_level(320), Some(0));
        assert_eq!(mp3_vbr_level(130), Some(5));
        assert_eq!(mp3_vbr_level(128), Some(6));
        assert_eq!(mp3_vbr_level(100), Some(7));
        assert_eq!(mp3_vbr_level(65), Some(9));
        assert_eq!(mp3_vbr_level(64), None);
    }
}
