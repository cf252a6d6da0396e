//! The edit list of an MP4/M4A audio file: the encoder delay and padding that gapless playback cuts,
//! which symphonia's MP4 reader does not apply yet (AAC in M4A starts with about 1024 silent samples).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// What to play of the decoded samples, in frames at the track's sample rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Edit {
    /// Frames to drop at the start (the encoder's delay).
    pub skip: u64,
    /// Frames to keep after those, when the edit says how long the track is.
    pub keep: Option<u64>,
}

/// A `moov` box larger than this is not read: real ones are a few hundred kilobytes at most.
const MAX_MOOV: u64 = 16 << 20;

/// The edit of the first audio track of the MP4 file at `path`, converted to frames at `rate`; `None`
/// when the file has no usable edit list (then everything decoded is played, as before).
pub(super) fn audio_edit(path: &Path, rate: u32) -> Option<Edit> {
    let moov = read_moov(&mut File::open(path).ok()?)?;
    let movie_scale = timescale(child(&moov, b"mvhd")?)?;
    let (trak, mdia) = children(&moov)
        .filter(|(t, _)| t == b"trak")
        .find_map(|(_, trak)| {
            let mdia = child(trak, b"mdia")?;
            (child(mdia, b"hdlr")?.get(8..12)? == b"soun").then_some((trak, mdia))
        })?;
    let media_scale = timescale(child(mdia, b"mdhd")?)?;
    let (duration, media_time) = edit_entry(child(child(trak, b"edts")?, b"elst")?)?;
    let frames = |value: u64, scale: u64| (value as u128 * rate as u128 / scale as u128) as u64;
    let edit = Edit {
        skip: frames(media_time, media_scale),
        keep: (duration > 0).then(|| frames(duration, movie_scale)),
    };
    (edit.skip > 0 || edit.keep.is_some()).then_some(edit)
}

/// The top-level `moov` box's contents, found by walking the file's boxes (skipping `mdat`, however big).
fn read_moov(file: &mut File) -> Option<Vec<u8>> {
    let end = file.metadata().ok()?.len();
    let mut at = 0u64;
    while at + 8 <= end {
        file.seek(SeekFrom::Start(at)).ok()?;
        let mut head = [0u8; 16];
        file.read_exact(&mut head[..8]).ok()?;
        let size32 = u32::from_be_bytes(head[..4].try_into().ok()?) as u64;
        let (size, header) = match size32 {
            0 => (end - at, 8),
            1 => {
                file.read_exact(&mut head[8..]).ok()?;
                (u64::from_be_bytes(head[8..].try_into().ok()?), 16)
            }
            n => (n, 8),
        };
        if size < header || at + size > end {
            return None;
        }
        if &head[4..8] == b"moov" {
            if size - header > MAX_MOOV {
                return None;
            }
            let mut body = vec![0u8; (size - header) as usize];
            file.read_exact(&mut body).ok()?;
            return Some(body);
        }
        at += size;
    }
    None
}

/// The boxes inside a container box's contents, as (type, contents).
fn children(body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut rest = body;
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        if size < 8 || size > rest.len() {
            return None;
        }
        let (this, next) = rest.split_at(size);
        rest = next;
        Some((kind, &this[8..]))
    })
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(body).find(|(k, _)| k == kind).map(|(_, b)| b)
}

/// The timescale of an `mvhd` or `mdhd` box (units per second).
fn timescale(body: &[u8]) -> Option<u64> {
    let at = if *body.first()? == 1 { 20 } else { 12 };
    let scale = u32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?) as u64;
    (scale > 0).then_some(scale)
}

/// The one edit that plays media, as (segment duration in movie units, media start in media units).
/// Empty edits (media time -1, a pause before the track) are passed over; lists with several playing
/// edits are not gapless metadata and are left alone.
fn edit_entry(body: &[u8]) -> Option<(u64, u64)> {
    let version = *body.first()?;
    let count = u32::from_be_bytes(body.get(4..8)?.try_into().ok()?) as usize;
    let width = if version == 1 { 8 } else { 4 };
    let mut playing = Vec::new();
    for i in 0..count.min(16) {
        let at = 8 + i * (2 * width + 4);
        let field = |o: usize| -> Option<i64> {
            let b = body.get(at + o..at + o + width)?;
            Some(if width == 8 {
                i64::from_be_bytes(b.try_into().ok()?)
            } else {
                i32::from_be_bytes(b.try_into().ok()?) as i64
            })
        };
        let duration = if width == 8 {
            field(0)? as u64
        } else {
            field(0)? as u32 as u64
        };
        let media_time = field(width)?;
        if media_time >= 0 {
            playing.push((duration, media_time as u64));
        }
    }
    match playing[..] {
        [one] => Some(one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    fn header_with_scale(scale: u32) -> Vec<u8> {
        let mut b = vec![0u8; 12];
        b.extend_from_slice(&scale.to_be_bytes());
        b.extend_from_slice(&[0u8; 8]);
        b
    }

    /// An M4A the way ffmpeg writes AAC: movie timescale 1000, media timescale 44100, and an edit that
    /// starts 1024 samples in and lasts one second.
    #[test]
    fn reads_the_delay_and_length_of_an_aac_track() {
        let mut elst = vec![0, 0, 0, 0, 0, 0, 0, 2];
        elst.extend_from_slice(&500u32.to_be_bytes());
        elst.extend_from_slice(&(-1i32).to_be_bytes());
        elst.extend_from_slice(&[0, 1, 0, 0]);
        elst.extend_from_slice(&1000u32.to_be_bytes());
        elst.extend_from_slice(&1024i32.to_be_bytes());
        elst.extend_from_slice(&[0, 1, 0, 0]);
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"soun");
        let mdia = [
            boxed(b"mdhd", &header_with_scale(44100)),
            boxed(b"hdlr", &hdlr),
        ]
        .concat();
        let trak = [
            boxed(b"edts", &boxed(b"elst", &elst)),
            boxed(b"mdia", &mdia),
        ]
        .concat();
        let moov = [
            boxed(b"mvhd", &header_with_scale(1000)),
            boxed(b"trak", &trak),
        ]
        .concat();
        let file = [
            boxed(b"ftyp", b"M4A "),
            boxed(b"mdat", &[0u8; 100]),
            boxed(b"moov", &moov),
        ]
        .concat();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.m4a");
        std::fs::write(&path, &file).unwrap();
        assert_eq!(
            audio_edit(&path, 44100),
            Some(Edit {
                skip: 1024,
                keep: Some(44100)
            })
        );
        // At another decoding rate, the same times in that rate's frames.
        assert_eq!(audio_edit(&path, 22050).unwrap().skip, 512);
        // A file cut before its moov, or not an MP4 at all, has no edit.
        std::fs::write(&path, &file[..file.len() - 20]).unwrap();
        assert_eq!(audio_edit(&path, 44100), None);
        std::fs::write(&path, b"RIFF....WAVE").unwrap();
        assert_eq!(audio_edit(&path, 44100), None);
    }
}
