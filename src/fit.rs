//! `capsule build --fit`: the best media settings under every budget, found by real trial encodes (through
//! the cache), and kept in `capsule-fit.toml` for the next builds until the content or the budgets change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::budget::{mp3_down, opus_down, size_down, Trials};
use crate::config::{mp3_vbr_level, toml_message, Config, Mp3Mode, QualityMode, MP3_VBR_KBPS};
use crate::content::{Page, Site};
use crate::error::{line_of_offset, Diagnostic, Error};
use crate::media::Cache;
use crate::output::{Format, Kind};
use crate::report::{BudgetBytes, BudgetKind, Report};
use crate::units::human_bytes;

pub(crate) const FIT_FILE: &str = "capsule-fit.toml";

/// The settings `--fit` chose, and what they were chosen for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fitted {
    /// A hash of the media sources, the settings of capsule.toml and its budgets.
    pub key: String,
    pub photos: PhotoFit,
    pub audio: AudioFit,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PhotoFit {
    pub display: u32,
    pub target: u8,
    pub gemini: u32,
    pub gemini_target: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AudioFit {
    pub opus_bitrate: u32,
    pub mp3_bitrate: u32,
    pub mp3: bool,
}

impl Fitted {
    pub(crate) fn path(root: &Path) -> PathBuf {
        root.join(FIT_FILE)
    }

    pub(crate) fn load(root: &Path) -> Result<Option<Fitted>, Error> {
        let path = Self::path(root);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", &path)(e)),
        };
        toml::from_str(&text).map(Some).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(&text, s.start));
            Error::content(Diagnostic::new(
                &path,
                line,
                format!(
                    "{} — this file is written by `capsule build --fit`; delete it and run that again",
                    toml_message(&e)
                ),
            ))
        })
    }

    fn save(&self, root: &Path) -> Result<(), Error> {
        let path = Self::path(root);
        let body = toml::to_string(self).map_err(Error::internal("write capsule-fit.toml"))?;
        let text = format!(
            "# Written by `capsule build --fit`: the media settings that keep the site within the budgets\n\
             # of capsule.toml. Every build uses them while the photos, tracks, settings and budgets stay\n\
             # the same. Delete this file to go back to the settings of capsule.toml.\n\n{body}"
        );
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text).map_err(Error::io("write", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(Error::io("write", &path))
    }

    fn of(config: &Config, key: String) -> Fitted {
        let (p, a) = (&config.photos, &config.audio);
        Fitted {
            key,
            photos: PhotoFit {
                display: p.display,
                target: p.target,
                gemini: p.gemini,
                gemini_target: p.gemini_target.unwrap_or(p.target),
            },
            audio: AudioFit {
                opus_bitrate: a.opus_bitrate,
                mp3_bitrate: a.mp3_bitrate,
                mp3: a.mp3,
            },
        }
    }

    /// `base` with these settings. Fitting works on SSIMULACRA2 targets, so the mode is perceptual.
    pub(crate) fn apply(&self, base: &Config) -> Config {
        let mut c = base.clone();
        let (p, a) = (&self.photos, &self.audio);
        c.photos.mode = QualityMode::Perceptual;
        c.photos.display = p.display;
        c.photos.thumbnail = c.photos.thumbnail.min(p.display);
        c.photos.target = p.target;
        c.photos.thumbnail_target = c.photos.thumbnail_target.min(p.target);
        c.photos.gemini = p.gemini;
        c.photos.gemini_target = (p.gemini_target != p.target).then_some(p.gemini_target);
        c.audio.opus_bitrate = a.opus_bitrate;
        c.audio.mp3_bitrate = a.mp3_bitrate;
        c.audio.mp3 = a.mp3 && base.audio.mp3;
        c
    }

    /// "HTML photos 1280 px at SSIMULACRA2 65; Gemini photos 1200 px at 70; Opus 64 kb/s; MP3 96 kb/s".
    pub(crate) fn describe(&self, base: &Config) -> String {
        let (p, a) = (&self.photos, &self.audio);
        let mut s = format!(
            "HTML photos {} px at SSIMULACRA2 {}; Gemini photos {} px at {}",
            p.display, p.target, p.gemini, p.gemini_target
        );
        if base.audio.opus {
            s.push_str(&format!("; Opus {} kb/s", a.opus_bitrate));
        }
        if a.mp3 && base.audio.mp3 {
            s.push_str(&format!(
                "; MP3 {}",
                mp3_label(a.mp3_bitrate, base.audio.mp3_mode)
            ));
        } else if base.audio.mp3 {
            s.push_str("; no MP3 fallback");
        }
        s
    }
}

/// "about 85 kb/s (VBR, LAME -V8)" or "128 kb/s".
pub(crate) fn mp3_label(kbps: u32, mode: Mp3Mode) -> String {
    match (mode, mp3_vbr_level(kbps)) {
        (Mp3Mode::Vbr, Some(v)) => {
            format!("about {} kb/s (VBR, LAME -V{v})", MP3_VBR_KBPS[v as usize])
        }
        _ => format!("{kbps} kb/s"),
    }
}

/// What the fitted settings depend on: every media source's bytes, and capsule.toml's media settings and budgets.
pub(crate) fn key(site: &Site, config: &Config, cache: &Cache) -> Result<String, Error> {
    let mut h = blake3::Hasher::new();
    let settings = serde_json::to_string(&(&config.photos, &config.audio, &config.budget))
        .map_err(Error::internal("describe the settings"))?;
    h.update(settings.as_bytes());
    for page in site.all_pages() {
        let sources = page
            .photos
            .iter()
            .map(|p| &p.source)
            .chain(page.tracks.iter().map(|t| &t.source));
        for source in sources {
            let hash = cache
                .source_hash(source)
                .map_err(Error::io("read", source.as_path()))?;
            h.update(page.dir.as_bytes());
            h.update(b"\0");
            h.update(hash.as_bytes());
        }
    }
    Ok(h.finalize().to_hex()[..32].to_string())
}

struct Search<'a> {
    pages: Vec<&'a Page>,
    trials: &'a Trials<'a>,
    /// Bytes of pages and other files against each budget, which the media settings do not change.
    fixed: BudgetBytes,
    memo: HashMap<String, BudgetBytes>,
}

impl Search<'_> {
    fn totals(&mut self, config: &Config, label: &str) -> Result<BudgetBytes, Error> {
        let key = serde_json::to_string(&(&config.photos, &config.audio))
            .map_err(Error::internal("describe the settings"))?;
        if let Some(t) = self.memo.get(&key) {
            return Ok(*t);
        }
        if self.trials.options.progress {
            eprintln!("Trying {label}…");
        }
        let written = self.trials.run(&self.pages, config)?;
        let mut t = self.fixed;
        for w in written
            .iter()
            .filter(|w| matches!(w.kind, Kind::Images | Kind::Audio))
        {
            t.add(w);
        }
        self.memo.insert(key, t);
        Ok(t)
    }

    /// The first index of a ladder (best quality first) whose settings pass `ok`, by bisection.
    fn first_fitting(
        &mut self,
        len: usize,
        config_at: &dyn Fn(usize) -> (Config, String),
        ok: &dyn Fn(&BudgetBytes) -> bool,
    ) -> Result<Option<usize>, Error> {
        let check = |s: &mut Self, i: usize| -> Result<bool, Error> {
            let (c, label) = config_at(i);
            Ok(ok(&s.totals(&c, &label)?))
        };
        if check(self, 0)? {
            return Ok(Some(0));
        }
        if !check(self, len - 1)? {
            return Ok(None);
        }
        let (mut bad, mut good) = (0, len - 1);
        while good - bad > 1 {
            let mid = (bad + good) / 2;
            if check(self, mid)? {
                good = mid;
            } else {
                bad = mid;
            }
        }
        Ok(Some(good))
    }
}

/// Photo settings from best to worst: the target and the size take turns to step down, to the floors.
fn photo_ladder(size: u32, target: u8, min_size: u32, floor: u8) -> Vec<(u32, u8)> {
    let floor = floor.min(target);
    let (mut s, mut t) = (size, target);
    let mut steps = vec![(s, t)];
    let mut lower_target = true;
    loop {
        let next_t = (t >= floor + 5).then(|| t - 5);
        let next_s = size_down(s, min_size);
        match (lower_target, next_t, next_s) {
            (true, Some(nt), _) | (false, Some(nt), None) => t = nt,
            (false, _, Some(ns)) | (true, None, Some(ns)) => s = ns,
            (_, None, None) => break,
        }
        steps.push((s, t));
        lower_target = !lower_target;
    }
    steps
}

/// Audio settings from best to worst: dropping the MP3 fallback first where allowed, then lower bitrates.
fn audio_ladder(config: &Config) -> Vec<(u32, u32, bool)> {
    let a = &config.audio;
    let b = &config.budget;
    let mut steps = vec![(a.opus_bitrate, a.mp3_bitrate, a.mp3)];
    let mut mp3 = a.mp3;
    if a.mp3 && a.opus && b.fit_may_drop_mp3 {
        mp3 = false;
        steps.push((a.opus_bitrate, a.mp3_bitrate, false));
    }
    let (mut o, mut m) = (a.opus_bitrate, a.mp3_bitrate);
    loop {
        let no = if a.opus {
            opus_down(o, b.min_opus_bitrate)
        } else {
            None
        };
        let nm = if mp3 { mp3_down(m, a.mp3_mode) } else { None };
        if no.is_none() && nm.is_none() {
            break;
        }
        o = no.unwrap_or(o);
        m = nm.unwrap_or(m);
        steps.push((o, m, mp3));
    }
    steps
}

/// Finds the settings with the best quality that keep every budget, from trial encodes of the whole site,
/// saves them to capsule-fit.toml, and returns the config to build with.
pub(crate) fn fit(
    site: &Site,
    base: &Config,
    report: &Report,
    trials: &Trials,
) -> Result<(Config, String), Error> {
    let mut fixed = BudgetBytes::new(base.budget.audio_counts);
    for (format, kind) in [
        (Format::Html, BudgetKind::Html),
        (Format::Gemini, BudgetKind::Gemini),
    ] {
        let r = report.formats.get(&format).cloned().unwrap_or_default();
        fixed.add_to(
            kind,
            r.total_bytes - r.kinds.images.bytes - r.kinds.audio.bytes,
        );
    }
    let mut search = Search {
        pages: site.all_pages().collect(),
        trials,
        fixed,
        memo: HashMap::new(),
    };
    let b = &base.budget;
    let p = &base.photos;
    let html_steps = photo_ladder(p.display, p.target, p.thumbnail, b.min_photo_target);
    let gemini_steps = photo_ladder(
        p.gemini,
        p.gemini_target.unwrap_or(p.target),
        320.min(p.gemini),
        b.min_photo_target,
    );
    let audio_steps = audio_ladder(base);
    let config_at = |h: usize, g: usize, a: usize| -> (Config, String) {
        let mut c = base.clone();
        let (d, t) = html_steps[h];
        let (gs, gt) = gemini_steps[g];
        let (o, m, mp3) = audio_steps[a];
        let f = Fitted {
            key: String::new(),
            photos: PhotoFit {
                display: d,
                target: t,
                gemini: gs,
                gemini_target: gt,
            },
            audio: AudioFit {
                opus_bitrate: o,
                mp3_bitrate: m,
                mp3,
            },
        };
        c = f.apply(&c);
        let label = f.describe(base);
        (c, label)
    };
    let has_audio = site.all_pages().any(|p| !p.tracks.is_empty());
    let audio_limit = b.audio.0.filter(|_| has_audio);

    // The audio budget depends on audio settings only.
    let mut a = 0;
    if let Some(limit) = audio_limit {
        a = search
            .first_fitting(audio_steps.len(), &|i| config_at(0, 0, i), &|t| {
                t.get(BudgetKind::Audio) <= limit
            })?
            .ok_or_else(|| {
                too_big(
                    &search,
                    BudgetKind::Audio,
                    limit,
                    &config_at(0, 0, audio_steps.len() - 1).1,
                    report,
                )
            })?;
    }
    // Then each format's photos, stepping the audio further down only when the photos' floor is not enough.
    let mut h = 0;
    if let Some(limit) = b.html.0 {
        h = loop {
            let found = search.first_fitting(html_steps.len(), &|i| config_at(i, 0, a), &|t| {
                t.get(BudgetKind::Html) <= limit
            })?;
            match found {
                Some(h) => break h,
                None if has_audio && a + 1 < audio_steps.len() => a += 1,
                None => {
                    let floor = config_at(html_steps.len() - 1, 0, a).1;
                    return Err(too_big(&search, BudgetKind::Html, limit, &floor, report));
                }
            }
        };
    }
    let mut g = 0;
    if let Some(limit) = b.gemini.0 {
        g = loop {
            let found =
                search.first_fitting(gemini_steps.len(), &|i| config_at(h, i, a), &|t| {
                    t.get(BudgetKind::Gemini) <= limit
                })?;
            match found {
                Some(g) => break g,
                None if has_audio && a + 1 < audio_steps.len() => a += 1,
                None => {
                    let floor = config_at(h, gemini_steps.len() - 1, a).1;
                    return Err(too_big(&search, BudgetKind::Gemini, limit, &floor, report));
                }
            }
        };
    }
    let (config, label) = config_at(h, g, a);
    let fitted = Fitted::of(&config, key(site, base, trials.cache)?);
    fitted.save(trials.root)?;
    Ok((config, label))
}

fn too_big(search: &Search, budget: BudgetKind, limit: u64, floor: &str, report: &Report) -> Error {
    let lowest = search
        .memo
        .values()
        .fold(u64::MAX, |m, t| m.min(t.get(budget)));
    let what = budget.description(search.fixed.audio_counts());
    let mut s = format!(
        "error: {what} does not fit its budget of {} even at the lowest settings `--fit` may use ({floor}): \
         it would be {}, {} over.\n",
        human_bytes(limit),
        human_bytes(lowest),
        human_bytes(lowest.saturating_sub(limit)),
    );
    let mut items: Vec<_> = report.items.iter().collect();
    items.sort_by_key(|i| std::cmp::Reverse(budget.weight(i)));
    if !items.is_empty() {
        s.push_str(
            "  The largest items, to leave out (draft = true) or to split into another site:\n",
        );
        for i in items.iter().take(3) {
            s.push_str(&format!(
                "    {} \"{}\": HTML {}, Gemini {}\n",
                i.kind,
                i.slug,
                human_bytes(i.bytes.html),
                human_bytes(i.bytes.gemini)
            ));
        }
    }
    s.push_str(&format!(
        "  Or raise [budget] {budget}, or lower the floors (min_photo_target, min_opus_bitrate) in capsule.toml.\n\
         Nothing was written: the previous public/ is unchanged."
    ));
    Error::Budget(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_ladder_alternates_to_the_floors() {
        let steps = photo_ladder(1600, 70, 480, 55);
        assert_eq!(
            &steps[..4],
            &[(1600, 70), (1600, 65), (1280, 65), (1280, 60)]
        );
        assert_eq!(*steps.last().unwrap(), (480, 55));
        assert!(steps
            .windows(2)
            .all(|w| w[1].0 <= w[0].0 && w[1].1 <= w[0].1 && w[1] != w[0]));
    }

    #[test]
    fn audio_ladder_respects_floor_and_mp3_permission() {
        let mut c = Config::default();
        c.audio.opus_bitrate = 96;
        let steps = audio_ladder(&c);
        assert_eq!(steps[0], (96, 128, true));
        assert_eq!(steps[1], (80, 112, true));
        assert!(steps.iter().all(|s| s.0 >= 32 && s.2));
        assert_eq!(steps.last().unwrap().0, 32);
        // In VBR mode, MP3 steps down LAME's -V levels: -V6 (about 115 kb/s) comes after -V5.
        c.audio.mp3_mode = Mp3Mode::Vbr;
        c.audio.mp3_bitrate = 130;
        assert_eq!(audio_ladder(&c)[1], (80, 115, true));
        c.budget.fit_may_drop_mp3 = true;
        assert_eq!(audio_ladder(&c)[1], (96, 130, false));
    }
}
