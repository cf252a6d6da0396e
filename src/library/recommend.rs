//! Recommendations: items that share weighted features (playlists, genres, an artist…), ranked, varied,
//! deterministic, each with the features that made it. Plain data in, plain data out.
//!
//! The score of a candidate `b` for a seed `a` is the sum of the weights of the features both have, and,
//! when the items have sounds, how close they sound times its weight ([`Near`]): each item's nearest by
//! sound are candidates beside those that share a feature.
//! A feature held by more than [`FANOUT`] items still adds its weight to every candidate, but only
//! brings [`WINDOW`] candidates of its own (the items after the seed in its list, in slug order):
//! its weight is small anyway, and without the bound one broad genre would cost items².

use rayon::prelude::*;

use super::sound::{nearest, Aspect, Scaled, Sound, SOUNDS_CLOSE};

/// A feature held by more items than this brings at most [`WINDOW`] candidates per seed.
pub(crate) const FANOUT: usize = 500;
/// How many candidates a broad feature brings per seed.
pub(crate) const WINDOW: usize = 64;

/// A feature items can share, with its weight.
#[derive(Debug, Clone)]
pub(crate) struct Feature {
    /// What the feature is, for the reasons: the caller's own tag (a kind and an index).
    pub tag: (u8, usize),
    pub weight: f64,
    /// The items that have it, in ascending order.
    pub members: Vec<usize>,
}

/// The items to rank among: each with its features (indexes into `features`, ascending), its slug for
/// ties, and the group that variety limits (an artist), if any.
#[derive(Debug)]
pub(crate) struct Index {
    pub features: Vec<Feature>,
    pub item_features: Vec<Vec<usize>>,
    pub slugs: Vec<String>,
    pub groups: Vec<Option<usize>>,
    /// Each item's place in slug order, for ties.
    order: Vec<u32>,
    /// How close the items sound, when any has a sound.
    near: Option<Near>,
}

/// The term every pair of items with sounds has: `weight` × how close they sound.
#[derive(Debug)]
struct Near {
    weight: f64,
    sounds: Vec<Option<Sound>>,
    scaled: Vec<Option<Scaled>>,
    /// Each item's nearest by sound, which are candidates whatever they share.
    nearest: Vec<Vec<usize>>,
}

/// How many of an item's nearest by sound are candidates.
const NEAREST: usize = 24;

/// One ask: the items most like `seed`, but none in `exclude`; `count` of them when given, else as
/// many as the limits say.
pub(crate) struct Query<'a> {
    pub seed: usize,
    pub exclude: &'a [usize],
    pub count: Option<usize>,
}

/// One recommendation: the item and its score ([`Index::shared`] says why).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pick {
    pub item: usize,
    pub score: f64,
}

/// How many to give, and how many at most from one group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub count: usize,
    pub per_group: usize,
}

impl Index {
    /// Adds a feature held by `members` (any order) and returns its index.
    pub(crate) fn feature(&mut self, tag: (u8, usize), weight: f64, mut members: Vec<usize>) {
        members.sort_unstable();
        members.dedup();
        let f = self.features.len();
        for &m in &members {
            self.item_features[m].push(f);
        }
        self.features.push(Feature {
            tag,
            weight,
            members,
        });
    }

    /// An index of `slugs.len()` items with no features yet.
    pub(crate) fn new(slugs: Vec<String>, groups: Vec<Option<usize>>) -> Index {
        let mut by_slug: Vec<usize> = (0..slugs.len()).collect();
        by_slug.sort_by(|&a, &b| slugs[a].cmp(&slugs[b]).then(a.cmp(&b)));
        let mut order = vec![0u32; slugs.len()];
        for (rank, &i) in by_slug.iter().enumerate() {
            order[i] = rank as u32;
        }
        Index {
            features: Vec::new(),
            item_features: vec![Vec::new(); slugs.len()],
            slugs,
            groups,
            order,
            near: None,
        }
    }

    /// Adds the term of how close the items sound (`None` for an item without a sound), worth up to
    /// `weight`: nothing when no item has one.
    pub(crate) fn sounds(&mut self, weight: f64, sounds: Vec<Option<Sound>>) {
        if sounds.iter().all(Option::is_none) {
            return;
        }
        let scaled: Vec<Option<Scaled>> = sounds.iter().map(|s| s.map(|s| s.scaled())).collect();
        self.near = Some(Near {
            weight,
            nearest: nearest(&scaled, NEAREST),
            sounds,
            scaled,
        });
    }

    /// Answers each query, in parallel; the same index and queries always give the same answers.
    pub(crate) fn rank_all(&self, queries: &[Query], limits: Limits) -> Vec<Vec<Pick>> {
        queries
            .par_iter()
            .map_init(
                || (vec![0f64; self.slugs.len()], Vec::new()),
                |(scores, touched), q| self.rank(q, limits, scores, touched),
            )
            .collect()
    }

    fn rank(
        &self,
        q: &Query,
        limits: Limits,
        scores: &mut [f64],
        touched: &mut Vec<usize>,
    ) -> Vec<Pick> {
        let seed_features = &self.item_features[q.seed];
        let mut broad = Vec::new();
        for &f in seed_features {
            let feature = &self.features[f];
            let members = &feature.members;
            if members.len() > FANOUT {
                broad.push(f);
                let at = members.partition_point(|&m| m <= q.seed);
                for k in 0..WINDOW.min(members.len()) {
                    let m = members[(at + k) % members.len()];
                    if scores[m] == 0.0 {
                        touched.push(m);
                    }
                    // Marked, not scored: its weight is added below, once, with the other broad ones.
                    scores[m] += f64::MIN_POSITIVE;
                }
                continue;
            }
            for &m in members {
                if scores[m] == 0.0 {
                    touched.push(m);
                }
                scores[m] += feature.weight;
            }
        }
        if let Some(near) = &self.near {
            for &m in &near.nearest[q.seed] {
                if scores[m] == 0.0 {
                    touched.push(m);
                }
                scores[m] += f64::MIN_POSITIVE;
            }
        }
        // A broad feature adds its weight to every candidate that has it: through its list of members
        // when that is short next to the candidates, else by searching that list for each candidate.
        for &f in &broad {
            let feature = &self.features[f];
            let search =
                touched.len() * (usize::BITS - feature.members.len().leading_zeros()) as usize;
            if feature.members.len() <= search {
                for &m in &feature.members {
                    if scores[m] != 0.0 {
                        scores[m] += feature.weight;
                    }
                }
            } else {
                for &m in touched.iter() {
                    if feature.members.binary_search(&m).is_ok() {
                        scores[m] += feature.weight;
                    }
                }
            }
        }
        if let Some((near, Some(seed))) = self.near.as_ref().map(|n| (n, n.scaled[q.seed])) {
            for &m in touched.iter() {
                if let Some(other) = &near.scaled[m] {
                    scores[m] += near.weight * seed.closeness(other);
                }
            }
        }
        let mut candidates: Vec<(usize, f64)> = touched
            .iter()
            .filter(|&&m| m != q.seed && !q.exclude.contains(&m))
            .map(|&m| (m, scores[m]))
            .collect();
        for &m in touched.iter() {
            scores[m] = 0.0;
        }
        touched.clear();
        let order = |a: &(usize, f64), b: &(usize, f64)| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.order[a.0].cmp(&self.order[b.0]))
        };
        // Only the best few need sorting: the variety rule rarely skips many. Should it skip them all,
        // the rest is sorted too.
        let count = q.count.unwrap_or(limits.count);
        let head = count + 16;
        if candidates.len() > head {
            candidates.select_nth_unstable_by(head, order);
            candidates[..head].sort_by(order);
        } else {
            candidates.sort_by(order);
        }
        let mut picks: Vec<Pick> = Vec::new();
        let mut per_group: Vec<(usize, usize)> = Vec::new();
        let mut sorted = head.min(candidates.len());
        let mut i = 0;
        while i < candidates.len() && picks.len() < count {
            if i == sorted {
                candidates[sorted..].sort_by(order);
                sorted = candidates.len();
            }
            let (m, score) = candidates[i];
            i += 1;
            if let Some(g) = self.groups[m] {
                match per_group.iter_mut().find(|(k, _)| *k == g) {
                    Some((_, n)) if *n >= limits.per_group => continue,
                    Some((_, n)) => *n += 1,
                    None => per_group.push((g, 1)),
                }
            }
            picks.push(Pick { item: m, score });
        }
        picks
    }

    /// The picks for `exclude` and `limits`, from `ranked`: a seed's list made with nothing excluded and
    /// no group limit, cut at `cut` items. `None` when it ran out at the cut, so that more might follow:
    /// ask [`Index::rank_all`] then.
    pub(crate) fn refine(
        &self,
        ranked: &[Pick],
        cut: usize,
        exclude: &[usize],
        limits: Limits,
    ) -> Option<Vec<Pick>> {
        let mut picks = Vec::new();
        let mut per_group: Vec<(usize, usize)> = Vec::new();
        for p in ranked {
            if picks.len() == limits.count {
                return Some(picks);
            }
            if exclude.contains(&p.item) {
                continue;
            }
            if let Some(g) = self.groups[p.item] {
                match per_group.iter_mut().find(|(k, _)| *k == g) {
                    Some((_, n)) if *n >= limits.per_group => continue,
                    Some((_, n)) => *n += 1,
                    None => per_group.push((g, 1)),
                }
            }
            picks.push(p.clone());
        }
        (picks.len() == limits.count || ranked.len() < cut).then_some(picks)
    }
}

impl Index {
    /// The features `seed` and `item` share: why one was picked for the other.
    pub(crate) fn shared(&self, seed: usize, item: usize) -> Vec<usize> {
        shared(&self.item_features[seed], &self.item_features[item])
    }

    /// When `seed` and `item` sound close, the aspects in which they are clearly alike.
    pub(crate) fn sound_alike(&self, seed: usize, item: usize) -> Option<Vec<Aspect>> {
        let near = self.near.as_ref()?;
        let (a, b) = (near.sounds[seed]?, near.sounds[item]?);
        (near.scaled[seed]?.closeness(&near.scaled[item]?) >= SOUNDS_CLOSE).then(|| a.alike(&b))
    }
}

/// The features in both ascending lists.
fn shared(a: &[usize], b: &[usize]) -> Vec<usize> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The weight of a playlist shared by two tracks: 1 for a playlist of two, less for larger ones.
pub(crate) fn playlist_weight(size: usize) -> f64 {
    1.0 / ((1 + size.max(1)) as f64).log2()
}

/// The weight of a genre shared by two of `total` items when `holders` have it: rare says more (IDF),
/// between 0 and `top`.
pub(crate) fn rarity_weight(top: f64, holders: usize, total: usize) -> f64 {
    let n = total.max(1) as f64;
    top * (1.0 + n / holders.max(1) as f64).ln() / (1.0 + n).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(n: usize, groups: Vec<Option<usize>>) -> Index {
        Index::new((0..n).map(|i| format!("t{i:02}")).collect(), groups)
    }

    const FIVE: Limits = Limits {
        count: 5,
        per_group: 2,
    };

    #[test]
    fn shared_features_add_up_and_ties_go_by_slug() {
        let mut ix = index(4, vec![None; 4]);
        ix.feature((0, 0), 1.0, vec![0, 1, 2]);
        ix.feature((0, 1), 0.5, vec![0, 2]);
        ix.feature((0, 2), 0.5, vec![0, 3]);
        let picks = &ix.rank_all(
            &[Query {
                seed: 0,
                exclude: &[],
                count: None,
            }],
            FIVE,
        )[0];
        let got: Vec<(usize, f64)> = picks.iter().map(|p| (p.item, p.score)).collect();
        assert_eq!(got, vec![(2, 1.5), (1, 1.0), (3, 0.5)]);
        assert_eq!(ix.shared(0, picks[0].item), vec![0, 1]);
    }

    #[test]
    fn never_the_seed_never_excluded_and_at_most_two_per_group() {
        let mut ix = index(6, vec![Some(9), Some(7), Some(7), Some(7), None, None]);
        ix.feature((0, 0), 1.0, (0..6).collect());
        let picks = &ix.rank_all(
            &[Query {
                seed: 0,
                exclude: &[4],
                count: None,
            }],
            FIVE,
        )[0];
        let items: Vec<usize> = picks.iter().map(|p| p.item).collect();
        assert_eq!(items, vec![1, 2, 5]);
    }

    #[test]
    fn a_broad_feature_still_counts_but_brings_few_candidates() {
        let n = FANOUT + 100;
        let mut ix = index(n, vec![None; n]);
        ix.feature((0, 0), 0.1, (0..n).collect());
        ix.feature((0, 1), 1.0, vec![0, n - 1]);
        let picks = &ix.rank_all(
            &[Query {
                seed: 0,
                exclude: &[],
                count: None,
            }],
            Limits {
                count: 1000,
                per_group: 2,
            },
        )[0];
        assert_eq!(picks[0].item, n - 1);
        assert!((picks[0].score - 1.1).abs() < 1e-9, "{}", picks[0].score);
        assert_eq!(picks.len(), WINDOW + 1);
    }

    #[test]
    fn a_deep_list_refined_gives_what_a_direct_query_gives() {
        let mut ix = index(
            8,
            vec![Some(1), Some(1), Some(1), Some(1), None, None, None, None],
        );
        ix.feature((0, 0), 1.0, (0..8).collect());
        ix.feature((0, 1), 0.5, vec![0, 1, 2, 3]);
        let unlimited = Limits {
            count: 0,
            per_group: usize::MAX,
        };
        let deep = ix.rank_all(
            &[Query {
                seed: 0,
                exclude: &[],
                count: Some(7),
            }],
            unlimited,
        );
        let direct = ix.rank_all(
            &[Query {
                seed: 0,
                exclude: &[5],
                count: None,
            }],
            FIVE,
        );
        assert_eq!(ix.refine(&deep[0], 7, &[5], FIVE), Some(direct[0].clone()));
        // Cut short, with too few left: the caller must ask the index.
        assert_eq!(ix.refine(&deep[0][..3], 3, &[5], FIVE), None);
    }

    #[test]
    fn weights_favour_small_playlists_and_rare_genres() {
        assert_eq!(playlist_weight(1), 1.0);
        assert!(playlist_weight(2) > playlist_weight(16));
        assert!(rarity_weight(1.0, 3, 1000) > 2.0 * rarity_weight(1.0, 600, 1000));
        assert!(rarity_weight(1.0, 1, 1000) <= 1.0);
    }
}
