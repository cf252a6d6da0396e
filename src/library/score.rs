//! The score between two items of one kind (tracks, playlists, artists, genres) as a sum of terms: each
//! term a small function that puts one thing two items can have in common (a shared playlist, a genre,
//! the artist, how close they sound) into the index with its weight; each kind lists its terms, and
//! [`reasons`] says in the listener's terms which of them made a recommendation.

use super::recommend::{playlist_weight, rarity_weight, Index, Pick};
use super::sound::Sound;
use super::{Group, Library, Reason, Rec};

/// What a feature of an index is, for the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Playlist,
    Genre,
    Artist,
    Album,
    Curator,
    /// A recording two playlists (or two genres) both have.
    Track,
    /// An artist two playlists (or two genres) both have.
    Artists,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Playlist,
        Kind::Genre,
        Kind::Artist,
        Kind::Album,
        Kind::Curator,
        Kind::Track,
        Kind::Artists,
    ];

    fn of(tag: u8) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| *k as u8 == tag)
    }
}

/// The most a genre shared by few items weighs (see [`rarity_weight`]).
const GENRE_TOP: f64 = 0.6;
const ARTIST_BONUS: f64 = 0.3;
const ALBUM_BONUS: f64 = 0.2;
const CURATOR_BONUS: f64 = 0.05;
/// Two playlists that share a track.
const SHARED_TRACK: f64 = 0.5;
/// Two items that sound the same: about a rare genre, half a playlist of two. Enough to rank the
/// neighbours of an item that shares nothing; less than what a curator chose to put together.
const SOUNDS_TOP: f64 = 0.5;

/// The library seen from one kind of item, with what its terms need.
pub(super) struct Terms<'a> {
    lib: &'a Library,
    /// Each playlist's recordings, ascending, each once.
    pub playlist_recordings: Vec<Vec<usize>>,
    /// Each artist's genres, ascending.
    genres_of_artist: Vec<Vec<usize>>,
}

/// One term: files what it scores into the index.
type Term = fn(&Terms, &mut Index);

impl<'a> Terms<'a> {
    pub(super) fn new(lib: &'a Library) -> Terms<'a> {
        let playlist_recordings = lib
            .playlists
            .iter()
            .map(|p| sorted(p.recordings.iter().flatten().copied()))
            .collect();
        let genres_of_artist = lib
            .artists
            .iter()
            .map(|a| {
                sorted(
                    a.recordings
                        .iter()
                        .flat_map(|&r| lib.recordings[r].genres.clone()),
                )
            })
            .collect();
        Terms {
            lib,
            playlist_recordings,
            genres_of_artist,
        }
    }

    /// The index of the recordings, scored by [`TRACK_TERMS`].
    pub(super) fn tracks(&self) -> Index {
        let lib = self.lib;
        let ix = Index::new(
            lib.recordings.iter().map(|r| r.slug.clone()).collect(),
            lib.recordings.iter().map(|r| r.artist_group).collect(),
        );
        self.fill(ix, TRACK_TERMS)
    }

    /// The index of the playlists, scored by [`PLAYLIST_TERMS`].
    pub(super) fn playlists(&self) -> Index {
        let np = self.lib.playlists.len();
        let ix = Index::new((0..np).map(|p| format!("{p:08}")).collect(), vec![None; np]);
        self.fill(ix, PLAYLIST_TERMS)
    }

    /// The index of the artists, scored by [`ARTIST_TERMS`].
    pub(super) fn artists(&self) -> Index {
        self.fill(groups_index(&self.lib.artists), ARTIST_TERMS)
    }

    /// The index of the genres, scored by [`GENRE_TERMS`].
    pub(super) fn genres(&self) -> Index {
        self.fill(groups_index(&self.lib.genres), GENRE_TERMS)
    }

    fn fill(&self, mut ix: Index, terms: &[Term]) -> Index {
        for term in terms {
            term(self, &mut ix);
        }
        ix
    }

    /// The mean sound of each set of recordings.
    fn sounds_of<'b>(&self, sets: impl Iterator<Item = &'b [usize]>) -> Vec<Option<Sound>> {
        let rec = &self.lib.recordings;
        sets.map(|set| Sound::mean(set.iter().filter_map(|&r| rec[r].sound.as_ref())))
            .collect()
    }
}

fn groups_index(groups: &[Group]) -> Index {
    Index::new(
        groups.iter().map(|g| g.slug.clone()).collect(),
        vec![None; groups.len()],
    )
}

fn sorted(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = items.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// For each of `sets` sets, the items (in order) whose lists (one per item) hold it.
fn inverted<'a>(lists: impl Iterator<Item = &'a [usize]>, sets: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); sets];
    for (item, list) in lists.enumerate() {
        for &set in list {
            out[set].push(item);
        }
    }
    out
}

fn feature(ix: &mut Index, kind: Kind, tag: usize, weight: f64, members: Vec<usize>) {
    ix.feature((kind as u8, tag), weight, members);
}

/// A feature per group (an artist, a genre…): its `members` (recordings or playlists), weighing `weight`.
fn per_group(
    ix: &mut Index,
    kind: Kind,
    groups: &[Group],
    weight: impl Fn(&Group) -> f64,
    members: impl Fn(&Group) -> &Vec<usize>,
) {
    for (g, group) in groups.iter().enumerate() {
        feature(ix, kind, g, weight(group), members(group).clone());
    }
}

/// Two tracks: a playlist that has both (smaller says more), a genre (rarer says more), the artist, the
/// album, the curator, how close they sound.
const TRACK_TERMS: &[Term] = &[
    |t, ix| {
        for (p, members) in t.playlist_recordings.iter().enumerate() {
            let w = playlist_weight(members.len());
            feature(ix, Kind::Playlist, p, w, members.clone());
        }
    },
    |t, ix| {
        let n = t.lib.recordings.len();
        let w = |g: &Group| rarity_weight(GENRE_TOP, g.recordings.len(), n);
        per_group(ix, Kind::Genre, &t.lib.genres, w, |g| &g.recordings);
    },
    |t, ix| {
        per_group(
            ix,
            Kind::Artist,
            &t.lib.artists,
            |_| ARTIST_BONUS,
            |g| &g.recordings,
        )
    },
    |t, ix| {
        per_group(
            ix,
            Kind::Album,
            &t.lib.albums,
            |_| ALBUM_BONUS,
            |g| &g.recordings,
        )
    },
    |t, ix| {
        per_group(
            ix,
            Kind::Curator,
            &t.lib.curators,
            |_| CURATOR_BONUS,
            |g| &g.recordings,
        )
    },
    |t, ix| {
        ix.sounds(
            SOUNDS_TOP,
            t.lib.recordings.iter().map(|r| r.sound).collect(),
        )
    },
];

/// Two playlists: the tracks, genres and artists both have, the curator, how close they sound on average.
const PLAYLIST_TERMS: &[Term] = &[
    |t, ix| {
        for (r, rec) in t.lib.recordings.iter().enumerate() {
            let mut holders: Vec<usize> = rec.uses.iter().map(|u| u.0).collect();
            holders.dedup();
            if holders.len() > 1 {
                feature(ix, Kind::Track, r, SHARED_TRACK, holders);
            }
        }
    },
    |t, ix| {
        let np = t.lib.playlists.len();
        let w = |g: &Group| rarity_weight(GENRE_TOP, g.playlists.len(), np);
        per_group(ix, Kind::Genre, &t.lib.genres, w, |g| &g.playlists);
    },
    |t, ix| {
        let np = t.lib.playlists.len();
        let w = |g: &Group| rarity_weight(ARTIST_BONUS, g.playlists.len(), np);
        per_group(ix, Kind::Artists, &t.lib.artists, w, |g| &g.playlists);
    },
    |t, ix| {
        per_group(
            ix,
            Kind::Curator,
            &t.lib.curators,
            |_| CURATOR_BONUS,
            |g| &g.playlists,
        )
    },
    |t, ix| {
        let sets = t.playlist_recordings.iter().map(Vec::as_slice);
        ix.sounds(SOUNDS_TOP, t.sounds_of(sets));
    },
];

/// Two artists: the playlists and genres both are in, an album both play on, how close they sound.
const ARTIST_TERMS: &[Term] = &[
    |t, ix| {
        let artists = t.lib.artists.iter().map(|a| a.playlists.as_slice());
        for (p, members) in inverted(artists, t.lib.playlists.len())
            .into_iter()
            .enumerate()
        {
            feature(
                ix,
                Kind::Playlist,
                p,
                playlist_weight(members.len()),
                members,
            );
        }
    },
    |t, ix| {
        let artists = t.genres_of_artist.iter().map(Vec::as_slice);
        let na = t.lib.artists.len();
        for (g, members) in inverted(artists, t.lib.genres.len())
            .into_iter()
            .enumerate()
        {
            let w = rarity_weight(GENRE_TOP, members.len(), na);
            feature(ix, Kind::Genre, g, w, members);
        }
    },
    |t, ix| {
        for (al, album) in t.lib.albums.iter().enumerate() {
            let members = sorted(
                album
                    .recordings
                    .iter()
                    .filter_map(|&r| t.lib.recordings[r].artist_group),
            );
            feature(ix, Kind::Album, al, ALBUM_BONUS, members);
        }
    },
    |t, ix| {
        let sets = t.lib.artists.iter().map(|a| a.recordings.as_slice());
        ix.sounds(SOUNDS_TOP, t.sounds_of(sets));
    },
];

/// Two genres: the tracks, playlists and artists that have both, how close they sound on average.
const GENRE_TERMS: &[Term] = &[
    |t, ix| {
        for (r, rec) in t.lib.recordings.iter().enumerate() {
            if rec.genres.len() > 1 {
                let w = playlist_weight(rec.genres.len());
                feature(ix, Kind::Track, r, w, rec.genres.clone());
            }
        }
    },
    |t, ix| {
        let genres = t.lib.genres.iter().map(|g| g.playlists.as_slice());
        for (p, members) in inverted(genres, t.lib.playlists.len())
            .into_iter()
            .enumerate()
        {
            let w = 0.5 * playlist_weight(members.len());
            feature(ix, Kind::Playlist, p, w, members);
        }
    },
    |t, ix| {
        for (a, gs) in t.genres_of_artist.iter().enumerate() {
            let w = 0.5 * playlist_weight(gs.len());
            feature(ix, Kind::Artists, a, w, gs.clone());
        }
    },
    |t, ix| {
        let sets = t.lib.genres.iter().map(|g| g.recordings.as_slice());
        ix.sounds(SOUNDS_TOP, t.sounds_of(sets));
    },
];

/// Why `pick` was recommended for `seed`: what they share, strongest kind first.
pub(super) fn reasons(ix: &Index, seed: usize, pick: &Pick) -> Rec {
    let mut genres = Vec::new();
    let mut count = [0usize; Kind::ALL.len()];
    for f in ix.shared(seed, pick.item) {
        let (tag, index) = ix.features[f].tag;
        match Kind::of(tag) {
            Some(Kind::Genre) => genres.push(index),
            Some(kind) => count[kind as usize] += 1,
            None => {}
        }
    }
    let n = |kind: Kind| count[kind as usize];
    let mut out = Vec::new();
    if !genres.is_empty() {
        out.push(Reason::Genres(genres));
    }
    if n(Kind::Track) > 0 {
        out.push(Reason::Tracks(n(Kind::Track)));
    }
    if n(Kind::Playlist) > 0 {
        out.push(Reason::Playlists(n(Kind::Playlist)));
    }
    if let Some(aspects) = ix.sound_alike(seed, pick.item) {
        out.push(Reason::Sounds(aspects));
    }
    if n(Kind::Artists) > 0 {
        out.push(Reason::Artists(n(Kind::Artists)));
    }
    for (kind, reason) in [
        (Kind::Artist, Reason::SameArtist),
        (Kind::Album, Reason::SameAlbum),
        (Kind::Curator, Reason::SameCurator),
    ] {
        if n(kind) > 0 {
            out.push(reason);
        }
    }
    Rec {
        item: pick.item,
        reasons: out,
    }
}
