//! The music library: every recording of every playlist once, grouped into artists, albums, genres and
//! curators by normalised name, with the recommendations between them.

pub(crate) mod recommend;

use std::collections::{BTreeMap, HashMap};

use crate::content::slug::slugify;
use crate::content::Site;
use crate::media::MediaOutputs;
use crate::output::Format;
use recommend::{playlist_weight, rarity_weight, Index, Limits, Pick, Query};

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
                Reason::Genres(_) | Reason::Playlists(_) | Reason::Tracks(_)
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
    /// Bytes of its files in each output.
    pub bytes: BTreeMap<Format, u64>,
}

/// A playlist as the library sees it.
#[derive(Debug, Clone)]
pub(crate) struct PlaylistFacts {
    pub date: Option<String>,
    pub curator: Option<String>,
    /// `None` for a track left out of the site.
    pub tracks: Vec<Option<TrackFacts>>,
}

impl Library {
    /// The library of a loaded site, from its playlists and their media outputs.
    pub(crate) fn of_site(site: &Site, media: &MediaOutputs) -> Library {
        let playlists: Vec<PlaylistFacts> = site
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
                            for f in &o.html {
                                *bytes.entry(Format::Html).or_insert(0) += f.bytes;
                            }
                            *bytes.entry(Format::Gemini).or_insert(0) += o.gemini.bytes;
                            Some(TrackFacts {
                                recording: o.recording.clone(),
                                slug: file_stem(&o.gemini.path),
                                title: t.title.clone(),
                                artist: t.artist.clone(),
                                album: t.album.clone(),
                                number: t.number,
                                genres: t.genres.clone(),
                                seconds: o.duration_secs,
                                bytes,
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        Library::build(&playlists)
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
        lib.recommend();
        lib
    }

    fn recommend(&mut self) {
        const PLAYLIST: u8 = 0;
        const GENRE: u8 = 1;
        const ARTIST: u8 = 2;
        const ALBUM: u8 = 3;
        const CURATOR: u8 = 4;
        const TRACK: u8 = 5;
        // Artists two playlists or two genres have in common (not the one artist of two tracks).
        const ARTISTS: u8 = 6;
        let reasons = |ix: &Index, seed: usize, pick: &Pick| -> Rec {
            let mut genres = Vec::new();
            let (mut playlists, mut tracks, mut artists) = (0, 0, 0);
            let (mut artist, mut album, mut curator) = (false, false, false);
            for f in ix.shared(seed, pick.item) {
                match ix.features[f].tag {
                    (PLAYLIST, _) => playlists += 1,
                    (GENRE, g) => genres.push(g),
                    (TRACK, _) => tracks += 1,
                    (ARTISTS, _) => artists += 1,
                    (ARTIST, _) => artist = true,
                    (ALBUM, _) => album = true,
                    (CURATOR, _) => curator = true,
                    _ => {}
                }
            }
            let mut out = Vec::new();
            if !genres.is_empty() {
                out.push(Reason::Genres(genres));
            }
            if tracks > 0 {
                out.push(Reason::Tracks(tracks));
            }
            if playlists > 0 {
                out.push(Reason::Playlists(playlists));
            }
            if artists > 0 {
                out.push(Reason::Artists(artists));
            }
            if artist {
                out.push(Reason::SameArtist);
            }
            if album {
                out.push(Reason::SameAlbum);
            }
            if curator {
                out.push(Reason::SameCurator);
            }
            Rec {
                item: pick.item,
                reasons: out,
            }
        };
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
        let playlist_recordings: Vec<Vec<usize>> = self
            .playlists
            .iter()
            .map(|p| {
                let mut v: Vec<usize> = p.recordings.iter().flatten().copied().collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();

        // Tracks.
        let n = self.recordings.len();
        let mut ix = Index::new(
            self.recordings.iter().map(|r| r.slug.clone()).collect(),
            self.recordings.iter().map(|r| r.artist_group).collect(),
        );
        for (p, members) in playlist_recordings.iter().enumerate() {
            ix.feature(
                (PLAYLIST, p),
                playlist_weight(members.len()),
                members.clone(),
            );
        }
        for (g, genre) in self.genres.iter().enumerate() {
            let w = rarity_weight(GENRE_TOP, genre.recordings.len(), n);
            ix.feature((GENRE, g), w, genre.recordings.clone());
        }
        for (a, artist) in self.artists.iter().enumerate() {
            ix.feature((ARTIST, a), ARTIST_BONUS, artist.recordings.clone());
        }
        for (a, album) in self.albums.iter().enumerate() {
            ix.feature((ALBUM, a), ALBUM_BONUS, album.recordings.clone());
        }
        for (c, curator) in self.curators.iter().enumerate() {
            ix.feature((CURATOR, c), CURATOR_BONUS, curator.recordings.clone());
        }
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
        for (entry, row) in self.playlists.iter_mut().zip(answers) {
            entry.more = row
                .into_iter()
                .map(|a| match a {
                    Some((r, Some(picks))) => picks.iter().map(|p| reasons(&ix, r, p)).collect(),
                    Some((r, None)) => asked
                        .next()
                        .unwrap_or_default()
                        .iter()
                        .map(|p| reasons(&ix, r, p))
                        .collect(),
                    None => Vec::new(),
                })
                .collect();
        }
        self.next = (0..n)
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
                picks.iter().map(|p| reasons(&ix, r, p)).collect()
            })
            .collect();

        // Playlists.
        let np = self.playlists.len();
        let mut ix = Index::new((0..np).map(|p| format!("{p:08}")).collect(), vec![None; np]);
        for (r, rec) in self.recordings.iter().enumerate() {
            let mut holders: Vec<usize> = rec.uses.iter().map(|u| u.0).collect();
            holders.dedup();
            if holders.len() > 1 {
                ix.feature((TRACK, r), SHARED_TRACK, holders);
            }
        }
        for (g, genre) in self.genres.iter().enumerate() {
            let w = rarity_weight(GENRE_TOP, genre.playlists.len(), np);
            ix.feature((GENRE, g), w, genre.playlists.clone());
        }
        for (a, artist) in self.artists.iter().enumerate() {
            let w = rarity_weight(ARTIST_BONUS, artist.playlists.len(), np);
            ix.feature((ARTISTS, a), w, artist.playlists.clone());
        }
        for (c, curator) in self.curators.iter().enumerate() {
            ix.feature((CURATOR, c), CURATOR_BONUS, curator.playlists.clone());
        }
        for (entry, recs) in self
            .playlists
            .iter_mut()
            .zip(related(&ix, RELATED_PLAYLISTS))
        {
            entry.related = recs;
        }

        // Artists.
        let na = self.artists.len();
        let mut ix = Index::new(
            self.artists.iter().map(|a| a.slug.clone()).collect(),
            vec![None; na],
        );
        let mut artists_in: Vec<Vec<usize>> = vec![Vec::new(); np];
        for (a, artist) in self.artists.iter().enumerate() {
            for &p in &artist.playlists {
                artists_in[p].push(a);
            }
        }
        for (p, members) in artists_in.into_iter().enumerate() {
            ix.feature((PLAYLIST, p), playlist_weight(members.len()), members);
        }
        let artist_genres = |a: &Group| {
            let mut g: Vec<usize> = a
                .recordings
                .iter()
                .flat_map(|&r| self.recordings[r].genres.clone())
                .collect();
            g.sort_unstable();
            g.dedup();
            g
        };
        let genres_of_artist: Vec<Vec<usize>> = self.artists.iter().map(artist_genres).collect();
        let mut artists_of_genre: Vec<Vec<usize>> = vec![Vec::new(); self.genres.len()];
        for (a, gs) in genres_of_artist.iter().enumerate() {
            for &g in gs {
                artists_of_genre[g].push(a);
            }
        }
        for (g, members) in artists_of_genre.iter().enumerate() {
            let w = rarity_weight(GENRE_TOP, members.len(), na);
            ix.feature((GENRE, g), w, members.clone());
        }
        for (al, album) in self.albums.iter().enumerate() {
            let mut members: Vec<usize> = album
                .recordings
                .iter()
                .filter_map(|&r| self.recordings[r].artist_group)
                .collect();
            members.sort_unstable();
            members.dedup();
            ix.feature((ALBUM, al), ALBUM_BONUS, members);
        }
        for (artist, recs) in self.artists.iter_mut().zip(related(&ix, RELATED_ARTISTS)) {
            artist.related = recs;
        }

        // Genres.
        let ng = self.genres.len();
        let mut ix = Index::new(
            self.genres.iter().map(|g| g.slug.clone()).collect(),
            vec![None; ng],
        );
        for (r, rec) in self.recordings.iter().enumerate() {
            if rec.genres.len() > 1 {
                ix.feature(
                    (TRACK, r),
                    playlist_weight(rec.genres.len()),
                    rec.genres.clone(),
                );
            }
        }
        let mut genres_in: Vec<Vec<usize>> = vec![Vec::new(); np];
        for (g, genre) in self.genres.iter().enumerate() {
            for &p in &genre.playlists {
                genres_in[p].push(g);
            }
        }
        for (p, members) in genres_in.into_iter().enumerate() {
            ix.feature((PLAYLIST, p), 0.5 * playlist_weight(members.len()), members);
        }
        for (a, gs) in genres_of_artist.into_iter().enumerate() {
            ix.feature((ARTISTS, a), 0.5 * playlist_weight(gs.len()), gs);
        }
        for (genre, recs) in self.genres.iter_mut().zip(related(&ix, RELATED_GENRES)) {
            genre.related = recs;
        }
    }

    /// The recordings of playlist `p`, in its order.
    pub(crate) fn tracks_of(&self, p: usize) -> Vec<usize> {
        self.playlists
            .get(p)
            .map(|e| e.recordings.iter().flatten().copied().collect())
            .unwrap_or_default()
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

/// The weight of the features two tracks can share (besides playlists, see [`playlist_weight`]).
const GENRE_TOP: f64 = 0.6;
const ARTIST_BONUS: f64 = 0.3;
const ALBUM_BONUS: f64 = 0.2;
const CURATOR_BONUS: f64 = 0.05;
/// Two playlists that share a track.
const SHARED_TRACK: f64 = 0.5;

/// `output/path/name.mp3` → `name`.
fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
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
