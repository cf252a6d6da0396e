//! Media jobs: every photo and track of the site turned into the files that both outputs link to.

mod audio;
mod avif;
pub(crate) mod cache;
mod encode;
mod flac;
mod memory;
mod mp4;
mod photo;
mod progress;
mod sound;
pub(crate) mod timing;

use std::collections::HashMap;

use crate::config::Config;
use crate::content::Page;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::output::Placement;

pub(crate) use audio::{AudioFile, TrackOutput};
pub(crate) use cache::Cache;
pub(crate) use photo::{preview as photo_preview, PhotoOutput};
pub(crate) use sound::{Sound, FEATURES};

/// The outputs of one page's media, in the same order as its `photos` and `tracks`.
#[derive(Debug, Default)]
pub(crate) struct PageMedia {
    /// `None` where the job failed and the build keeps going without it.
    pub photos: Vec<Option<PhotoOutput>>,
    pub tracks: Vec<Option<TrackOutput>>,
    /// How each track sounds, aligned with `tracks`: `None` where it could not be analysed.
    pub sounds: Vec<Option<Sound>>,
}

/// Page folder → its media outputs.
pub(crate) type MediaOutputs = HashMap<String, PageMedia>;

/// How a media run behaves.
#[derive(Debug, Clone, Default)]
pub(crate) struct MediaOptions {
    /// A photo or track that cannot be made is left out with a warning instead of failing.
    pub keep_going: bool,
    /// Show progress on standard error.
    pub progress: bool,
    /// Counts the jobs done, for a page that shows progress.
    pub counter: Option<std::sync::Arc<crate::counter::Counter>>,
}

/// What a media run made: each page's outputs (cache files and their sizes), and the work done.
#[derive(Debug, Default)]
pub(crate) struct MediaRun {
    pub outputs: MediaOutputs,
    pub stats: MediaStats,
}

/// The folder of both outputs where every track's files are stored, once per recording.
pub(crate) const TRACKS_DIR: &str = "music/tracks";

impl MediaRun {
    /// Every file to place in the output, each once (a recording in two playlists is one file), for the
    /// write phase (or, in budget trials, just to count).
    pub(crate) fn placements(&self) -> Vec<Placement> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut dirs: Vec<&String> = self.outputs.keys().collect();
        dirs.sort();
        for dir in dirs {
            let page = &self.outputs[dir];
            for photo in page.photos.iter().flatten() {
                out.extend(photo.placements());
            }
            for track in page.tracks.iter().flatten() {
                for p in track.placements() {
                    if seen.insert((p.file.format, p.file.path.clone())) {
                        out.push(p);
                    }
                }
            }
        }
        out
    }
}

impl MediaRun {
    /// Each page's media files, for measuring what a page weighs: a track two playlists share is in both.
    pub(crate) fn by_page(
        &self,
    ) -> std::collections::BTreeMap<String, Vec<crate::output::Written>> {
        self.outputs
            .iter()
            .map(|(dir, page)| {
                let photos = page.photos.iter().flatten().flat_map(|p| p.placements());
                let tracks = page.tracks.iter().flatten().flat_map(|t| t.placements());
                (dir.clone(), photos.chain(tracks).map(|p| p.file).collect())
            })
            .collect()
    }
}

/// Names each recording's files in [`TRACKS_DIR`] after the first track that has it (pages in the order
/// given), adding the start of its hash where two different recordings would get the same name.
fn name_recordings(jobs: &[Job], outputs: &mut MediaOutputs) {
    // The recordings in order of first use, with the name of that first track.
    let mut names: Vec<(String, String)> = Vec::new();
    let mut named = std::collections::HashSet::new();
    let mut counts: HashMap<String, std::collections::BTreeSet<String>> = HashMap::new();
    let mut slots: HashMap<&str, usize> = HashMap::new();
    for job in jobs {
        if let Job::Track(dir, t) = job {
            let i = slots.entry(dir).or_insert(0);
            let slot = *i;
            *i += 1;
            if let Some(Some(o)) = outputs.get(*dir).and_then(|p| p.tracks.get(slot)) {
                if named.insert(o.recording.clone()) {
                    names.push((o.recording.clone(), t.name.clone()));
                    counts
                        .entry(t.name.clone())
                        .or_default()
                        .insert(o.recording.clone());
                }
            }
        }
    }
    let stems: HashMap<String, String> = names
        .into_iter()
        .map(|(rec, name)| {
            let stem = if counts[&name].len() > 1 {
                format!("{name}-{}", short_id(&rec))
            } else {
                name
            };
            (rec, stem)
        })
        .collect();
    for page in outputs.values_mut() {
        for o in page.tracks.iter_mut().flatten() {
            let stem = &stems[&o.recording];
            o.name = stem.clone();
            // A followed site's files keep their addresses; only the name of its place here is given.
            if o.elsewhere {
                continue;
            }
            for f in o.html.iter_mut().chain(std::iter::once(&mut o.gemini)) {
                let ext = f.path.rsplit_once('.').map_or("", |(_, e)| e).to_string();
                f.path = format!("{TRACKS_DIR}/{stem}.{ext}");
            }
        }
    }
}

/// Eight hex digits that tell a recording from another of the same name: the start of its hash, or
/// for a followed site's id that is not one, of the hash of that id.
fn short_id(recording: &str) -> String {
    if recording.len() >= 8 && recording.bytes().all(|b| b.is_ascii_hexdigit()) {
        recording[..8].to_ascii_lowercase()
    } else {
        blake3::hash(recording.as_bytes()).to_hex()[..8].to_string()
    }
}

/// The size of a file the media phase made or publishes.
fn file_size(path: &std::path::Path) -> Result<u64, Error> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(Error::io("read", path))
}

enum Job<'a> {
    Photo(&'a Page, &'a crate::content::Photo),
    Track(&'a str, &'a crate::content::Track),
    /// Listening to a track: how it sounds, for the recommendations.
    Sound(&'a str, &'a crate::content::Track),
}

enum Done {
    Photo(PhotoOutput, bool, Vec<Diagnostic>),
    Track(TrackOutput, bool, Vec<Diagnostic>),
    Sound(Option<Sound>, bool),
    /// A followed site's recording whose files are not known (its site's catalogue does not list it).
    Nowhere,
}

/// How much media work a build did, per kind of job.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct MediaStats {
    pub photos: JobCount,
    pub tracks: JobCount,
    /// Tracks listened to, for the recommendations.
    #[serde(default)]
    pub sounds: JobCount,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct JobCount {
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

/// `work` applied to every job, on one thread per core, each taking the next job of `order` (indices
/// into `jobs`); the results in the jobs' order. Plain threads rather than rayon's pool: a thread that waits inside rayon (for an
/// encoder's own parallel work) may start another job meanwhile, and that job could then wait for memory
/// (see `memory`) that the first one holds.
fn in_parallel<J: Sync, R: Send>(
    jobs: &[J],
    order: &[usize],
    work: impl Fn(&J) -> R + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    memory::share_one_arena();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(n) else { break };
                        let Some(job) = jobs.get(i) else { break };
                        mine.push((i, work(job)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// A job's notes as warnings about its source file.
fn warned(source: &std::path::Path, notes: Vec<String>) -> Vec<Diagnostic> {
    notes
        .into_iter()
        .map(|n| Diagnostic::new(source, None, n))
        .collect()
}

/// Runs every media job of `pages` (the whole site for a build; some albums or playlists for budget
/// guidance and `--fit`) in parallel, reusing the cache. All failures are collected; with `keep_going`
/// they become warnings and the failed photo or track is left out. Warnings about media (a track that
/// ends early) go to `warnings`, whether the run succeeds or not. Nothing is written outside the cache.
pub(crate) fn run(
    pages: &[&Page],
    config: &Config,
    cache: &Cache,
    opts: MediaOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Result<MediaRun, Error> {
    let MediaOptions {
        keep_going,
        progress: show_progress,
        counter,
    } = opts;
    let mut jobs = Vec::new();
    for page in pages {
        jobs.extend(page.photos.iter().map(|p| Job::Photo(page, p)));
        jobs.extend(page.tracks.iter().map(|t| Job::Track(&page.dir, t)));
        if config.library.listen {
            jobs.extend(page.tracks.iter().map(|t| Job::Sound(&page.dir, t)));
        }
    }
    let progress = progress::Progress::new(jobs.len() as u64, show_progress);
    if let Some(c) = &counter {
        c.start(jobs.len() as u64);
    }
    let run_one = |job: &Job| -> Result<Done, Error> {
        let (result, name) = match job {
            Job::Photo(page, p) => (
                photo::process(p, &config.photos, &page.dir, page.publish_originals, cache)
                    .map(|(o, ran, notes)| Done::Photo(o, ran, warned(&p.source, notes))),
                &p.source,
            ),
            // A followed site's recording plays from there: no work, nothing stored.
            Job::Track(_, t) if t.elsewhere.is_some() => (
                Ok(TrackOutput::elsewhere(t)
                    .map_or(Done::Nowhere, |o| Done::Track(o, false, Vec::new()))),
                &t.source,
            ),
            Job::Track(_, t) => (
                audio::process(t, &config.audio, TRACKS_DIR, cache)
                    .map(|(o, ran, notes)| Done::Track(o, ran, warned(&t.source, notes))),
                &t.source,
            ),
            Job::Sound(_, t) if t.elsewhere.is_some() => (Ok(Done::Sound(None, false)), &t.source),
            // A file that cannot be read is the track's own job to report: it is only not listened to.
            Job::Sound(_, t) => (
                Ok(sound::process(t, cache)
                    .map_or(Done::Sound(None, false), |(s, ran)| Done::Sound(s, ran))),
                &t.source,
            ),
        };
        let worked = !matches!(
            result,
            Ok(Done::Photo(_, false, _))
                | Ok(Done::Track(_, false, _))
                | Ok(Done::Sound(_, false))
                | Ok(Done::Nowhere)
        );
        let mut file = name
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if matches!(job, Job::Sound(..)) {
            file = format!("listening to {file}");
        }
        progress.tick(worked, &file);
        if let Some(c) = &counter {
            c.step();
        }
        result
    };
    // The largest files first (they take longest), so no core is left with a long job at the end.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    let sizes: Vec<u64> = jobs
        .iter()
        .map(|job| {
            let source = match job {
                Job::Photo(_, p) => &p.source,
                Job::Track(_, t) | Job::Sound(_, t) if t.elsewhere.is_some() => return 0,
                Job::Track(_, t) | Job::Sound(_, t) => &t.source,
            };
            std::fs::metadata(source).map_or(0, |m| m.len())
        })
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let results = in_parallel(&jobs, &order, run_one);
    progress.finish();
    timing::report();

    let mut diags = Diagnostics::default();
    let mut outputs = MediaOutputs::new();
    let mut stats = MediaStats::default();
    for (job, result) in jobs.iter().zip(results) {
        let (dir, is_photo) = match job {
            Job::Photo(page, _) => (page.dir.as_str(), true),
            Job::Track(dir, _) | Job::Sound(dir, _) => (*dir, false),
        };
        let page = outputs.entry(dir.to_string()).or_default();
        match result {
            Ok(Done::Photo(o, ran, notes)) => {
                stats.photos.add(ran);
                diags.warnings.extend(notes);
                page.photos.push(Some(o));
            }
            Ok(Done::Track(o, ran, notes)) => {
                if !o.elsewhere {
                    stats.tracks.add(ran);
                }
                diags.warnings.extend(notes);
                page.tracks.push(Some(o));
            }
            Ok(Done::Nowhere) => page.tracks.push(None),
            Ok(Done::Sound(s, ran)) => {
                if ran || s.is_some() {
                    stats.sounds.add(ran);
                }
                page.sounds.push(s);
            }
            Err(Error::Content { errors, .. }) => {
                if is_photo {
                    page.photos.push(None);
                } else {
                    page.tracks.push(None);
                }
                if keep_going {
                    let left_out = errors.into_iter().map(|mut d| {
                        d.message.push(' ');
                        d.message.push_str(crate::error::LEFT_OUT);
                        d
                    });
                    diags.warnings.extend(left_out);
                } else {
                    diags.errors.extend(errors);
                }
            }
            Err(other) => return Err(other),
        }
    }
    diags.finish(warnings)?;
    name_recordings(&jobs, &mut outputs);
    Ok(MediaRun { outputs, stats })
}
