//! What a publish does: the local files with their MD5, type and cache policy, compared with the bucket's
//! listing, ordered so that the live site never links to a file that is not there yet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

use crate::config::HtmlPublish;
use crate::error::Error;
use crate::mime::content_type;
use crate::units::human_bytes;

/// One file of the built site, as it will be stored.
#[derive(Debug, Clone)]
pub(super) struct LocalFile {
    pub key: String,
    pub path: PathBuf,
    pub size: u64,
    pub md5_hex: String,
    pub content_type: &'static str,
    pub cache_control: String,
    /// 0: media and assets; 1: item pages; 2: the home page, 404 page and feeds.
    pub stage: u8,
}

/// A remote object: its ETag (without quotes) and size.
pub(super) type Remote = BTreeMap<String, (String, u64)>;

pub(super) fn local_files(dir: &Path, settings: &HtmlPublish) -> Result<Vec<LocalFile>, Error> {
    let mut files = Vec::new();
    for (rel, path) in super::site_files(dir)? {
        let bytes = std::fs::read(&path).map_err(Error::io("read", &path))?;
        let is_page = rel.ends_with(".html") || rel.ends_with(".xml");
        let stage = if !is_page {
            0
        } else if matches!(rel.as_str(), "index.html" | "404.html" | "atom.xml") {
            2
        } else {
            1
        };
        files.push(LocalFile {
            md5_hex: hex(&Md5::digest(&bytes)),
            size: bytes.len() as u64,
            content_type: content_type(&path),
            cache_control: if is_page {
                settings.pages_cache_control.clone()
            } else {
                settings.media_cache_control.clone()
            },
            stage,
            key: rel,
            path,
        });
    }
    Ok(files)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) struct Plan {
    /// In upload order.
    pub uploads: Vec<LocalFile>,
    pub deletes: Vec<String>,
    pub unchanged: usize,
    local_bytes: u64,
    /// Bytes of remote objects the site no longer has, kept because `--delete` was not given.
    pub kept_remote_bytes: u64,
    kept_remote: usize,
}

impl Plan {
    pub(super) fn new(files: &[LocalFile], remote: &Remote, delete: bool) -> Plan {
        let mut uploads: Vec<LocalFile> = files
            .iter()
            .filter(|f| match remote.get(&f.key) {
                // A multipart ETag (with a '-') is not an MD5: upload again to be sure.
                Some((etag, size)) => *size != f.size || etag.contains('-') || etag != &f.md5_hex,
                None => true,
            })
            .cloned()
            .collect();
        uploads.sort_by(|a, b| (a.stage, &a.key).cmp(&(b.stage, &b.key)));
        let local: std::collections::HashSet<&str> = files.iter().map(|f| f.key.as_str()).collect();
        let gone: Vec<(&String, u64)> = remote
            .iter()
            .filter(|(k, _)| !local.contains(k.as_str()))
            .map(|(k, (_, size))| (k, *size))
            .collect();
        let (deletes, kept_remote_bytes, kept_remote) = if delete {
            (gone.iter().map(|(k, _)| (*k).clone()).collect(), 0, 0)
        } else {
            (Vec::new(), gone.iter().map(|(_, s)| s).sum(), gone.len())
        };
        Plan {
            unchanged: files.len() - uploads.len(),
            uploads,
            deletes,
            local_bytes: files.iter().map(|f| f.size).sum(),
            kept_remote_bytes,
            kept_remote,
        }
    }

    /// The bytes the bucket holds once this plan is carried out.
    pub(super) fn bytes_after(&self) -> u64 {
        self.local_bytes + self.kept_remote_bytes
    }

    pub(super) fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|f| f.size).sum()
    }

    pub(super) fn summary(&self, bucket: &str, dry_run: bool) -> String {
        let mut s = format!(
            "{} bucket \"{bucket}\": {} to upload ({}), {} to delete, {} unchanged; the bucket will hold {}.\n",
            if dry_run { "Dry run, nothing is changed. For" } else { "Publishing to" },
            self.uploads.len(),
            human_bytes(self.upload_bytes()),
            self.deletes.len(),
            self.unchanged,
            human_bytes(self.bytes_after()),
        );
        if dry_run {
            for f in &self.uploads {
                s.push_str(&format!(
                    "  upload {} ({}, {})\n",
                    f.key,
                    human_bytes(f.size),
                    f.content_type
                ));
            }
            for k in &self.deletes {
                s.push_str(&format!("  delete {k}\n"));
            }
        }
        if self.kept_remote > 0 {
            s.push_str(&format!(
                "  {} file{} in the bucket the site no longer has ({}) stay; `--delete` removes them.\n",
                self.kept_remote,
                if self.kept_remote == 1 { "" } else { "s" },
                human_bytes(self.kept_remote_bytes)
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str, stage: u8, md5: &str) -> LocalFile {
        LocalFile {
            key: key.into(),
            path: PathBuf::from(key),
            size: 10,
            md5_hex: md5.into(),
            content_type: "text/html; charset=utf-8",
            cache_control: "no-cache".into(),
            stage,
        }
    }

    #[test]
    fn uploads_only_changes_in_safe_order_and_deletes_only_when_asked() {
        let files = vec![
            file("index.html", 2, "a"),
            file("albums/x/index.html", 1, "b"),
            file("albums/x/p-480.webp", 0, "c"),
            file("style.css", 0, "d"),
        ];
        let mut remote = Remote::new();
        remote.insert("style.css".into(), ("d".into(), 10));
        remote.insert("albums/x/index.html".into(), ("old".into(), 10));
        remote.insert("albums/gone/index.html".into(), ("e".into(), 7));
        let plan = Plan::new(&files, &remote, false);
        let keys: Vec<&str> = plan.uploads.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            ["albums/x/p-480.webp", "albums/x/index.html", "index.html"]
        );
        assert!(plan.deletes.is_empty());
        assert_eq!(plan.bytes_after(), 47);
        let plan = Plan::new(&files, &remote, true);
        assert_eq!(plan.deletes, ["albums/gone/index.html"]);
        assert_eq!(plan.bytes_after(), 40);
        // A multipart ETag is never taken for an MD5.
        remote.insert("index.html".into(), ("a-2".into(), 10));
        assert!(Plan::new(&files, &remote, false)
            .uploads
            .iter()
            .any(|f| f.key == "index.html"));
    }
}
