//! Front matter: the TOML between `+++` lines at the top of a Markdown file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::config::toml_message;
use crate::error::{line_of_offset, Diagnostic};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<DateValue>,
    pub description: Option<String>,
    /// A photo file in the item's folder, used as its cover.
    pub cover: Option<String>,
    #[serde(default)]
    pub draft: bool,
    /// Also publish each photo's original file, byte for byte, metadata included (an explicit opt-in).
    #[serde(default)]
    pub publish_originals: bool,
    /// Photos (file names) that only decorate: they need no alt text, and get no warning for it.
    #[serde(default)]
    pub decorative: Vec<String>,
    /// Per-track overrides in a playlist, keyed by file name.
    #[serde(default)]
    pub tracks: BTreeMap<String, TrackOverride>,
    /// A playlist's genres, for every track that does not set its own.
    pub genre: Option<Genres>,
    /// Who made this playlist, when it is not the site's `author`.
    pub curator: Option<String>,
}

/// `genre = "ambient"` or `genre = ["ambient", "drone"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Genres {
    One(String),
    Many(Vec<String>),
}

impl Genres {
    /// The genres named, trimmed, without empty names.
    pub(crate) fn list(&self) -> Vec<String> {
        let all: Vec<&String> = match self {
            Genres::One(g) => vec![g],
            Genres::Many(v) => v.iter().collect(),
        };
        all.into_iter()
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty())
            .collect()
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrackOverride {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub number: Option<u32>,
    /// Replaces the genres of the file's tags (and of the playlist).
    pub genre: Option<Genres>,
}

/// `date = 2024-06-01` (a TOML date) or `date = "2024-06-01"` (a string).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum DateValue {
    Toml(toml::value::Datetime),
    Text(String),
}

/// A Markdown file split into its parsed front matter and its body.
#[derive(Debug)]
pub(crate) struct Document {
    pub front: FrontMatter,
    pub body: String,
    /// The line of the file on which the body starts (1-based).
    pub body_line: usize,
    front_text: String,
}

impl Document {
    /// The file line of a front-matter key, for messages about its value.
    pub(crate) fn line_of(&self, key: &str) -> Option<usize> {
        crate::config::line_of_key(&self.front_text, key).map(|l| l + 1)
    }
}

/// Where the parts of a Markdown file with front matter lie, as byte offsets into the text (after a BOM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    /// The TOML between the `+++` lines: `toml.0..toml.1`.
    pub toml: (usize, usize),
    /// Where the body starts, after the closing `+++` line.
    pub body: usize,
}

/// `Ok(None)` for a file without front matter, `Err(())` for an opening `+++` that never closes.
pub(crate) fn split(text: &str) -> Result<Option<Parts>, ()> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Ok(None);
    }
    let start = first.len();
    let mut offset = start;
    for line in lines {
        if line.trim_end() == "+++" {
            return Ok(Some(Parts {
                toml: (start, offset),
                body: offset + line.len(),
            }));
        }
        offset += line.len();
    }
    Err(())
}

/// Splits and parses `text`; errors carry the file's line numbers.
pub(crate) fn parse(text: &str, file: &Path) -> Result<Document, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match split(text) {
        Ok(None) => Ok(Document {
            front: FrontMatter::default(),
            body: text.to_string(),
            body_line: 1,
            front_text: String::new(),
        }),
        Ok(Some(parts)) => {
            let toml_text = &text[parts.toml.0..parts.toml.1];
            let front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
                let line = e.span().map(|s| line_of_offset(toml_text, s.start) + 1);
                Diagnostic::new(file, line, format!("front matter: {}", toml_message(&e)))
            })?;
            Ok(Document {
                front,
                body: text[parts.body..].to_string(),
                body_line: line_of_offset(text, parts.body),
                front_text: toml_text.to_string(),
            })
        }
        Err(()) => Err(Diagnostic::new(
            file,
            Some(1),
            "front matter starts with +++ but never ends; add a line with only +++ after the settings",
        )),
    }
}

impl DateValue {
    /// The date as `YYYY-MM-DD`, or a message saying what is wrong.
    pub(crate) fn normalise(&self) -> Result<String, String> {
        let text = match self {
            DateValue::Toml(d) => d.to_string(),
            DateValue::Text(s) => s.clone(),
        };
        let day = text.get(..10).unwrap_or("");
        let valid = day.len() == 10
            && day.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            })
            && (1..=12).contains(&day[5..7].parse::<u32>().unwrap_or(0))
            && (1..=31).contains(&day[8..10].parse::<u32>().unwrap_or(0));
        if valid {
            Ok(day.to_string())
        } else {
            Err(format!(
                "date \"{text}\" is not a date; write it as date = 2024-06-01"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_front_matter_keeps_body() {
        let d = parse("# Hi\n", Path::new("a.md")).unwrap();
        assert_eq!(d.body, "# Hi\n");
        assert_eq!(d.body_line, 1);
    }

    #[test]
    fn parses_fields_and_body_line() {
        let d = parse(
            "+++\ntitle = \"Hi\"\ndate = 2024-06-01\n+++\nBody\n",
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(d.front.title.as_deref(), Some("Hi"));
        assert_eq!(d.front.date.unwrap().normalise().unwrap(), "2024-06-01");
        assert_eq!(d.body, "Body\n");
        assert_eq!(d.body_line, 5);
    }

    #[test]
    fn unknown_key_reports_file_line() {
        let e = parse(
            "+++\ntitle = \"Hi\"\nauthr = \"me\"\n+++\n",
            Path::new("a.md"),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("authr"), "{}", e.message);
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        let e = parse("+++\ntitle = \"Hi\"\n", Path::new("a.md")).unwrap_err();
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn bad_date_is_refused() {
        assert!(DateValue::Text("June".into()).normalise().is_err());
        assert!(DateValue::Text("2024-13-01".into()).normalise().is_err());
    }
}
