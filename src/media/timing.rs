//! Where a build's media time goes, by kind of work (decode, resize, encode, score), summed over threads;
//! printed to stderr after the media jobs when `CAPSULE_TIMINGS` is set (bench/memory.sh uses it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(Clone, Copy)]
pub(crate) enum Work {
    Decode,
    Resize,
    Probe,
    ProbeDecode,
    ScoreCrops,
    Encode,
    WholeScore,
    Wait,
}

const NAMES: [&str; 8] = [
    "decode the source",
    "resize",
    "encode a probe",
    "decode an encoding",
    "score crops",
    "encode the whole image",
    "score the whole frame",
    "wait for memory",
];

static NANOS: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];
static COUNTS: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

/// Runs `f`, adding its time to `work`.
pub(crate) fn timed<T>(work: Work, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    NANOS[work as usize].fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
    COUNTS[work as usize].fetch_add(1, Ordering::Relaxed);
    out
}

/// Prints the sums when `CAPSULE_TIMINGS` is set.
pub(crate) fn report() {
    if std::env::var_os("CAPSULE_TIMINGS").is_none() {
        return;
    }
    for (i, name) in NAMES.iter().enumerate() {
        let n = COUNTS[i].load(Ordering::Relaxed);
        let s = NANOS[i].load(Ordering::Relaxed) as f64 / 1e9;
        eprintln!("timing: {name:<32} {n:>6} × {s:>8.2} s");
    }
}
