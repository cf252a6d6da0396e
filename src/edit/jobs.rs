//! Long work started from the editor (build, `--fit`, publish) runs in the background, one at a time;
//! its page refreshes itself (`<meta http-equiv="refresh">`, no script) until the work is done, then
//! shows the size report, the warnings, the over-budget guidance or what the publish did.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use super::pages::Pages;
use super::Reply;
use crate::counter::Counter;
use crate::error::{Diagnostic, Error};
use crate::locks::lock;
use crate::publish::{self, PublishOptions};
use crate::serve::live::Live;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Build,
    Fit,
    Publish,
}

/// How a job ended.
#[derive(Debug, Clone, Default)]
struct Outcome {
    ok: bool,
    /// The size report's table, after a build.
    report: Option<String>,
    warnings: Vec<Diagnostic>,
    /// Why it failed: an error, or the over-budget guidance.
    message: String,
    over_budget: bool,
    /// The sites sent, after a publish: `html`, `gemini`.
    published: Vec<&'static str>,
}

struct Job {
    kind: Kind,
    started: Instant,
    outcome: Option<Outcome>,
    /// Photos and tracks made (build), or files sent (publish), of how many.
    counter: Arc<Counter>,
}

/// The editor's one background job at a time.
#[derive(Default, Clone)]
pub(crate) struct Jobs {
    current: Arc<Mutex<Option<Job>>>,
}

impl Jobs {
    /// Starts `kind` unless a job still runs; returns whether it started.
    pub(crate) fn start(&self, kind: Kind, live: Arc<Live>, root: PathBuf) -> bool {
        let counter = Arc::new(Counter::default());
        {
            let mut current = lock(&self.current);
            if current.as_ref().is_some_and(|j| j.outcome.is_none()) {
                return false;
            }
            *current = Some(Job {
                kind,
                started: Instant::now(),
                outcome: None,
                counter: counter.clone(),
            });
        }
        let slot = self.current.clone();
        std::thread::spawn(move || {
            let outcome = match kind {
                Kind::Build | Kind::Fit => build(&live, kind == Kind::Fit, counter),
                Kind::Publish => publish_both(root, counter),
            };
            if let Some(job) = lock(&slot).as_mut() {
                job.outcome = Some(outcome);
            }
        });
        true
    }

    /// Whether a job runs now.
    pub(crate) fn running(&self) -> bool {
        lock(&self.current)
            .as_ref()
            .is_some_and(|j| j.outcome.is_none())
    }

    /// The job's page: its progress while it runs, its outcome once done.
    pub(crate) fn page(&self, pages: &Pages, csrf: &str, busy: bool) -> Reply {
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            base: super::pages::Base<'a>,
            busy: bool,
            running: bool,
            seconds: u64,
            /// "12 of 40 photos and tracks", "30 of 120 files sent", once there is a count.
            progress: Option<String>,
            ok: bool,
            message: String,
            over_budget: bool,
            published: Vec<String>,
            report: Option<String>,
            warnings: Vec<super::pages::Line>,
            /// A failed publish: a link to the Publishing page, where it is set up.
            set_up: bool,
            /// After a publish: the address of the live site.
            live: Option<String>,
        }
        let current = lock(&self.current);
        let Some(job) = current.as_ref() else {
            return Reply::see_other("/_edit/".into());
        };
        let title = match job.kind {
            Kind::Build => pages.t.job_build,
            Kind::Fit => pages.t.job_fit,
            Kind::Publish => pages.t.job_publish,
        };
        let mut base = pages.base(title, "dashboard", csrf);
        base.refresh = job.outcome.is_none();
        let outcome = job.outcome.clone().unwrap_or_default();
        let ctx = Ctx {
            base,
            busy,
            running: job.outcome.is_none(),
            seconds: job.started.elapsed().as_secs(),
            progress: match job.counter.get() {
                (_, 0) => None,
                (done, total) => Some(format!(
                    "{done} / {total} {}",
                    if job.kind == Kind::Publish {
                        pages.t.files_sent
                    } else {
                        pages.t.media_made
                    }
                )),
            },
            ok: outcome.ok,
            message: outcome.message,
            over_budget: outcome.over_budget,
            published: outcome
                .published
                .iter()
                .map(|p| match *p {
                    "html" => format!("{} ✓", pages.t.published_html),
                    _ => format!("{} ✓", pages.t.published_gemini),
                })
                .collect(),
            report: outcome.report,
            warnings: pages.lines(&outcome.warnings),
            set_up: job.kind == Kind::Publish && !outcome.ok && job.outcome.is_some(),
            live: outcome
                .published
                .contains(&"html")
                .then(|| pages.config.html_base_url.clone())
                .flatten(),
        };
        Reply::html(200, pages.render("edit/job.html", &ctx))
    }
}

fn build(live: &Live, fit: bool, counter: Arc<Counter>) -> Outcome {
    let Some(run) = live.build_checked(fit, counter) else {
        return Outcome {
            message: "No site is open.".into(),
            ..Outcome::default()
        };
    };
    let mut outcome = Outcome {
        warnings: run.warnings,
        ..Outcome::default()
    };
    match run.result {
        Ok(built) => {
            outcome.ok = true;
            let notes: String = built.notes.iter().map(|n| format!("{n}\n")).collect();
            outcome.report = Some(format!("{notes}{}", built.report.table()));
        }
        Err(e) => {
            outcome.over_budget = matches!(e, Error::Budget(_));
            outcome.message = e.to_string();
        }
    }
    outcome
}

fn publish_both(root: PathBuf, counter: Arc<Counter>) -> Outcome {
    let opts = PublishOptions {
        root,
        dry_run: false,
        delete: false,
        verbose: false,
        counter: Some(counter),
    };
    let mut outcome = Outcome {
        ok: true,
        ..Outcome::default()
    };
    for (label, result) in [
        ("html", publish::html(&opts)),
        ("gemini", publish::gemini(&opts)),
    ] {
        match result {
            Ok(()) => outcome.published.push(label),
            Err(e) => {
                outcome.ok = false;
                outcome.message.push_str(&format!("{label}: {e}\n"));
            }
        }
    }
    outcome
}
