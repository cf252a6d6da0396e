//! The music library: every recording of every playlist once, grouped into artists, albums, genres and
//! curators by normalised name, with the recommendations between them.

pub(crate) mod elsewhere;
pub(crate) mod follow;
pub(crate) mod recommend;
mod score;
pub(crate) mod sound;

use std::collections::{BTreeMap, HashMap};

use crate::content::slug::slugify;
use crate::content::Site;
use crate::media::MediaOutputs;
use crate::output::Format;
use follow::Followed;
use recommend::{Index, Limits, Query};
use score::reasons;
pub(crate) use sound::{Aspect, Sound};

/// How many of each kind of recommendation a list gives.
pub(crate) const MORE_LIKE_THIS: usize = 5;
pub(crate) const RELATED_PLAYLISTS: usize = 3;
pub(crate) const RELATED_ARTISTS: usize = 5;
pub(crate) const RELATED_GENRES: usize = 5;

/// One recording (the same bytes, under whatever names), published once.
#[derive(Debug, Clone)]
pub(crate) struct Recording {
    /// The hash of its bytes.
    pub id: String,
    /// The name of its files in `music/tracks/`.
    pub slug: String,
    pub title: String,
    /// As the first track that has it writes it.
    pub artist: Option<String>,
    pub artist_group: Option<usize>,
    pub album_group: Option<usize>,
    pub genres: Vec<usize>,
    pub number: Option<u32>,
    pub seconds: u64,
    /// (index into `site.playlists`, index into its `tracks`), in site order.
    pub uses: Vec<(usize, usize)>,
    /// The earliest date of the playlists that have it: when it was published.
    pub date: Option<String>,
    /// How it sounds, when it could be analysed.
    pub sound: Option<Sound>,
    /// A followed site's recording that this site does not publish: (index into `followed`, index into
    /// its `tracks`). Its pages and files are the member's own.
    pub remote: Option<(usize, usize)>,
}

/// An artist, album, genre or curator: everything filed under one normalised name.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub slug: String,
    /// The best-written spelling met: with accents, then in mixed case, then the most used.
    pub name: String,
    /// Indexes into `recordings`, in the group's own order (albums: by track number).
    pub recordings: Vec<usize>,
    /// Indexes into `site.playlists`.
    pub playlists: Vec<usize>,
    /// Related groups of the same kind.
    pub related: Vec<Rec>,
}

/// What the library knows of one playlist of the site.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlaylistEntry {
    /// Aligned with the page's `tracks`: `None` for a track left out of the site.
    pub recordings: Vec<Option<usize>>,
    /// "More like this" for each of its tracks, aligned the same way.
    pub more: Vec<Vec<Rec>>,
    pub related: Vec<Rec>,
    pub curator: Option<usize>,
}

/// One recommendation and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rec {
    /// An index into the list of its kind (recordings, playlists, artists or genres).
    pub item: usize,
    pub reasons: Vec<Reason>,
}

impl Rec {
    /// It shares a playlist, a genre or tracks with the seed, not only an artist, album or curator.
    pub(crate) fn close(&self) -> bool {
        self.reasons.iter().any(|r| {
            matches!(
                r,
                Reason::Genres(_) | Reason::Playlists(_) | Reason::Tracks(_) | Reason::Sounds(_)
            )
        })
    }
}

/// A reason for a recommendation, in the order they are given.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reason {
    /// Genres both have (indexes into `genres`).
    Genres(Vec<usize>),
    /// How many playlists hold both.
    Playlists(usize),
    /// How many tracks both have (two playlists), or have both (two genres).
    Tracks(usize),
    /// They sound close, and clearly alike in these aspects (maybe none).
    Sounds(Vec<Aspect>),
    /// How many artists both have.
    Artists(usize),
    SameArtist,
    SameAlbum,
    SameCurator,
}

#[derive(Debug, Default)]
pub(crate) struct Library {
    pub recordings: Vec<Recording>,
    pub artists: Vec<Group>,
    pub albums: Vec<Group>,
    pub genres: Vec<Group>,
    pub curators: Vec<Group>,
    /// Aligned with `site.playlists`.
    pub playlists: Vec<PlaylistEntry>,
    /// "More like this" for each recording, with nothing left out: what its radio plays next.
    pub next: Vec<Vec<Rec>>,
    /// Bytes each output did not store twice because playlists share recordings.
    pub shared_bytes: BTreeMap<Format, u64>,
    /// The site's own playlists: `playlists` holds them first (aligned with `site.playlists`), then
    /// the followed sites' (`remote_playlists`).
    pub local_playlists: usize,
    /// The followed sites' catalogues, as read.
    pub followed: Vec<Followed>,
    /// Each followed playlist, after the site's own: (index into `followed`, index into its playlists).
    pub remote_playlists: Vec<(usize, usize)>,
}

/// The facts of one track that the library files, whatever the model it comes from.
#[derive(Debug, Clone)]
pub(crate) struct TrackFacts {
    pub recording: String,
    pub slug: String,
    pub title: String,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub number: Option<u32>,
    pub genres: Vec<String>,
    pub seconds: u64,
    /// How it sounds, when it could be analysed.
    pub sound: Option<Sound>,
    /// Bytes of its files in each output.
    pub bytes: BTreeMap<Format, u64>,
    /// A followed site's recording: (site, track), as `Recording::remote`.
    pub remote: Option<(usize, usize)>,
}

/// A playlist as the library sees it.
#[derive(Debug, Clone)]
pub(crate) struct PlaylistFacts {
    pub date: Option<String>,
    pub curator: Option<String>,
    /// `None` for a track left out of the site.
    pub tracks: Vec<Option<TrackFacts>>,
}

/// A recording's id: its source's hash, the same whether this site or a followed one publishes it.
fn recording_id(uid: &str) -> &str {
    uid.strip_prefix("blake3:").unwrap_or(uid)
}

/// The followed sites' playlists as the library sees them: their curators named with their site
/// (`Alice (alice.example)`), and their tracks' files costing this site nothing.
fn followed_facts(followed: &[Followed]) -> Vec<PlaylistFacts> {
    let mut out = Vec::new();
    for (s, site) in followed.iter().enumerate() {
        for p in &site.playlists {
            let curator = p.curator.as_deref().unwrap_or(&site.name);
            out.push(PlaylistFacts {
                date: p.date.clone(),
                curator: Some(format!("{curator} ({})", site.host)),
                tracks: p
                    .tracks
                    .iter()
                    .map(|&t| {
                        let track = &site.tracks[t];
                        Some(TrackFacts {
                            recording: recording_id(&track.uid).to_string(),
                            slug: remote_slug(site, track),
                            title: track.title.clone(),
                            artist: track.artist.clone(),
                            album: track.album.clone(),
                            number: track.number,
                            genres: track.genres.clone(),
                            seconds: track.seconds,
                            sound: None,
                            bytes: BTreeMap::new(),
                            remote: Some((s, t)),
                        })
                    })
                    .collect(),
            });
        }
    }
    out
}

/// The name a followed recording's radio goes by here: its title and a short hash of where it is, so
/// that it never meets a name of this site's own tracks.
fn remote_slug(site: &Followed, track: &follow::RemoteTrack) -> String {
    let hash = blake3::hash(format!("{}\n{}", site.site, track.uid).as_bytes()).to_hex();
    let title = slugify(&track.title);
    let title: String = title.chars().take(40).collect();
    format!("{title}-{}", &hash.as_str()[..10])
}

impl Library {
    /// The library of a loaded site, from its playlists and their media outputs.
    pub(crate) fn of_site(site: &Site, media: &MediaOutputs, followed: Vec<Followed>) -> Library {
        let mut playlists: Vec<PlaylistFacts> = site
            .playlists
            .iter()
            .map(|p| {
                let outs = media.get(&p.dir);
                PlaylistFacts {
                    date: p.date.clone(),
                    curator: p.curator.clone(),
                    tracks: p
                        .tracks
                        .iter()
                        .enumerate()
                        .map(|(i, t)| {
                            let o = outs?.tracks.get(i)?.as_ref()?;
                            let mut bytes = BTreeMap::new();
                            // A recording played from a followed site costs this site nothing.
                            if !o.elsewhere {
                                for f in &o.html {
                                    *bytes.entry(Format::Html).or_insert(0) += f.bytes;
                                }
                                *bytes.entry(Format::Gemini).or_insert(0) += o.gemini.bytes;
                            }
                            Some(TrackFacts {
                                recording: o.recording.clone(),
                                slug: o.name.clone(),
                                title: t.title.clone(),
                                artist: t.artist.clone(),
                                album: t.album.clone(),
                                number: t.number,
                                genres: t.genres.clone(),
                                seconds: o.duration_secs,
                                sound: outs?.sounds.get(i).copied().flatten(),
                                bytes,
                                remote: None,
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        let local = playlists.len();
        playlists.extend(followed_facts(&followed));
        let mut lib = Library::build(&playlists);
        lib.local_playlists = local;
        lib.remote_playlists = followed
            .iter()
            .enumerate()
            .flat_map(|(s, f)| (0..f.playlists.len()).map(move |p| (s, p)))
            .collect();
        lib.followed = followed;
        lib
    }

    /// Files the playlists' tracks into recordings and groups, and computes every recommendation.
    pub(crate) fn build(playlists: &[PlaylistFacts]) -> Library {
        let mut lib = Library::default();
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        let mut artists = Grouper::default();
        let mut albums = Grouper::default();
        let mut genres = Grouper::default();
        let mut curators = Grouper::default();
        for (p, pl) in playlists.iter().enumerate() {
            let mut entry = PlaylistEntry {
                curator: pl
                    .curator
                    .as_deref()
                    .and_then(|c| curators.add(c, None, Some(p))),
                ..PlaylistEntry::default()
            };
            for (i, t) in pl.tracks.iter().enumerate() {
                let Some(t) = t else {
                    entry.recordings.push(None);
                    continue;
                };
                let r = match by_id.get(t.recording.as_str()) {
                    Some(&r) => {
                        // A recording of this site that a followed site also has stays this site's.
                        for (format, bytes) in &t.bytes {
                            *lib.shared_bytes.entry(*format).or_insert(0) += bytes;
                        }
                        r
                    }
                    None => {
                        let r = lib.recordings.len();
                        by_id.insert(&t.recording, r);
                        let artist_name = t.artist.as_deref().map(main_artist);
                        lib.recordings.push(Recording {
                            id: t.recording.clone(),
                            slug: t.slug.clone(),
                            title: t.title.clone(),
                            artist: t.artist.clone(),
                            artist_group: artist_name.and_then(|a| artists.add(a, Some(r), None)),
                            album_group: t
                                .album
                                .as_deref()
                                .and_then(|a| albums.add(a, Some(r), None)),
                            genres: Vec::new(),
                            number: t.number,
                            seconds: t.seconds,
                            uses: Vec::new(),
                            date: None,
                            sound: t.sound,
                            remote: t.remote,
                        });
                        r
                    }
                };
                let rec = &mut lib.recordings[r];
                rec.uses.push((p, i));
                if let Some(d) = &pl.date {
                    if rec.date.as_ref().is_none_or(|old| d < old) {
                        rec.date = Some(d.clone());
                    }
                }
                for g in &t.genres {
                    if let Some(g) = genres.add(g, Some(r), Some(p)) {
                        if !rec.genres.contains(&g) {
                            rec.genres.push(g);
                        }
                    }
                }
                if let Some(a) = rec.artist_group {
                    artists.place(a, None, Some(p));
                }
                if let Some(a) = rec.album_group {
                    albums.place(a, None, Some(p));
                }
                if let Some(c) = entry.curator {
                    curators.place(c, Some(r), None);
                }
                entry.recordings.push(Some(r));
            }
            lib.playlists.push(entry);
        }
        lib.artists = artists.finish();
        lib.albums = albums.finish();
        lib.genres = genres.finish();
        lib.curators = curators.finish();
        for rec in &mut lib.recordings {
            rec.genres.sort_unstable();
        }
        let recordings = &lib.recordings;
        lib.albums.iter_mut().for_each(|a| {
            a.recordings.sort_by(|&x, &y| {
                let (x, y) = (&recordings[x], &recordings[y]);
                x.number
                    .unwrap_or(u32::MAX)
                    .cmp(&y.number.unwrap_or(u32::MAX))
                    .then_with(|| x.slug.cmp(&y.slug))
            })
        });
        lib.local_playlists = playlists.len();
        lib.recommend();
        lib
    }

    fn recommend(&mut self) {
        let terms = score::Terms::new(self);
        // Every item's related items of its own kind, with nothing left out.
        let related = |ix: &Index, count: usize| -> Vec<Vec<Rec>> {
            let qs: Vec<Query> = (0..ix.slugs.len())
                .map(|seed| Query {
                    seed,
                    exclude: &[],
                    count: None,
                })
                .collect();
            let limits = Limits {
                count,
                per_group: usize::MAX,
            };
            let answers = ix.rank_all(&qs, limits);
            answers
                .iter()
                .enumerate()
                .map(|(seed, picks)| picks.iter().map(|p| reasons(ix, seed, p)).collect())
                .collect()
        };
        let (more, next) = self.more_like_this(&terms.tracks(), &terms.playlist_recordings);
        let playlists = related(&terms.playlists(), RELATED_PLAYLISTS);
        let artists = related(&terms.artists(), RELATED_ARTISTS);
        let genres = related(&terms.genres(), RELATED_GENRES);
        for ((entry, more), related) in self.playlists.iter_mut().zip(more).zip(playlists) {
            entry.more = more;
            entry.related = related;
        }
        self.next = next;
        for (artist, recs) in self.artists.iter_mut().zip(artists) {
            artist.related = recs;
        }
        for (genre, recs) in self.genres.iter_mut().zip(genres) {
            genre.related = recs;
        }
    }

    /// "More like this" for each track of each playlist (none of that playlist), and each recording's
    /// radio (nothing left out), from the index of the tracks.
    #[allow(clippy::type_complexity)]
    fn more_like_this(
        &self,
        ix: &Index,
        playlist_recordings: &[Vec<usize>],
    ) -> (Vec<Vec<Vec<Rec>>>, Vec<Vec<Rec>>) {
        let n = self.recordings.len();
        let tracks = Limits {
            count: MORE_LIKE_THIS,
            per_group: 2,
        };
        // One deep list per recording, with nothing left out, serves its radio and, filtered, every
        // playlist that has it; only when the filter leaves too few is the index asked again.
        let cut_of = |r: usize| {
            let largest = self.recordings[r]
                .uses
                .iter()
                .map(|u| playlist_recordings[u.0].len())
                .max()
                .unwrap_or(0);
            largest + 4 * MORE_LIKE_THIS
        };
        let deep_queries: Vec<Query> = (0..n)
            .map(|seed| Query {
                seed,
                exclude: &[],
                count: Some(cut_of(seed)),
            })
            .collect();
        let unlimited = Limits {
            count: 0,
            per_group: usize::MAX,
        };
        let deep = ix.rank_all(&deep_queries, unlimited);
        let mut missing = Vec::new();
        let mut answers = Vec::new();
        for (p, entry) in self.playlists.iter().enumerate() {
            let mut row = Vec::new();
            for r in &entry.recordings {
                row.push(r.map(|r| {
                    let got = ix.refine(&deep[r], cut_of(r), &playlist_recordings[p], tracks);
                    if got.is_none() {
                        missing.push(Query {
                            seed: r,
                            exclude: &playlist_recordings[p],
                            count: None,
                        });
                    }
                    (r, got)
                }));
            }
            answers.push(row);
        }
        let mut asked = ix.rank_all(&missing, tracks).into_iter();
        let more = answers
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|a| match a {
                        Some((r, Some(picks))) => picks.iter().map(|p| reasons(ix, r, p)).collect(),
                        Some((r, None)) => asked
                            .next()
                            .unwrap_or_default()
                            .iter()
                            .map(|p| reasons(ix, r, p))
                            .collect(),
                        None => Vec::new(),
                    })
                    .collect()
            })
            .collect();
        let next = (0..n)
            .map(|r| {
                let picks = ix
                    .refine(&deep[r], cut_of(r), &[], tracks)
                    .unwrap_or_else(|| {
                        let q = Query {
                            seed: r,
                            exclude: &[],
                            count: None,
                        };
                        ix.rank_all(&[q], tracks).remove(0)
                    });
                picks.iter().map(|p| reasons(ix, r, p)).collect()
            })
            .collect();
        (more, next)
    }

    /// The recordings of playlist `p`, in its order.
    pub(crate) fn tracks_of(&self, p: usize) -> Vec<usize> {
        self.playlists
            .get(p)
            .map(|e| e.recordings.iter().flatten().copied().collect())
            .unwrap_or_default()
    }

    /// Whether playlist `p` is one of this site's own (not a followed site's).
    pub(crate) fn is_local_playlist(&self, p: usize) -> bool {
        p < self.local_playlists
    }

    /// Whether a curator has playlists of this site (not only of followed sites).
    pub(crate) fn is_local_curator(&self, curator: &Group) -> bool {
        curator.playlists.iter().any(|&p| self.is_local_playlist(p))
    }

    /// A followed site's playlist, with its site.
    pub(crate) fn remote_playlist(&self, p: usize) -> Option<(&Followed, &follow::RemotePlaylist)> {
        let &(s, i) = self
            .remote_playlists
            .get(p.checked_sub(self.local_playlists)?)?;
        let site = self.followed.get(s)?;
        Some((site, site.playlists.get(i)?))
    }

    /// A followed site's recording, with its site, when this site does not publish it.
    pub(crate) fn remote_track(&self, r: usize) -> Option<(&Followed, &follow::RemoteTrack)> {
        let (s, t) = self.recordings.get(r)?.remote?;
        let site = self.followed.get(s)?;
        Some((site, site.tracks.get(t)?))
    }

    /// Whether the site has any music to show.
    pub(crate) fn is_empty(&self) -> bool {
        self.recordings.is_empty()
    }

    /// Hours of music in the library.
    pub(crate) fn seconds(&self) -> u64 {
        self.recordings.iter().map(|r| r.seconds).sum()
    }

    /// A curator's recordings' playing time.
    pub(crate) fn seconds_of(&self, group: &Group) -> u64 {
        group
            .recordings
            .iter()
            .map(|&r| self.recordings[r].seconds)
            .sum()
    }
}

/// The artist a credit counts for: `The Band feat. X` → `The Band`.
pub(crate) fn main_artist(credit: &str) -> &str {
    let lower = credit.to_ascii_lowercase();
    let cut = [
        " feat. ",
        " feat ",
        " ft. ",
        " ft ",
        " featuring ",
        " (feat",
        " [feat",
        "(feat",
    ]
    .iter()
    .filter_map(|m| lower.find(m))
    .min()
    .unwrap_or(credit.len());
    let main = credit[..cut].trim();
    if main.is_empty() {
        credit.trim()
    } else {
        main
    }
}

/// Groups names by their slug, counting each spelling.
#[derive(Default)]
struct Grouper {
    slugs: HashMap<String, usize>,
    /// Each group, with the count of each spelling met.
    groups: Vec<(Group, BTreeMap<String, usize>)>,
    /// (group, recording) and (group, playlist) pairs already filed.
    filed: std::collections::HashSet<(usize, usize, bool)>,
}

impl Grouper {
    /// Files `name` (with a recording and a playlist, when given) and returns its group's index;
    /// `None` for a name with no letters or digits.
    fn add(
        &mut self,
        name: &str,
        recording: Option<usize>,
        playlist: Option<usize>,
    ) -> Option<usize> {
        let name = name.trim();
        let slug = slugify(name);
        if slug.is_empty() {
            return None;
        }
        let g = match self.slugs.get(&slug) {
            Some(&g) => g,
            None => {
                let group = Group {
                    slug: slug.clone(),
                    name: String::new(),
                    recordings: Vec::new(),
                    playlists: Vec::new(),
                    related: Vec::new(),
                };
                self.groups.push((group, BTreeMap::new()));
                self.slugs.insert(slug, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        *self.groups[g].1.entry(name.to_string()).or_insert(0) += 1;
        self.place(g, recording, playlist);
        Some(g)
    }

    fn place(&mut self, g: usize, recording: Option<usize>, playlist: Option<usize>) {
        let group = &mut self.groups[g].0;
        if let Some(r) = recording {
            if self.filed.insert((g, r, true)) {
                group.recordings.push(r);
            }
        }
        if let Some(p) = playlist {
            if self.filed.insert((g, p, false)) {
                group.playlists.push(p);
            }
        }
    }

    /// The groups, in the order first met (their indexes stay valid), each with its best spelling.
    fn finish(self) -> Vec<Group> {
        self.groups
            .into_iter()
            .map(|(group, spellings)| Group {
                name: best_spelling(&spellings),
                ..group
            })
            .collect()
    }
}

/// With accents over without, mixed case over all one case, then the most used, then the first in order.
fn best_spelling(spellings: &BTreeMap<String, usize>) -> String {
    let rank = |s: &str, n: usize| {
        let accents = !s.is_ascii();
        let mixed = s.chars().any(char::is_uppercase) && s.chars().any(char::is_lowercase);
        (accents, mixed, n)
    };
    let mut best: Option<(&String, (bool, bool, usize))> = None;
    for (s, &n) in spellings {
        let r = rank(s, n);
        if best.is_none_or(|(_, b)| r > b) {
            best = Some((s, r));
        }
    }
    best.map(|(s, _)| s.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests;
