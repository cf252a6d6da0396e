//! Uploads: a `multipart/form-data` body read as a stream, each file written straight to a temporary
//! file in its album or playlist folder (never held in memory), under the limits of `[edit]`. What a
//! file is comes from its first bytes, not its name; a file that is not one capsule can publish is
//! refused with the build's own message, and the rest of the batch is kept.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::content::slug::slugify;

/// What one part of the body held.
#[derive(Debug)]
pub(crate) enum Part {
    /// A small text field (the forms send their token in the address, so none is read).
    Field,
    /// A file, now in `temp` (inside the target folder), with the name the browser sent.
    File { name: String, temp: PathBuf },
}

/// Why an upload stopped.
#[derive(Debug)]
pub(crate) enum UploadError {
    /// One file is larger than the per-file limit: its name and the limit.
    FileTooLarge(String, u64),
    /// The whole body is larger than the per-request limit.
    RequestTooLarge(u64),
    /// Not a multipart body, or one that breaks off.
    Malformed,
    /// The folder could not be written.
    Io(std::io::Error),
}

/// Fields are small; a larger one is not a field of our forms.
const FIELD_LIMIT: usize = 64 * 1024;

/// The boundary of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Reads every part of `body`, writing files into `dir` as hidden temporary files. On any error the
/// temporary files made so far are removed.
pub(crate) fn read_parts(
    body: &mut dyn Read,
    boundary: &str,
    dir: &Path,
    max_file: Option<u64>,
    max_request: Option<u64>,
) -> Result<Vec<Part>, UploadError> {
    let mut parts = Vec::new();
    let result = read_into(body, boundary, dir, max_file, max_request, &mut parts);
    if result.is_err() {
        discard(&parts);
    }
    result.map(|_| parts)
}

/// Removes the temporary files of `parts`.
pub(crate) fn discard(parts: &[Part]) {
    for p in parts {
        if let Part::File { temp, .. } = p {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// A reader over the body that counts what it gave and refuses to go past the request limit.
struct Counted<'a> {
    inner: &'a mut dyn Read,
    read: u64,
    limit: Option<u64>,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.limit.is_some_and(|l| self.read > l) {
            return Err(std::io::Error::other("request too large"));
        }
        Ok(n)
    }
}

fn read_into(
    body: &mut dyn Read,
    boundary: &str,
    dir: &Path,
    max_file: Option<u64>,
    max_request: Option<u64>,
    parts: &mut Vec<Part>,
) -> Result<(), UploadError> {
    let mut reader = Counted {
        inner: body,
        read: 0,
        limit: max_request,
    };
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    // The body starts with "--boundary": pretend a CRLF came before it.
    let mut buf: Vec<u8> = b"\r\n".to_vec();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut fill = |buf: &mut Vec<u8>, reader: &mut Counted| -> Result<bool, UploadError> {
        match reader.read(&mut chunk) {
            Ok(0) => Ok(false),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(_) if reader.limit.is_some_and(|l| reader.read > l) => {
                Err(UploadError::RequestTooLarge(reader.limit.unwrap_or(0)))
            }
            Err(_) => Err(UploadError::Malformed),
        }
    };
    // Skip to the first delimiter.
    loop {
        if let Some(i) = find(&buf, &delimiter) {
            buf.drain(..i + delimiter.len());
            break;
        }
        if !fill(&mut buf, &mut reader)? {
            return Err(UploadError::Malformed);
        }
    }
    loop {
        // After a delimiter: "--" ends the body, CRLF starts a part.
        while buf.len() < 2 {
            if !fill(&mut buf, &mut reader)? {
                return Err(UploadError::Malformed);
            }
        }
        if buf.starts_with(b"--") {
            return Ok(());
        }
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i;
            }
            if buf.len() > FIELD_LIMIT || !fill(&mut buf, &mut reader)? {
                return Err(UploadError::Malformed);
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end + 4);
        let (_name, filename) = disposition(&head).ok_or(UploadError::Malformed)?;
        match filename {
            Some(filename) => {
                let temp = dir.join(format!(
                    ".upload-{}.capsule-tmp",
                    &super::guard::random_token()[..16]
                ));
                let mut file = File::create_new(&temp).map_err(UploadError::Io)?;
                parts.push(Part::File {
                    name: filename.clone(),
                    temp,
                });
                let mut written = 0u64;
                loop {
                    let found = find(&buf, &delimiter);
                    let safe = found.unwrap_or(buf.len().saturating_sub(delimiter.len()));
                    written += safe as u64;
                    if max_file.is_some_and(|l| written > l) {
                        return Err(UploadError::FileTooLarge(filename, max_file.unwrap_or(0)));
                    }
                    file.write_all(&buf[..safe]).map_err(UploadError::Io)?;
                    buf.drain(..safe);
                    if found.is_some() {
                        buf.drain(..delimiter.len());
                        break;
                    }
                    if !fill(&mut buf, &mut reader)? {
                        return Err(UploadError::Malformed);
                    }
                }
                file.sync_all().map_err(UploadError::Io)?;
            }
            None => {
                let end = loop {
                    if let Some(i) = find(&buf, &delimiter) {
                        break i;
                    }
                    if buf.len() > FIELD_LIMIT || !fill(&mut buf, &mut reader)? {
                        return Err(UploadError::Malformed);
                    }
                };
                buf.drain(..end + delimiter.len());
                parts.push(Part::Field);
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The field name and, for a file, its file name, from a part's headers.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let mut params: HashMap<String, String> = HashMap::new();
    for p in line.split(';').skip(1) {
        if let Some((k, v)) = p.trim().split_once('=') {
            params.insert(
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            );
        }
    }
    Some((params.get("name")?.clone(), params.get("filename").cloned()))
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A photo capsule publishes: its usual extension.
    Photo(&'static str),
    /// A track capsule reads: its usual extension.
    Audio(&'static str),
    /// A photo format capsule cannot publish, by name ("HEIC", "TIFF").
    UnsupportedPhoto(&'static str),
    Unknown,
}

pub(crate) fn sniff(head: &[u8]) -> Sniffed {
    let at = |i: usize, s: &[u8]| head.get(i..i + s.len()) == Some(s);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        Sniffed::Photo("jpg")
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Sniffed::Photo("png")
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Sniffed::Photo("webp")
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Sniffed::Audio("wav")
    } else if at(0, b"fLaC") {
        Sniffed::Audio("flac")
    } else if at(0, b"OggS") {
        let opus = head.windows(8).any(|w| w == b"OpusHead");
        Sniffed::Audio(if opus { "opus" } else { "ogg" })
    } else if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        Sniffed::Audio("aiff")
    } else if at(0, b"ID3") || (head.len() > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) {
        Sniffed::Audio("mp3")
    } else if at(4, b"ftyp") {
        let brand = head.get(8..12).unwrap_or(b"");
        match brand {
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Sniffed::UnsupportedPhoto("HEIC")
            }
            b"avif" | b"avis" => Sniffed::UnsupportedPhoto("AVIF"),
            b"M4A " | b"M4B " | b"mp42" | b"isom" | b"M4V " | b"mp41" | b"dash" => {
                Sniffed::Audio("m4a")
            }
            b"crx " => Sniffed::UnsupportedPhoto("RAW"),
            _ => Sniffed::Unknown,
        }
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        // TIFF, and the camera RAW formats built on it (CR2, NEF, ARW, DNG).
        Sniffed::UnsupportedPhoto("TIFF or RAW")
    } else if at(0, b"GIF8") {
        Sniffed::UnsupportedPhoto("GIF")
    } else {
        Sniffed::Unknown
    }
}

/// A safe file name in `dir` for an upload named `original`: the build's slug rules, the extension
/// its content says, lower-case; `-2`, `-3`… when the name is taken. Never a path outside `dir`.
pub(crate) fn safe_name(dir: &Path, original: &str, ext: &str) -> PathBuf {
    // Browsers may send a full path (old IE) or a hostile one: keep only the last component.
    let last = original.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match last.rsplit_once('.') {
        Some((stem, _)) => stem,
        None => last,
    };
    let mut base = slugify(stem);
    if base.is_empty() {
        base = "upload".into();
    }
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{base}.{ext}")
        } else {
            format!("{base}-{n}.{ext}")
        };
        let path = dir.join(&name);
        let slug_taken = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok()).any(|e| {
                    let p = e.path();
                    let stem = p.file_stem().map(|s| slugify(&s.to_string_lossy()));
                    stem.as_deref() == Some(name.trim_end_matches(&format!(".{ext}")))
                })
            })
            .unwrap_or(false);
        if !path.exists() && !slug_taken {
            return path;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, file, data) in parts {
            out.extend_from_slice(b"--XyZ\r\n");
            match file {
                Some(f) => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        out
    }

    #[test]
    fn parts_stream_to_files_and_fields() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let data = body(&[
            ("csrf", None, b"token"),
            ("photos", Some("a.jpg"), &big),
            ("photos", Some("b.png"), b"\r\n--XyY near the end\r\n"),
        ]);
        let parts = read_parts(&mut data.as_slice(), "XyZ", dir.path(), None, None).unwrap();
        assert_eq!(parts.len(), 3);
        assert!(matches!(&parts[0], Part::Field));
        let Part::File { name, temp } = &parts[1] else {
            panic!()
        };
        assert_eq!(name, "a.jpg");
        assert_eq!(std::fs::read(temp).unwrap(), big);
        let Part::File { temp, .. } = &parts[2] else {
            panic!()
        };
        assert_eq!(std::fs::read(temp).unwrap(), b"\r\n--XyY near the end\r\n");
    }

    #[test]
    fn a_file_over_the_limit_stops_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = body(&[
            ("photos", Some("small.jpg"), b"abc"),
            ("photos", Some("big.jpg"), &[0u8; 5000]),
        ]);
        let err =
            read_parts(&mut data.as_slice(), "XyZ", dir.path(), Some(1000), None).unwrap_err();
        assert!(
            matches!(err, UploadError::FileTooLarge(ref n, 1000) if n == "big.jpg"),
            "{err:?}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let err =
            read_parts(&mut data.as_slice(), "XyZ", dir.path(), None, Some(2000)).unwrap_err();
        assert!(matches!(err, UploadError::RequestTooLarge(2000)), "{err:?}");
        let cut = &data[..data.len() / 2];
        assert!(matches!(
            read_parts(&mut &cut[..], "XyZ", dir.path(), None, None),
            Err(UploadError::Malformed)
        ));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "a truncated upload leaves no file"
        );
    }

    #[test]
    fn content_decides_the_kind() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Sniffed::Photo("jpg"));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0"),
            Sniffed::UnsupportedPhoto("HEIC")
        );
        assert_eq!(
            sniff(b"II*\0rest"),
            Sniffed::UnsupportedPhoto("TIFF or RAW")
        );
        assert_eq!(sniff(b"fLaC\0\0"), Sniffed::Audio("flac"));
        assert_eq!(sniff(b"<html>"), Sniffed::Unknown);
    }

    #[test]
    fn names_are_safe_and_never_taken() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(safe_name(d, "IMG 0412.JPG", "jpg"), d.join("img-0412.jpg"));
        std::fs::write(d.join("img-0412.jpg"), "x").unwrap();
        assert_eq!(
            safe_name(d, "IMG_0412.jpeg", "jpg"),
            d.join("img-0412-2.jpg")
        );
        assert_eq!(
            safe_name(d, "../../etc/passwd", "jpg"),
            d.join("passwd.jpg")
        );
        assert_eq!(safe_name(d, "..\\..\\evil.png", "png"), d.join("evil.png"));
        assert_eq!(safe_name(d, "/abs/x\0y.jpg", "jpg"), d.join("x-y.jpg"));
        assert_eq!(safe_name(d, "...", "jpg"), d.join("upload.jpg"));
    }
}
