//! The site being previewed: rebuilt when its sources change, swapped in under a lock so no request sees
//! half a site. The editor's welcome page starts with no site and opens one later (`switch`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use crate::build::{build_with, BuildOptions};
use crate::config::CONFIG_FILE;
use crate::error::{Diagnostic, LEFT_OUT};
use crate::locks::lock;

/// How often the sources are looked at, at most. Saving a file and switching to the browser takes longer.
const CHECK_EVERY: Duration = Duration::from_millis(50);

pub(crate) struct Live {
    /// How a site is built here (its `root` is that of the open site).
    base: BuildOptions,
    /// The folder of the open site; `None` until the welcome page opens one.
    root: RwLock<Option<PathBuf>>,
    state: Mutex<State>,
    /// Held while a check or build runs: one at a time, and requests wait for it.
    building: Mutex<()>,
    /// Up while a check or build runs.
    checking: AtomicBool,
    /// Readers hold it while they open a file; the swap of the output takes it for writing.
    swap: RwLock<()>,
}

struct State {
    fingerprint: u64,
    checked: Instant,
    /// The message of the last build, when it failed.
    error: Option<String>,
    /// The warnings of the last build, whether it succeeded or not.
    warnings: Vec<Diagnostic>,
    /// The language of the site's pages, from its `capsule.toml`.
    lang: &'static str,
}

impl State {
    fn new() -> State {
        State {
            fingerprint: 0,
            checked: Instant::now() - CHECK_EVERY * 2,
            error: None,
            warnings: Vec::new(),
            lang: "en",
        }
    }
}

impl Live {
    /// Builds the site of `root` once, if there is one; a failure is kept and shown until the sources
    /// are fixed.
    pub(crate) fn start(root: Option<PathBuf>, base: BuildOptions) -> Live {
        let live = Live {
            state: Mutex::new(State::new()),
            base,
            root: RwLock::new(root),
            building: Mutex::new(()),
            checking: AtomicBool::new(false),
            swap: RwLock::new(()),
        };
        live.refresh();
        live
    }

    /// Opens another site (or the same again): once a running build has ended, the next check builds it.
    pub(crate) fn switch(&self, root: PathBuf) {
        let _one_build = lock(&self.building);
        *crate::locks::write(&self.root) = Some(root);
        *self.lock_state() = State::new();
    }

    /// The folder of the open site, if one is open.
    pub(crate) fn root(&self) -> Option<PathBuf> {
        crate::locks::read(&self.root).clone()
    }

    fn opts(&self) -> Option<BuildOptions> {
        let root = self.root()?;
        Some(BuildOptions {
            root,
            ..self.base.clone()
        })
    }

    /// Where the open site is built, if one is open.
    pub(crate) fn out(&self) -> Option<PathBuf> {
        let opts = self.opts()?;
        Some(
            opts.out
                .unwrap_or_else(|| crate::output::out_dir(&opts.root)),
        )
    }

    /// The language code of the open site's pages.
    pub(crate) fn lang(&self) -> &'static str {
        self.lock_state().lang
    }

    /// Rebuilds if anything under `content/`, `templates/`, `capsule.toml` or `capsule-fit.toml` changed since the last build.
    /// A request that arrives while a build runs waits for it, so it never answers from the stale site.
    pub(crate) fn refresh(&self) {
        // Fast path without the build lock. `checking` is raised before `checked` is renewed, so a
        // recent `checked` seen here with `checking` down means that check has finished.
        let recent = self.lock_state().checked.elapsed() < CHECK_EVERY;
        if recent && !self.checking.load(Ordering::SeqCst) {
            return;
        }
        let _one_build = lock(&self.building);
        let Some(opts) = self.opts() else {
            return;
        };
        self.checking.store(true, Ordering::SeqCst);
        let _lower = Lower(&self.checking);
        let fingerprint = {
            let mut state = self.lock_state();
            if state.checked.elapsed() < CHECK_EVERY {
                return;
            }
            state.checked = Instant::now();
            let fingerprint = sources_fingerprint(&opts.root);
            if fingerprint == state.fingerprint {
                return;
            }
            fingerprint
        };
        let started = Instant::now();
        let run = build_with(&opts, |staging, out| {
            let _swapping = crate::locks::write(&self.swap);
            staging.commit(out)
        });
        let lang = crate::config::Config::load(&opts.root)
            .map(|c| c.language.code())
            .unwrap_or("en");
        let mut state = self.lock_state();
        state.fingerprint = fingerprint;
        state.checked = Instant::now();
        state.lang = lang;
        crate::error::print_warnings(&run.warnings);
        state.warnings = run.warnings;
        match run.result {
            Ok(_) => {
                crate::say::out(format_args!(
                    "Built in {} ms.",
                    started.elapsed().as_millis()
                ));
                state.error = None;
            }
            Err(e) => {
                let message = e.to_string();
                crate::say::err(format_args!(
                    "{message}\nThe preview shows this error until the site is fixed."
                ));
                state.error = Some(message);
            }
        }
    }

    /// A build as `capsule build` does it (budgets enforced; with `fit`, as `--fit`), swapped in under
    /// the same locks as the preview's own builds, which it then stands for.
    pub(crate) fn build_checked(
        &self,
        fit: bool,
        counter: std::sync::Arc<crate::counter::Counter>,
    ) -> Option<crate::build::BuildRun> {
        let _one_build = lock(&self.building);
        let site = self.opts()?;
        let fingerprint = sources_fingerprint(&site.root);
        let opts = BuildOptions {
            allow_over_budget: false,
            // As `capsule build`: what cannot be published stops the build.
            keep_going: false,
            fit,
            progress: false,
            counter: Some(counter),
            // Asked for by the writer, as `capsule build`: every followed site is asked.
            follow_fresh_for: None,
            ..site
        };
        let run = build_with(&opts, |staging, out| {
            let _swapping = crate::locks::write(&self.swap);
            staging.commit(out)
        });
        let mut state = self.lock_state();
        state.checked = Instant::now();
        state.warnings = run.warnings.clone();
        if run.result.is_ok() {
            state.fingerprint = fingerprint;
            state.error = None;
        }
        Some(run)
    }

    /// The error of the last build, if it failed.
    pub(crate) fn error(&self) -> Option<String> {
        self.lock_state().error.clone()
    }

    /// The warnings of the last build.
    pub(crate) fn warnings(&self) -> Vec<Diagnostic> {
        self.lock_state().warnings.clone()
    }

    /// What the last build left out (photos and tracks it could not publish), each with the output
    /// folder of the page it belongs to.
    pub(crate) fn left_out(&self) -> Vec<(String, Diagnostic)> {
        let Some(root) = self.root() else {
            return Vec::new();
        };
        let content = root.join("content");
        self.lock_state()
            .warnings
            .iter()
            .filter(|d| d.message.ends_with(LEFT_OUT))
            .map(|d| (page_dir_of(&content, &d.file), d.clone()))
            .collect()
    }

    /// Hold this while opening a file of the output, so it is not swapped meanwhile.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, ()> {
        crate::locks::read(&self.swap)
    }

    /// Waits for a running build to end (for a clean stop).
    pub(crate) fn wait_for_build(&self) -> std::sync::MutexGuard<'_, ()> {
        lock(&self.building)
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// The output folder of the page a source file belongs to: `content/albums/Trip/x.jpg` →
/// `albums/trip`, `content/About.md` → `about`, anything else of `content/` → the home page.
fn page_dir_of(content: &Path, file: &Path) -> String {
    use crate::content::slug::slugify;
    let Ok(rel) = file.strip_prefix(content) else {
        return String::new();
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [kind, item, ..] if kind == "albums" || kind == "playlists" => {
            format!("{kind}/{}", slugify(item))
        }
        [page] if page.ends_with(".md") && page != "index.md" => {
            slugify(page.trim_end_matches(".md"))
        }
        _ => String::new(),
    }
}

/// Lowers the flag when a check ends, however it ends.
struct Lower<'a>(&'a AtomicBool);

impl Drop for Lower<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Names, sizes and modification times of every source file: any edit, addition or removal changes it.
fn sources_fingerprint(root: &Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    for path in [
        root.join("content"),
        root.join("templates"),
        root.join(CONFIG_FILE),
        root.join(crate::fit::FIT_FILE),
    ] {
        for entry in walkdir::WalkDir::new(&path)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
        {
            entry.path().hash(&mut hasher);
            if let Ok(meta) = entry.metadata() {
                meta.len().hash(&mut hasher);
                meta.modified().ok().hash(&mut hasher);
            }
        }
    }
    hasher.finish()
}
