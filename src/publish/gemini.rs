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

/// A `.tar.gz` of the capsule: regular files only, at the top level, mode 644, owner 0, time 0, so the same
/// capsule always gives the same bytes.
fn tarball(dir: &Path, settings: &GeminiPublish, opts: &PublishOptions) -> Result<(), Error> {
    let archive = opts.root.join(
        settings
            .archive
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_ARCHIVE)),
    );
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

/// Copies the capsule into a folder, writing only files that differ; `--delete` removes the others.
fn directory(dir: &Path, target: &str, opts: &PublishOptions) -> Result<(), Error> {
    let target = Path::new(target);
    let target = if target.is_absolute() {
        target.to_path_buf()
    } else {
        opts.root.join(target)
    };
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (t, root) = (abs(&target), abs(&opts.root));
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
    cmd.arg(source).arg(target);
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
