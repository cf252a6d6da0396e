//! One build: load content → media jobs → render both formats → write into staging → swap into place → report.

use std::path::{Path, PathBuf};

use crate::budget;
use crate::config::{Config, CONFIG_FILE};
use crate::content;
use crate::error::{Diagnostic, Error};
use crate::fit::{self, Fitted};
use crate::library::elsewhere;
use crate::library::follow::{self, Followed};
use crate::library::Library;
use crate::media::{self, Cache, MediaOptions, MediaStats};
use crate::output::{check_out_dir, out_dir, Staging};
use crate::render::{render_site, Templates};
use crate::report::{MusicShares, Report};

#[derive(Clone)]
pub(crate) struct BuildOptions {
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
    /// Counts the media jobs done, for a page that shows progress.
    pub counter: Option<std::sync::Arc<crate::counter::Counter>>,
    /// A followed site asked less than this long ago is not asked again (the preview rebuilds at each
    /// save); `None` asks every followed site, as `capsule build` does.
    pub follow_fresh_for: Option<std::time::Duration>,
}

impl BuildOptions {
    fn media(&self) -> MediaOptions {
        MediaOptions {
            keep_going: self.keep_going,
            progress: self.progress,
            counter: self.counter.clone(),
        }
    }
}

pub(crate) struct BuildOutcome {
    pub report: Report,
    /// What the build decided for the writer (fitted settings), printed before the report.
    pub notes: Vec<String>,
}

/// A build's warnings, which stand beside its result whether it succeeded or not.
pub(crate) struct BuildRun {
    pub warnings: Vec<Diagnostic>,
    pub result: Result<BuildOutcome, Error>,
}

pub(crate) fn build(opts: &BuildOptions) -> BuildRun {
    build_with(opts, |staging, out| staging.commit(out))
}

/// A build whose final swap is done by `commit`, so the preview server can swap under its lock.
pub(crate) fn build_with(
    opts: &BuildOptions,
    commit: impl FnOnce(Staging, &Path) -> Result<Vec<crate::output::Written>, Error>,
) -> BuildRun {
    let mut warnings = Vec::new();
    let result = (|| {
        let prepared = prepare(opts, &mut warnings)?;
        let mut settings = prepared.choose_settings(opts, &mut warnings)?;
        let staged = prepared.stage_within_budget(opts, &mut settings, &mut warnings)?;
        prepared.finish(staged, settings, commit)
    })();
    BuildRun { warnings, result }
}

/// What a build reads before any media work: settings, templates, the site, where it goes, the cache.
pub(crate) struct Prepared {
    pub root: PathBuf,
    /// capsule.toml's settings, before any saved `--fit`.
    pub base: Config,
    pub templates: Templates,
    pub site: content::Site,
    pub out: PathBuf,
    pub cache: Cache,
    /// The catalogues of the sites `[library] follow` names, fresh or from the cache.
    pub followed: Vec<Followed>,
}

/// The media settings a build uses, and what it says about them.
pub(crate) struct Settings {
    pub config: Config,
    /// The settings come from a `--fit` saved for exactly this content, settings and budgets.
    pub fitted: bool,
    pub notes: Vec<String>,
}

/// A whole build written into staging, not yet in place, with its report.
pub(crate) struct Staged {
    staging: Staging,
    pub report: Report,
    /// What its media work warned about, until this staging is the one kept.
    media_warnings: Vec<Diagnostic>,
}

/// Phase 1: reads the settings, the templates and the content, and opens the cache.
pub(crate) fn prepare(
    opts: &BuildOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Prepared, Error> {
    let root = &opts.root;
    let base = Config::load(root)?;
    let templates = Templates::load(root)?;
    let load = content::LoadOptions {
        drafts: opts.drafts,
        keep_going: opts.keep_going,
    };
    let mut site = content::load_with(root, base.clone(), load, warnings, &Default::default())?;
    let out = opts.out.clone().unwrap_or_else(|| out_dir(root));
    check_out_dir(&out, root)?;
    let cache = Cache::open(&Config::cache_dir(root).join("media"))?;
    let following = follow::follow(
        &base.library.follow,
        &Config::cache_dir(root).join("follow"),
        &root.join(CONFIG_FILE),
        opts.follow_fresh_for,
    );
    warnings.extend(following.warnings);
    // A playlist's links to followed sites' recordings, found in their catalogues.
    elsewhere::place(&mut site, &following.sites, warnings);
    Ok(Prepared {
        root: root.clone(),
        base,
        templates,
        site,
        out,
        cache,
        followed: following.sites,
    })
}

impl Prepared {
    /// Phase 2: capsule.toml's settings, or those of a saved `--fit` when they were chosen for this site.
    pub(crate) fn choose_settings(
        &self,
        opts: &BuildOptions,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Settings, Error> {
        let mut settings = Settings {
            config: self.base.clone(),
            fitted: false,
            notes: Vec::new(),
        };
        let Some(saved) = Fitted::load(&self.root)? else {
            return Ok(settings);
        };
        if saved.key == fit::key(&self.site, &self.base, &self.cache)? {
            settings.config = saved.apply(&self.base);
            settings.fitted = true;
            settings.notes.push(format!(
                "Using the settings chosen by `capsule build --fit` ({}): {}.",
                fit::FIT_FILE,
                saved.describe(&self.base)
            ));
        } else if !opts.fit {
            warnings.push(Diagnostic::new(
                Fitted::path(&self.root),
                None,
                "was chosen for other photos, tracks, settings or budgets, so this build uses capsule.toml's \
                 settings; run `capsule build --fit` to fit the budgets again",
            ));
        }
        Ok(settings)
    }

    /// Phase 3: the whole site in staging, within every budget. With `--fit`, settings that fit are
    /// chosen by trial encodes and the site staged again with them; over budget, the error measures what
    /// would save bytes. On failure nothing is left in staging, and the cache keeps what was encoded.
    pub(crate) fn stage_within_budget(
        &self,
        opts: &BuildOptions,
        settings: &mut Settings,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Staged, Error> {
        let result = self.try_stage_within_budget(opts, settings, warnings);
        if result.is_err() {
            // Entries made before the failure are complete and stay for the next build.
            let _ = self.cache.save();
        }
        result.map(|mut staged| {
            warnings.append(&mut staged.media_warnings);
            staged
        })
    }

    fn try_stage_within_budget(
        &self,
        opts: &BuildOptions,
        settings: &mut Settings,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Staged, Error> {
        let trials = budget::Trials {
            cache: &self.cache,
            root: &self.root,
            options: opts.media(),
            followed: &self.followed,
        };
        let mut staged = self.stage(&settings.config, opts, warnings)?;
        if opts.fit && (!settings.fitted || staged.report.over().next().is_some()) {
            // Staged again below with the fitted settings, which warn about the same media.
            staged.staging.discard();
            let (config, label) = fit::fit(&self.site, &self.base, &staged.report, &trials)?;
            settings.notes.push(format!(
                "`--fit` chose: {label} (saved in {}; the next builds use it).",
                fit::FIT_FILE
            ));
            settings.config = config;
            staged = self.stage(&settings.config, opts, warnings)?;
        }
        if staged.report.over().next().is_some() && !opts.allow_over_budget {
            let message = budget::guidance(&self.site, &settings.config, &staged.report, &trials);
            staged.staging.discard();
            warnings.append(&mut staged.media_warnings);
            return Err(message.map_or_else(|e| e, Error::Budget));
        }
        Ok(staged)
    }

    /// Media, pages and feeds of the whole site written into a fresh staging folder, with its report.
    /// `warnings` are those found so far, which the report counts with the media's own.
    fn stage(
        &self,
        config: &Config,
        opts: &BuildOptions,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Staged, Error> {
        let staging = Staging::create(&self.out)?;
        let mut media_warnings = Vec::new();
        match self.write_site(config, &staging, opts, &mut media_warnings) {
            Ok((stats, music)) => {
                let mut report = Report::from_written(
                    &staging.written(),
                    &self.site,
                    &config.budget,
                    &self.out,
                    warnings.len() + media_warnings.len(),
                    stats,
                    &music,
                );
                // Over the collective's budget, the build warns: it cannot make another member's site
                // smaller. Publishing refuses new music that would put the total over.
                if let Some(message) = report.collective.as_ref().and_then(|c| c.over_message()) {
                    media_warnings.push(Diagnostic::new(
                        self.root.join(CONFIG_FILE),
                        None,
                        message,
                    ));
                    report.warnings += 1;
                }
                Ok(Staged {
                    staging,
                    report,
                    media_warnings,
                })
            }
            Err(e) => {
                staging.discard();
                warnings.extend(media_warnings);
                Err(e)
            }
        }
    }

    fn write_site(
        &self,
        config: &Config,
        staging: &Staging,
        opts: &BuildOptions,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(MediaStats, MusicShares), Error> {
        let mut run = media::run(
            &self.site.all_pages().collect::<Vec<_>>(),
            config,
            &self.cache,
            opts.media(),
            warnings,
        )?;
        // Recordings a followed site already publishes are played from there, not stored twice.
        let linked = elsewhere::link_published(&mut run.outputs, &self.followed);
        staging.place(&run.placements())?;
        let library = Library::of_site(&self.site, &run.outputs, self.followed.clone());
        for file in render_site(&self.site, &run.outputs, &library, &self.templates)? {
            staging.write(file.format, &file.path, file.kind, file.text.as_bytes())?;
        }
        Ok((
            run.stats,
            MusicShares::of(&self.site, &run.outputs, &library, &linked),
        ))
    }

    /// Phase 4: swaps the staged site into place, prunes the cache and covers, and saves the report.
    pub(crate) fn finish(
        &self,
        staged: Staged,
        settings: Settings,
        commit: impl FnOnce(Staging, &Path) -> Result<Vec<crate::output::Written>, Error>,
    ) -> Result<BuildOutcome, Error> {
        let Staged {
            staging, report, ..
        } = staged;
        // The report made from staging counts exactly the files that now stand in `out`.
        commit(staging, &self.out)?;
        self.cache.prune()?;
        content::prune_covers(&self.root, &self.site);
        self.cache.save()?;
        report.save(&self.root)?;
        Ok(BuildOutcome {
            report,
            notes: settings.notes,
        })
    }
}

/// The site root to use: the given one, or the current folder.
pub(crate) fn root_or_current(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
