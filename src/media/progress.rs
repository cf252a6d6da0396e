//! Progress of the media work: a bar on a terminal, a plain line every few seconds otherwise, nothing
//! when asked to be quiet or when everything comes from the cache.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::locks::lock;

pub(super) struct Progress {
    total: u64,
    done: AtomicU64,
    show: bool,
    bar: Mutex<Option<ProgressBar>>,
    last_line: Mutex<Instant>,
}

impl Progress {
    pub(super) fn new(total: u64, show: bool) -> Progress {
        Progress {
            total,
            done: AtomicU64::new(0),
            show,
            bar: Mutex::new(None),
            last_line: Mutex::new(Instant::now()),
        }
    }

    /// Called when a job ends; `worked` is false for a job served from the cache.
    pub(super) fn tick(&self, worked: bool, what: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.show {
            return;
        }
        if std::io::stderr().is_terminal() {
            let mut bar = lock(&self.bar);
            // The bar appears with the first real work, so a build from the cache stays silent.
            if bar.is_none() && worked {
                let b = ProgressBar::new(self.total);
                b.set_style(
                    ProgressStyle::with_template(
                        "{spinner} media {pos}/{len} [{bar:30}] {elapsed} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                *bar = Some(b);
            }
            if let Some(b) = bar.as_ref() {
                b.set_position(done);
                b.set_message(what.to_string());
            }
        } else if worked {
            let mut last = lock(&self.last_line);
            if last.elapsed() >= Duration::from_secs(2) || done == self.total {
                eprintln!("media: {done} of {} done", self.total);
                *last = Instant::now();
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Some(b) = lock(&self.bar).take() {
            b.finish_and_clear();
        }
    }
}
