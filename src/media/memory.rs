//! The working memory the media jobs hold at once: each large step (decoding a photo, scoring it or
//! its crops) leases its estimated bytes from one budget, in the order the steps ask, so a build's peak
//! stays near the budget whatever the number of photos and cores. A step larger than the whole budget
//! runs alone.

use std::sync::{Condvar, Mutex, MutexGuard};

/// What the leases may hold together: with the rest of a build (the photos' sizes being encoded, the
/// encoders' own buffers, the crops' reference, the program) a first build stays under 300 MB
/// (bench/memory.sh). 170 MiB lets one whole frame be scored beside the other thread's crops, but not
/// two whole frames at once: with 200, 320 photos peaked at 332 MB; with 170, at 283 to 298, 1 %
/// slower.
const BUDGET: u64 = 170 << 20;

/// Bytes the whole-frame score takes per pixel of the image scored, at its peak: both images in linear
/// light and the strips' planes (fast-ssim2 0.9 in 640-row strips: 60 to 63, measured with a counting
/// allocator on 1440-px photos; 142 for 0.8's whole image at once).
const WHOLE_FRAME_BYTES_PER_PIXEL: u64 = 64;

/// The same for fast-ssim2 0.9's whole image at once, which the search takes where the strips' score is
/// too near the line to decide (85 to 92 per pixel by max RSS on 1440×900 and 1440×1440 photos).
const WHOLE_AT_ONCE_BYTES_PER_PIXEL: u64 = 92;

/// Bytes one comparison of the search's crops takes per pixel of their mosaic, beside the reference
/// that the search keeps (fast-ssim2 0.8: its compare context's planes, 64, and what the comparison
/// allocates as it runs, 37; counting allocator on the 768×768 mosaic).
const CROPS_COMPARE_BYTES_PER_PIXEL: u64 = 101;

struct State {
    used: u64,
    /// Tickets: the next to hand out and the one whose turn it is, so leases are granted in order.
    next: u64,
    serving: u64,
}

struct Budget {
    limit: u64,
    state: Mutex<State>,
    changed: Condvar,
}

/// Bytes leased from the budget, given back when dropped.
pub(super) struct Lease {
    bytes: u64,
}

static MEDIA: Budget = Budget {
    limit: BUDGET,
    state: Mutex::new(State {
        used: 0,
        next: 0,
        serving: 0,
    }),
    changed: Condvar::new(),
};

impl Budget {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A job that panicked holding the lock left the counts as they were: go on with them.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Waits until `bytes` fit in the budget beside what the earlier leases hold (or nothing is held), then
/// holds them until the lease is dropped.
pub(super) fn lease(bytes: u64) -> Lease {
    super::timing::timed(super::timing::Work::Wait, || wait_for(bytes))
}

fn wait_for(bytes: u64) -> Lease {
    let mut state = MEDIA.lock();
    let ticket = state.next;
    state.next += 1;
    while state.serving != ticket || (state.used > 0 && state.used + bytes > MEDIA.limit) {
        state = MEDIA.changed.wait(state).unwrap_or_else(|e| e.into_inner());
    }
    state.serving += 1;
    state.used += bytes;
    MEDIA.changed.notify_all();
    Lease { bytes }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut state = MEDIA.lock();
        state.used -= self.bytes;
        drop(state);
        MEDIA.changed.notify_all();
    }
}

/// The lease for scoring the whole frame of an image of `width` × `height` pixels, in strips or at once.
pub(super) fn for_whole_frame(width: u32, height: u32, in_strips: bool) -> Lease {
    let per_pixel = match in_strips {
        true => WHOLE_FRAME_BYTES_PER_PIXEL,
        false => WHOLE_AT_ONCE_BYTES_PER_PIXEL,
    };
    lease(width as u64 * height as u64 * per_pixel)
}

/// The lease for comparing one encoding's crops, a mosaic of `width` × `height` pixels, with the
/// reference's.
pub(super) fn for_crops_compare(width: u32, height: u32) -> Lease {
    lease(width as u64 * height as u64 * CROPS_COMPARE_BYTES_PER_PIXEL)
}

/// Makes every thread allocate from one glibc arena. By default each thread keeps its own, and memory one
/// thread freed (a whole frame's scorer) stays there for that thread alone: the process then holds every
/// thread's largest step at once, whatever the leases. The media threads allocate large buffers and
/// seldom, so sharing one arena costs nothing measurable (bench/memory.sh).
pub(super) fn share_one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's policy for arenas made from now on.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// However many threads ask, what the leases hold together never exceeds the budget, and a lease
    /// larger than the budget is still granted (alone).
    #[test]
    fn leases_never_hold_more_than_the_budget_together() {
        let held = AtomicU64::new(0);
        let most = AtomicU64::new(0);
        std::thread::scope(|s| {
            for t in 0..6u64 {
                let (held, most) = (&held, &most);
                s.spawn(move || {
                    for i in 0..40u64 {
                        let bytes = if (t + i) % 17 == 0 {
                            BUDGET * 2
                        } else {
                            BUDGET / 3 + t
                        };
                        let _lease = lease(bytes);
                        let now = held.fetch_add(bytes, Ordering::SeqCst) + bytes;
                        most.fetch_max(now, Ordering::SeqCst);
                        assert!(now <= BUDGET || now == bytes, "{now} bytes held at once");
                        std::thread::yield_now();
                        held.fetch_sub(bytes, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(
            most.load(Ordering::SeqCst) >= BUDGET * 2,
            "the large leases were granted"
        );
    }
}
