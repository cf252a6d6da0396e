//! One build: load content → media jobs → render both formats → write into staging → swap into place → report.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content;
use crate::error::{Diagnostic, Error};
use crate::media::{self, Cache, MediaStats};
use crate::output::{check_out_dir, Staging};
use crate::render::{render_site, Templates};
use crate::report::Report;

pub struct BuildOptions {
    /// The site root: the folder holding `content/`.
    pub root: PathBuf,
    /// Defaults to `ROOT/public`.
    pub out: Option<PathBuf>,
    pub drafts: bool,
    /// A photo or track that cannot be published is left out with a warning instead of failing the build.
    pub keep_going: bool,
    /// Show the progress of media work (not with --quiet).
    pub progress: bool,
}

pub struct BuildOutcome {
    pub report: Report,
    pub warnings: Vec<Diagnostic>,
}

pub fn build(opts: &BuildOptions) -> Result<BuildOutcome, Error> {
    build_with(opts, |staging, out| staging.commit(out))
}

/// A build whose final swap is done by `commit`, so the preview server can swap under its lock.
pub fn build_with(
    opts: &BuildOptions,
    commit: impl FnOnce(Staging, &Path) -> Result<Vec<crate::output::Written>, Error>,
) -> Result<BuildOutcome, Error> {
    let root = &opts.root;
    let config = Config::load(root)?;
    let templates = Templates::load(root)?;
    let site = content::load(root, config.clone(), opts.drafts)?;
    let out = opts.out.clone().unwrap_or_else(|| root.join("public"));
    check_out_dir(&out, root)?;

    let cache = Cache::open(&Config::cache_dir(root).join("media"))?;
    let staging = Staging::create(&out)?;
    let (stats, media_warnings) =
        match write_site(&site, &config, &templates, &staging, &cache, opts) {
            Ok(done) => done,
            Err(e) => {
                staging.discard();
                // Entries made before the failure are complete and stay for the next build.
                let _ = cache.save();
                return Err(with_warnings(e, &site.warnings));
            }
        };
    let written = commit(staging, &out)?;
    cache.prune()?;
    cache.save()?;
    let mut warnings = site.warnings;
    warnings.extend(media_warnings);
    let report = Report::from_written(&written, &out, warnings.len(), stats);
    report.save(root)?;
    Ok(BuildOutcome { report, warnings })
}

fn write_site(
    site: &content::Site,
    config: &Config,
    templates: &Templates,
    staging: &Staging,
    cache: &Cache,
    opts: &BuildOptions,
) -> Result<(MediaStats, Vec<Diagnostic>), Error> {
    let (media, stats, warnings) =
        media::run(site, config, staging, cache, opts.keep_going, opts.progress)?;
    for file in render_site(site, &media, templates)? {
        staging.write(file.format, &file.path, file.kind, file.text.as_bytes())?;
    }
    Ok((stats, warnings))
}

/// Content errors found late (in media or templates) still carry the loader's warnings.
fn with_warnings(e: Error, site_warnings: &[Diagnostic]) -> Error {
    match e {
        Error::Content {
            errors,
            mut warnings,
        } => {
            warnings.extend_from_slice(site_warnings);
            Error::Content { errors, warnings }
        }
        other => other,
    }
}

/// The site root to use: the given one, or the current folder.
pub fn root_or_current(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
