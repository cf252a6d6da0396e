//! What photo and audio files are, and what we learn from them before any media work: capture dates and tags.

use std::path::Path;

use lofty::prelude::*;

use super::frontmatter::TrackOverride;
use super::slug::slugify;
use super::Track;

pub(super) const PHOTO_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp"];
pub(super) const AUDIO_EXTENSIONS: &[&str] = &[
    "flac", "wav", "mp3", "ogg", "oga", "opus", "m4a", "m4b", "aif", "aiff",
];
/// Audio formats people have but capsule does not decode.
const UNSUPPORTED_AUDIO: &[&str] = &["wma", "3g2", "3gp", "ape", "amr", "mka", "wv", "mpc", "ra"];
/// Image formats people have but capsule does not decode: a clear message beats silence.
const UNSUPPORTED_PHOTO: &[&str] = &[
    "heic", "heif", "tif", "tiff", "gif", "avif", "bmp", "cr2", "cr3", "nef", "arw", "dng", "raf",
    "orf", "rw2",
];

pub(super) fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(super) fn is_photo(path: &Path) -> bool {
    PHOTO_EXTENSIONS.contains(&extension(path).as_str())
}

pub(super) fn is_audio(path: &Path) -> bool {
    AUDIO_EXTENSIONS.contains(&extension(path).as_str())
}

pub(super) fn unsupported_audio_message(path: &Path) -> Option<String> {
    UNSUPPORTED_AUDIO.contains(&extension(path).as_str()).then(|| {
        format!(
            "{} audio is not supported, so this file is not published; export it as FLAC, MP3 or Ogg",
            extension(path).to_uppercase()
        )
    })
}

pub(super) fn is_unsupported_photo(path: &Path) -> bool {
    UNSUPPORTED_PHOTO.contains(&extension(path).as_str())
}

pub(super) fn unsupported_photo_message(path: &Path) -> String {
    format!(
        "{} photos are not supported: export it as JPEG (or PNG) and put that file here instead",
        extension(path).to_uppercase()
    )
}

/// The kind of image a file really holds, from its first bytes, when it is one capsule does not read
/// (a HEIC photo renamed `.jpg` is no damaged JPEG): `"HEIC"`, `"AVIF"`, `"GIF"`, `"TIFF"`.
pub(super) fn unsupported_content(path: &Path) -> Option<&'static str> {
    use std::io::Read;
    let mut head = [0u8; 12];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut head).ok()?;
    let head = &head[..n];
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Some("HEIC")
            }
            b"avif" | b"avis" => Some("AVIF"),
            _ => None,
        };
    }
    if head.starts_with(b"GIF8") {
        return Some("GIF");
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Some("TIFF");
    }
    None
}

/// The message for a photo whose content is `kind` though its name says otherwise.
pub(super) fn disguised_photo_message(path: &Path, kind: &str) -> String {
    format!(
        "this file is a {kind} photo, though its name ends in .{}: {kind} photos are not supported; export it as JPEG (or PNG) and put that file here instead",
        extension(path)
    )
}

/// The longest name a photo or track keeps; longer ones are shortened (see [`file_slug`]).
const MAX_SLUG: usize = 96;

/// The file name without its extension, slugged; falls back to "file" for names with no letters.
pub(super) fn file_slug(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let slug = slugify(stem);
    if slug.is_empty() {
        "file".into()
    } else if slug.len() > MAX_SLUG {
        // Output names add a size and an extension: a 255-byte name would be too long for the disk.
        // The start of the name, and a hash of all of it, which keeps two long names apart.
        let hash = blake3::hash(stem.as_bytes()).to_hex();
        format!(
            "{}-{}",
            slug[..MAX_SLUG - 9].trim_end_matches('-'),
            &hash[..8]
        )
    } else {
        slug
    }
}

/// The cover picture embedded in a track's tags (the front cover, else the first picture), with the file
/// extension of its format, when it is a JPEG, PNG or WebP image.
pub(super) fn embedded_cover(path: &Path) -> Option<(Vec<u8>, &'static str)> {
    use lofty::file::TaggedFileExt;
    use lofty::picture::PictureType;
    let tagged = lofty::read_from_path(path).ok()?;
    let pictures: Vec<&lofty::picture::Picture> =
        tagged.tags().iter().flat_map(|t| t.pictures()).collect();
    let picture = pictures
        .iter()
        .find(|p| p.pic_type() == PictureType::CoverFront)
        .or(pictures.first())?;
    let data = picture.data().to_vec();
    let ext = match image::guess_format(&data).ok()? {
        image::ImageFormat::Jpeg => "jpg",
        image::ImageFormat::Png => "png",
        image::ImageFormat::WebP => "webp",
        _ => return None,
    };
    Some((data, ext))
}

/// Whether a photo's EXIF holds a GPS position.
pub(super) fn has_gps(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut reader = std::io::BufReader::new(file);
    exif::Reader::new()
        .read_from_container(&mut reader)
        .is_ok_and(|exif| {
            exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
                .is_some()
        })
}

/// EXIF `DateTimeOriginal` (or `DateTime`) of a photo, read without decoding the pixels.
pub(super) fn capture_time(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut reader = std::io::BufReader::new(file);
    let exif = exif::Reader::new().read_from_container(&mut reader).ok()?;
    [exif::Tag::DateTimeOriginal, exif::Tag::DateTime]
        .iter()
        .find_map(|tag| exif.get_field(*tag, exif::In::PRIMARY))
        .and_then(|field| match &field.value {
            exif::Value::Ascii(v) => v
                .first()
                .map(|b| String::from_utf8_lossy(b).trim().to_string()),
            _ => None,
        })
        .filter(|s| s.len() >= 10 && s.as_bytes()[0].is_ascii_digit())
}

/// Reads a track's tags and duration; the overrides (from the Markdown) win over the tags.
/// Unreadable tags are not fatal (the audio may still decode): they come back as a warning.
/// A genre tag may name several genres: `Ambient; Drone`, `Ambient/Drone` or, in ID3v2.4, NUL-separated.
fn split_genres(tag: String) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in tag.split([';', '/', '\0', '|']) {
        let g = g.trim();
        if !g.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(g)) {
            out.push(g.to_string());
        }
    }
    out
}

pub(super) fn read_track(
    path: &Path,
    link_text: Option<&str>,
    over: &TrackOverride,
) -> Result<(Track, Option<String>), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if meta.len() == 0 {
        return Err("the file is empty (0 bytes); copy it again from its source".into());
    }
    let (tagged, warning) = match lofty::read_from_path(path) {
        Ok(t) => (Some(t), None),
        Err(e) => (
            None,
            Some(format!(
                "its tags cannot be read ({e}); the title comes from the file name"
            )),
        ),
    };
    let tag = tagged
        .as_ref()
        .and_then(|t| t.primary_tag().or_else(|| t.first_tag()));
    let tag_text = |f: fn(&lofty::tag::Tag) -> Option<std::borrow::Cow<'_, str>>| {
        tag.and_then(f)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("track");
    let title = over
        .title
        .clone()
        .or_else(|| {
            link_text
                .map(str::to_string)
                .filter(|t| !t.is_empty() && t != stem)
        })
        .or_else(|| tag_text(|t| t.title()))
        .unwrap_or_else(|| stem.to_string());
    let duration = tagged
        .as_ref()
        .map(|t| t.properties().duration())
        .unwrap_or_default();
    let track = Track {
        source: path.to_path_buf(),
        name: file_slug(path),
        ext: extension(path),
        title,
        artist: over.artist.clone().or_else(|| tag_text(|t| t.artist())),
        album: over.album.clone().or_else(|| tag_text(|t| t.album())),
        number: over.number.or_else(|| tag.and_then(|t| t.track())),
        duration_secs: (!duration.is_zero()).then(|| duration.as_secs_f64().round() as u64),
        tags_problem: warning.clone(),
        elsewhere: None,
        genres: match &over.genre {
            Some(g) => g.list(),
            None => tag_text(|t| t.genre())
                .map(split_genres)
                .unwrap_or_default(),
        },
    };
    Ok((track, warning))
}
