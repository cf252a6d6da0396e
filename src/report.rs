//! The size report: files and bytes per format and kind of file, computed from what the build wrote.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{AudioCounts, BudgetConfig, Config};
use crate::content::{PageKind, Site};
use crate::error::{display_path, Error};
use crate::media::MediaStats;
use crate::output::{Format, Kind, Written};
use crate::units::{human_bytes, human_hours};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Count {
    pub files: u64,
    pub bytes: u64,
}

impl Count {
    fn add(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Kinds {
    pub pages: Count,
    pub images: Count,
    pub audio: Count,
    pub other: Count,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FormatReport {
    pub total_bytes: u64,
    pub files: u64,
    pub kinds: Kinds,
    /// The music this format publishes.
    #[serde(default)]
    pub music: Music,
}

/// Music in hours: what is published, what it costs, and what the budget that counts it holds.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Music {
    /// Recordings published (a track's encodings count once).
    pub tracks: u64,
    pub seconds: u64,
    pub hours: f64,
    /// Audio bytes per hour of music at the current settings (0 without music).
    pub bytes_per_hour: u64,
    /// Hours of music, in all, that the budget counting this format's audio holds at that rate.
    pub budget_holds_hours: Option<f64>,
}

/// Distinct recordings, their seconds and the audio bytes of `files`: a track's encodings (the same path
/// but for the extension) count once as music.
fn music_of<'a>(files: impl Iterator<Item = &'a Written>) -> (u64, u64, u64) {
    let mut stems = std::collections::BTreeMap::new();
    let mut bytes = 0;
    for w in files.filter(|w| w.kind == Kind::Audio) {
        bytes += w.bytes;
        let stem = w.path.rsplit_once('.').map_or(w.path.as_str(), |(s, _)| s);
        stems.insert(stem, w.seconds);
    }
    (stems.len() as u64, stems.values().sum(), bytes)
}

fn per_hour(bytes: u64, seconds: u64) -> u64 {
    if seconds == 0 {
        0
    } else {
        (bytes as u128 * 3600 / seconds as u128) as u64
    }
}

/// Hours, to the ten-thousandth (a third of a second).
fn hours(seconds: u64) -> f64 {
    (seconds as f64 / 0.36).round() / 10_000.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Report {
    /// `gemini` and `html`.
    pub formats: BTreeMap<Format, FormatReport>,
    /// Where the build wrote its output.
    pub out: PathBuf,
    pub warnings: usize,
    /// Media jobs that encoded, and those served from the cache.
    pub media: MediaStats,
    /// Each album and playlist, largest first.
    #[serde(default)]
    pub items: Vec<Item>,
    /// One line per limit set in `[budget]`.
    #[serde(default)]
    pub budgets: Vec<Budget>,
    /// Each curator's music, in each format.
    #[serde(default)]
    pub curators: Vec<CuratorReport>,
    /// Bytes not stored twice because playlists share recordings (each is stored once per format).
    #[serde(default)]
    pub shared_bytes: ItemBytes,
    /// With `[library] follow`: this site's music and each followed site's, against `[budget] collective`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective: Option<Collective>,
    /// Recordings a followed site already publishes, linked there instead of stored here.
    #[serde(default)]
    pub linked: Linked,
}

/// The music of a collective: this site's and every followed site's, each as that site stores it (its
/// HTML site's audio files, each recording once), against `[budget] collective`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Collective {
    /// This site first, then the followed sites in `follow`'s order (those that could be read).
    pub sites: Vec<CollectiveSite>,
    pub total_bytes: u64,
    pub total_seconds: u64,
    pub limit_bytes: Option<u64>,
    pub ok: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CollectiveSite {
    pub name: String,
    /// Its address as `follow` gives it; none for this site.
    pub url: Option<String>,
    pub tracks: u64,
    pub seconds: u64,
    pub hours: f64,
    /// The audio bytes it stores.
    pub bytes: u64,
    pub curators: Vec<CollectiveCurator>,
}

/// A curator's music in the collective: their playlists' recordings, each once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CollectiveCurator {
    pub name: String,
    pub tracks: u64,
    pub seconds: u64,
    pub bytes: u64,
}

impl Collective {
    /// The music of the followed sites, as their catalogues give it: each recording once per site,
    /// its bytes those of the files its catalogue lists.
    fn followed(lib: &crate::library::Library) -> Vec<CollectiveSite> {
        lib.followed
            .iter()
            .map(|f| {
                // What a site stores: the files at its own address (a recording it links to another
                // member's files for is that member's).
                let origin = url::Url::parse(&f.site).map(|u| u.origin()).ok();
                let own = |src: &str| url::Url::parse(src).ok().map(|u| u.origin()) == origin;
                let bytes_of = |t: usize| {
                    f.tracks[t]
                        .files
                        .iter()
                        .filter(|(_, src, _)| own(src))
                        .map(|(_, _, b)| b)
                        .sum::<u64>()
                };
                let mut curators: Vec<CollectiveCurator> = Vec::new();
                let mut by_name: BTreeMap<String, std::collections::BTreeSet<usize>> =
                    BTreeMap::new();
                for p in &f.playlists {
                    let name = p.curator.clone().unwrap_or_else(|| f.name.clone());
                    by_name
                        .entry(name)
                        .or_default()
                        .extend(p.tracks.iter().copied());
                }
                for (name, tracks) in by_name {
                    curators.push(CollectiveCurator {
                        name,
                        tracks: tracks.len() as u64,
                        seconds: tracks.iter().map(|&t| f.tracks[t].seconds).sum(),
                        bytes: tracks.iter().map(|&t| bytes_of(t)).sum(),
                    });
                }
                let seconds = f.tracks.iter().map(|t| t.seconds).sum();
                CollectiveSite {
                    name: f.name.clone(),
                    url: Some(f.site.clone()),
                    tracks: f.tracks.len() as u64,
                    seconds,
                    hours: hours(seconds),
                    bytes: (0..f.tracks.len()).map(bytes_of).sum(),
                    curators,
                }
            })
            .collect()
    }

    /// "The collective's music (this site and the 2 it follows) weighs 2.3 GB, 300 MB over …", when over.
    pub(crate) fn over_message(&self) -> Option<String> {
        let limit = self.limit_bytes.filter(|_| !self.ok)?;
        Some(format!(
            "the music of the collective (this site and the {} it follows) weighs {}, {} over [budget] collective = \"{}\". \
             This site cannot make another member's smaller: remove or shorten some of its own playlists, \
             ask the members whose music weighs most (see the report), or raise the budget if the host allows it",
            self.sites.len() - 1,
            human_bytes(self.total_bytes),
            human_bytes(self.total_bytes - limit),
            human_bytes(limit)
        ))
    }
}

/// One curator's music: their playlists' recordings, each once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CuratorReport {
    pub name: String,
    pub slug: String,
    pub playlists: usize,
    pub tracks: usize,
    pub seconds: u64,
    /// Their audio files' bytes in each format.
    pub bytes: ItemBytes,
}

/// What the music library tells the report: the files each playlist links to (its tracks are stored
/// in `music/tracks/`, not in its folder), each curator's music, and the bytes sharing saved.
#[derive(Debug, Default, Clone)]
pub(crate) struct MusicShares {
    /// Playlist folder → its tracks' files, in both formats.
    pub files: std::collections::HashMap<String, Vec<(Format, String)>>,
    pub curators: Vec<CuratorReport>,
    pub shared: ItemBytes,
    /// The followed sites' music, when the site follows any.
    pub followed: Option<Vec<CollectiveSite>>,
    /// Recordings of this site that a followed site publishes, linked there rather than stored.
    pub linked: Linked,
}

/// Recordings of this site that a followed site already publishes: played from there, not stored here.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Linked {
    pub recordings: usize,
    /// What their files would have taken here.
    pub saved: ItemBytes,
}

impl MusicShares {
    pub(crate) fn of(
        site: &Site,
        media: &crate::media::MediaOutputs,
        library: &crate::library::Library,
        linked: &crate::library::elsewhere::Linked,
    ) -> MusicShares {
        let mut files = std::collections::HashMap::new();
        for page in &site.playlists {
            let list: Vec<(Format, String)> = media
                .get(&page.dir)
                .map(|m| {
                    m.tracks
                        .iter()
                        .flatten()
                        .flat_map(|t| t.placements())
                        .map(|p| (p.file.format, p.file.path))
                        .collect()
                })
                .unwrap_or_default();
            files.insert(page.dir.clone(), list);
        }
        let output_of = |r: usize| {
            let &(p, i) = library.recordings[r].uses.first()?;
            media
                .get(&site.playlists.get(p)?.dir)?
                .tracks
                .get(i)?
                .as_ref()
        };
        // This site's curators: the followed sites' music is in the collective's section.
        let mut curators: Vec<CuratorReport> = library
            .curators
            .iter()
            .filter(|c| library.is_local_curator(c))
            .map(|c| {
                let mut bytes = ItemBytes::default();
                for &r in &c.recordings {
                    if let Some(out) = output_of(r) {
                        for p in out.placements() {
                            bytes.add(p.file.format, p.file.bytes);
                        }
                    }
                }
                CuratorReport {
                    name: c.name.clone(),
                    slug: c.slug.clone(),
                    playlists: c.playlists.len(),
                    tracks: c.recordings.len(),
                    seconds: library.seconds_of(c),
                    bytes,
                }
            })
            .collect();
        curators.sort_by(|a, b| a.slug.cmp(&b.slug));
        let mut shared = ItemBytes::default();
        for (format, bytes) in &library.shared_bytes {
            shared.add(*format, *bytes);
        }
        MusicShares {
            files,
            curators,
            shared,
            followed: (!site.config.library.follow.is_empty())
                .then(|| Collective::followed(library)),
            linked: Linked {
                recordings: linked.recordings,
                saved: {
                    let mut saved = ItemBytes::default();
                    for (format, bytes) in &linked.bytes {
                        saved.add(*format, *bytes);
                    }
                    saved
                },
            },
        }
    }
}

/// The bytes one album or playlist adds to each format (its page and its media).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Item {
    /// `album` or `playlist`.
    pub kind: PageKind,
    pub slug: String,
    pub bytes: ItemBytes,
    /// Its audio files, in both formats, as the audio budget counts them.
    #[serde(skip)]
    pub audio: u64,
    /// Output folder inside each format, for matching files.
    #[serde(skip)]
    pub dir: String,
    #[serde(skip)]
    pub draft: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ItemBytes {
    pub gemini: u64,
    pub html: u64,
}

impl ItemBytes {
    pub(crate) fn add(&mut self, format: Format, bytes: u64) {
        match format {
            Format::Gemini => self.gemini += bytes,
            Format::Html => self.html += bytes,
        }
    }

    pub(crate) fn total(&self) -> u64 {
        self.gemini + self.html
    }
}

/// The limits of `[budget]`: each names what it limits and counts the bytes it limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BudgetKind {
    Html,
    Gemini,
    Audio,
}

/// Which files a budget counts: one format's, or those of both (`all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Scope {
    Html,
    Gemini,
    All,
}

impl BudgetKind {
    pub(crate) const ALL: [BudgetKind; 3] =
        [BudgetKind::Html, BudgetKind::Gemini, BudgetKind::Audio];

    /// Its key in `[budget]`.
    pub(crate) fn key(self) -> &'static str {
        match self {
            BudgetKind::Html => "html",
            BudgetKind::Gemini => "gemini",
            BudgetKind::Audio => "audio",
        }
    }

    /// What it limits, in words.
    pub(crate) fn description(self, audio: AudioCounts) -> &'static str {
        match (self, audio) {
            (BudgetKind::Html, _) => "the HTML site",
            (BudgetKind::Gemini, _) => "the Gemini capsule",
            (BudgetKind::Audio, AudioCounts::Html) => "the audio of the HTML site",
            (BudgetKind::Audio, AudioCounts::Both) => "the audio of both sites",
        }
    }

    pub(crate) fn scope(self, audio: AudioCounts) -> Scope {
        match (self, audio) {
            (BudgetKind::Html, _) | (BudgetKind::Audio, AudioCounts::Html) => Scope::Html,
            (BudgetKind::Gemini, _) => Scope::Gemini,
            (BudgetKind::Audio, AudioCounts::Both) => Scope::All,
        }
    }

    /// Its limit in capsule.toml, if one is set.
    pub(crate) fn limit(self, budget: &BudgetConfig) -> Option<u64> {
        match self {
            BudgetKind::Html => budget.html.0,
            BudgetKind::Gemini => budget.gemini.0,
            BudgetKind::Audio => budget.audio.0,
        }
    }

    /// Whether a written file counts against this budget.
    pub(crate) fn counts(self, file: &Written, audio: AudioCounts) -> bool {
        let in_scope = match self.scope(audio) {
            Scope::Html => file.format == Format::Html,
            Scope::Gemini => file.format == Format::Gemini,
            Scope::All => true,
        };
        in_scope && (self != BudgetKind::Audio || file.kind == Kind::Audio)
    }

    /// What an album or playlist weighs against this budget.
    pub(crate) fn weight(self, item: &Item) -> u64 {
        match self {
            BudgetKind::Html => item.bytes.html,
            BudgetKind::Gemini => item.bytes.gemini,
            BudgetKind::Audio => item.audio,
        }
    }
}

impl std::fmt::Display for BudgetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Bytes against each budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BudgetBytes {
    html: u64,
    gemini: u64,
    audio: u64,
    /// Which site's audio the audio budget counts.
    audio_counts: AudioCounts,
}

impl BudgetBytes {
    pub(crate) fn new(audio_counts: AudioCounts) -> BudgetBytes {
        BudgetBytes {
            html: 0,
            gemini: 0,
            audio: 0,
            audio_counts,
        }
    }

    /// Counts `file` against every budget that counts it.
    pub(crate) fn add(&mut self, file: &Written) {
        for kind in BudgetKind::ALL {
            if kind.counts(file, self.audio_counts) {
                *self.slot(kind) += file.bytes;
            }
        }
    }

    pub(crate) fn audio_counts(&self) -> AudioCounts {
        self.audio_counts
    }

    /// Adds `bytes` to one budget's count.
    pub(crate) fn add_to(&mut self, kind: BudgetKind, bytes: u64) {
        *self.slot(kind) += bytes;
    }

    pub(crate) fn get(&self, kind: BudgetKind) -> u64 {
        match kind {
            BudgetKind::Html => self.html,
            BudgetKind::Gemini => self.gemini,
            BudgetKind::Audio => self.audio,
        }
    }

    fn slot(&mut self, kind: BudgetKind) -> &mut u64 {
        match kind {
            BudgetKind::Html => &mut self.html,
            BudgetKind::Gemini => &mut self.gemini,
            BudgetKind::Audio => &mut self.audio,
        }
    }
}

/// One budget, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Budget {
    /// The key in `[budget]`: `html`, `gemini` or `audio`.
    pub name: BudgetKind,
    /// `html`, `gemini`, or `all` for the audio budget.
    pub format: Scope,
    pub used_bytes: u64,
    pub limit_bytes: u64,
    pub ok: bool,
    /// The music among the files it counts, when there is any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub music: Option<BudgetMusic>,
}

/// A budget's room in hours of music, at the bytes per hour of the music it already counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BudgetMusic {
    pub hours: f64,
    pub bytes_per_hour: u64,
    /// Hours more it holds at that rate (0 when over).
    pub room_hours: f64,
}

impl Budget {
    /// "4.9 MB of 100 MB, 95.1 MB left" or "412 KB of 300 KB, 112 KB over", and for music "1.2 GB of
    /// 2.0 GB — 14 h of music published, room for 9 h more".
    pub(crate) fn summary(&self) -> String {
        let (used, limit) = (human_bytes(self.used_bytes), human_bytes(self.limit_bytes));
        if let Some(m) = &self.music {
            let room = if self.ok {
                format!("room for {} more", human_hours(m.room_hours))
            } else {
                format!("{} over", human_bytes(self.used_bytes - self.limit_bytes))
            };
            return format!(
                "{used} of {limit} — {} of music published, {room}",
                human_hours(m.hours)
            );
        }
        if self.ok {
            format!(
                "{used} of {limit}, {} left",
                human_bytes(self.limit_bytes - self.used_bytes)
            )
        } else {
            format!(
                "{used} of {limit}, {} over",
                human_bytes(self.used_bytes - self.limit_bytes)
            )
        }
    }

    pub(crate) fn description(&self) -> &'static str {
        let counts = match self.format {
            Scope::All => AudioCounts::Both,
            _ => AudioCounts::Html,
        };
        self.name.description(counts)
    }
}

impl Report {
    pub(crate) fn from_written(
        written: &[Written],
        site: &Site,
        budget: &BudgetConfig,
        out: &Path,
        warnings: usize,
        media: MediaStats,
        music: &MusicShares,
    ) -> Report {
        let mut formats: BTreeMap<Format, FormatReport> = Format::ALL
            .iter()
            .map(|&f| (f, FormatReport::default()))
            .collect();
        for (format, f) in formats.iter_mut() {
            let (tracks, seconds, bytes) = music_of(written.iter().filter(|w| w.format == *format));
            f.music = Music {
                tracks,
                seconds,
                hours: hours(seconds),
                bytes_per_hour: per_hour(bytes, seconds),
                budget_holds_hours: None,
            };
        }
        for w in written {
            let f = formats.entry(w.format).or_default();
            f.files += 1;
            f.total_bytes += w.bytes;
            match w.kind {
                Kind::Pages => f.kinds.pages.add(w.bytes),
                Kind::Images => f.kinds.images.add(w.bytes),
                Kind::Audio => f.kinds.audio.add(w.bytes),
                Kind::Other => f.kinds.other.add(w.bytes),
            }
        }
        let items = items(written, site, budget.audio_counts, music);
        let budgets = budgets(written, budget);
        for (format, f) in formats.iter_mut() {
            f.music.budget_holds_hours = holds(&budgets, *format).filter(|_| f.music.seconds > 0);
        }
        let collective = music.followed.clone().map(|followed| {
            let counts = budget.audio_counts;
            let own: Vec<&Written> = written
                .iter()
                .filter(|w| BudgetKind::Audio.counts(w, counts))
                .collect();
            let (tracks, seconds, bytes) = music_of(own.iter().copied());
            let this = CollectiveSite {
                name: site.config.title.clone(),
                url: None,
                tracks,
                seconds,
                hours: hours(seconds),
                bytes,
                curators: music
                    .curators
                    .iter()
                    .map(|c| CollectiveCurator {
                        name: c.name.clone(),
                        tracks: c.tracks as u64,
                        seconds: c.seconds,
                        bytes: match counts {
                            AudioCounts::Html => c.bytes.html,
                            AudioCounts::Both => c.bytes.total(),
                        },
                    })
                    .collect(),
            };
            let sites: Vec<CollectiveSite> = std::iter::once(this).chain(followed).collect();
            let total_bytes = sites.iter().map(|s| s.bytes).sum();
            let limit_bytes = budget.collective.0;
            Collective {
                total_seconds: sites.iter().map(|s| s.seconds).sum(),
                sites,
                total_bytes,
                limit_bytes,
                ok: limit_bytes.is_none_or(|l| total_bytes <= l),
            }
        });
        Report {
            formats,
            out: out.to_path_buf(),
            warnings,
            media,
            items,
            budgets,
            curators: music.curators.clone(),
            shared_bytes: music.shared,
            collective,
            linked: music.linked.clone(),
        }
    }

    /// The budgets that do not hold.
    pub(crate) fn over(&self) -> impl Iterator<Item = &Budget> {
        self.budgets.iter().filter(|b| !b.ok)
    }

    /// The table printed after each build.
    pub(crate) fn table(&self) -> String {
        let mut s = String::from("Size report\n");
        for format in Format::ALL {
            let Some(f) = self.formats.get(&format) else {
                continue;
            };
            s.push_str(&format!(
                "  {} ({})\n",
                format.label(),
                display_path(&self.out.join(format.dir()))
            ));
            let rows = [
                ("pages", f.kinds.pages),
                ("images", f.kinds.images),
                ("audio", f.kinds.audio),
                ("other", f.kinds.other),
                (
                    "total",
                    Count {
                        files: f.files,
                        bytes: f.total_bytes,
                    },
                ),
            ];
            for (name, c) in rows {
                let files = format!("{} file{}", c.files, if c.files == 1 { "" } else { "s" });
                s.push_str(&format!(
                    "    {name:<7}{files:>11}{:>11}\n",
                    human_bytes(c.bytes)
                ));
            }
            let m = &f.music;
            if m.seconds > 0 {
                s.push_str(&format!(
                    "    music  {} in {} track{}, {}/h",
                    human_hours(m.hours),
                    m.tracks,
                    if m.tracks == 1 { "" } else { "s" },
                    human_bytes(m.bytes_per_hour)
                ));
                if let Some(h) = m.budget_holds_hours {
                    s.push_str(&format!("; its budget holds {}", human_hours(h)));
                }
                s.push('\n');
            }
        }
        let m = &self.media;
        s.push_str(&format!(
            "  media: {} photos and {} tracks encoded, {} photos and {} tracks from the cache\n",
            m.photos.run, m.tracks.run, m.photos.reused, m.tracks.reused
        ));
        if m.sounds.run + m.sounds.reused > 0 {
            s.push_str(&format!(
                "  listened to {} tracks for the recommendations, {} from the cache\n",
                m.sounds.run, m.sounds.reused
            ));
        }
        if self.warnings > 0 {
            s.push_str(&format!(
                "  {} warning{}\n",
                self.warnings,
                if self.warnings == 1 { "" } else { "s" }
            ));
        }
        if !self.items.is_empty() {
            s.push_str("  Albums and playlists, largest first\n");
            let width = self
                .items
                .iter()
                .map(|i| i.slug.chars().count())
                .max()
                .unwrap_or(0);
            for i in &self.items {
                s.push_str(&format!(
                    "    {:<9}{:<width$}  HTML {:>8}  Gemini {:>8}\n",
                    i.kind.name(),
                    i.slug,
                    human_bytes(i.bytes.html),
                    human_bytes(i.bytes.gemini),
                ));
            }
        }
        if !self.curators.is_empty() {
            s.push_str("  Music by curator\n");
            let width = self
                .curators
                .iter()
                .map(|c| c.name.chars().count())
                .max()
                .unwrap_or(0);
            for c in &self.curators {
                s.push_str(&format!(
                    "    {:<width$}  HTML {:>8}  Gemini {:>8}  {} in {} track{}\n",
                    c.name,
                    human_bytes(c.bytes.html),
                    human_bytes(c.bytes.gemini),
                    human_hours(c.seconds as f64 / 3600.0),
                    c.tracks,
                    if c.tracks == 1 { "" } else { "s" },
                ));
            }
        }
        if self.shared_bytes.total() > 0 {
            s.push_str(&format!(
                "  shared tracks stored once: {} saved in HTML, {} in Gemini\n",
                human_bytes(self.shared_bytes.html),
                human_bytes(self.shared_bytes.gemini)
            ));
        }
        if self.linked.recordings > 0 {
            let n = self.linked.recordings;
            s.push_str(&format!(
                "  {n} recording{} that followed sites publish, played from there: {} saved in HTML, {} in Gemini\n",
                if n == 1 { "" } else { "s" },
                human_bytes(self.linked.saved.html),
                human_bytes(self.linked.saved.gemini)
            ));
        }
        if let Some(c) = &self.collective {
            s.push_str(&format!(
                "  The collective's music: this site and the {} it follows\n",
                c.sites.len() - 1
            ));
            let width = c
                .sites
                .iter()
                .map(|s| s.name.chars().count())
                .max()
                .unwrap_or(0);
            for site in &c.sites {
                s.push_str(&format!(
                    "    {:<width$}  {:>8}  {} in {} track{}{}\n",
                    site.name,
                    human_bytes(site.bytes),
                    human_hours(site.hours),
                    site.tracks,
                    if site.tracks == 1 { "" } else { "s" },
                    site.url
                        .as_deref()
                        .map_or(" (this site)".to_string(), |u| format!(" ({u})")),
                ));
                for cur in &site.curators {
                    s.push_str(&format!(
                        "      {:<w$}{:>8}  {} in {} track{}\n",
                        cur.name,
                        human_bytes(cur.bytes),
                        human_hours(cur.seconds as f64 / 3600.0),
                        cur.tracks,
                        if cur.tracks == 1 { "" } else { "s" },
                        w = width,
                    ));
                }
            }
            let total = human_bytes(c.total_bytes);
            let hours = human_hours(c.total_seconds as f64 / 3600.0);
            s.push_str(&match c.limit_bytes {
                Some(l) if c.ok => format!(
                    "  budget collective ok   {total} of {}, {} left — {hours} of music in all\n",
                    human_bytes(l),
                    human_bytes(l - c.total_bytes)
                ),
                Some(l) => format!(
                    "  budget collective OVER {total} of {}, {} over — {hours} of music in all\n",
                    human_bytes(l),
                    human_bytes(c.total_bytes - l)
                ),
                None => format!("  collective music: {total}, {hours} in all\n"),
            });
        }
        for b in &self.budgets {
            s.push_str(&format!(
                "  budget {:<7}{} {}\n",
                b.name.key(),
                if b.ok { "ok  " } else { "OVER" },
                b.summary()
            ));
        }
        s
    }

    fn path(root: &Path) -> PathBuf {
        Config::cache_dir(root).join("report.json")
    }

    pub(crate) fn save(&self, root: &Path) -> Result<(), Error> {
        let path = Self::path(root);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
        }
        let json =
            serde_json::to_string_pretty(self).map_err(Error::internal("write the report"))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(Error::io("write", &path))
    }

    pub(crate) fn load(root: &Path) -> Result<Report, Error> {
        let path = Self::path(root);
        let text = std::fs::read_to_string(&path).map_err(|_| {
            Error::Usage(format!(
                "no build report for the site in {}; run `capsule build` first",
                if root.as_os_str().is_empty() {
                    ".".into()
                } else {
                    display_path(root)
                }
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{} is damaged ({e}); run `capsule build` again",
                display_path(&path)
            ))
        })
    }
}

/// Bytes per album and playlist: every file under its folder and, for a playlist, its tracks' files (a
/// track two playlists share counts in both), in each format; largest first.
fn items(
    written: &[Written],
    site: &Site,
    audio_counts: AudioCounts,
    music: &MusicShares,
) -> Vec<Item> {
    let mut items: Vec<Item> = site
        .all_pages()
        .filter_map(|p| {
            if !matches!(p.kind, PageKind::Album | PageKind::Playlist) {
                return None;
            }
            Some(Item {
                kind: p.kind,
                slug: p.slug.clone(),
                bytes: ItemBytes::default(),
                audio: 0,
                dir: p.dir.clone(),
                draft: p.draft,
            })
        })
        .collect();
    let mut linked: std::collections::HashMap<(Format, &str), Vec<usize>> =
        std::collections::HashMap::new();
    for (i, item) in items.iter().enumerate() {
        for (format, path) in music.files.get(&item.dir).into_iter().flatten() {
            linked.entry((*format, path.as_str())).or_default().push(i);
        }
    }
    for w in written {
        let mut owners: Vec<usize> = linked
            .get(&(w.format, w.path.as_str()))
            .cloned()
            .unwrap_or_default();
        if let Some(i) = items.iter().position(|i| {
            w.path
                .strip_prefix(i.dir.as_str())
                .is_some_and(|r| r.starts_with('/'))
        }) {
            owners.push(i);
        }
        owners.dedup();
        for i in owners {
            let item = &mut items[i];
            item.bytes.add(w.format, w.bytes);
            if BudgetKind::Audio.counts(w, audio_counts) {
                item.audio += w.bytes;
            }
        }
    }
    items.sort_by(|a, b| {
        b.bytes
            .total()
            .cmp(&a.bytes.total())
            .then(a.slug.cmp(&b.slug))
    });
    items
}

fn budgets(written: &[Written], budget: &BudgetConfig) -> Vec<Budget> {
    let counts = budget.audio_counts;
    let mut used = BudgetBytes::new(counts);
    for w in written {
        used.add(w);
    }
    BudgetKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let limit_bytes = kind.limit(budget)?;
            let used_bytes = used.get(kind);
            let (_, seconds, audio) = music_of(written.iter().filter(|w| kind.counts(w, counts)));
            let music = (seconds > 0).then(|| {
                let rate = per_hour(audio, seconds);
                BudgetMusic {
                    hours: hours(seconds),
                    bytes_per_hour: rate,
                    room_hours: (limit_bytes.saturating_sub(used_bytes) as f64
                        / rate.max(1) as f64
                        * 10_000.0)
                        .floor()
                        / 10_000.0,
                }
            });
            Some(Budget {
                name: kind,
                format: kind.scope(counts),
                used_bytes,
                limit_bytes,
                ok: used_bytes <= limit_bytes,
                music,
            })
        })
        .collect()
}

/// The hours of music, in all, that the budget counting `format`'s audio holds: the audio budget when it
/// counts that format, else the format's own budget.
fn holds(budgets: &[Budget], format: Format) -> Option<f64> {
    let in_scope = |b: &Budget| match b.format {
        Scope::All => true,
        Scope::Html => format == Format::Html,
        Scope::Gemini => format == Format::Gemini,
    };
    let b = budgets
        .iter()
        .find(|b| b.name == BudgetKind::Audio && in_scope(b))
        .or_else(|| {
            budgets
                .iter()
                .find(|b| b.name != BudgetKind::Audio && in_scope(b))
        })?;
    b.music.as_ref().map(|m| {
        let total = m.hours + m.room_hours;
        (total * 10.0).round() / 10.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audio(format: Format, path: &str, bytes: u64, seconds: u64) -> Written {
        Written {
            format,
            path: path.into(),
            kind: Kind::Audio,
            bytes,
            seconds,
        }
    }

    #[test]
    fn a_tracks_encodings_count_once_as_music() {
        let files = [
            audio(Format::Html, "playlists/a/01-x.opus", 400, 60),
            audio(Format::Html, "playlists/a/01-x.mp3", 800, 60),
            audio(Format::Html, "playlists/a/02-y.opus", 200, 30),
        ];
        assert_eq!(music_of(files.iter()), (2, 90, 1400));
        assert_eq!(per_hour(1400, 90), 56_000);
        assert_eq!(per_hour(1400, 0), 0);
    }

    #[test]
    fn hours_read_as_a_listener_would_say_them() {
        assert_eq!(human_hours(0.25), "15 min");
        assert_eq!(human_hours(0.01), "36 s");
        assert_eq!(human_hours(9.46), "9.5 h");
        assert_eq!(human_hours(14.4), "14 h");
    }
}
