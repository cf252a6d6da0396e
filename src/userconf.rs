//! The user's own folder (`$XDG_CONFIG_HOME/capsule`, `~/.config/capsule`, or `%APPDATA%\capsule`):
//! the sites capsule knows and the address of the running editor. It never reads a site, and a site
//! never holds what lives here, so a site folder that is copied or shared carries none of it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The sites the welcome page lists.
const SITES_FILE: &str = "sites.toml";
/// The running editor's port and the secret a second launch proves itself with.
const INSTANCE_FILE: &str = "instance.toml";

/// The user's home folder.
pub(crate) fn home() -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    std::env::var_os(var)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// capsule's folder in the user's configuration.
pub(crate) fn dir() -> Result<PathBuf, Error> {
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".config")))
    };
    base.map(|b| b.join("capsule")).ok_or_else(|| {
        Error::Usage(
            "cannot find your configuration folder: neither XDG_CONFIG_HOME nor HOME is set".into(),
        )
    })
}

/// Where the welcome page makes a new site unless the member chooses another folder.
pub(crate) fn sites_home() -> Option<PathBuf> {
    home().map(|h| h.join("Capsule"))
}

/// Writes `bytes` to `path` so that only the user can read it (mode 0600 where there are modes), and
/// so that a reader never sees half a file: a temporary file beside it, then a rename.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
    let temp = parent.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp).map_err(Error::io("write", &temp))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(Error::io("write", &temp))?;
    drop(file);
    std::fs::rename(&temp, path).map_err(Error::io("write", path))
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SitesFile {
    #[serde(default)]
    site: Vec<SiteEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteEntry {
    path: PathBuf,
}

/// The sites capsule has opened or made, most recent first; those whose folder is gone are left out.
pub(crate) fn known_sites() -> Vec<PathBuf> {
    let Ok(dir) = dir() else {
        return Vec::new();
    };
    read_sites(&dir.join(SITES_FILE))
        .into_iter()
        .filter(|p| p.is_dir())
        .collect()
}

fn read_sites(file: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|text| toml::from_str::<SitesFile>(&text).ok())
        .map(|f| f.site.into_iter().map(|s| s.path).collect())
        .unwrap_or_default()
}

/// Puts `site` first in the list of known sites.
pub(crate) fn remember(site: &Path) -> Result<(), Error> {
    let file = dir()?.join(SITES_FILE);
    let site = std::fs::canonicalize(site).unwrap_or_else(|_| site.to_path_buf());
    let mut sites = read_sites(&file);
    sites.retain(|p| p != &site);
    sites.insert(0, site);
    let text = toml::to_string(&SitesFile {
        site: sites.into_iter().map(|path| SiteEntry { path }).collect(),
    })
    .map_err(Error::internal("write the list of sites"))?;
    write_private(
        &file,
        format!("# The sites capsule's welcome page lists, most recent first.\n{text}").as_bytes(),
    )
}

/// Saves a bucket's key for the site in `site`, outside it, readable by the user alone; returns the
/// file, for `credentials_file` in the site's `[publish.html]`.
pub(crate) fn save_key(site: &Path, key_id: &str, secret: &str) -> Result<PathBuf, Error> {
    let site = std::fs::canonicalize(site).unwrap_or_else(|_| site.to_path_buf());
    let name = site
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .take(40)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "site".into());
    let hash = blake3::hash(site.to_string_lossy().as_bytes()).to_hex();
    let file = dir()?
        .join("keys")
        .join(format!("{name}-{}.toml", &hash[..8]));
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let text = format!(
        "# The key capsule publishes {} with. Keep it to yourself.\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        site.display(),
        quoted(key_id),
        quoted(secret)
    );
    write_private(&file, text.as_bytes())?;
    Ok(file)
}

/// The key id saved in a credentials file, to name the key without its secret: `GK…1a2b`.
pub(crate) fn saved_key_name(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let id = table.get("aws_access_key_id")?.as_str()?;
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 8 {
        return Some("…".into());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    Some(format!("{head}…{tail}"))
}

/// The running editor, as it wrote itself down for the next launch.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Instance {
    pub port: u16,
    pub secret: String,
    pub pid: u32,
}

impl Instance {
    /// The running editor's entry, if one was written and not removed.
    pub(crate) fn read() -> Option<Instance> {
        let text = std::fs::read_to_string(dir().ok()?.join(INSTANCE_FILE)).ok()?;
        toml::from_str(&text).ok()
    }

    /// Writes this editor down, readable by the user alone.
    pub(crate) fn write(&self) -> Result<(), Error> {
        let text = toml::to_string(self).map_err(Error::internal("write the editor's address"))?;
        write_private(
            &dir()?.join(INSTANCE_FILE),
            format!("# The capsule editor that runs now; removed when it stops.\n{text}")
                .as_bytes(),
        )
    }

    /// Removes the entry, if it is still this one's (a later editor may have replaced it).
    pub(crate) fn remove(&self) {
        if Instance::read().as_ref() == Some(self) {
            if let Ok(dir) = dir() {
                let _ = std::fs::remove_file(dir.join(INSTANCE_FILE));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sites_list_keeps_the_most_recent_first_and_once() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join(SITES_FILE);
        let text = "[[site]]\npath = \"/a\"\n\n[[site]]\npath = \"/b\"\n";
        std::fs::write(&file, text).unwrap();
        assert_eq!(
            read_sites(&file),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        std::fs::write(&file, "not toml [").unwrap();
        assert!(
            read_sites(&file).is_empty(),
            "a broken list is an empty one"
        );
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_for_the_user_alone() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("deep/secret.toml");
        write_private(&file, b"x = 1\n").unwrap();
        write_private(&file, b"x = 2\n").unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "x = 2\n");
        assert_eq!(std::fs::read_dir(d.path().join("deep")).unwrap().count(), 1);
    }
}
