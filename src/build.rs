//! One build: load content → media jobs → render both formats → write into staging → swap into place → report.

use std::path::{Path, PathBuf};

use crate::budget;
use crate::config::Config;
use crate::content;
use crate::error::{Diagnostic, Error};
use crate::fit::{self, Fitted};
use crate::media::{self, Cache, MediaOptions, MediaStats};
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
    /// Write the site even when it is over a budget.
    pub allow_over_budget: bool,
    /// Choose media settings that keep every budget (and save them for the next builds).
    pub fit: bool,
}

impl BuildOptions {
    fn media(&self) -> MediaOptions {
        MediaOptions {
            keep_going: self.keep_going,
            progress: self.progress,
        }
    }
}

pub struct BuildOutcome {
    pub report: Report,
    pub warnings: Vec<Diagnostic>,
    /// What the build decided for the writer (fitted settings), printed before the report.
    pub notes: Vec<String>,
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
    let base = Config::load(root)?;
    let templates = Templates::load(root)?;
    let site = content::load(root, base.clone(), opts.drafts)?;
    let out = opts.out.clone().unwrap_or_else(|| root.join("public"));
    check_out_dir(&out, root)?;

    let cache = Cache::open(&Config::cache_dir(root).join("media"))?;
    let mut notes = Vec::new();
    let mut site_warnings = site.warnings.clone();
    let fitted = Fitted::load(root)?;
    let key = match &fitted {
        Some(_) => Some(fit::key(&site, &base, &cache)?),
        None => None,
    };
    let mut config = base.clone();
    let mut fitted_ok = false;
    if let (Some(f), Some(key)) = (&fitted, &key) {
        if &f.key == key {
            config = f.apply(&base);
            fitted_ok = true;
            notes.push(format!(
                "Using the settings chosen by `capsule build --fit` ({}): {}.",
                fit::FIT_FILE,
                f.describe(&base)
            ));
        } else if !opts.fit {
            site_warnings.push(Diagnostic::new(
                Fitted::path(root),
                None,
                "was chosen for other photos, tracks, settings or budgets, so this build uses capsule.toml's \
                 settings; run `capsule build --fit` to fit the budgets again",
            ));
        }
    }

    let trials = budget::Trials {
        cache: &cache,
        root,
        options: opts.media(),
    };
    let fail = |e: Error, cache: &Cache| {
        // Entries made before the failure are complete and stay for the next build.
        let _ = cache.save();
        with_warnings(e, &site_warnings)
    };
    let mut staged =
        stage(&site, &config, &templates, &cache, &out, opts).map_err(|e| fail(e, &cache))?;
    let mut report = staged.report(&site, &config, &out, &site_warnings);
    if opts.fit && (!fitted_ok || report.over().next().is_some()) {
        let Staged { staging, .. } = staged;
        staging.discard();
        let (fitted_config, label) =
            fit::fit(&site, &base, &report, &trials).map_err(|e| fail(e, &cache))?;
        notes.push(format!(
            "`--fit` chose: {label} (saved in {}; the next builds use it).",
            fit::FIT_FILE
        ));
        config = fitted_config;
        staged =
            stage(&site, &config, &templates, &cache, &out, opts).map_err(|e| fail(e, &cache))?;
        report = staged.report(&site, &config, &out, &site_warnings);
    }
    if report.over().next().is_some() && !opts.allow_over_budget {
        let written = staged.staging.written();
        let message = budget::guidance(&site, &config, &report, &written, &trials);
        staged.staging.discard();
        return Err(fail(message.map_or_else(|e| e, Error::budget), &cache));
    }
    let Staged {
        staging,
        warnings: media_warnings,
        ..
    } = staged;
    // The report made from staging counts exactly the files that now stand in `out`.
    commit(staging, &out)?;
    cache.prune()?;
    content::prune_covers(root, &site);
    cache.save()?;
    let mut warnings = site_warnings;
    warnings.extend(media_warnings);
    report.save(root)?;
    Ok(BuildOutcome {
        report,
        warnings,
        notes,
    })
}

/// A whole build written into staging, not yet in place.
struct Staged {
    staging: Staging,
    stats: MediaStats,
    warnings: Vec<Diagnostic>,
}

impl Staged {
    fn report(
        &self,
        site: &content::Site,
        config: &Config,
        out: &Path,
        site_warnings: &[Diagnostic],
    ) -> Report {
        Report::from_written(
            &self.staging.written(),
            site,
            &config.budget,
            out,
            site_warnings.len() + self.warnings.len(),
            self.stats,
        )
    }
}

fn stage(
    site: &content::Site,
    config: &Config,
    templates: &Templates,
    cache: &Cache,
    out: &Path,
    opts: &BuildOptions,
) -> Result<Staged, Error> {
    let staging = Staging::create(out)?;
    match write_site(site, config, templates, &staging, cache, opts) {
        Ok((stats, warnings)) => Ok(Staged {
            staging,
            stats,
            warnings,
        }),
        Err(e) => {
            staging.discard();
            Err(e)
        }
    }
}

fn write_site(
    site: &content::Site,
    config: &Config,
    templates: &Templates,
    staging: &Staging,
    cache: &Cache,
    opts: &BuildOptions,
) -> Result<(MediaStats, Vec<Diagnostic>), Error> {
    let run = media::run(
        &site.all_pages().collect::<Vec<_>>(),
        config,
        cache,
        opts.media(),
    )?;
    staging.place(&run.placements())?;
    for file in render_site(site, &run.outputs, templates)? {
        staging.write(file.format, &file.path, file.kind, file.text.as_bytes())?;
    }
    Ok((run.stats, run.warnings))
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
        Error::Budget {
            message,
            mut warnings,
        } => {
            warnings.extend_from_slice(site_warnings);
            Error::Budget { message, warnings }
        }
        other => other,
    }
}

/// The site root to use: the given one, or the current folder.
pub fn root_or_current(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
