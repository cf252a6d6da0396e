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
pub(crate) struct Count {
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
pub(crate) struct Kinds {
    pub pages: Count,
    pub images: Count,
    pub audio: Count,
    pub other: Count,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FormatReport {
    pub total_bytes: u64,
    pub files: u64,
    pub kinds: Kinds,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Report {
    /// `gemini` and `html`.
    pub formats: BTreeMap<Format, FormatReport>,
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
pub(crate) struct Item {
    /// `album` or `playlist`.
    pub kind: PageKind,
    pub slug: String,
    pub bytes: ItemBytes,
    /// Its audio files, in both formats, as the audio budget counts them.
    #[serde(skip)]
    pub audio: u64,
    /// Output folder inside each format, for matching files.
    #[serde(skip)]
    pub dir: String,
    #[serde(skip)]
    pub draft: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ItemBytes {
    pub gemini: u64,
    pub html: u64,
}

impl ItemBytes {
    pub(crate) fn add(&mut self, format: Format, bytes: u64) {
        match format {
            Format::Gemini => self.gemini += bytes,
            Format::Html => self.html += bytes,
        }
    }

    pub(crate) fn total(&self) -> u64 {
        self.gemini + self.html
    }
}

/// The limits of `[budget]`: each names what it limits and counts the bytes it limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BudgetKind {
    Html,
    Gemini,
    Audio,
}

/// Which files a budget counts: one format's, or those of both (`all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Scope {
    Html,
    Gemini,
    All,
}

impl BudgetKind {
    pub(crate) const ALL: [BudgetKind; 3] =
        [BudgetKind::Html, BudgetKind::Gemini, BudgetKind::Audio];

    /// Its key in `[budget]`.
    pub(crate) fn key(self) -> &'static str {
        match self {
            BudgetKind::Html => "html",
            BudgetKind::Gemini => "gemini",
            BudgetKind::Audio => "audio",
        }
    }

    /// What it limits, in words.
    pub(crate) fn description(self) -> &'static str {
        match self {
            BudgetKind::Html => "the HTML site",
            BudgetKind::Gemini => "the Gemini capsule",
            BudgetKind::Audio => "the audio of all playlists",
        }
    }

    pub(crate) fn scope(self) -> Scope {
        match self {
            BudgetKind::Html => Scope::Html,
            BudgetKind::Gemini => Scope::Gemini,
            BudgetKind::Audio => Scope::All,
        }
    }

    /// Its limit in capsule.toml, if one is set.
    pub(crate) fn limit(self, budget: &BudgetConfig) -> Option<u64> {
        match self {
            BudgetKind::Html => budget.html.0,
            BudgetKind::Gemini => budget.gemini.0,
            BudgetKind::Audio => budget.audio.0,
        }
    }

    /// Whether a written file counts against this budget.
    pub(crate) fn counts(self, file: &Written) -> bool {
        match self {
            BudgetKind::Html => file.format == Format::Html,
            BudgetKind::Gemini => file.format == Format::Gemini,
            BudgetKind::Audio => file.kind == Kind::Audio,
        }
    }

    /// What an album or playlist weighs against this budget.
    pub(crate) fn weight(self, item: &Item) -> u64 {
        match self {
            BudgetKind::Html => item.bytes.html,
            BudgetKind::Gemini => item.bytes.gemini,
            BudgetKind::Audio => item.audio,
        }
    }
}

impl std::fmt::Display for BudgetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Bytes against each budget.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BudgetBytes {
    html: u64,
    gemini: u64,
    audio: u64,
}

impl BudgetBytes {
    /// Counts `file` against every budget that counts it.
    pub(crate) fn add(&mut self, file: &Written) {
        for kind in BudgetKind::ALL {
            if kind.counts(file) {
                *self.slot(kind) += file.bytes;
            }
        }
    }

    /// Adds `bytes` to one budget's count.
    pub(crate) fn add_to(&mut self, kind: BudgetKind, bytes: u64) {
        *self.slot(kind) += bytes;
    }

    pub(crate) fn get(&self, kind: BudgetKind) -> u64 {
        match kind {
            BudgetKind::Html => self.html,
            BudgetKind::Gemini => self.gemini,
            BudgetKind::Audio => self.audio,
        }
    }

    fn slot(&mut self, kind: BudgetKind) -> &mut u64 {
        match kind {
            BudgetKind::Html => &mut self.html,
            BudgetKind::Gemini => &mut self.gemini,
            BudgetKind::Audio => &mut self.audio,
        }
    }
}

/// One budget, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Budget {
    /// The key in `[budget]`: `html`, `gemini` or `audio`.
    pub name: BudgetKind,
    /// `html`, `gemini`, or `all` for the audio budget.
    pub format: Scope,
    pub used_bytes: u64,
    pub limit_bytes: u64,
    pub ok: bool,
}

impl Budget {
    /// "4.9 MB of 100 MB, 95.1 MB left" or "412 KB of 300 KB, 112 KB over".
    pub(crate) fn summary(&self) -> String {
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

    pub(crate) fn description(&self) -> &'static str {
        self.name.description()
    }
}

impl Report {
    pub(crate) fn from_written(
        written: &[Written],
        site: &Site,
        budget: &BudgetConfig,
        out: &Path,
        warnings: usize,
        media: MediaStats,
    ) -> Report {
        let mut formats: BTreeMap<Format, FormatReport> = Format::ALL
            .iter()
            .map(|&f| (f, FormatReport::default()))
            .collect();
        for w in written {
            let f = formats.entry(w.format).or_default();
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
        let budgets = budgets(written, budget);
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
    pub(crate) fn over(&self) -> impl Iterator<Item = &Budget> {
        self.budgets.iter().filter(|b| !b.ok)
    }

    /// The table printed after each build.
    pub(crate) fn table(&self) -> String {
        let mut s = String::from("Size report\n");
        for format in Format::ALL {
            let Some(f) = self.formats.get(&format) else {
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
                    i.kind.name(),
                    i.slug,
                    human_bytes(i.bytes.html),
                    human_bytes(i.bytes.gemini),
                ));
            }
        }
        for b in &self.budgets {
            s.push_str(&format!(
                "  budget {:<7}{} {}\n",
                b.name.key(),
                if b.ok { "ok  " } else { "OVER" },
                b.summary()
            ));
        }
        s
    }

    fn path(root: &Path) -> PathBuf {
        Config::cache_dir(root).join("report.json")
    }

    pub(crate) fn save(&self, root: &Path) -> Result<(), Error> {
        let path = Self::path(root);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        }
        let json =
            serde_json::to_string_pretty(self).map_err(Error::internal("write the report"))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(Error::io("write", &path))
    }

    pub(crate) fn load(root: &Path) -> Result<Report, Error> {
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
            if !matches!(p.kind, PageKind::Album | PageKind::Playlist) {
                return None;
            }
            Some(Item {
                kind: p.kind,
                slug: p.slug.clone(),
                bytes: ItemBytes::default(),
                audio: 0,
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
            if BudgetKind::Audio.counts(w) {
                item.audio += w.bytes;
            }
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

fn budgets(written: &[Written], budget: &BudgetConfig) -> Vec<Budget> {
    let mut used = BudgetBytes::default();
    for w in written {
        used.add(w);
    }
    BudgetKind::ALL
        .into_iter()
        .filter_map(|kind| {
            kind.limit(budget).map(|limit_bytes| Budget {
                name: kind,
                format: kind.scope(),
                used_bytes: used.get(kind),
                limit_bytes,
                ok: used.get(kind) <= limit_bytes,
            })
        })
        .collect()
}
