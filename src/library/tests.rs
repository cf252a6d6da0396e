use super::*;

fn track(id: &str, artist: &str, genres: &[&str]) -> Option<TrackFacts> {
    Some(TrackFacts {
        recording: format!("hash-{id}"),
        slug: id.to_string(),
        title: id.to_uppercase(),
        artist: Some(artist.to_string()),
        album: None,
        number: None,
        genres: genres.iter().map(|g| g.to_string()).collect(),
        seconds: 60,
        sound: None,
        bytes: [(Format::Html, 1000), (Format::Gemini, 400)].into(),
        remote: None,
    })
}

fn playlist(slug: &str, curator: &str, tracks: Vec<Option<TrackFacts>>) -> PlaylistFacts {
    let _ = slug;
    PlaylistFacts {
        date: Some("2024-01-01".into()),
        curator: Some(curator.into()),
        tracks,
    }
}

/// `seed` is in night, rain and drive; `twin` in rain and drive, and only they are `drone`.
/// `lone` has a genre of its own and is only in morning.
fn model() -> Vec<PlaylistFacts> {
    let seed = || track("seed", "Lumen", &["ambient", "drone"]);
    let twin = || track("twin", "Kestrel", &["drone"]);
    vec![
        playlist(
            "night",
            "Ana",
            vec![
                seed(),
                track("n2", "Lumen", &["ambient"]),
                track("n3", "Moss", &["ambient"]),
            ],
        ),
        playlist(
            "rain",
            "Ana",
            vec![seed(), twin(), track("r3", "Moss", &["jazz"])],
        ),
        playlist(
            "drive",
            "Bo",
            vec![
                track("d1", "Volt", &["synthwave"]),
                twin(),
                seed(),
                track("d4", "Volt feat. Neon", &["synthwave"]),
            ],
        ),
        playlist(
            "morning",
            "Bo",
            vec![
                track("lone", "Quiet", &["field recording"]),
                track("m2", "Volt", &["synthwave"]),
                track("m3", "VOLT", &["synthwave", "ambient"]),
                track("m4", "Volt", &["synthwave"]),
                None,
            ],
        ),
    ]
}

fn slug(lib: &Library, r: usize) -> &str {
    &lib.recordings[r].slug
}

#[test]
fn each_recording_is_filed_once_and_shared_bytes_are_counted() {
    let lib = Library::build(&model());
    assert_eq!(lib.recordings.len(), 11);
    let seed = &lib.recordings[0];
    assert_eq!(seed.uses, vec![(0, 0), (1, 0), (2, 2)]);
    // seed twice more, twin once more: 3 × 1000 B of HTML, 3 × 400 of Gemini.
    assert_eq!(lib.shared_bytes[&Format::Html], 3000);
    assert_eq!(lib.shared_bytes[&Format::Gemini], 1200);
    assert_eq!(lib.playlists[3].recordings[4], None);
}

#[test]
fn artists_are_grouped_by_normalised_name_with_the_best_spelling() {
    let lib = Library::build(&model());
    let names: Vec<&str> = lib.artists.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["Lumen", "Moss", "Kestrel", "Volt", "Quiet"]);
    let volt = &lib.artists[3];
    // d1, d4 (feat.), m2, m3 (VOLT), m4.
    assert_eq!(volt.recordings.len(), 5);
    assert_eq!(volt.playlists, vec![2, 3]);
    assert_eq!(main_artist("The Band feat. X"), "The Band");
    assert_eq!(main_artist("The Band (feat. X)"), "The Band");
    assert_eq!(main_artist("Björk ft Y"), "Björk");
    let spellings: BTreeMap<String, usize> = [
        ("bjork".to_string(), 5),
        ("Björk".into(), 1),
        ("BJORK".into(), 2),
    ]
    .into();
    assert_eq!(best_spelling(&spellings), "Björk");
}

#[test]
fn two_playlists_and_a_rare_genre_come_first() {
    let lib = Library::build(&model());
    // On night's page, seed's first recommendation is twin, which night does not hold.
    let picks = &lib.playlists[0].more[0];
    assert_eq!(slug(&lib, picks[0].item), "twin");
    let drone = lib.genres.iter().position(|g| g.slug == "drone").unwrap();
    assert_eq!(
        picks[0].reasons,
        vec![
            Reason::Genres(vec![drone]),
            Reason::Playlists(2),
            Reason::SameCurator
        ]
    );
    // Never the track itself, never one of the same playlist.
    for (p, entry) in lib.playlists.iter().enumerate() {
        for (i, r) in entry.recordings.iter().enumerate() {
            for rec in &entry.more[i] {
                assert_ne!(Some(rec.item), *r);
                assert!(!entry.recordings.contains(&Some(rec.item)), "{p} {i}");
            }
        }
    }
}

#[test]
fn a_track_with_nothing_in_common_gets_only_weak_recommendations_that_say_so() {
    let lib = Library::build(&model());
    let lone = &lib.playlists[3].more[0];
    assert!(!lone.is_empty());
    assert!(lone.iter().all(|r| !r.close()), "{lone:?}");
    assert!(lone.iter().all(|r| r.reasons == vec![Reason::SameCurator]));
}

#[test]
fn no_more_than_two_by_one_artist() {
    let lib = Library::build(&model());
    for (r, next) in lib.next.iter().enumerate() {
        let mut by: BTreeMap<Option<usize>, usize> = BTreeMap::new();
        for rec in next {
            let a = lib.recordings[rec.item].artist_group;
            *by.entry(a).or_insert(0) += 1;
            assert_ne!(rec.item, r);
        }
        assert!(
            by.iter().all(|(a, n)| a.is_none() || *n <= 2),
            "{r}: {by:?}"
        );
    }
    // twin's radio: seed first; Volt (3 synthwave tracks of drive and morning) at most twice.
    let twin = lib
        .recordings
        .iter()
        .position(|r| r.slug == "twin")
        .unwrap();
    assert_eq!(slug(&lib, lib.next[twin][0].item), "seed");
}

#[test]
fn related_playlists_artists_and_genres() {
    let lib = Library::build(&model());
    // rain shares seed and twin with drive, seed with night.
    let rain: Vec<usize> = lib.playlists[1].related.iter().map(|r| r.item).collect();
    assert_eq!(rain[..2], [2, 0]);
    // Both hold ambient (seed) and drone (seed, twin), and two tracks.
    assert_eq!(
        lib.playlists[1].related[0].reasons[..2],
        [Reason::Genres(vec![0, 1]), Reason::Tracks(2)]
    );
    let synthwave = lib
        .genres
        .iter()
        .position(|g| g.slug == "synthwave")
        .unwrap();
    let ambient = lib.genres.iter().position(|g| g.slug == "ambient").unwrap();
    assert_eq!(lib.genres[synthwave].related[0].item, ambient);
    let volt = lib.artists.iter().position(|a| a.slug == "volt").unwrap();
    assert!(lib.artists[volt].related.iter().all(|r| r.item != volt));
    assert!(!lib.artists[volt].related.is_empty());
}

#[test]
fn the_same_model_gives_the_same_recommendations() {
    let a = Library::build(&model());
    let b = Library::build(&model());
    assert_eq!(a.next, b.next);
    for (x, y) in a.playlists.iter().zip(&b.playlists) {
        assert_eq!(x.more, y.more);
        assert_eq!(x.related, y.related);
    }
}

/// A generated library for the benchmark: `n` tracks, one playlist per 20 tracks (each track in one to
/// three of them), an artist per 10 tracks, 300 genres of Zipf-like sizes, 50 curators; with `sounds`,
/// each track sounds like one of 24 kinds (a point of bliss-audio's range), its kind following its first
/// genre, and varies from it as the real recordings of bench/sound.sh vary within their kind: about 0.1
/// in each feature, mostly along 5 directions (which hold 80 % of their spread), plus a little noise.
/// Deterministic.
pub(super) fn generated(n: usize, sounds: bool) -> Vec<PlaylistFacts> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    let genres = 300;
    // Genre g is drawn with weight 1 / (g + 1).
    let weights: Vec<f64> = (0..genres).map(|g| 1.0 / (g + 1) as f64).collect();
    let total: f64 = weights.iter().sum();
    let pick_genre = |r: usize| {
        let mut x = (r as f64 / 1_000_000.0) * total;
        for (g, w) in weights.iter().enumerate() {
            if x < *w {
                return g;
            }
            x -= w;
        }
        genres - 1
    };
    let unit = |next: &mut dyn FnMut(usize) -> usize| next(2001) as f32 / 1000.0 - 1.0;
    let kinds: Vec<[f32; sound::FEATURES]> = (0..24)
        .map(|_| std::array::from_fn(|_| 0.8 * unit(&mut next)))
        .collect();
    let directions: Vec<[f32; sound::FEATURES]> = (0..5)
        .map(|_| std::array::from_fn(|_| 0.15 * unit(&mut next)))
        .collect();
    let tracks: Vec<TrackFacts> = (0..n)
        .map(|i| {
            let g1 = pick_genre(next(1_000_000));
            let g2 = pick_genre(next(1_000_000));
            let kind = kinds[g1 % kinds.len()];
            let sound = sounds.then(|| {
                let along: Vec<f32> = directions.iter().map(|_| unit(&mut next)).collect();
                Sound(std::array::from_fn(|k| {
                    let spread: f32 = directions.iter().zip(&along).map(|(d, z)| d[k] * z).sum();
                    kind[k] + spread + 0.03 * unit(&mut next)
                }))
            });
            TrackFacts {
                recording: format!("{i:08x}"),
                slug: format!("t{i:06}"),
                title: format!("Track {i}"),
                artist: Some(format!("Artist {}", next(n / 10 + 1))),
                album: Some(format!("Album {}", i / 12)),
                number: Some((i % 12) as u32 + 1),
                genres: vec![format!("genre {g1}"), format!("genre {g2}")],
                seconds: 200,
                sound,
                bytes: [(Format::Html, 3_000_000)].into(),
                remote: None,
            }
        })
        .collect();
    let playlists = n / 20 + 1;
    let mut lists: Vec<Vec<Option<TrackFacts>>> = vec![Vec::new(); playlists];
    for (i, t) in tracks.iter().enumerate() {
        lists[i % playlists].push(Some(t.clone()));
        for _ in 0..next(3) {
            lists[next(playlists)].push(Some(t.clone()));
        }
    }
    lists
        .into_iter()
        .enumerate()
        .map(|(p, tracks)| PlaylistFacts {
            date: Some(format!("2024-{:02}-01", p % 12 + 1)),
            curator: Some(format!("Curator {}", p % 50)),
            tracks,
        })
        .collect()
}

/// `bash bench/library.sh` runs this: the library of generated sites of 5,000, 10,000 and 20,000 tracks,
/// timed, with the pairs of tracks that share a playlist or a genre, to compare the growth with.
#[test]
#[ignore = "a benchmark: run by bench/library.sh"]
fn bench_library() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let mut base: Option<f64> = None;
    for n in [5_000, 10_000, 20_000] {
        let model = generated(n, false);
        let mut best = f64::MAX;
        let mut lib = Library::default();
        for _ in 0..runs {
            let start = std::time::Instant::now();
            lib = Library::build(&model);
            best = best.min(start.elapsed().as_secs_f64());
        }
        // The bound the cost must stay under: pairs of tracks that share a playlist or a genre (with
        // their multiplicity), Σ |members|² over playlists and genres.
        let square = |k: usize| (k * k) as u64;
        let pairs: u64 = lib
            .genres
            .iter()
            .map(|g| square(g.recordings.len()))
            .sum::<u64>()
            + lib
                .playlists
                .iter()
                .map(|p| square(p.recordings.len()))
                .sum::<u64>();
        let per_pair = best * 1e9 / pairs.max(1) as f64;
        let ratio = base.map(|b| per_pair / b).unwrap_or(1.0);
        base.get_or_insert(per_pair);
        println!(
            "library of {n:>6} tracks ({} playlists, {} artists, {} genres): {:.3} s, {pairs} pairs of tracks sharing a playlist or a genre, {per_pair:.2} ns per pair (×{ratio:.2} the 5,000-track cost per pair)",
            lib.playlists.len(),
            lib.artists.len(),
            lib.genres.len(),
            best,
        );
        // The same library, each track with a sound.
        let model = generated(n, true);
        let mut with_sound = f64::MAX;
        for _ in 0..runs {
            let start = std::time::Instant::now();
            lib = Library::build(&model);
            with_sound = with_sound.min(start.elapsed().as_secs_f64());
        }
        let by_sound = lib.next.iter().flatten().filter(|r| r.close()).count();
        println!(
            "library of {n:>6} tracks with sounds: {with_sound:.3} s (×{:.2} the tags only), {by_sound} of {} track recommendations close",
            with_sound / best,
            lib.next.iter().map(Vec::len).sum::<usize>(),
        );
    }
}

/// Tracks with no tags in common, each in a playlist of its own (all by one curator), with sounds of two
/// kinds: even items sound alike, odd items sound alike, the two kinds far apart.
fn tagless(n: usize) -> Vec<PlaylistFacts> {
    (0..n)
        .map(|i| {
            let mut features = [0.0f32; sound::FEATURES];
            let base = if i % 2 == 0 { -0.4 } else { 0.5 };
            for (k, x) in features.iter_mut().enumerate() {
                *x = base + 0.01 * ((i * 7 + k) % 5) as f32;
            }
            let mut t = track(&format!("t{i}"), &format!("Artist {i}"), &[]).unwrap();
            t.sound = Some(Sound(features));
            playlist(&format!("p{i}"), "Ana", vec![Some(t)])
        })
        .collect()
}

#[test]
fn tracks_that_share_nothing_are_recommended_by_how_they_sound() {
    let lib = Library::build(&tagless(6));
    for (r, next) in lib.next.iter().enumerate() {
        let kinds: Vec<usize> = next.iter().map(|rec| rec.item % 2).collect();
        assert_eq!(kinds[..2], [r % 2, r % 2], "{r}: {next:?}");
        assert!(next[0].close(), "{r}: {next:?}");
        assert!(
            matches!(next[0].reasons[0], Reason::Sounds(_)),
            "{r}: {next:?}"
        );
    }
    // Related playlists follow their tracks' sound too.
    assert_eq!(lib.playlists[0].related[0].item % 2, 0);
}

#[test]
fn a_shared_playlist_still_outranks_a_close_sound() {
    let mut model = tagless(6);
    // t0 (even) and t1 (odd) are put together by their curator.
    let t1 = model[1].tracks[0].clone();
    model[0].tracks.push(t1);
    let lib = Library::build(&model);
    let t0 = lib.recordings.iter().position(|r| r.slug == "t0").unwrap();
    let t1 = lib.recordings.iter().position(|r| r.slug == "t1").unwrap();
    assert_eq!(lib.next[t0][0].item, t1, "{:?}", lib.next[t0]);
    assert_eq!(lib.next[t0][0].reasons[0], Reason::Playlists(1));
    // The rest of its list is by sound.
    assert!(lib.next[t0][1..3].iter().all(|rec| rec.item % 2 == 0));
}

#[test]
fn the_same_sounds_give_the_same_recommendations() {
    let a = Library::build(&tagless(40));
    let b = Library::build(&tagless(40));
    assert_eq!(a.next, b.next);
    for (x, y) in a.playlists.iter().zip(&b.playlists) {
        assert_eq!(x.more, y.more);
        assert_eq!(x.related, y.related);
    }
}
