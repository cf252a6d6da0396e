//! The *Settings* page: what a member changes in `capsule.toml`, in a form. Only the keys the member
//! changed are written (through toml_edit, so comments, order and every other key stay byte for byte),
//! after the same validation as a build, and never over a file that changed since the form was made.

use std::path::Path;

use serde::Serialize;
use toml_edit::{DocumentMut, Item, Value};

use super::forms::Form;
use super::pages::{Base, FieldError, Pages};
use super::settings_words::{settings_words, SettingsWords};
use super::write::{self, Saved};
use super::Reply;
use crate::config::{Config, Limit, CONFIG_FILE};
use crate::units::human_bytes;

/// How a setting is written in `capsule.toml`.
#[derive(Clone, Copy)]
enum Kind {
    /// A string that must be there.
    Text,
    /// A string that may be left out: an empty field removes the key.
    Optional,
    /// A whole number.
    Number,
    /// One of a few strings.
    Choice(&'static [&'static str]),
    /// A size (`"100 MB"`) or `"none"`.
    Size,
    /// A list of strings, one per line of a text area; none removes the key.
    Lines,
}

/// The settings of the page, by their dotted key, in the order shown.
const FIELDS: &[(&str, Kind)] = &[
    ("title", Kind::Text),
    ("author", Kind::Optional),
    ("description", Kind::Optional),
    ("language", Kind::Choice(&["en", "fr"])),
    ("html_base_url", Kind::Optional),
    ("gemini_base_url", Kind::Optional),
    ("photos.thumbnail", Kind::Number),
    ("photos.display", Kind::Number),
    ("photos.gemini", Kind::Number),
    ("photos.format", Kind::Choice(&["webp", "avif", "jpeg"])),
    ("photos.target", Kind::Number),
    (
        "audio.quality",
        Kind::Choice(&["frugal", "standard", "high"]),
    ),
    ("library.follow", Kind::Lines),
    ("budget.html", Kind::Size),
    ("budget.gemini", Kind::Size),
    ("budget.audio", Kind::Size),
    ("budget.collective", Kind::Size),
    ("edit.max_file", Kind::Size),
    ("edit.max_request", Kind::Size),
];

fn size_text(limit: Limit) -> String {
    limit.0.map(human_bytes).unwrap_or_else(|| "none".into())
}

/// What a setting is when `capsule.toml` does not say it: the default, as the form shows it.
fn effective(config: &Config, key: &str) -> String {
    match key {
        "title" => config.title.clone(),
        "author" => config.author.clone().unwrap_or_default(),
        "description" => config.description.clone().unwrap_or_default(),
        "language" => config.language.code().into(),
        "html_base_url" => config.html_base_url.clone().unwrap_or_default(),
        "gemini_base_url" => config.gemini_base_url.clone().unwrap_or_default(),
        "photos.thumbnail" => config.photos.thumbnail.to_string(),
        "photos.display" => config.photos.display.to_string(),
        "photos.gemini" => config.photos.gemini.to_string(),
        "photos.format" => config.photos.format.ext().replace("jpg", "jpeg"),
        "photos.target" => config.photos.target.to_string(),
        "audio.quality" => toml::Value::try_from(config.audio.quality)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        "budget.html" => size_text(config.budget.html),
        "budget.gemini" => size_text(config.budget.gemini),
        "budget.audio" => size_text(config.budget.audio),
        "budget.collective" => size_text(config.budget.collective),
        "library.follow" => config.library.follow.join("\n"),
        "edit.max_file" => size_text(config.edit.max_file),
        "edit.max_request" => size_text(config.edit.max_request),
        _ => String::new(),
    }
}

/// The value a key has in the document as written, if it is there.
fn written(doc: &DocumentMut, key: &str) -> Option<String> {
    let mut item: &Item = doc.as_item();
    for part in key.split('.') {
        item = item.get(part)?;
    }
    match item.as_value()? {
        Value::String(s) => Some(s.value().clone()),
        Value::Integer(i) => Some(i.value().to_string()),
        // A list is shown one item a line, as the form's text area takes it.
        Value::Array(a) => Some(
            a.iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => Some(other.to_string().trim().to_string()),
    }
}

/// The form's value of each setting: as written in the file, or the default.
fn values(doc: &DocumentMut, config: &Config) -> Vec<(&'static str, String)> {
    FIELDS
        .iter()
        .map(|(key, _)| {
            (
                *key,
                written(doc, key).unwrap_or_else(|| effective(config, key)),
            )
        })
        .collect()
}

/// Sets the dotted `key` to `value` in place: a value already there keeps its spacing and its comment;
/// a missing table is made (`[publish.html]`, with no empty `[publish]` above it); `None` removes it.
pub(super) fn set(doc: &mut DocumentMut, key: &str, value: Option<Value>) {
    let parts: Vec<&str> = key.split('.').collect();
    let Some((leaf, tables)) = parts.split_last() else {
        return;
    };
    let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for (i, name) in tables.iter().enumerate() {
        if table.get(name).is_none() {
            if value.is_none() {
                return;
            }
            let mut new = toml_edit::Table::new();
            new.set_implicit(i + 1 < tables.len());
            table.insert(name, Item::Table(new));
        }
        table = match table.get_mut(name).and_then(Item::as_table_like_mut) {
            Some(t) => t,
            None => return,
        };
    }
    match value {
        None => {
            table.remove(leaf);
        }
        Some(mut new) => match table.get_mut(leaf).and_then(Item::as_value_mut) {
            Some(old) => {
                *new.decor_mut() = old.decor().clone();
                *old = new;
            }
            None => {
                table.insert(leaf, Item::Value(new));
            }
        },
    }
}

#[derive(Serialize)]
struct FieldCtx {
    /// The input's name and id.
    key: &'static str,
    label: &'static str,
    hint: String,
    value: String,
    /// The choices of a select: (value, label).
    choices: Vec<(&'static str, String)>,
    number: bool,
    /// A text area, one item a line.
    lines: bool,
    error: Option<String>,
}

impl Pages {
    fn settings_file(&self) -> std::path::PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// The Settings page, from `capsule.toml` as it is now.
    pub(crate) fn settings(&self, csrf: &str, done: Option<&str>) -> Reply {
        let bytes = std::fs::read(self.settings_file()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let doc = text.parse::<DocumentMut>().unwrap_or_default();
        let config = Config::parse(&text, Path::new(CONFIG_FILE)).unwrap_or_default();
        let mut base = self.base(settings_words(self.config.language).title, "settings", csrf);
        base.notice = self.notice(done);
        self.settings_page(
            200,
            base,
            values(&doc, &config),
            &write::fingerprint(&bytes),
            Vec::new(),
        )
    }

    fn settings_page(
        &self,
        status: u16,
        mut base: Base<'_>,
        values: Vec<(&'static str, String)>,
        fingerprint: &str,
        errors: Vec<(&'static str, String)>,
    ) -> Reply {
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: Base<'a>,
            s: &'static SettingsWords,
            fingerprint: &'a str,
            groups: Vec<(&'static str, Vec<FieldCtx>)>,
        }
        let s = settings_words(self.config.language);
        base.errors = errors
            .iter()
            .map(|(key, message)| FieldError {
                field: FIELDS
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(k, _)| *k)
                    .unwrap_or("title"),
                message: message.clone().into(),
            })
            .collect();
        let mut groups: Vec<(&'static str, Vec<FieldCtx>)> = Vec::new();
        for ((key, kind), (_, value)) in FIELDS.iter().zip(values) {
            let (label, hint) = s.field(key);
            let group = s.group(key);
            let field = FieldCtx {
                key,
                label,
                hint: hint.to_string(),
                value,
                choices: match kind {
                    Kind::Choice(options) => {
                        options.iter().map(|o| (*o, s.choice(key, o))).collect()
                    }
                    _ => Vec::new(),
                },
                number: matches!(kind, Kind::Number),
                lines: matches!(kind, Kind::Lines),
                error: errors
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, m)| m.clone()),
            };
            match groups.last_mut() {
                Some((g, fields)) if *g == group => fields.push(field),
                _ => groups.push((group, vec![field])),
            }
        }
        Reply::html(
            status,
            self.render(
                "edit/settings.html",
                &Ctx {
                    base,
                    s,
                    fingerprint,
                    groups,
                },
            ),
        )
    }

    /// Saves the settings the member changed, if the whole file then passes the build's checks.
    pub(crate) fn save_settings(&self, csrf: &str, form: &Form) -> Reply {
        let s = settings_words(self.config.language);
        let path = self.settings_file();
        let bytes = std::fs::read(&path).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let submitted: Vec<(&'static str, String)> = FIELDS
            .iter()
            .map(|(key, _)| {
                // A text area sends its lines with CRLF.
                let value = form.get(key).unwrap_or("").replace("\r\n", "\n");
                (*key, value.trim().to_string())
            })
            .collect();
        let expected = form.get("fingerprint").unwrap_or("");
        if write::fingerprint(&bytes) != expected {
            let yours = submitted
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join("\n");
            return self.settings_conflict(&yours, &text);
        }
        let Ok(mut doc) = text.parse::<DocumentMut>() else {
            let config = Config::default();
            let errors = vec![("title", s.unreadable.to_string())];
            let base = self.base(s.title, "settings", csrf);
            return self.settings_page(
                400,
                base,
                values(&DocumentMut::new(), &config),
                expected,
                errors,
            );
        };
        let config = Config::parse(&text, Path::new(CONFIG_FILE)).unwrap_or_default();
        let before = values(&doc, &config);
        let mut errors = Vec::new();
        for (((key, kind), (_, old)), (_, new)) in FIELDS.iter().zip(&before).zip(&submitted) {
            if old == new {
                continue;
            }
            let value = match kind {
                Kind::Optional if new.is_empty() => None,
                Kind::Lines => {
                    let items: Vec<&str> = new
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect();
                    (!items.is_empty()).then(|| Value::Array(items.into_iter().collect()))
                }
                Kind::Number => match new.parse::<i64>() {
                    Ok(n) => Some(Value::from(n)),
                    Err(_) => {
                        errors.push((*key, s.whole_number.to_string()));
                        continue;
                    }
                },
                _ => Some(Value::from(new.as_str())),
            };
            set(&mut doc, key, value);
        }
        let new_text = doc.to_string();
        if errors.is_empty() {
            if let Err(e) = Config::parse(&new_text, Path::new(CONFIG_FILE)) {
                errors = match e {
                    crate::error::Error::Content { errors } => errors
                        .into_iter()
                        .map(|d| (field_of(&d.message), d.message))
                        .collect(),
                    other => vec![("title", other.to_string())],
                };
            }
        }
        if !errors.is_empty() {
            let base = self.base(s.title, "settings", csrf);
            return self.settings_page(400, base, submitted, expected, errors);
        }
        match write::replace(&path, new_text.as_bytes(), expected) {
            Ok(Saved::Written) => Reply::see_other("/_edit/settings?done=saved".into()),
            Ok(Saved::Unchanged) => Reply::see_other("/_edit/settings?done=unchanged".into()),
            Ok(Saved::Conflict(disk)) => {
                self.settings_conflict(&String::from_utf8_lossy(new_text.as_bytes()), &disk)
            }
            Err(e) => Reply::html(500, self.message(500, "Error", &e.to_string(), true)),
        }
    }

    fn settings_conflict(&self, yours: &str, disk: &str) -> Reply {
        self.conflict_at("/_edit/settings", "settings", yours, disk)
    }
}

/// The setting a build's message is about: the one it names (`photos.display = …`, `target: …`).
fn field_of(message: &str) -> &'static str {
    let named = |key: &str| {
        let leaf = key.rsplit('.').next().unwrap_or(key);
        message.starts_with(key)
            || message.contains(&format!("{key} "))
            || message.starts_with(&format!("{leaf} "))
            || message.starts_with(&format!("{leaf}:"))
            || message.starts_with(&format!("{leaf} ="))
    };
    FIELDS
        .iter()
        .map(|(k, _)| *k)
        .find(|k| k.contains('.') && named(k))
        .or_else(|| FIELDS.iter().map(|(k, _)| *k).find(|k| named(k)))
        .unwrap_or("title")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "# My settings\ntitle = \"Old\"  # the name\n\n[photos]\n# sizes\ndisplay = 1600\n";

    #[test]
    fn a_changed_key_keeps_its_comment_and_every_other_byte() {
        let mut doc: DocumentMut = TEXT.parse().unwrap();
        set(&mut doc, "title", Some(Value::from("New")));
        set(&mut doc, "photos.display", Some(Value::from(1200)));
        assert_eq!(
            doc.to_string(),
            "# My settings\ntitle = \"New\"  # the name\n\n[photos]\n# sizes\ndisplay = 1200\n"
        );
    }

    #[test]
    fn a_new_key_goes_into_its_table_and_an_emptied_optional_one_goes_away() {
        let mut doc: DocumentMut = TEXT.parse().unwrap();
        set(&mut doc, "author", Some(Value::from("Camille")));
        set(&mut doc, "audio.quality", Some(Value::from("high")));
        let text = doc.to_string();
        assert!(
            text.starts_with("# My settings\ntitle = \"Old\"  # the name\nauthor = \"Camille\"\n"),
            "{text}"
        );
        assert!(text.contains("[audio]\nquality = \"high\"\n"), "{text}");
        let config = Config::parse(&text, Path::new(CONFIG_FILE)).unwrap();
        assert_eq!(config.author.as_deref(), Some("Camille"));
        set(&mut doc, "author", None);
        set(&mut doc, "budget.html", None);
        assert!(!doc.to_string().contains("author"));
        assert!(!doc.to_string().contains("[budget]"));
        set(
            &mut doc,
            "publish.html.bucket",
            Some(Value::from("my-site")),
        );
        let text = doc.to_string();
        assert!(
            text.ends_with("\n[publish.html]\nbucket = \"my-site\"\n"),
            "{text}"
        );
        assert!(!text.contains("[publish]"), "{text}");
    }

    #[test]
    fn a_message_is_shown_next_to_the_setting_it_names() {
        assert_eq!(
            field_of(
                "photos.display = 9 is out of range; use a size in pixels between 16 and 8192"
            ),
            "photos.display"
        );
        assert_eq!(field_of("title: invalid type"), "title");
    }
}
