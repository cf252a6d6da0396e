//! The size report: files and bytes per format and kind of file, computed from what the build wrote.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::{display_path, Error};
use crate::media::{human_bytes, MediaStats};
use crate::output::{Format, Kind, Written};

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
}

impl Report {
    pub fn from_written(
        written: &[Written],
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
        Report {
            formats,
            out: out.to_path_buf(),
            warnings,
            media,
        }
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
