//! Markdown body → document blocks: top-level Markdown blocks, with photos and tracks placed where they stand.

use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::media_files::{is_audio, is_photo, is_unsupported_photo, unsupported_photo_message};
use super::{Block, PhotoUse, PAGE_LINK};
use crate::error::{Diagnostics, LineIndex};

pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// A photo named in the Markdown, not yet read.
pub(super) struct PhotoRef {
    /// Path relative to `content/`.
    pub path: PathBuf,
}

/// A track linked from the Markdown, not yet read.
pub(super) struct TrackRef {
    pub path: PathBuf,
    pub text: String,
    /// A playlist's link to a followed site's recording: its address and the line of the link
    /// (`path` is then empty).
    pub address: Option<(String, usize)>,
}

/// Media blocks point into these lists by index; the loader turns them into `Photo`s and `Track`s.
#[derive(Default)]
pub(super) struct ParsedBody {
    pub blocks: Vec<Block>,
    pub photos: Vec<PhotoRef>,
    pub tracks: Vec<TrackRef>,
    /// Content paths of the pages this body links to, with the line of each link.
    pub page_links: Vec<(String, usize)>,
}

pub(super) struct BodySource<'a> {
    /// The Markdown file, for messages.
    pub file: &'a Path,
    pub body: &'a str,
    /// File line on which `body` starts.
    pub body_line: usize,
    /// Folder of the Markdown file, relative to `content/`.
    pub dir: &'a Path,
    /// `content/` on disk.
    pub content: &'a Path,
    /// A playlist's text: a link to a recording on another site (see [`is_recording_address`]) places
    /// that recording, like a link to a file of its folder.
    pub playlist: bool,
}

enum Target {
    External,
    Photo(PathBuf),
    Track(PathBuf),
    Page(String),
    Other,
}

/// Whether HTML forbids `c` in a page: control characters other than tab, line feed, form feed and
/// carriage return (C0, DEL and C1).
fn is_forbidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0c}'))
        || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// The body without the control characters HTML and gemtext forbid, and a warning for each line that
/// had some. Line feeds stay, so lines keep their numbers.
fn without_controls(src: &BodySource, diags: &mut Diagnostics) -> String {
    if !src.body.chars().any(is_forbidden_control) {
        return src.body.to_string();
    }
    for (i, text) in src.body.split('\n').enumerate() {
        let found: Vec<String> = text
            .chars()
            .filter(|&c| is_forbidden_control(c))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        if !found.is_empty() {
            diags.warn(
                src.file,
                Some(src.body_line + i),
                format!(
                    "control character {} left out (pages cannot show it); delete it from the file",
                    found.join(", ")
                ),
            );
        }
    }
    src.body.replace(is_forbidden_control, "")
}

/// Whether an external link target is an address a browser can follow: a URL that parses, and for
/// web addresses a host whose labels are not empty (`https://../` is not one).
fn is_valid_external(url: &str) -> bool {
    if url.is_empty() || url.starts_with('#') {
        return true;
    }
    let Ok(parsed) = url::Url::parse(url) else {
        // Protocol-relative (`//host/x`) and other scheme-less forms are checked against a base.
        return url::Url::parse("https://example.org/")
            .and_then(|b| b.join(url))
            .is_ok();
    };
    match parsed.host() {
        Some(url::Host::Domain(d)) => {
            let labels: Vec<&str> = d.split('.').collect();
            labels[..labels.len() - 1].iter().all(|l| !l.is_empty()) && !d.is_empty()
        }
        Some(_) => true,
        None => !matches!(parsed.scheme(), "http" | "https"),
    }
}

/// The schemes a reader's link may have; anything else (`javascript:`, `data:`, `vbscript:`…) could
/// run code or hide a page, so it stays text.
const SCHEMES: [&str; 4] = ["http", "https", "gemini", "mailto"];

/// Why an external link target cannot be published as a link, if it cannot.
fn refused_address(url: &str) -> Option<String> {
    if has_scheme(url) && !url.starts_with("//") {
        let scheme = url[..url.find(':').unwrap_or(0)].to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str()) {
            let shown: String = url.chars().take(40).collect();
            return Some(format!(
                "the link to \"{shown}\" is published as plain text: a {scheme}: address could run code or hide a page, and only http, https, gemini and mailto addresses become links"
            ));
        }
    }
    (!is_valid_external(url)).then(|| {
        format!("\"{url}\" is not a valid web address, so it is published as plain text; check it")
    })
}

fn warn_invalid(src: &BodySource, line: usize, url: &str, diags: &mut Diagnostics) {
    if let Some(why) = refused_address(url) {
        diags.warn(src.file, Some(line), why);
    }
}

pub(super) fn parse_body(src: &BodySource, diags: &mut Diagnostics) -> ParsedBody {
    let mut out = ParsedBody::default();
    let mut depth = 0usize;
    let mut current: Vec<Event<'static>> = Vec::new();
    let mut has_content = false;
    let mut pending: Vec<Block> = Vec::new();
    let body = without_controls(src, diags);
    let mut events = Parser::new_ext(&body, markdown_options()).into_offset_iter();
    let lines = LineIndex::new(&body);
    // For each open link: whether its start was kept (a link inside a link, or one whose address is
    // not valid, is kept as its text only: HTML allows no link in a link).
    let mut links: Vec<bool> = Vec::new();

    while let Some((event, range)) = events.next() {
        let line = src.body_line + lines.line_of(range.start) - 1;
        let in_link = links.iter().any(|&kept| kept);
        match event {
            Event::Start(Tag::Link { dest_url, .. })
                if in_link || (has_scheme(&dest_url) && refused_address(&dest_url).is_some()) =>
            {
                if !in_link {
                    warn_invalid(src, line, &dest_url, diags);
                }
                depth += 1;
                links.push(false);
                continue;
            }
            Event::End(TagEnd::Link) => {
                depth = depth.saturating_sub(1);
                if !links.pop().unwrap_or(true) {
                    continue;
                }
                // A link closes inside its paragraph, so no block ends here.
                current.push(Event::End(TagEnd::Link));
                continue;
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let alt = collect_text(&mut events);
                match classify(&dest_url, src, line, diags) {
                    Target::Photo(path) => {
                        let caption = (!title.trim().is_empty()).then(|| title.trim().to_string());
                        pending.push(Block::Photo(PhotoUse {
                            photo: out.photos.len(),
                            alt,
                            caption,
                            decorative: false,
                            placed: true,
                        }));
                        out.photos.push(PhotoRef { path });
                    }
                    Target::External | Target::Page(_) | Target::Other
                        if in_link || refused_address(&dest_url).is_some() =>
                    {
                        // It would become a link: inside a link, or with an address that is not one,
                        // only its description stays.
                        if !in_link {
                            warn_invalid(src, line, &dest_url, diags);
                        }
                        has_content = true;
                        current.push(Event::Text(alt.into()));
                    }
                    Target::External | Target::Page(_) | Target::Other => {
                        // Not a photo of ours: keep it as a link so no page loads third-party images.
                        has_content = true;
                        let url = pulldown_cmark::CowStr::from(dest_url.into_string());
                        current.push(Event::Start(Tag::Image {
                            link_type: pulldown_cmark::LinkType::Inline,
                            dest_url: url,
                            title: title.into_static(),
                            id: "".into(),
                        }));
                        current.push(Event::Text(alt.into()));
                        current.push(Event::End(TagEnd::Image));
                    }
                    Target::Track(_) => {
                        diags.error(src.file, Some(line), format!("\"{dest_url}\" is an audio file; link it as a track with [title]({dest_url}), without the !"));
                    }
                }
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                depth += 1;
                if src.playlist && is_recording_address(&dest_url) {
                    let text = collect_text(&mut events);
                    depth -= 1;
                    pending.push(Block::Track(out.tracks.len()));
                    current.push(Event::Text(text.clone().into()));
                    out.tracks.push(TrackRef {
                        path: PathBuf::new(),
                        text,
                        address: Some((dest_url.to_string(), line)),
                    });
                    continue;
                }
                match classify(&dest_url, src, line, diags) {
                    Target::Track(path) => {
                        let text = collect_text(&mut events);
                        depth -= 1;
                        pending.push(Block::Track(out.tracks.len()));
                        current.push(Event::Text(text.clone().into()));
                        out.tracks.push(TrackRef {
                            path,
                            text,
                            address: None,
                        });
                        continue;
                    }
                    Target::Page(target) => {
                        let (path, fragment) = split_fragment(&target);
                        out.page_links.push((path.to_string(), line));
                        let url = format!("{PAGE_LINK}{path}{fragment}");
                        current.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: url.into(),
                            title: title.into_static(),
                            id: id.into_static(),
                        }));
                    }
                    Target::Photo(_) | Target::Other => {
                        diags.warn(src.file, Some(line), format!("the link to \"{dest_url}\" points to a file that capsule does not publish; it will be broken online"));
                        current.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: dest_url.into_static(),
                            title: title.into_static(),
                            id: id.into_static(),
                        }));
                    }
                    Target::External => {
                        current.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: dest_url.into_static(),
                            title: title.into_static(),
                            id: id.into_static(),
                        }));
                    }
                }
                links.push(true);
                continue;
            }
            Event::Start(Tag::HtmlBlock) => {
                let mut html = String::new();
                for (e, _) in events.by_ref() {
                    match e {
                        Event::End(TagEnd::HtmlBlock) => break,
                        Event::Html(h) => html.push_str(&h),
                        _ => {}
                    }
                }
                if !is_only_comments(&html) {
                    diags.warn(src.file, Some(line), "raw HTML is left out of both sites (capsule publishes no scripts or custom markup); write it in Markdown");
                }
                continue;
            }
            // Inline tags such as <b> are dropped; the text between them stays.
            Event::Html(_) | Event::InlineHtml(_) => continue,
            _ => {}
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if !t.trim().is_empty() => has_content = true,
            Event::Code(_)
            | Event::Rule
            | Event::FootnoteReference(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_) => has_content = true,
            _ => {}
        }
        if let Event::Start(tag) = &event {
            if !matches!(tag, Tag::Paragraph) {
                has_content = true;
            }
        }
        current.push(event.into_static());
        if depth == 0 {
            if has_content && !current.is_empty() {
                out.blocks
                    .push(Block::Markdown(std::mem::take(&mut current)));
            }
            current.clear();
            has_content = false;
            out.blocks.append(&mut pending);
        }
    }
    if has_content && !current.is_empty() {
        out.blocks.push(Block::Markdown(current));
    }
    out.blocks.append(&mut pending);
    out
}

fn is_only_comments(html: &str) -> bool {
    let mut rest = html.trim();
    while let Some(after) = rest.strip_prefix("<!--") {
        match after.find("-->") {
            Some(end) => rest = after[end + 3..].trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

/// Reads the plain text up to the end of the current image or link.
fn collect_text<'a>(
    events: &mut impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
) -> String {
    let mut text = String::new();
    let mut nested = 0usize;
    for (event, _) in events.by_ref() {
        match event {
            Event::Start(_) => nested += 1,
            Event::End(_) if nested == 0 => break,
            Event::End(_) => nested -= 1,
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// The file `rel` names under `content`, as it is spelled on the disk: a name typed in a text (NFC, as
/// most keyboards make it) finds the same name stored decomposed (NFD, as macOS stores it), and the
/// other way round.
fn same_name_on_disk(content: &Path, rel: PathBuf) -> (PathBuf, PathBuf) {
    let on_disk = content.join(&rel);
    if on_disk.exists() {
        return (rel, on_disk);
    }
    let (Some(parent), Some(name)) = (on_disk.parent(), on_disk.file_name()) else {
        return (rel, on_disk);
    };
    let nfc = icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
    let wanted = nfc.normalize(&name.to_string_lossy()).into_owned();
    let found = std::fs::read_dir(parent).ok().and_then(|entries| {
        entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .find(|n| nfc.normalize(&n.to_string_lossy()) == wanted.as_str())
    });
    match found {
        Some(actual) => (rel.with_file_name(&actual), parent.join(actual)),
        None => (rel, on_disk),
    }
}

fn split_fragment(target: &str) -> (&str, &str) {
    match target.find('#') {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    }
}

fn classify(url: &str, src: &BodySource, line: usize, diags: &mut Diagnostics) -> Target {
    if url.is_empty() || url.starts_with('#') || has_scheme(url) {
        return Target::External;
    }
    let (path_part, fragment) = split_fragment(url);
    let path_part = path_part.split('?').next().unwrap_or("");
    let decoded = percent_decode(path_part);
    let rel = match resolve(src.dir, &decoded) {
        Some(rel) => rel,
        None => {
            diags.error(src.file, Some(line), format!("\"{url}\" points outside the content folder; put the file inside content/ and link to it from there"));
            return Target::Other;
        }
    };
    let (rel, on_disk) = same_name_on_disk(src.content, rel);
    let rel_str = rel.to_string_lossy().replace('\\', "/");
    if let Some(target) = leaves_site(&on_disk, src.content) {
        diags.cannot_publish(
            src.file,
            Some(line),
            format!("\"{decoded}\": {}", leaves_site_message(&target)),
            &on_disk,
        );
        return Target::Other;
    }
    if is_photo(&rel) || is_audio(&rel) {
        if !on_disk.is_file() {
            diags.cannot_publish(src.file, Some(line), format!("\"{decoded}\" does not exist (looked for {}); check the file name, including upper and lower case", crate::error::display_path(&on_disk)), &on_disk);
            return Target::Other;
        }
        return if is_photo(&rel) {
            Target::Photo(rel)
        } else {
            Target::Track(rel)
        };
    }
    if is_unsupported_photo(&rel) {
        diags.cannot_publish(
            src.file,
            Some(line),
            format!("\"{decoded}\": {}", unsupported_photo_message(&rel)),
            &on_disk,
        );
        return Target::Other;
    }
    if rel_str.ends_with(".md") || on_disk.is_dir() || rel_str.is_empty() {
        return Target::Page(format!("{}{fragment}", rel_str.trim_end_matches('/')));
    }
    Target::Other
}

/// Where `path` really is, when following its links leads outside `content/` (a symlink to
/// `/etc/passwd`, or to a folder elsewhere): the build must not publish it.
pub(super) fn leaves_site(path: &Path, content: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    let base = std::fs::canonicalize(content).ok()?;
    (!real.starts_with(&base)).then_some(real)
}

/// The message for a file that is a link to somewhere outside the site.
pub(super) fn leaves_site_message(target: &Path) -> String {
    format!(
        "this is a link to {}, outside the site's content/ folder, so capsule does not publish it; copy it into content/ instead",
        crate::error::display_path(target)
    )
}

/// Whether a link of a playlist's text names a recording on another site: an `https:` (or `http:`)
/// address of an audio file, or of a track's place on a page (`…/index.html#track-seed`), or the
/// `gemini:` address of an audio file. Which site's recording it is, the followed catalogues say.
pub(crate) fn is_recording_address(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let audio_file = is_audio(Path::new(&percent_decode(u.path())));
    match u.scheme() {
        "http" | "https" => {
            u.host().is_some()
                && (audio_file || u.fragment().is_some_and(|f| f.starts_with("track-")))
        }
        "gemini" => u.host().is_some() && audio_file,
        _ => false,
    }
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        }
        None => url.starts_with("//"),
    }
}

/// Decodes `%XX` escapes of a link target (anything else stays as it is).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Joins `target` to `dir` lexically; `None` when the result leaves `content/`.
/// A leading `/` means the content root.
fn resolve(dir: &Path, target: &str) -> Option<PathBuf> {
    let target = target.replace('\\', "/");
    let (base, rest) = match target.strip_prefix('/') {
        Some(rest) => (PathBuf::new(), rest.to_string()),
        None => (dir.to_path_buf(), target),
    };
    let mut parts: Vec<String> = base
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p if p.contains('\0') => return None,
            p => parts.push(p.to_string()),
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_on_another_site_is_a_web_address_of_an_audio_file_or_a_tracks_place() {
        for yes in [
            "https://alice.example/music/tracks/moss.opus",
            "https://alice.example/music/tracks/Moss%20Bank.MP3",
            "https://alice.example/playlists/night/#track-moss",
            "http://127.0.0.1:8765/playlists/night/index.html#track-moss",
            "gemini://alice.example/music/tracks/moss.mp3",
        ] {
            assert!(is_recording_address(yes), "{yes}");
        }
        for no in [
            "https://alice.example/playlists/night/",
            "https://alice.example/playlists/night/#intro",
            "gemini://alice.example/playlists/night/#track-moss",
            "mailto:moss@alice.example",
            "javascript:alert('x.mp3')",
            "moss.opus",
            "https:///x.mp3",
        ] {
            assert!(!is_recording_address(no), "{no}");
        }
    }

    #[test]
    fn resolve_stays_inside_content() {
        assert_eq!(
            resolve(Path::new("albums/a"), "x.jpg"),
            Some(PathBuf::from("albums/a/x.jpg"))
        );
        assert_eq!(
            resolve(Path::new("albums/a"), "../../about.md"),
            Some(PathBuf::from("about.md"))
        );
        assert_eq!(resolve(Path::new("albums/a"), "../../../etc/passwd"), None);
        assert_eq!(
            resolve(Path::new(""), "/albums/b/"),
            Some(PathBuf::from("albums/b"))
        );
    }

    #[test]
    fn schemes_are_external() {
        assert!(has_scheme("https://example.org"));
        assert!(has_scheme("gemini://example.org"));
        assert!(has_scheme("mailto:me@example.org"));
        assert!(!has_scheme("photo.jpg"));
        assert!(!has_scheme("a/b:c.jpg"));
    }

    #[test]
    fn only_reader_schemes_and_valid_addresses_become_links() {
        for ok in [
            "https://example.org/a%20b",
            "http://[::1]/",
            "gemini://example.org/",
            "mailto:me@example.org",
            "//example.org/x",
            "#top",
        ] {
            assert_eq!(refused_address(ok), None, "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox",
            "https://../",
            "https://a..b/",
        ] {
            assert!(refused_address(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("my%20photo.jpg"), "my photo.jpg");
        assert_eq!(percent_decode("%2e%2e/x"), "../x");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%é%"), "%é%");
    }
}
