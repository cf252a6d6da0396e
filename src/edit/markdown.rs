//! Edits of a writer's Markdown file that change only what the form changed: a front-matter line, or
//! the body. Everything else (comments, blank lines, the order of keys, other settings) stays
//! byte-for-byte as the writer left it.

use crate::content::frontmatter::{self, DateValue, FrontMatter};

/// The front-matter fields the text form shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fields {
    pub title: String,
    pub date: String,
    pub description: String,
    pub draft: bool,
    pub publish_originals: bool,
}

impl Fields {
    pub(crate) fn of(front: &FrontMatter) -> Fields {
        Fields {
            title: front.title.clone().unwrap_or_default(),
            date: front
                .date
                .as_ref()
                .map(|d| match d {
                    DateValue::Toml(t) => t.to_string(),
                    DateValue::Text(s) => s.clone(),
                })
                .unwrap_or_default(),
            description: front.description.clone().unwrap_or_default(),
            draft: front.draft,
            publish_originals: front.publish_originals,
        }
    }

    /// Each field as the TOML line value it needs, `None` where the line should not exist.
    fn values(&self) -> [(&'static str, Option<String>); 5] {
        let text = |s: &str| (!s.is_empty()).then(|| toml_string(s));
        let flag = |b: bool| b.then(|| "true".to_string());
        [
            ("title", text(&self.title)),
            (
                "date",
                (!self.date.is_empty()).then(|| {
                    if is_day(&self.date) {
                        self.date.clone()
                    } else {
                        toml_string(&self.date)
                    }
                }),
            ),
            ("description", text(&self.description)),
            ("draft", flag(self.draft)),
            ("publish_originals", flag(self.publish_originals)),
        ]
    }
}

/// `YYYY-MM-DD`, written as a TOML date.
pub(crate) fn is_day(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// A TOML basic string, escaped.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The file `original` with the fields that differ between `old` and `new` rewritten, and `body` in
/// place of its body. Unchanged fields keep their lines as they were; an unchanged body keeps its bytes.
pub(crate) fn apply(original: &str, old: &Fields, new: &Fields, body: &str) -> String {
    let (bom, text) = match original.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", original),
    };
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (mut toml, old_body, had_front) = match frontmatter::split(text) {
        Ok(Some(parts)) => (
            text[parts.toml.0..parts.toml.1].to_string(),
            &text[parts.body..],
            true,
        ),
        _ => (String::new(), text, false),
    };
    let (old_values, new_values) = (old.values(), new.values());
    for ((key, before), (_, after)) in old_values.iter().zip(new_values.iter()) {
        if before != after {
            toml = set_key(&toml, key, after.as_deref(), eol);
        }
    }
    let body = if body == old_body { old_body } else { body };
    let mut out = String::from(bom);
    if had_front || !toml.trim().is_empty() {
        let (open, close) = match frontmatter::split(text) {
            Ok(Some(parts)) => (
                text[..parts.toml.0].to_string(),
                text[parts.toml.1..parts.body].to_string(),
            ),
            _ => (format!("+++{eol}"), format!("+++{eol}")),
        };
        out.push_str(&open);
        out.push_str(&toml);
        out.push_str(&close);
    }
    out.push_str(body);
    out
}

/// The file `original` with the front-matter key `key` set to the TOML `value` (or removed), and
/// `body` in place of its body; every other byte as it was.
pub(crate) fn with_key(original: &str, key: &str, value: Option<&str>, body: &str) -> String {
    let (bom, text) = match original.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", original),
    };
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    match frontmatter::split(text) {
        Ok(Some(parts)) => {
            let toml = set_key(&text[parts.toml.0..parts.toml.1], key, value, eol);
            format!(
                "{bom}{}{toml}{}{body}",
                &text[..parts.toml.0],
                &text[parts.toml.1..parts.body]
            )
        }
        _ => match value {
            Some(v) => format!("{bom}+++{eol}{key} = {v}{eol}+++{eol}{body}"),
            None => format!("{bom}{body}"),
        },
    }
}

/// The file `original` with `body` in place of its body.
pub(crate) fn with_body(original: &str, body: &str) -> String {
    let (bom, text) = match original.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", original),
    };
    match frontmatter::split(text) {
        Ok(Some(parts)) => format!("{bom}{}{body}", &text[..parts.body]),
        _ => format!("{bom}{body}"),
    }
}

/// The body of a Markdown file: what follows its front matter.
pub(crate) fn body_of(original: &str) -> &str {
    let text = original.strip_prefix('\u{feff}').unwrap_or(original);
    match frontmatter::split(text) {
        Ok(Some(parts)) => &text[parts.body..],
        _ => text,
    }
}

/// A TOML array of strings.
pub(crate) fn toml_strings(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A TOML basic string, for a front-matter value.
pub(crate) fn toml_value(s: &str) -> String {
    toml_string(s)
}

/// The file `original` with `key` of the table `[tracks."file"]` set to the TOML `value`, or removed;
/// a table left empty is removed, and a missing one added at the end of the front matter.
pub(crate) fn with_track_key(original: &str, file: &str, key: &str, value: Option<&str>) -> String {
    let header = format!("[tracks.{}]", toml_string(file));
    let (bom, text) = match original.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", original),
    };
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (open, toml, close, body) = match frontmatter::split(text) {
        Ok(Some(p)) => (
            &text[..p.toml.0],
            &text[p.toml.0..p.toml.1],
            &text[p.toml.1..p.body],
            &text[p.body..],
        ),
        _ => ("", "", "", text),
    };
    let mut lines: Vec<String> = toml.split_inclusive('\n').map(str::to_string).collect();
    let is_header = |l: &str| l.trim_start().starts_with('[');
    let start = lines
        .iter()
        .position(|l| l.trim() == header || l.trim().replace(' ', "") == header.replace(' ', ""));
    let new_line = value.map(|v| format!("{key} = {v}{eol}"));
    match start {
        Some(h) => {
            let end = lines[h + 1..]
                .iter()
                .position(|l| is_header(l))
                .map_or(lines.len(), |i| h + 1 + i);
            let found = (h + 1..end).find(|&i| {
                let t = lines[i].trim_start();
                t.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            });
            match (found, new_line) {
                (Some(i), Some(line)) => lines[i] = line,
                (Some(i), None) => {
                    lines.remove(i);
                    let empty = lines[h + 1..end - 1].iter().all(|l| l.trim().is_empty());
                    if empty {
                        lines.drain(h..end - 1);
                    }
                }
                (None, Some(line)) => lines.insert(end.min(lines.len()), line),
                (None, None) => {}
            }
        }
        None => {
            if let Some(line) = new_line {
                if lines.last().is_some_and(|l| !l.ends_with('\n')) {
                    lines.push(eol.to_string());
                }
                lines.push(format!("{eol}{header}{eol}"));
                lines.push(line);
            }
        }
    }
    let toml = lines.concat();
    if open.is_empty() {
        if toml.trim().is_empty() {
            return format!("{bom}{body}");
        }
        return format!(
            "{bom}+++{eol}{}+++{eol}{body}",
            toml.trim_start_matches(['\r', '\n'])
        );
    }
    format!("{bom}{open}{toml}{close}{body}")
}

/// `toml` with the top-level `key` line set to `key = value`, added before the first table when it
/// was missing, or removed when `value` is `None`.
fn set_key(toml: &str, key: &str, value: Option<&str>, eol: &str) -> String {
    let lines: Vec<&str> = toml.split_inclusive('\n').collect();
    let first_table = lines
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .unwrap_or(lines.len());
    let is_key = |line: &str| {
        let t = line.trim_start();
        t.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    let found = lines[..first_table].iter().position(|l| is_key(l));
    let new_line = value.map(|v| format!("{key} = {v}{eol}"));
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match (found, new_line) {
        (Some(i), Some(line)) => out[i] = line,
        (Some(i), None) => {
            out.remove(i);
        }
        (None, Some(line)) => {
            // After the last top-level key, so the new line sits with its kind, not after a comment block.
            let at = lines[..first_table]
                .iter()
                .rposition(|l| l.contains('='))
                .map_or(0, |i| i + 1);
            if at > 0 && !out[at - 1].ends_with('\n') {
                out[at - 1].push_str(eol);
            }
            out.insert(at, line);
        }
        (None, None) => {}
    }
    out.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Fields {
        Fields::of(
            &frontmatter::parse(text, std::path::Path::new("x.md"))
                .unwrap()
                .front,
        )
    }

    const ALBUM: &str = "+++\n# The writer's note\ntitle = \"Harbour\"\ndate = 2024-06-01\n\n[tracks.\"a.flac\"]\ntitle = \"A\"\n+++\n\nWe arrived early.\n\n![A gull](gull.jpg)\n";

    #[test]
    fn nothing_changed_is_byte_identical() {
        let old = fields(ALBUM);
        let body = &ALBUM[ALBUM.find("\nWe").unwrap()..];
        assert_eq!(apply(ALBUM, &old, &old.clone(), body), ALBUM);
    }

    #[test]
    fn one_field_changes_one_line() {
        let old = fields(ALBUM);
        let new = Fields {
            title: "Harbour, June \"24\"".into(),
            description: "A morning".into(),
            draft: true,
            ..old.clone()
        };
        let body = &ALBUM[ALBUM.find("\nWe").unwrap()..];
        let out = apply(ALBUM, &old, &new, body);
        assert_eq!(
            out,
            "+++\n# The writer's note\ntitle = 'Harbour, June \"24\"'\ndate = 2024-06-01\ndescription = \"A morning\"\ndraft = true\n\n[tracks.\"a.flac\"]\ntitle = \"A\"\n+++\n\nWe arrived early.\n\n![A gull](gull.jpg)\n"
        );
        assert_eq!(fields(&out), new);
        // The track's title (in its table) is not the page's.
        let cleared = Fields {
            date: String::new(),
            draft: false,
            ..new.clone()
        };
        let out2 = apply(&out, &new, &cleared, body);
        assert!(!out2.contains("date ="), "{out2}");
        assert!(
            out2.contains("[tracks.\"a.flac\"]\ntitle = \"A\""),
            "{out2}"
        );
    }

    #[test]
    fn a_file_without_front_matter_gets_one_only_when_needed() {
        let text = "Just text.\n";
        let old = fields(text);
        assert_eq!(apply(text, &old, &old.clone(), "Just text.\n"), text);
        let new = Fields {
            title: "About".into(),
            ..old.clone()
        };
        let out = apply(text, &old, &new, "Just text.\n");
        assert_eq!(out, "+++\ntitle = \"About\"\n+++\nJust text.\n");
    }

    #[test]
    fn track_keys_live_in_their_table() {
        let out = with_track_key(ALBUM, "a.flac", "artist", Some("\"The Band\""));
        assert!(
            out.contains("[tracks.\"a.flac\"]\ntitle = \"A\"\nartist = \"The Band\"\n+++"),
            "{out}"
        );
        let out = with_track_key(&out, "a.flac", "title", None);
        assert!(
            out.contains("[tracks.\"a.flac\"]\nartist = \"The Band\"\n+++"),
            "{out}"
        );
        let out = with_track_key(&out, "a.flac", "artist", None);
        assert!(!out.contains("tracks"), "an empty table goes: {out}");
        assert!(
            out.starts_with("+++\n# The writer's note\ntitle = \"Harbour\""),
            "{out}"
        );
        let new = with_track_key(&out, "b c.mp3", "title", Some("\"B\""));
        assert!(
            new.contains("\n[tracks.\"b c.mp3\"]\ntitle = \"B\"\n+++"),
            "{new}"
        );
        let bare = with_track_key("Text.\n", "x.flac", "title", Some("\"X\""));
        assert_eq!(
            bare,
            "+++\n[tracks.\"x.flac\"]\ntitle = \"X\"\n+++\nText.\n"
        );
    }

    #[test]
    fn the_body_is_replaced_whole_and_front_matter_kept() {
        let old = fields(ALBUM);
        let out = apply(ALBUM, &old, &old.clone(), "\nNew text.\n");
        assert!(out.starts_with("+++\n# The writer's note\ntitle = \"Harbour\""));
        assert!(out.ends_with("+++\n\nNew text.\n"));
    }
}
