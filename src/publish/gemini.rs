//! The capsule to a Gemini host: a deterministic tarball (sourcehut pages and the like), a copy into a
//! folder (a mounted or local server root), or rsync over SSH.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::{Compression, GzBuilder};

use super::{site_files, PublishOptions};
use crate::config::{GeminiMethod, GeminiPublish};
use crate::error::{display_path, Error};
use crate::units::human_bytes;

const DEFAULT_ARCHIVE: &str = "capsule-gemini.tar.gz";

pub(super) fn publish(
    dir: &Path,
    settings: &GeminiPublish,
    opts: &PublishOptions,
) -> Result<(), Error> {
    match settings.method {
        GeminiMethod::Tarball => tarball(dir, settings, opts),
        GeminiMethod::Directory => directory(dir, target(settings)?, opts),
        GeminiMethod::Rsync => rsync(dir, target(settings)?, opts),
    }
}

fn target(settings: &GeminiPublish) -> Result<&str, Error> {
    settings
        .target
        .as_deref()
        .ok_or_else(|| Error::Usage("[publish.gemini] needs target = \"…\" for this method".into()))
}

/// Where the tarball is written: `archive`, or `capsule-gemini.tar.gz`, in the site folder.
pub(crate) fn archive(root: &Path, settings: &GeminiPublish) -> PathBuf {
    root.join(
        settings
            .archive
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_ARCHIVE)),
    )
}

/// A `.tar.gz` of the capsule: regular files only, at the top level, mode 644, owner 0, time 0, so the same
/// capsule always gives the same bytes.
fn tarball(dir: &Path, settings: &GeminiPublish, opts: &PublishOptions) -> Result<(), Error> {
    let archive = archive(&opts.root, settings);
    let files = site_files(dir)?;
    if opts.dry_run {
        println!(
            "Dry run, nothing is written: {} would hold {} files.",
            display_path(&archive),
            files.len()
        );
        return Ok(());
    }
    let tmp = archive.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let gz = GzBuilder::new().mtime(0).write(file, Compression::best());
        let mut tar = tar::Builder::new(gz);
        for (rel, path) in &files {
            let bytes = std::fs::read(path)?;
            let mut header = tar::Header::new_ustar();
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_uid(0);
            header.set_gid(0);
            tar.append_data(&mut header, rel, bytes.as_slice())?;
        }
        let mut gz = tar.into_inner()?;
        gz.flush()?;
        gz.finish()?.sync_all()
    };
    write().map_err(Error::io("write", &tmp))?;
    std::fs::rename(&tmp, &archive).map_err(Error::io("write", &archive))?;
    let size = std::fs::metadata(&archive).map(|m| m.len()).unwrap_or(0);
    println!(
        "Wrote {} ({} files, {}).",
        display_path(&archive),
        files.len(),
        human_bytes(size)
    );
    let domain = settings.target.as_deref().unwrap_or("YOUR-DOMAIN");
    println!("Upload it to sourcehut pages with:");
    println!(
        "  hut pages publish -d {domain} -p gemini {}",
        display_path(&archive)
    );
    Ok(())
}

/// The folder a `directory` target names, relative to the site; refused when it is the site itself,
/// holds it, or lies in its content or output.
pub(crate) fn folder(root: &Path, target: &str) -> Result<PathBuf, Error> {
    let target = root.join(target);
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (t, root) = (abs(&target), abs(root));
    if t == root
        || t.starts_with(root.join("content"))
        || t.starts_with(crate::output::out_dir(&root))
        || root.starts_with(&t)
    {
        return Err(Error::Usage(format!(
            "[publish.gemini] target = \"{}\" is the site itself or inside it; choose the Gemini server's folder",
            display_path(&target)
        )));
    }
    Ok(target)
}

/// Where rsync sends to: a host (`[user@]host:path`, `host::module`, `rsync://host[:port]/…`), or
/// `None` for a local folder.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Remote {
    pub host: String,
    /// Given in the target (`rsync://host:port/`).
    pub port: Option<u16>,
    /// Through rsync's own daemon (`::` or `rsync://`), not SSH.
    pub daemon: bool,
}

/// Reads an rsync destination as rsync does: a colon before any slash makes it remote. A single letter
/// before the colon is a Windows drive, not a host.
pub(crate) fn remote(target: &str) -> Option<Remote> {
    if let Some(rest) = target.strip_prefix("rsync://") {
        let authority = rest.split('/').next().unwrap_or("");
        let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => v6.split_once(']').unwrap_or((v6, "")),
            None => authority.rsplit_once(':').unwrap_or((authority, "")),
        };
        let port = port.trim_start_matches(':').parse().ok();
        return Some(Remote {
            host: host.to_string(),
            port,
            daemon: true,
        });
    }
    let (before, after) = if let Some(inner) = target
        .split_once("@[")
        .map(|(_, r)| r)
        .or_else(|| target.strip_prefix('['))
    {
        let (host, after) = inner.split_once(']')?;
        (format!("[{host}]"), after.strip_prefix(':')?)
    } else {
        let (before, after) = target.split_once(':')?;
        if before.contains('/') {
            return None;
        }
        let host = before.rsplit_once('@').map_or(before, |(_, h)| h);
        (host.to_string(), after)
    };
    if before.len() == 1 && before.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(Remote {
        host: before
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port: None,
        daemon: after.starts_with(':'),
    })
}

/// Copies the capsule into a folder, writing only files that differ; `--delete` removes the others.
fn directory(dir: &Path, target: &str, opts: &PublishOptions) -> Result<(), Error> {
    let target = folder(&opts.root, target)?;
    let files = site_files(dir)?;
    let mut copied = 0;
    for (rel, path) in &files {
        let dest = target.join(rel);
        let same = std::fs::read(&dest).ok()
            == Some(std::fs::read(path).map_err(Error::io("read", path))?);
        if same {
            continue;
        }
        copied += 1;
        if opts.dry_run {
            println!("  copy {rel}");
            continue;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
        }
        let tmp = dest.with_extension("capsule-tmp");
        std::fs::copy(path, &tmp).map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &dest).map_err(Error::io("write", &dest))?;
    }
    let mut extra = Vec::new();
    if target.is_dir() {
        let ours: std::collections::HashSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
        for (rel, path) in site_files(&target)? {
            if !ours.contains(rel.as_str()) {
                extra.push((rel, path));
            }
        }
    }
    let mut deleted = 0;
    if opts.delete {
        for (rel, path) in &extra {
            if opts.dry_run {
                println!("  delete {rel}");
            } else {
                std::fs::remove_file(path).map_err(Error::io("remove", path))?;
            }
            deleted += 1;
        }
        if !opts.dry_run {
            remove_empty_dirs(&target);
        }
    }
    println!(
        "{} {}: {copied} copied, {deleted} deleted, {} unchanged.{}",
        if opts.dry_run {
            "Dry run, nothing is changed. For"
        } else {
            "Published the capsule to"
        },
        display_path(&target),
        files.len() - copied,
        if !opts.delete && !extra.is_empty() {
            format!(
                " {} files there are not in the capsule; `--delete` removes them.",
                extra.len()
            )
        } else {
            String::new()
        }
    );
    Ok(())
}

fn remove_empty_dirs(root: &Path) {
    let dirs: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .contents_first(true)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_dir() && e.path() != root)
        .map(|e| e.into_path())
        .collect();
    for d in dirs {
        // Fails, as it should, when the folder still holds something.
        let _ = std::fs::remove_dir(d);
    }
}

/// `rsync -a [--delete] public/gemini/ TARGET`.
fn rsync(dir: &Path, target: &str, opts: &PublishOptions) -> Result<(), Error> {
    let mut cmd = Command::new("rsync");
    cmd.arg("-a");
    if opts.delete {
        cmd.arg("--delete");
    }
    if opts.dry_run {
        cmd.args(["--dry-run", "--itemize-changes"]);
    }
    let mut source = dir.as_os_str().to_owned();
    source.push("/");
    // A local destination is relative to the site, as a folder's is, not to where capsule started.
    match remote(target) {
        Some(_) => cmd.arg(source).arg(target),
        None => cmd.arg(source).arg(opts.root.join(target)),
    };
    let status = cmd.status().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Usage(
                "rsync is not installed; install it (Debian, Ubuntu: sudo apt install rsync) or use \
                 method = \"tarball\" in [publish.gemini]"
                    .into(),
            )
        } else {
            Error::Publish(format!("could not run rsync: {e}"))
        }
    })?;
    if !status.success() {
        return Err(Error::Publish(format!(
            "rsync to {target} failed ({status}); its message is above"
        )));
    }
    if opts.dry_run {
        println!("Dry run: above is what rsync would change in {target}.");
    } else {
        println!("Published the capsule to {target} with rsync.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsync_destinations_are_read_as_rsync_reads_them() {
        let r = |host: &str, port, daemon| {
            Some(Remote {
                host: host.into(),
                port,
                daemon,
            })
        };
        assert_eq!(
            remote("me@example.org:gemini/"),
            r("example.org", None, false)
        );
        assert_eq!(remote("example.org:"), r("example.org", None, false));
        assert_eq!(remote("host::module/dir"), r("host", None, true));
        assert_eq!(remote("rsync://host:8873/m/"), r("host", Some(8873), true));
        assert_eq!(remote("rsync://me@host/m/"), r("host", None, true));
        assert_eq!(remote("me@[::1]:gemini/"), r("::1", None, false));
        assert_eq!(remote("rsync://[::1]:873/m"), r("::1", Some(873), true));
        assert_eq!(remote("rsync://[::1]/m"), r("::1", None, true));
        assert_eq!(remote("/srv/gemini"), None);
        assert_eq!(remote("gemini/out"), None);
        assert_eq!(remote("./a:b"), None);
        assert_eq!(remote("C:\\gemini"), None);
    }
}
