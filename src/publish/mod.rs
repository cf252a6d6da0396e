//! `capsule publish`: the built HTML site to an S3 bucket (Deuxfleurs' Garage), the capsule to a Gemini host.

pub(crate) mod check;
mod gemini;
mod plan;
mod s3;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{display_path, Error};
use crate::report::Report;
use crate::units::human_bytes;

pub(crate) struct PublishOptions {
    pub root: PathBuf,
    /// Print the plan and change nothing.
    pub dry_run: bool,
    /// Remove remote files that the site no longer has.
    pub delete: bool,
    /// Print each request (never a secret).
    pub verbose: bool,
    /// Counts the files sent, for a page that shows progress.
    pub counter: Option<std::sync::Arc<crate::counter::Counter>>,
}

/// Regular files under `dir`, sorted, with their paths relative to it (`/` separators).
pub(super) fn site_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry
            .map_err(|e| Error::Usage(format!("could not read {}: {e}", display_path(dir))))?;
        // Symbolic links and anything else that is not a plain file are left out.
        if entry.file_type().is_file() {
            let path = entry.into_path();
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
    Ok(out)
}

/// The built folder of one format, or a clear error when there is none yet.
fn built(root: &Path, format: &str) -> Result<PathBuf, Error> {
    let dir = crate::output::out_dir(root).join(format);
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(Error::Usage(format!(
            "{} does not exist; run `capsule build` first",
            display_path(&dir)
        )))
    }
}

/// Uploads `public/html/` to the bucket of `[publish.html]`: only what changed, in an order that never
/// leaves a page linking to a file that is not there yet.
pub(crate) fn html(opts: &PublishOptions) -> Result<(), Error> {
    let config = Config::load(&opts.root)?;
    let settings = config.publish.html.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{} has no [publish.html] section; add one with your bucket's name:\n\n[publish.html]\nbucket = \"my-site\"\n",
            display_path(&opts.root.join(crate::config::CONFIG_FILE))
        ))
    })?;
    let dir = built(&opts.root, "html")?;
    let files = plan::local_files(&dir, &settings)?;
    let credentials = s3::credentials(&settings, &opts.root)?;
    let client = s3::Client::new(&settings, credentials, opts.verbose)?;
    let remote = client.list()?;
    let plan = plan::Plan::new(&files, &remote, opts.delete);

    // Refuse before writing anything when the bucket would end up over the budget.
    if let Some(limit) = config.budget.html.0 {
        let after = plan.bytes_after();
        if after > limit {
            return Err(Error::Budget(over_budget(&opts.root, after, limit, &plan)));
        }
    }

    // The collective's budget: this site's new music must not be what puts everyone's over it.
    if let Some(message) = Report::load(&opts.root)
        .ok()
        .and_then(|r| r.collective)
        .and_then(|c| collective_refusal(&c, &plan))
    {
        return Err(Error::Budget(message));
    }

    print!("{}", plan.summary(&settings.bucket, opts.dry_run));
    if opts.dry_run {
        return Ok(());
    }
    if plan.uploads.is_empty() && plan.deletes.is_empty() {
        println!("Nothing to do: the bucket already holds this site.");
    }
    if let Err(note) = client.put_website() {
        println!("note: {note}");
    }
    if let Some(c) = &opts.counter {
        c.start(plan.uploads.len() as u64);
    }
    for (i, file) in plan.uploads.iter().enumerate() {
        client.put(file)?;
        if let Some(c) = &opts.counter {
            c.step();
        }
        if opts.verbose || (i + 1) % 25 == 0 || i + 1 == plan.uploads.len() {
            println!("  uploaded {} of {}", i + 1, plan.uploads.len());
        }
    }
    for key in &plan.deletes {
        client.delete(key)?;
    }
    println!(
        "Published {} to bucket \"{}\": {} uploaded ({}), {} deleted, {} unchanged.",
        display_path(&dir),
        settings.bucket,
        plan.uploads.len(),
        human_bytes(plan.upload_bytes()),
        plan.deletes.len(),
        plan.unchanged
    );
    Ok(())
}

/// Why this publish is refused, when the audio it uploads alone puts the collective's music (as the
/// last build reported it) over `[budget] collective`.
fn collective_refusal(c: &crate::report::Collective, plan: &plan::Plan) -> Option<String> {
    let limit = c.limit_bytes?;
    let new_audio: u64 = plan
        .uploads
        .iter()
        .filter(|f| f.content_type.starts_with("audio/") && !f.content_type.contains("mpegurl"))
        .map(|f| f.size)
        .sum();
    let before = c.total_bytes.saturating_sub(new_audio);
    (new_audio > 0 && c.total_bytes > limit && before <= limit).then(|| {
        format!(
            "error: this publish uploads {} of new music, which would put the collective's music (this site and the {} it \
             follows) at {}, over [budget] collective = \"{}\" by {}. Nothing was uploaded.\n  \
             Make this site's music smaller (fewer tracks, or [audio] quality = \"frugal\"), build and publish again; \
             `capsule report` shows what each member's music weighs.",
            human_bytes(new_audio),
            c.sites.len().saturating_sub(1),
            human_bytes(c.total_bytes),
            human_bytes(limit),
            human_bytes(c.total_bytes - limit)
        )
    })
}

fn over_budget(root: &Path, after: u64, limit: u64, plan: &plan::Plan) -> String {
    let mut s = format!(
        "error: after this publish the bucket would hold {}, over the HTML budget of {} by {} ([budget] html in capsule.toml). Nothing was uploaded.\n",
        human_bytes(after),
        human_bytes(limit),
        human_bytes(after - limit)
    );
    if plan.kept_remote_bytes > 0 {
        s.push_str(&format!(
            "  {} of that are old files in the bucket that the site no longer has: `--delete` removes them.\n",
            human_bytes(plan.kept_remote_bytes)
        ));
    }
    if let Ok(report) = Report::load(root) {
        s.push_str("  The largest albums and playlists in the HTML site:\n");
        let mut items = report.items.clone();
        items.sort_by_key(|i| std::cmp::Reverse(i.bytes.html));
        for i in items.iter().take(5) {
            s.push_str(&format!(
                "    {} \"{}\": {}\n",
                i.kind,
                i.slug,
                human_bytes(i.bytes.html)
            ));
        }
    }
    s.push_str("  `capsule build --fit` makes the site fit; then publish again.");
    s
}

/// Sends `public/gemini/` the way `[publish.gemini]` says.
pub(crate) fn gemini(opts: &PublishOptions) -> Result<(), Error> {
    let config = Config::load(&opts.root)?;
    let dir = built(&opts.root, "gemini")?;
    gemini::publish(&dir, &config.publish.gemini, opts)
}
