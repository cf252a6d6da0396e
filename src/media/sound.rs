//! How each recording sounds: decoded to 22,050 Hz mono, its middle minutes analysed by bliss-audio
//! (tempo, timbre, loudness, harmony), once per recording, cached by content like the encodes.

use serde::{Deserialize, Serialize};

use super::audio::{Decoder, Resample};
use super::cache::Cache;
use crate::content::Track;
use crate::error::Error;

/// How many numbers bliss-audio gives (its features version 2).
pub(crate) const FEATURES: usize = 23;

/// How a recording sounds: bliss-audio's features, each between about -1 and 1 (what they mean for
/// recommendations: `library::sound`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sound(pub(crate) [f32; FEATURES]);

impl Sound {
    /// From bliss-audio's features: `None` unless there are as many as expected, all finite.
    pub(crate) fn from_bliss(features: &[f32]) -> Option<Sound> {
        let a: [f32; FEATURES] = features.try_into().ok()?;
        a.iter().all(|x| x.is_finite()).then_some(Sound(a))
    }
}

/// The rate bliss-audio analyses at.
const RATE: u32 = 22_050;
/// At most this much of a recording is analysed: its middle (the header's duration says where), which
/// is enough for its tempo and harmony and skips a long intro; it bounds the memory of a 3-hour mix.
const SECONDS: u64 = 180;
/// The memory one analysis holds at its peak: the samples and bliss-audio's spectrogram of them (a
/// 31-minute recording's first build peaks at 109 MB listening, 18 MB not: bench/sound.sh).
const BYTES: u64 = 96 << 20;

/// What the cache key holds besides the recording: a new analysis gives new entries.
#[derive(Serialize)]
struct Settings {
    analysis: &'static str,
    seconds: u64,
}

const SETTINGS: Settings = Settings {
    analysis: "bliss-audio 0.13, features v2",
    seconds: SECONDS,
};

#[derive(Serialize, Deserialize)]
struct SoundMeta {
    /// bliss-audio's features, `None` when the recording could not be analysed (too short, no audio).
    features: Option<Vec<f32>>,
}

/// The sound of one track's recording, and whether it was analysed now (not taken from the cache).
/// `None` when it cannot be analysed: the track's own job reports a file it cannot read.
pub(super) fn process(track: &Track, cache: &Cache) -> Result<(Option<Sound>, bool), Error> {
    let (_, meta, ran) = cache.entry::<SoundMeta>(&track.source, "sound", &SETTINGS, |_| {
        let _memory = super::memory::lease(BYTES);
        let features = samples(track)
            .ok()
            .and_then(|s| bliss_audio::Song::analyze(&s).ok())
            .map(|a| a.as_vec());
        Ok(SoundMeta { features })
    })?;
    Ok((meta.features.as_deref().and_then(Sound::from_bliss), ran))
}

/// The analysed part of the track: up to [`SECONDS`] from its middle, mono at [`RATE`].
fn samples(track: &Track) -> Result<Vec<f32>, String> {
    let mut decoder = Decoder::open(&track.source)?;
    let mut resample = Resample::to(decoder.rate, RATE, 1)?;
    let skip = track.duration_secs.unwrap_or(0).saturating_sub(SECONDS) / 2 * RATE as u64;
    let keep = (SECONDS * RATE as u64) as usize;
    let (mut seen, mut out) = (0u64, Vec::with_capacity(keep));
    let (mut chunk, mut mono) = (Vec::new(), Vec::new());
    while out.len() < keep {
        chunk.clear();
        if !decoder.next(&mut chunk, 1)? {
            break;
        }
        mono.clear();
        resample.push(&chunk, &mut mono)?;
        let from = skip.saturating_sub(seen).min(mono.len() as u64) as usize;
        seen += mono.len() as u64;
        let take = (mono.len() - from).min(keep - out.len());
        out.extend_from_slice(&mono[from..from + take]);
    }
    Ok(out)
}
