//! Over budget: what concrete changes would save, measured by really encoding the largest albums and
//! playlists with those changes (trial encodes go through the cache, so `--fit` reuses them).

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{AudioCounts, Config, Mp3Mode, QualityMode, MP3_VBR_KBPS};
use crate::content::{Page, PageKind, Site};
use crate::error::Error;
use crate::media::{self, Cache, MediaOptions};
use crate::output::{Kind, Written};
use crate::report::{Budget, BudgetBytes, Item, Report};
use crate::units::human_bytes;

/// Photo sizes (longest side, px) that a lower setting steps down to.
const SIZES: [u32; 9] = [3840, 2560, 2048, 1600, 1280, 1024, 800, 640, 480];
/// Opus bitrates (kb/s) that a lower setting steps down to.
const OPUS: [u32; 10] = [256, 192, 128, 96, 80, 64, 48, 40, 32, 24];
/// MP3 bitrates (kb/s); below 64 an MP3 of music sounds broken.
const MP3: [u32; 9] = [320, 256, 192, 160, 128, 112, 96, 80, 64];

/// The next step below `value` in `steps` (largest first), if any is at least `floor`.
pub(crate) fn step_down(steps: &[u32], value: u32, floor: u32) -> Option<u32> {
    steps.iter().copied().find(|&s| s < value && s >= floor)
}

pub(crate) fn size_down(px: u32, floor: u32) -> Option<u32> {
    step_down(&SIZES, px, floor)
}

pub(crate) fn opus_down(kbps: u32, floor: u32) -> Option<u32> {
    step_down(&OPUS, kbps, floor)
}

/// The next MP3 bitrate down: LAME's VBR averages in VBR mode, constant bitrates otherwise.
pub(crate) fn mp3_down(kbps: u32, mode: Mp3Mode) -> Option<u32> {
    match mode {
        Mp3Mode::Vbr => step_down(&MP3_VBR_KBPS, kbps, 64),
        Mp3Mode::Cbr => step_down(&MP3, kbps, 64),
    }
}

/// Each page folder's media files: what a build writes for its photos and tracks (a track that two
/// playlists share is in both).
pub(crate) type ByPage = BTreeMap<String, Vec<Written>>;

/// Media bytes per page folder, against each budget.
pub(crate) fn media_bytes(
    by_page: &ByPage,
    audio_counts: AudioCounts,
) -> BTreeMap<String, BudgetBytes> {
    by_page
        .iter()
        .map(|(dir, files)| {
            let mut bytes = BudgetBytes::new(audio_counts);
            for w in files {
                if matches!(w.kind, Kind::Images | Kind::Audio) {
                    bytes.add(w);
                }
            }
            (dir.clone(), bytes)
        })
        .collect()
}

/// Where and how trial encodes run.
pub(crate) struct Trials<'a> {
    pub cache: &'a Cache,
    pub root: &'a Path,
    pub options: MediaOptions,
    /// The followed sites' catalogues: a recording one of them publishes costs this site nothing.
    pub followed: &'a [crate::library::follow::Followed],
}

impl Trials<'_> {
    fn media(&self, pages: &[&Page], config: &Config) -> Result<media::MediaRun, Error> {
        // Warnings of trial encodes would repeat those of the build itself.
        let mut run = media::run(
            pages,
            config,
            self.cache,
            self.options.clone(),
            &mut Vec::new(),
        )?;
        crate::library::elsewhere::link_published(&mut run.outputs, self.followed);
        Ok(run)
    }

    /// Encodes the media of `pages` with `config` and returns the files a build would write for them,
    /// each once. Everything it encodes stays in the cache; nothing else is written.
    pub(crate) fn run(&self, pages: &[&Page], config: &Config) -> Result<Vec<Written>, Error> {
        let run = self.media(pages, config)?;
        Ok(run.placements().into_iter().map(|p| p.file).collect())
    }

    /// The same, page by page.
    pub(crate) fn by_page(&self, pages: &[&Page], config: &Config) -> Result<ByPage, Error> {
        Ok(self.media(pages, config)?.by_page())
    }
}

/// The media of each page as they would be without MP3: the HTML site keeps only its Opus files, and
/// the capsule links to the Opus file instead of the MP3.
fn without_mp3(by_page: &ByPage) -> ByPage {
    by_page
        .iter()
        .map(|(dir, written)| {
            let opus_of = |mp3: &str| {
                let opus = format!("{}.opus", mp3.trim_end_matches(".mp3"));
                written
                    .iter()
                    .find(|o| o.format == crate::output::Format::Html && o.path == opus)
                    .cloned()
            };
            let mut out = Vec::new();
            for w in written {
                if w.kind == Kind::Audio && w.path.ends_with(".mp3") {
                    if w.format == crate::output::Format::Gemini {
                        out.extend(opus_of(&w.path).map(|o| Written {
                            format: w.format,
                            ..o
                        }));
                    }
                } else {
                    out.push(w.clone());
                }
            }
            (dir.clone(), out)
        })
        .collect()
}

/// One concrete change to suggest.
struct Change {
    label: String,
    config: Config,
}

/// The changes worth measuring for one album or playlist.
fn changes(kind: PageKind, config: &Config) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |label: String, edit: &dyn Fn(&mut Config)| {
        let mut c = config.clone();
        edit(&mut c);
        out.push(Change { label, config: c });
    };
    let p = &config.photos;
    let a = &config.audio;
    match kind {
        PageKind::Album => {
            if let Some(d) = size_down(p.display, p.thumbnail) {
                push(format!("[photos] display {} → {d} px", p.display), &|c| {
                    c.photos.display = d
                });
            }
            if let Some(g) = size_down(p.gemini, 320) {
                push(format!("[photos] gemini {} → {g} px", p.gemini), &|c| {
                    c.photos.gemini = g
                });
            }
            match p.mode {
                QualityMode::Perceptual => {
                    let t = p
                        .target
                        .saturating_sub(10)
                        .max(config.budget.min_photo_target);
                    if t < p.target {
                        push(format!("[photos] target {} → {t}", p.target), &|c| {
                            c.photos.target = t;
                            c.photos.thumbnail_target = c.photos.thumbnail_target.min(t);
                        });
                    }
                }
                QualityMode::Fixed => {
                    let q = p.quality.saturating_sub(15).max(30);
                    if q < p.quality {
                        push(format!("[photos] quality {} → {q}", p.quality), &|c| {
                            c.photos.quality = q
                        });
                    }
                }
            }
        }
        PageKind::Playlist => {
            if a.opus {
                if let Some(o) = opus_down(a.opus_bitrate, config.budget.min_opus_bitrate) {
                    push(
                        format!("[audio] opus_bitrate {} → {o} kb/s", a.opus_bitrate),
                        &|c| c.audio.opus_bitrate = o,
                    );
                }
            }
            if a.mp3 {
                if let Some(m) = mp3_down(a.mp3_bitrate, a.mp3_mode) {
                    push(
                        format!("[audio] mp3_bitrate {} → {m} kb/s", a.mp3_bitrate),
                        &|c| c.audio.mp3_bitrate = m,
                    );
                }
                if a.opus {
                    push(
                        "no MP3 fallback ([audio] mp3 = false; Gemini then links to the Opus file)"
                            .into(),
                        &|c| c.audio.mp3 = false,
                    );
                }
            }
        }
        PageKind::Home | PageKind::Page => {}
    }
    out
}

/// What the item weighs against one budget.
fn weight(item: &Item, budget: &Budget) -> u64 {
    budget.name.weight(item)
}

/// The saving of a trial for one budget, from the item's media bytes before and after.
fn saving(budget: &Budget, before: BudgetBytes, after: BudgetBytes) -> i64 {
    before.get(budget.name) as i64 - after.get(budget.name) as i64
}

/// The message of a build over budget: each budget, its largest contributors, and the measured saving of
/// concrete changes for each.
pub(crate) fn guidance(
    site: &Site,
    config: &Config,
    report: &Report,
    trials: &Trials,
) -> Result<String, Error> {
    let counts = config.budget.audio_counts;
    let over: Vec<&Budget> = report.over().collect();

    // The contributors to explain: the three largest items of each budget that does not hold.
    let mut chosen: Vec<(&Budget, Vec<&Item>)> = Vec::new();
    for b in &over {
        let mut items: Vec<&Item> = report.items.iter().filter(|i| weight(i, b) > 0).collect();
        items.sort_by(|x, y| weight(y, b).cmp(&weight(x, b)).then(x.slug.cmp(&y.slug)));
        items.truncate(3);
        chosen.push((b, items));
    }

    // One trial per distinct change, over the pages of every chosen item it applies to; the same
    // pages with the build's own settings (all from the cache) are the base to compare with.
    let mut before = BTreeMap::new();
    let mut measured: BTreeMap<(String, String), BudgetBytes> = BTreeMap::new();
    let pages: BTreeMap<&str, &Page> = site.all_pages().map(|p| (p.dir.as_str(), p)).collect();
    for kind in [PageKind::Album, PageKind::Playlist] {
        let dirs: Vec<&str> = chosen
            .iter()
            .flat_map(|(_, items)| items.iter())
            .filter(|i| !i.draft && pages.get(i.dir.as_str()).is_some_and(|p| p.kind == kind))
            .map(|i| i.dir.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if dirs.is_empty() {
            continue;
        }
        let subset: Vec<&Page> = dirs.iter().filter_map(|d| pages.get(d).copied()).collect();
        let base = trials.by_page(&subset, config)?;
        before.extend(media_bytes(&base, counts));
        for change in changes(kind, config) {
            // Without the MP3 fallback, the files are those already made, less the MP3s: no encoding.
            let after = if config.audio.mp3 && !change.config.audio.mp3 {
                without_mp3(&base)
            } else {
                if trials.options.progress {
                    eprintln!("Measuring what {} would save…", change.label);
                }
                trials.by_page(&subset, &change.config)?
            };
            for (dir, bytes) in media_bytes(&after, counts) {
                measured.insert((change.label.clone(), dir), bytes);
            }
            for d in &dirs {
                measured
                    .entry((change.label.clone(), d.to_string()))
                    .or_insert(BudgetBytes::new(counts));
            }
        }
    }

    let mut s = String::new();
    for (b, items) in &chosen {
        s.push_str(&format!(
            "error: {} is {}, over its budget of {} by {} ([budget] {} in capsule.toml).\n",
            b.description(),
            human_bytes(b.used_bytes),
            human_bytes(b.limit_bytes),
            human_bytes(b.used_bytes - b.limit_bytes),
            b.name
        ));
        if items.is_empty() {
            s.push_str(
                "  No album or playlist weighs on it: the pages themselves are too large.\n",
            );
            continue;
        }
        s.push_str(
            "  Largest contributors, and what changes would save (measured by encoding them):\n",
        );
        for item in items {
            s.push_str(&format!(
                "    {} \"{}\": {}\n",
                item.kind,
                item.slug,
                human_bytes(weight(item, b))
            ));
            if item.draft {
                s.push_str(&format!(
                    "      leaving out this draft (build without --drafts) saves {}\n",
                    human_bytes(weight(item, b))
                ));
                continue;
            }
            let base = before
                .get(&item.dir)
                .copied()
                .unwrap_or(BudgetBytes::new(counts));
            let mut any = false;
            for ((label, dir), after) in &measured {
                if dir != &item.dir {
                    continue;
                }
                let saved = saving(b, base, *after);
                if saved > 0 {
                    s.push_str(&format!(
                        "      {label} saves {}\n",
                        human_bytes(saved as u64)
                    ));
                    any = true;
                }
            }
            if !any {
                s.push_str(
                    "      no lower setting within the floors of [budget] saves anything here\n",
                );
            }
        }
    }
    s.push_str(
        "Nothing was written: the previous public/ is unchanged.\n\
         Run `capsule build --fit` to let capsule choose settings that fit, change the settings above in \
         capsule.toml, raise the limit in [budget], or build anyway with --allow-over-budget.",
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Format;

    fn file(format: Format, path: &str, kind: Kind, bytes: u64) -> Written {
        Written {
            format,
            path: path.into(),
            kind,
            bytes,
            seconds: 0,
        }
    }

    #[test]
    fn without_mp3_the_capsule_links_to_the_opus_file() {
        let by_page: ByPage = [(
            "playlists/p".to_string(),
            vec![
                file(Format::Html, "music/tracks/a.opus", Kind::Audio, 100),
                file(Format::Html, "music/tracks/a.mp3", Kind::Audio, 150),
                file(Format::Html, "playlists/p/cover-480.webp", Kind::Images, 10),
                file(Format::Gemini, "music/tracks/a.mp3", Kind::Audio, 150),
            ],
        )]
        .into();
        let without = without_mp3(&by_page);
        let after = media_bytes(&without, AudioCounts::Both);
        let p = after["playlists/p"];
        use crate::report::BudgetKind;
        assert_eq!(
            (p.get(BudgetKind::Html), p.get(BudgetKind::Gemini)),
            (110, 100)
        );
        assert_eq!(p.get(BudgetKind::Audio), 200, "both formats' audio");
        let html_only = media_bytes(&without, AudioCounts::Html)["playlists/p"];
        assert_eq!(
            html_only.get(BudgetKind::Audio),
            100,
            "the HTML site's audio"
        );
    }

    #[test]
    fn steps_down_stay_above_their_floors() {
        assert_eq!(size_down(1600, 480), Some(1280));
        assert_eq!(size_down(480, 480), None);
        assert_eq!(opus_down(96, 32), Some(80));
        assert_eq!(opus_down(32, 32), None);
        assert_eq!(mp3_down(64, Mp3Mode::Cbr), None);
        assert_eq!(mp3_down(128, Mp3Mode::Cbr), Some(112));
        assert_eq!(mp3_down(130, Mp3Mode::Vbr), Some(115));
        assert_eq!(mp3_down(65, Mp3Mode::Vbr), None);
    }
}
