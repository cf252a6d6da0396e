//! The size report: files and bytes per format and kind of file, computed from what the build wrote.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{BudgetConfig, Config};
use crate::content::{PageKind, Site};
use crate::error::{display_path, Error};
use crate::media::MediaStats;
use crate::output::{Format, Kind, Written};
use crate::units::human_bytes;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub files: u64,
    pub bytes: u64,
}

impl Count {
    fn add(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kinds {
    pub pages: Count,
    pub images: Count,
    pub audio: Count,
    pub other: Count,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormatReport {
    pub total_bytes: u64,
    pub files: u64,
    pub kinds: Kinds,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// `gemini` and `html`.
    pub formats: BTreeMap<String, FormatReport>,
    /// Where the build wrote its output.
    pub out: PathBuf,
    pub warnings: usize,
    /// Media jobs that encoded, and those served from the cache.
    pub media: MediaStats,
    /// Each album and playlist, largest first.
    #[serde(default)]
    pub items: Vec<Item>,
    /// One line per limit set in `[budget]`.
    #[serde(default)]
    pub budgets: Vec<Budget>,
}

/// The bytes one album or playlist adds to each format (its page and its media).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// `album` or `playlist`.
    pub kind: String,
    pub slug: String,
    pub bytes: ItemBytes,
    /// Output folder inside each format, for matching files.
    #[serde(skip)]
    pub dir: String,
    #[serde(skip)]
    pub draft: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemBytes {
    pub gemini: u64,
    pub html: u64,
}

impl ItemBytes {
    pub fn add(&mut self, format: Format, bytes: u64) {
        match format {
            Format::Gemini => self.gemini += bytes,
            Format::Html => self.html += bytes,
        }
    }

    pub fn total(&self) -> u64 {
        self.gemini + self.html
    }
}

/// One budget, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// The key in `[budget]`: `html`, `gemini` or `audio`.
    pub name: String,
    /// `html`, `gemini`, or `all` for the audio budget.
    pub format: String,
    pub used_bytes: u64,
    pub limit_bytes: u64,
    pub ok: bool,
}

impl Budget {
    /// "4.9 MB of 100 MB, 95.1 MB left" or "412 KB of 300 KB, 112 KB over".
    pub fn summary(&self) -> String {
        let (used, limit) = (human_bytes(self.used_bytes), human_bytes(self.limit_bytes));
        if self.ok {
            format!(
                "{used} of {limit}, {} left",
                human_bytes(self.limit_bytes - self.used_bytes)
            )
        } else {
            format!(
                "{used} of {limit}, {} over",
                human_bytes(self.used_bytes - self.limit_bytes)
            )
        }
    }

    pub fn description(&self) -> &'static str {
        Budget::describe(&self.name)
    }

    /// What the budget named `name` (a key of `[budget]`) limits, in words.
    pub fn describe(name: &str) -> &'static str {
        match name {
            "html" => "the HTML site",
            "gemini" => "the Gemini capsule",
            _ => "the audio of all playlists",
        }
    }
}

impl Report {
    pub fn from_written(
        written: &[Written],
        site: &Site,
        budget: &BudgetConfig,
        out: &Path,
        warnings: usize,
        media: MediaStats,
    ) -> Report {
        let mut formats: BTreeMap<String, FormatReport> = Format::ALL
            .iter()
            .map(|f| (f.dir().to_string(), FormatReport::default()))
            .collect();
        for w in written {
            let f = formats.entry(w.format.dir().to_string()).or_default();
            f.files += 1;
            f.total_bytes += w.bytes;
            match w.kind {
                Kind::Pages => f.kinds.pages.add(w.bytes),
                Kind::Images => f.kinds.images.add(w.bytes),
                Kind::Audio => f.kinds.audio.add(w.bytes),
                Kind::Other => f.kinds.other.add(w.bytes),
            }
        }
        let items = items(written, site);
        let budgets = budgets(&formats, budget);
        Report {
            formats,
            out: out.to_path_buf(),
            warnings,
            media,
            items,
            budgets,
        }
    }

    /// The budgets that do not hold.
    pub fn over(&self) -> impl Iterator<Item = &Budget> {
        self.budgets.iter().filter(|b| !b.ok)
    }

    /// The table printed after each build.
    pub fn table(&self) -> String {
        let mut s = String::from("Size report\n");
        for format in Format::ALL {
            let Some(f) = self.formats.get(format.dir()) else {
                continue;
            };
            s.push_str(&format!(
                "  {} ({})\n",
                format.label(),
                display_path(&self.out.join(format.dir()))
            ));
            let rows = [
                ("pages", f.kinds.pages),
                ("images", f.kinds.images),
                ("audio", f.kinds.audio),
                ("other", f.kinds.other),
                (
                    "total",
                    Count {
                        files: f.files,
                        bytes: f.total_bytes,
                    },
                ),
            ];
            for (name, c) in rows {
                let files = format!("{} file{}", c.files, if c.files == 1 { "" } else { "s" });
                s.push_str(&format!(
                    "    {name:<7}{files:>11}{:>11}\n",
                    human_bytes(c.bytes)
                ));
            }
        }
        let m = &self.media;
        s.push_str(&format!(
            "  media: {} photos and {} tracks encoded, {} photos and {} tracks from the cache\n",
            m.photos.run, m.tracks.run, m.photos.reused, m.tracks.reused
        ));
        if self.warnings > 0 {
            s.push_str(&format!(
                "  {} warning{}\n",
                self.warnings,
                if self.warnings == 1 { "" } else { "s" }
            ));
        }
        if !self.items.is_empty() {
            s.push_str("  Albums and playlists, largest first\n");
            let width = self
                .items
                .iter()
                .map(|i| i.slug.chars().count())
                .max()
                .unwrap_or(0);
            for i in &self.items {
                s.push_str(&format!(
                    "    {:<9}{:<width$}  HTML {:>8}  Gemini {:>8}\n",
                    i.kind,
                    i.slug,
                    human_bytes(i.bytes.html),
                    human_bytes(i.bytes.gemini),
                ));
            }
        }
        for b in &self.budgets {
            s.push_str(&format!(
                "  budget {:<7}{} {}\n",
                b.name,
                if b.ok { "ok  " } else { "OVER" },
                b.summary()
            ));
        }
        s
    }

    fn path(root: &Path) -> PathBuf {
        Config::cache_dir(root).join("report.json")
    }

    pub fn save(&self, root: &Path) -> Result<(), Error> {
        let path = Self::path(root);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        }
        let json = serde_json::to_string_pretty(self).map_err(|e| Error::Usage(e.to_string()))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(Error::io("write", &path))
    }

    pub fn load(root: &Path) -> Result<Report, Error> {
        let path = Self::path(root);
        let text = std::fs::read_to_string(&path).map_err(|_| {
            Error::Usage(format!(
                "no build report for the site in {}; run `capsule build` first",
                if root.as_os_str().is_empty() {
                    ".".into()
                } else {
                    display_path(root)
                }
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{} is damaged ({e}); run `capsule build` again",
                display_path(&path)
            ))
        })
    }
}

/// Bytes per album and playlist: every file under its folder, in each format; largest first.
fn items(written: &[Written], site: &Site) -> Vec<Item> {
    let mut items: Vec<Item> = site
        .all_pages()
        .filter_map(|p| {
            let kind = match p.kind {
                PageKind::Album => "album",
                PageKind::Playlist => "playlist",
                PageKind::Home | PageKind::Page => return None,
            };
            Some(Item {
                kind: kind.into(),
                slug: p.slug.clone(),
                bytes: ItemBytes::default(),
                dir: p.dir.clone(),
                draft: p.draft,
            })
        })
        .collect();
    for w in written {
        if let Some(item) = items.iter_mut().find(|i| {
            w.path
                .strip_prefix(i.dir.as_str())
                .is_some_and(|r| r.starts_with('/'))
        }) {
            item.bytes.add(w.format, w.bytes);
        }
    }
    items.sort_by(|a, b| {
        b.bytes
            .total()
            .cmp(&a.bytes.total())
            .then(a.slug.cmp(&b.slug))
    });
    items
}

fn budgets(formats: &BTreeMap<String, FormatReport>, budget: &BudgetConfig) -> Vec<Budget> {
    let total = |f: Format| formats.get(f.dir()).map_or(0, |r| r.total_bytes);
    let audio: u64 = formats.values().map(|r| r.kinds.audio.bytes).sum();
    [
        ("html", "html", budget.html.0, total(Format::Html)),
        ("gemini", "gemini", budget.gemini.0, total(Format::Gemini)),
        ("audio", "all", budget.audio.0, audio),
    ]
    .into_iter()
    .filter_map(|(name, format, limit, used)| {
        limit.map(|limit_bytes| Budget {
            name: name.into(),
            format: format.into(),
            used_bytes: used,
            limit_bytes,
            ok: used <= limit_bytes,
        })
    })
    .collect()
}
