//! Media jobs: every photo and track of the site turned into the files that both outputs link to.

mod audio;
pub mod cache;
mod encode;
mod photo;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::Site;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::output::Staging;

pub use audio::{AudioFile, TrackOutput};
pub use cache::Cache;
pub use encode::ImageFormat;
pub use photo::PhotoOutput;

/// The outputs of one page's media, in the same order as its `photos` and `tracks`.
#[derive(Debug, Default)]
pub struct PageMedia {
    pub photos: Vec<PhotoOutput>,
    pub tracks: Vec<TrackOutput>,
}

/// Page folder → its media outputs.
pub type MediaOutputs = HashMap<String, PageMedia>;

enum Job<'a> {
    Photo(&'a str, &'a crate::content::Photo),
    Track(&'a str, &'a crate::content::Track),
}

enum Done {
    Photo(String, PhotoOutput, bool),
    Track(String, TrackOutput, bool, Vec<Diagnostic>),
}

/// How much media work a build did, per kind of job.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MediaStats {
    pub photos: JobCount,
    pub tracks: JobCount,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobCount {
    /// Jobs that encoded something.
    pub run: u64,
    /// Jobs whose outputs came from the cache.
    pub reused: u64,
}

impl JobCount {
    fn add(&mut self, ran: bool) {
        if ran {
            self.run += 1;
        } else {
            self.reused += 1;
        }
    }
}

/// Runs every media job in parallel, reusing the cache, writing into `staging`. All failures are collected;
/// warnings about media (a track that ends early) come back with the outputs.
pub fn run(
    site: &Site,
    config: &Config,
    staging: &Staging,
    cache: &Cache,
) -> Result<(MediaOutputs, MediaStats, Vec<Diagnostic>), Error> {
    let mut jobs = Vec::new();
    for page in site.all_pages() {
        jobs.extend(page.photos.iter().map(|p| Job::Photo(&page.dir, p)));
        jobs.extend(page.tracks.iter().map(|t| Job::Track(&page.dir, t)));
    }
    let results: Vec<Result<Done, Error>> = jobs
        .par_iter()
        .map(|job| match job {
            Job::Photo(dir, p) => photo::process(p, &config.photos, dir, staging, cache)
                .map(|(o, ran)| Done::Photo(dir.to_string(), o, ran)),
            Job::Track(dir, t) => {
                audio::process(t, &config.audio, dir, staging, cache).map(|(o, ran, notes)| {
                    let notes = notes
                        .into_iter()
                        .map(|n| Diagnostic::new(&t.source, None, n))
                        .collect();
                    Done::Track(dir.to_string(), o, ran, notes)
                })
            }
        })
        .collect();

    let mut diags = Diagnostics::default();
    let mut outputs = MediaOutputs::new();
    let mut stats = MediaStats::default();
    for result in results {
        match result {
            Ok(Done::Photo(dir, o, ran)) => {
                stats.photos.add(ran);
                outputs.entry(dir).or_default().photos.push(o)
            }
            Ok(Done::Track(dir, o, ran, notes)) => {
                stats.tracks.add(ran);
                diags.warnings.extend(notes);
                outputs.entry(dir).or_default().tracks.push(o)
            }
            Err(Error::Content { errors, .. }) => diags.errors.extend(errors),
            Err(other) => return Err(other),
        }
    }
    let warnings = diags.into_result()?;
    Ok((outputs, stats, warnings))
}

/// "212 KB", "4.1 MB": decimal units, as storage quotas count them.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(212_400), "212 KB");
        assert_eq!(human_bytes(4_100_000), "4.1 MB");
    }
}
