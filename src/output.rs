//! The output tree: formats, kinds of file, and the staging folder that replaces `public/` only when a build succeeds.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{display_path, Error};
use crate::locks::lock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    Gemini,
    Html,
}

impl Format {
    pub(crate) const ALL: [Format; 2] = [Format::Gemini, Format::Html];

    pub(crate) fn dir(self) -> &'static str {
        match self {
            Format::Gemini => "gemini",
            Format::Html => "html",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Format::Gemini => "Gemini",
            Format::Html => "HTML",
        }
    }

    /// The page file of a folder: `dir/index.gmi`, `dir/index.html`.
    pub(crate) fn page_file(self, dir: &str) -> String {
        let name = match self {
            Format::Gemini => "index.gmi",
            Format::Html => "index.html",
        };
        join_path(dir, name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Pages,
    Images,
    Audio,
    Other,
}

/// One file the build wrote, as the report counts it.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub format: Format,
    /// Path inside the format's folder, with `/` separators.
    pub path: String,
    pub kind: Kind,
    pub bytes: u64,
    /// An audio file's playing time, in seconds (0 for other files). A track's encodings share a path
    /// but for its extension, and count once as music.
    pub seconds: u64,
}

/// A file the media phase made in the cache, and where the write phase places it.
#[derive(Debug, Clone)]
pub(crate) struct Placement {
    pub file: Written,
    /// The cache file (or, for a published original, the author's file) to link.
    pub source: PathBuf,
}

/// `dir/name`, or `name` at the root.
pub(crate) fn join_path(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A fresh folder beside the output where the whole build is written first.
pub(crate) struct Staging {
    pub dir: PathBuf,
    written: Mutex<Vec<Written>>,
}

impl Staging {
    pub(crate) fn create(out: &Path) -> Result<Staging, Error> {
        let dir = sibling(out, "building");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(Error::io("remove the unfinished build", &dir))?;
        }
        for format in Format::ALL {
            let d = dir.join(format.dir());
            std::fs::create_dir_all(&d).map_err(Error::io("create", &d))?;
        }
        Ok(Staging {
            dir,
            written: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn path(&self, format: Format, rel: &str) -> PathBuf {
        self.dir.join(format.dir()).join(rel)
    }

    /// Writes one output file and records it for the report.
    pub(crate) fn write(
        &self,
        format: Format,
        rel: &str,
        kind: Kind,
        bytes: &[u8],
    ) -> Result<(), Error> {
        let path = self.path(format, rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
        }
        std::fs::write(&path, bytes).map_err(Error::io("write", &path))?;
        self.record(format, rel, kind, bytes.len() as u64);
        Ok(())
    }

    /// Places every file the media phase made.
    pub(crate) fn place(&self, placements: &[Placement]) -> Result<(), Error> {
        for p in placements {
            let bytes = self.link(p.file.format, &p.file.path, &p.source)?;
            lock(&self.written).push(Written {
                bytes,
                ..p.file.clone()
            });
        }
        Ok(())
    }

    /// Publishes a cached file: a hard link when the file system allows it (no copy), else a copy.
    fn link(&self, format: Format, rel: &str, source: &Path) -> Result<u64, Error> {
        let path = self.path(format, rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
        }
        let _ = std::fs::remove_file(&path);
        if std::fs::hard_link(source, &path).is_err() {
            std::fs::copy(source, &path).map_err(Error::io("copy", source))?;
        }
        let bytes = std::fs::metadata(&path)
            .map_err(Error::io("read", &path))?
            .len();
        Ok(bytes)
    }

    fn record(&self, format: Format, rel: &str, kind: Kind, bytes: u64) {
        let mut written = lock(&self.written);
        written.push(Written {
            format,
            path: rel.to_string(),
            kind,
            bytes,
            seconds: 0,
        });
    }

    /// What has been written so far, sorted by format and path.
    pub(crate) fn written(&self) -> Vec<Written> {
        sorted(lock(&self.written).clone())
    }

    /// Swaps the finished build in place of `out`. The previous output survives until the new one is in place.
    pub(crate) fn commit(self, out: &Path) -> Result<Vec<Written>, Error> {
        let old = sibling(out, "old");
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(Error::io("remove", &old))?;
        }
        let had_output = out.exists();
        if had_output {
            std::fs::rename(out, &old).map_err(Error::io("move aside the previous output", out))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, out) {
            if had_output {
                let _ = std::fs::rename(&old, out);
            }
            return Err(Error::io("move the new build into place at", out)(e));
        }
        if had_output {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(sorted(
            self.written.into_inner().unwrap_or_else(|e| e.into_inner()),
        ))
    }

    /// Removes the unfinished build; the previous output was never touched.
    pub(crate) fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn sorted(mut written: Vec<Written>) -> Vec<Written> {
    written.sort_by(|a, b| (a.format, &a.path).cmp(&(b.format, &b.path)));
    written
}

/// `public` → `.public.building` in the same parent folder, so renames stay on one file system.
fn sibling(out: &Path, what: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{what}"))
}

/// Where a site's output goes unless `--out` says otherwise: `ROOT/public`.
pub(crate) fn out_dir(root: &Path) -> PathBuf {
    root.join("public")
}

/// Refuses output folders whose replacement would destroy the user's files.
pub(crate) fn check_out_dir(out: &Path, root: &Path) -> Result<(), Error> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (out_abs, root_abs) = (abs(out), abs(root));
    let content = root_abs.join("content");
    let templates = root_abs.join("templates");
    if root_abs.starts_with(&out_abs) {
        return Err(Error::Usage(format!(
            "--out {} contains the site itself; the output folder is replaced on each build, so choose a folder of its own such as {}",
            display_path(out),
            display_path(&out_dir(root))
        )));
    }
    for protected in [&content, &templates] {
        if out_abs.starts_with(protected) {
            return Err(Error::Usage(format!(
                "--out {} is inside {}; capsule never writes there, choose another folder",
                display_path(out),
                display_path(protected)
            )));
        }
    }
    if out.is_dir() {
        let foreign: Vec<String> = std::fs::read_dir(out)
            .map_err(Error::io("read", out))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !matches!(n.as_str(), "gemini" | "html"))
            .collect();
        if !foreign.is_empty() {
            return Err(Error::Usage(format!(
                "{} holds files capsule did not make ({}); the output folder is replaced on each build, so choose an empty or new folder",
                display_path(out),
                foreign.join(", ")
            )));
        }
    } else if out.exists() {
        return Err(Error::Usage(format!(
            "{} exists and is not a folder",
            display_path(out)
        )));
    }
    Ok(())
}
