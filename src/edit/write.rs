//! The only code that writes into `content/`: atomic writes that never overwrite by surprise, checked
//! against the fingerprint of what the form was made from, and a trash instead of deleting.
//!
//! Every write goes to a temporary file in the same folder, is flushed to disk, then renamed (or
//! hard-linked, for a file that must be new) into place, so a crash leaves the old file or the new one,
//! never half of one. Nothing here ever deletes a writer's file: removing moves it to
//! `.capsule-trash/<time>/`, at the site root, outside `content/`.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// The trash folder of a site.
pub(crate) const TRASH: &str = ".capsule-trash";

/// A short hash of a file's bytes, carried by forms to notice edits made meanwhile.
pub(crate) fn fingerprint(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_string()
}

/// Writes `bytes` to a new temporary file beside `path`, flushed to disk.
fn temporary(path: &Path, bytes: &[u8]) -> Result<PathBuf, Error> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal(format!("{} has no folder", path.display())))?;
    std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.capsule-tmp",
        &super::guard::random_token()[..12]
    ));
    let mut file = std::fs::File::create_new(&tmp).map_err(Error::io("write", &tmp))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io("write", &tmp)(e)
        })?;
    Ok(tmp)
}

/// Creates `path` with `bytes`; refuses (returns false) when something is there already.
pub(crate) fn create_new(path: &Path, bytes: &[u8]) -> Result<bool, Error> {
    if path.exists() {
        return Ok(false);
    }
    let tmp = temporary(path, bytes)?;
    // A hard link fails if the name was taken meanwhile: no overwrite, even in a race.
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io("write", path)(e)),
    }
}

/// Moves an uploaded file (a temporary file outside `content/`) to `target`, which must not exist yet:
/// false, and the upload left where it is, when the name is taken.
pub(crate) fn adopt(upload: &Path, target: &Path) -> Result<bool, Error> {
    if target.exists() {
        return Ok(false);
    }
    // A hard link fails if the name was taken meanwhile; across file systems, a copy made the same
    // careful way (a new temporary file beside the target, then a link).
    let linked = match std::fs::hard_link(upload, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(_) => {
            let bytes = std::fs::read(upload).map_err(Error::io("read", upload))?;
            let tmp = temporary(target, &bytes)?;
            let done = std::fs::hard_link(&tmp, target);
            let _ = std::fs::remove_file(&tmp);
            done
        }
    };
    match linked {
        Ok(()) => {
            let _ = std::fs::remove_file(upload);
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io("write", target)(e)),
    }
}

/// What a save did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Saved {
    Written,
    /// The new bytes are those already on disk: nothing was written.
    Unchanged,
    /// The file changed since the form was made from it: nothing was written. Holds what is on disk now.
    Conflict(String),
}

/// Replaces `path` with `bytes` if it still has the fingerprint `expected`.
pub(crate) fn replace(path: &Path, bytes: &[u8], expected: &str) -> Result<Saved, Error> {
    let current = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io("read", path)(e)),
    };
    if fingerprint(&current) != expected {
        return Ok(Saved::Conflict(
            String::from_utf8_lossy(&current).into_owned(),
        ));
    }
    if current == bytes {
        return Ok(Saved::Unchanged);
    }
    let tmp = temporary(path, bytes)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io("write", path)(e)
    })?;
    Ok(Saved::Written)
}

/// A folder of the trash: one removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrashEntry {
    /// `2026-12-01T21-50-03Z`, also its folder name.
    pub stamp: String,
    /// Where it was, relative to the site root: `content/albums/harbour`.
    pub path: String,
}

impl TrashEntry {
    /// How a form names it: `stamp/path`.
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.stamp, self.path)
    }
}

/// Moves `path` (inside `root`) to the trash, keeping its place relative to the root.
pub(crate) fn trash(root: &Path, path: &Path) -> Result<TrashEntry, Error> {
    let rel = path
        .strip_prefix(root)
        .map_err(|_| Error::Internal(format!("{} is outside the site", path.display())))?;
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H-%M-%SZ")
        .to_string();
    let trash = root.join(TRASH);
    let mut stamp = now.clone();
    let mut n = 1;
    while trash.join(&stamp).exists() {
        n += 1;
        stamp = format!("{now}-{n}");
    }
    let target = trash.join(&stamp).join(rel);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
    }
    let rel = rel.to_string_lossy().replace('\\', "/");
    let note = trash.join(&stamp).join(WHERE);
    std::fs::write(&note, format!("{rel}\n")).map_err(Error::io("write", &note))?;
    std::fs::rename(path, &target).map_err(Error::io("move to the trash", path))?;
    Ok(TrashEntry { stamp, path: rel })
}

/// The file in each trash folder that says where its content came from.
const WHERE: &str = "where.txt";

/// Every removal in the trash, newest first.
pub(crate) fn trash_entries(root: &Path) -> Vec<TrashEntry> {
    let Ok(stamps) = std::fs::read_dir(root.join(TRASH)) else {
        return Vec::new();
    };
    let mut entries: Vec<TrashEntry> = stamps
        .filter_map(|e| e.ok())
        .filter_map(|stamp| {
            let path = std::fs::read_to_string(stamp.path().join(WHERE)).ok()?;
            Some(TrashEntry {
                stamp: stamp.file_name().to_string_lossy().into_owned(),
                path: path.trim().to_string(),
            })
        })
        .collect();
    entries.sort_by(|a, b| b.stamp.cmp(&a.stamp));
    entries
}

/// Puts a removal back where it was. Refuses when something new stands there now (nothing is
/// overwritten) or when `id` does not name an entry of the trash.
pub(crate) fn restore(root: &Path, id: &str) -> Result<Option<TrashEntry>, Error> {
    let Some(entry) = trash_entries(root).into_iter().find(|e| e.id() == id) else {
        return Ok(None);
    };
    let rel = Path::new(&entry.path);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Ok(None);
    }
    let from = root.join(TRASH).join(&entry.stamp).join(rel);
    let to = root.join(rel);
    if to.exists() {
        return Ok(None);
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
    }
    std::fs::rename(&from, &to).map_err(Error::io("put back", &to))?;
    let stamp_dir = root.join(TRASH).join(&entry.stamp);
    let _ = std::fs::remove_file(stamp_dir.join(WHERE));
    let _ = remove_empty_dirs(&stamp_dir);
    Ok(Some(entry))
}

/// Removes `dir` and the folders under it when they hold no file at all (the trash's empty shells).
fn remove_empty_dirs(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)?.filter_map(|e| e.ok()) {
        if entry.file_type()?.is_dir() {
            remove_empty_dirs(&entry.path())?;
        }
    }
    std::fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_new_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("content/albums/a/index.md");
        assert!(create_new(&path, b"one").unwrap());
        assert!(!create_new(&path, b"two").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left");
    }

    #[test]
    fn replace_checks_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.md");
        std::fs::write(&path, "old").unwrap();
        let seen = fingerprint(b"old");
        assert_eq!(replace(&path, b"old", &seen).unwrap(), Saved::Unchanged);
        std::fs::write(&path, "changed behind our back").unwrap();
        assert_eq!(
            replace(&path, b"new", &seen).unwrap(),
            Saved::Conflict("changed behind our back".into())
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "changed behind our back"
        );
        let now = fingerprint(&std::fs::read(&path).unwrap());
        assert_eq!(replace(&path, b"new", &now).unwrap(), Saved::Written);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn trash_and_restore_an_album() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let album = root.join("content/albums/harbour");
        std::fs::create_dir_all(&album).unwrap();
        std::fs::write(album.join("index.md"), "text").unwrap();
        std::fs::write(album.join("gull.jpg"), "jpeg").unwrap();
        let entry = trash(root, &album).unwrap();
        assert!(!album.exists());
        assert_eq!(entry.path, "content/albums/harbour");
        assert_eq!(trash_entries(root), vec![entry.clone()]);
        assert_eq!(restore(root, "nope/content/albums/harbour").unwrap(), None);
        assert_eq!(restore(root, &entry.id()).unwrap(), Some(entry));
        assert_eq!(
            std::fs::read_to_string(album.join("index.md")).unwrap(),
            "text"
        );
        assert!(trash_entries(root).is_empty());
    }

    #[test]
    fn trash_and_restore_a_page() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let page = root.join("content/about.md");
        std::fs::write(&page, "about").unwrap();
        let entry = trash(root, &page).unwrap();
        assert_eq!(trash_entries(root)[0].path, "content/about.md");
        restore(root, &entry.id()).unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(&page).unwrap(), "about");
    }
}
