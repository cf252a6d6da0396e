//! How close two recordings sound: bliss-audio's features grouped into aspects (tempo, timbre,
//! loudness, harmony), a distance over them, each item's nearest by sound, and which aspects are
//! clearly alike, for the reasons.

use rayon::prelude::*;

pub(crate) use crate::media::{Sound, FEATURES};

/// A side of how something sounds, that a listener can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Aspect {
    Tempo,
    Timbre,
    Loudness,
    Harmony,
}

impl Aspect {
    const ALL: [Aspect; 4] = [
        Aspect::Tempo,
        Aspect::Timbre,
        Aspect::Loudness,
        Aspect::Harmony,
    ];

    /// Its features among bliss-audio's: the tempo; zero-crossing rate and the spectral centroid,
    /// roll-off and flatness (means and spreads); the loudness (mean, spread); the 13 chroma (interval
    /// and triad) features.
    fn features(self) -> std::ops::Range<usize> {
        match self {
            Aspect::Tempo => 0..1,
            Aspect::Timbre => 1..8,
            Aspect::Loudness => 8..10,
            Aspect::Harmony => 10..FEATURES,
        }
    }

    /// The features that say whether two recordings are alike in it: for loudness, the mean alone.
    fn alike_features(self) -> std::ops::Range<usize> {
        match self {
            Aspect::Loudness => 8..9,
            other => other.features(),
        }
    }

    /// The root mean square difference under which two recordings are clearly alike in it: about 6 BPM
    /// and 3 dB; for timbre and harmony, what fewer than a tenth of the pairs of recordings of different
    /// kinds reach (bench/sound.sh).
    fn alike_under(self) -> f32 {
        match self {
            Aspect::Tempo => 0.06,
            Aspect::Timbre => 0.04,
            Aspect::Loudness => 0.067,
            Aspect::Harmony => 0.10,
        }
    }
}

/// How much each feature counts in the distance: all alike but the tempo, which counts half, as a tempo
/// is often found at half or twice its value.
fn weight(feature: usize) -> f32 {
    if Aspect::Tempo.features().contains(&feature) {
        0.5
    } else {
        1.0
    }
}

/// The closeness above which two recordings "sound close" in the reasons.
pub(crate) const SOUNDS_CLOSE: f64 = 0.5;

/// The distance at which closeness is 1/e: two recordings of one kind are about 0.1 apart, their
/// nearest 0.06, two of different kinds 0.18 (the median pairs of bench/sound.sh).
const SCALE: f32 = 0.125;

impl Sound {
    /// The mean of several sounds (a playlist's, an artist's), `None` for none.
    pub(crate) fn mean<'a>(sounds: impl IntoIterator<Item = &'a Sound>) -> Option<Sound> {
        let (mut sum, mut n) = ([0f32; FEATURES], 0);
        for s in sounds {
            for (a, b) in sum.iter_mut().zip(&s.0) {
                *a += b;
            }
            n += 1;
        }
        (n > 0).then(|| Sound(sum.map(|x| x / n as f32)))
    }

    /// The root mean square difference in what says whether they are alike in `aspect`.
    fn differs(&self, other: &Sound, aspect: Aspect) -> f32 {
        let r = aspect.alike_features();
        let n = r.len() as f32;
        let sq: f32 = self.0[r.clone()]
            .iter()
            .zip(&other.0[r])
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        (sq / n).sqrt()
    }

    /// The features weighted so that the sum of absolute differences between two is [`Sound::distance`].
    pub(crate) fn scaled(&self) -> Scaled {
        let total: f32 = (0..FEATURES).map(weight).sum();
        Scaled(std::array::from_fn(|i| {
            self.0.get(i).map_or(0.0, |x| x * weight(i) / total)
        }))
    }

    #[cfg(test)]
    /// How far apart two sounds are: the weighted mean of their features' absolute differences (rather
    /// than squares, so that one wrong number, such as a tempo found at twice its value, weighs less).
    pub(crate) fn distance(&self, other: &Sound) -> f32 {
        apart(&self.scaled().0, &other.scaled().0)
    }

    #[cfg(test)]
    /// How close two sounds are, from 1 (the same) towards 0.
    pub(crate) fn closeness(&self, other: &Sound) -> f64 {
        self.scaled().closeness(&other.scaled())
    }

    /// The aspects in which two sounds are clearly alike.
    pub(crate) fn alike(&self, other: &Sound) -> Vec<Aspect> {
        Aspect::ALL
            .into_iter()
            .filter(|&a| self.differs(other, a) < a.alike_under())
            .collect()
    }
}

/// A sound's features weighted for the distance, to compare many pairs fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scaled(Padded);

/// The features and zeros up to a multiple of 8, so that comparing two is a few vector operations.
const LANES: usize = 24;
type Padded = [f32; LANES];

impl Scaled {
    /// How close two sounds are, from 1 (the same) towards 0: 1/e at a distance of [`SCALE`].
    pub(crate) fn closeness(&self, other: &Scaled) -> f64 {
        let d = apart(&self.0, &other.0) / SCALE;
        f64::from((-d * d).exp())
    }
}

/// The sum of absolute differences.
fn apart(a: &Padded, b: &Padded) -> f32 {
    let mut lanes = [0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for ((l, x), y) in lanes.iter_mut().zip(x).zip(y) {
            *l += (x - y).abs();
        }
    }
    lanes.iter().sum()
}

/// Each item's `k` nearest items by sound, nearest first (ties by index); nothing for an item without a
/// sound. Exact, and fast when the sounds gather in kinds: the items are ordered along the direction in
/// which the sounds spread most, and each item's search goes outwards from its place and stops where
/// that direction alone puts the rest further than its k-th nearest (a sum of absolute differences is
/// never less than the difference of the sums, signed the same way).
pub(crate) fn nearest(sounds: &[Option<Scaled>], k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new(); sounds.len()];
    }
    let items: Vec<(usize, Padded)> = sounds
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s.0)))
        .collect();
    let signs = spread_signs(&items);
    let along = |x: &Padded| -> f32 { x.iter().zip(&signs).map(|(a, s)| a * s).sum() };
    let mut line: Vec<(f32, usize, Padded)> =
        items.iter().map(|(i, x)| (along(x), *i, *x)).collect();
    line.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut place = vec![usize::MAX; sounds.len()];
    for (at, (_, i, _)) in line.iter().enumerate() {
        place[*i] = at;
    }
    // Rounding may make the difference of sums exceed the sum of differences by a hair.
    const SLACK: f32 = 1e-5;
    (0..sounds.len())
        .into_par_iter()
        .map(|i| {
            let Some(&at) = place.get(i).filter(|&&at| at != usize::MAX) else {
                return Vec::new();
            };
            let (p, _, me) = line[at];
            // The best k so far, sorted by (distance, item).
            let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
            let (mut left, mut right) = (at, at + 1);
            loop {
                let gap = |j: usize| (line[j].0 - p).abs();
                let next = match (left.checked_sub(1), (right < line.len()).then_some(right)) {
                    (Some(l), Some(r)) if gap(l) <= gap(r) => l,
                    (Some(_), Some(r)) => r,
                    (Some(l), None) => l,
                    (None, Some(r)) => r,
                    (None, None) => break,
                };
                if best.len() == k && gap(next) > best[k - 1].0 + SLACK {
                    break;
                }
                if next < at {
                    left = next;
                } else {
                    right = next + 1;
                }
                let (_, j, other) = &line[next];
                let d = apart(&me, other);
                let key = (d, *j);
                if best.len() == k && key >= best[k - 1] {
                    continue;
                }
                let at = best.partition_point(|b| *b < key);
                best.insert(at, key);
                best.truncate(k);
            }
            best.into_iter().map(|(_, j)| j).collect()
        })
        .collect()
}

/// The signs of the direction in which the sounds spread most (their covariance's main axis, by a
/// fixed number of rounds of the power method): along it, a sum of signed features sets them apart.
fn spread_signs(items: &[(usize, Padded)]) -> Padded {
    let n = items.len().max(1) as f64;
    let mut mean = [0f64; LANES];
    for (_, x) in items {
        for (m, v) in mean.iter_mut().zip(x) {
            *m += f64::from(*v) / n;
        }
    }
    let mut cov = [[0f64; LANES]; LANES];
    for (_, x) in items {
        let d: [f64; LANES] = std::array::from_fn(|i| f64::from(x[i]) - mean[i]);
        for (row, a) in cov.iter_mut().zip(&d) {
            for (c, b) in row.iter_mut().zip(&d) {
                *c += a * b;
            }
        }
    }
    let mut v = [1f64; LANES];
    for _ in 0..32 {
        let w: [f64; LANES] =
            std::array::from_fn(|i| cov[i].iter().zip(&v).map(|(c, x)| c * x).sum());
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            break;
        }
        v = w.map(|x| x / norm);
    }
    v.map(|x| if x < 0.0 { -1.0 } else { 1.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sound(tempo: f32, timbre: f32, loud: f32, harmony: f32) -> Sound {
        let mut a = [0f32; FEATURES];
        a[0] = tempo;
        a[1..8].fill(timbre);
        a[8..10].fill(loud);
        a[10..].fill(harmony);
        Sound(a)
    }

    #[test]
    fn closeness_falls_with_distance_and_names_what_is_alike() {
        let a = sound(0.1, 0.2, -0.3, 0.4);
        assert_eq!(a.closeness(&a), 1.0);
        let near = sound(0.12, 0.22, -0.3, 0.7);
        let far = sound(0.6, -0.5, 0.3, -0.4);
        assert!(a.closeness(&near) > a.closeness(&far));
        assert!((a.distance(&near) - near.distance(&a)).abs() < 1e-6);
        assert_eq!(
            a.alike(&near),
            vec![Aspect::Tempo, Aspect::Timbre, Aspect::Loudness]
        );
        assert!(a.alike(&far).is_empty());
        assert_eq!(Sound::from_bliss(&[0.0; 3]), None);
        let mut nan = [0.0; FEATURES];
        nan[4] = f32::NAN;
        assert_eq!(Sound::from_bliss(&nan), None);
    }

    #[test]
    fn the_nearest_are_every_pair_measured_nearest_first() {
        let sounds: Vec<Option<Sound>> = (0..40)
            .map(|i| (i != 7).then(|| sound((i % 10) as f32 / 10.0, 0.0, 0.0, 0.0)))
            .collect();
        let scaled: Vec<Option<Scaled>> = sounds.iter().map(|s| s.map(|s| s.scaled())).collect();
        let near = nearest(&scaled, 3);
        assert!(near[7].is_empty());
        // Items 3, 13, 23, 33 sound the same; ties by index.
        assert_eq!(near[3], vec![13, 23, 33]);
        assert!(near.iter().all(|n| !n.contains(&7)));
        let brute = |i: usize| {
            let mut all: Vec<usize> = (0..40).filter(|&j| j != i && j != 7).collect();
            let s = sounds[i].unwrap();
            all.sort_by(|&x, &y| {
                let (dx, dy) = (
                    apart(&s.scaled().0, &sounds[x].unwrap().scaled().0),
                    apart(&s.scaled().0, &sounds[y].unwrap().scaled().0),
                );
                dx.total_cmp(&dy).then(x.cmp(&y))
            });
            all.truncate(3);
            all
        };
        for i in (0..40).filter(|&i| i != 7) {
            assert_eq!(near[i], brute(i), "{i}");
        }
    }

    /// The search that stops early finds what measuring every pair finds, on sounds in kinds and on
    /// sounds spread evenly (where it cannot stop early).
    #[test]
    fn the_early_stop_never_misses_a_nearer_one() {
        let mut state = 0x1234_5678u32;
        let mut unit = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as f32 / u32::MAX as f32 * 2.0 - 1.0
        };
        for kinds in [6, 300] {
            let centres: Vec<[f32; FEATURES]> = (0..kinds)
                .map(|_| std::array::from_fn(|_| unit()))
                .collect();
            let sounds: Vec<Option<Scaled>> = (0..300)
                .map(|i| {
                    let c = centres[i % kinds];
                    Some(Sound(std::array::from_fn(|f| c[f] + 0.1 * unit())).scaled())
                })
                .collect();
            let near = nearest(&sounds, 5);
            for (i, got) in near.iter().enumerate() {
                let me = sounds[i].unwrap().0;
                let mut all: Vec<(f32, usize)> = (0..300)
                    .filter(|&j| j != i)
                    .map(|j| (apart(&me, &sounds[j].unwrap().0), j))
                    .collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let want: Vec<usize> = all[..5].iter().map(|x| x.1).collect();
                assert_eq!(got, &want, "{kinds} kinds, item {i}");
            }
        }
    }
}
