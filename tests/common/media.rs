//! What the tests can say of an encoded file that does not depend on the processor that encoded it.
//!
//! opus-pure chooses AVX, AVX2 and FMA code paths at run time, so its bytes differ from one CPU to
//! another while the stream stays the same in every way a listener or a player sees. Snapshots describe
//! such a file by what is stable: container, channels, length; its size is checked within a tolerance.

use std::path::Path;

/// The pages of an Ogg stream: (granule position, packet data of the page).
fn ogg_pages(bytes: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut pages = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let header = bytes.get(at..at + 27)?;
        if &header[..4] != b"OggS" {
            return None;
        }
        let granule = u64::from_le_bytes(header[6..14].try_into().ok()?);
        let segments = header[26] as usize;
        let table = bytes.get(at + 27..at + 27 + segments)?;
        let body_len: usize = table.iter().map(|&s| s as usize).sum();
        let start = at + 27 + segments;
        pages.push((granule, bytes.get(start..start + body_len)?));
        at = start + body_len;
    }
    Some(pages)
}

/// "Ogg Opus, 1 ch, 1.000 s" for a well-formed Ogg Opus file (RFC 7845), `None` for anything else.
pub(crate) fn describe_opus(bytes: &[u8]) -> Option<String> {
    let pages = ogg_pages(bytes)?;
    let head = pages.first()?.1;
    if head.get(..8)? != b"OpusHead" || !pages.get(1)?.1.starts_with(b"OpusTags") {
        return None;
    }
    let channels = *head.get(9)?;
    let pre_skip = u16::from_le_bytes(head.get(10..12)?.try_into().ok()?) as u64;
    let last = pages.last()?.0;
    let seconds = last.checked_sub(pre_skip)? as f64 / 48_000.0;
    Some(format!("Ogg Opus, {channels} ch, {seconds:.3} s"))
}

/// How long an MP3 plays in a player that honours its LAME tag (encoder delay and padding): decoded
/// by symphonia, which does.
pub(crate) fn mp3_seconds(path: &Path) -> f64 {
    mp3_seconds_of(std::fs::read(path).unwrap())
}

/// [`mp3_seconds`] of the bytes of an MP3 file.
pub(crate) fn mp3_seconds_of(bytes: Vec<u8>) -> f64 {
    use symphonia::core::formats::{probe::Hint, TrackType};
    let source = std::io::Cursor::new(bytes);
    let mss = symphonia::core::io::MediaSourceStream::new(Box::new(source), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("mp3");
    let mut format = symphonia::default::get_probe()
        .probe(&hint, mss, Default::default(), Default::default())
        .unwrap();
    let track = format.default_track(TrackType::Audio).unwrap();
    let (id, params) = (
        track.id,
        track
            .codec_params
            .as_ref()
            .unwrap()
            .audio()
            .unwrap()
            .clone(),
    );
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &Default::default())
        .unwrap();
    let mut frames = 0;
    while let Ok(Some(packet)) = format.next_packet() {
        if packet.track_id == id {
            let audio = decoder.decode(&packet).unwrap();
            frames += audio.samples_interleaved() / audio.spec().channels().count();
        }
    }
    frames as f64 / params.sample_rate.unwrap() as f64
}

/// An encoded output file by what stays the same on any CPU: "Ogg Opus, 1 ch, 1.000 s", "MP3, 1.000 s",
/// "WebP, 48×36". `None` for a file that is not one of capsule's media outputs.
pub(crate) fn describe_media(path: &str, bytes: &[u8]) -> Option<String> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "opus" => describe_opus(bytes),
        "mp3" => Some(format!("MP3, {:.3} s", mp3_seconds_of(bytes.to_vec()))),
        "webp" | "jpg" | "jpeg" | "png" => {
            let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
                .with_guessed_format()
                .ok()?;
            let format = match reader.format()? {
                image::ImageFormat::WebP => "WebP",
                image::ImageFormat::Jpeg => "JPEG",
                image::ImageFormat::Png => "PNG",
                _ => return None,
            };
            let (w, h) = reader.into_dimensions().ok()?;
            Some(format!("{format}, {w}×{h}"))
        }
        _ => None,
    }
}

/// Text with every printed file size (", 470 B)", ", 2.4 KB)") replaced by ", ‹size›)", and every
/// podcast enclosure's `length="…"` by `length="‹size›"`: encoded sizes depend on the CPU;
/// `printed_sizes_are_the_sizes_of_the_published_files` checks each one against its file.
pub(crate) fn without_sizes(text: &str) -> String {
    let text = without_lengths(text);
    let text = text.as_str();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(", ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match size_then_paren(after) {
            Some(len) => {
                out.push_str(", ‹size›)");
                rest = &after[len..];
            }
            None => {
                out.push_str(", ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn without_lengths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("length=\"") {
        out.push_str(&rest[..i + 8]);
        let after = &rest[i + 8..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if digits > 0 {
            out.push_str("‹size›");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The length of a leading "470 B)" or "2.4 KB)" in `s`, closing parenthesis included.
pub(crate) fn size_then_paren(s: &str) -> Option<usize> {
    let number = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|&n| n > 0)?;
    let unit = s[number..].strip_prefix(' ')?;
    ["B)", "KB)", "MB)", "GB)"]
        .iter()
        .find(|u| unit.starts_with(**u))
        .map(|u| number + 1 + u.len())
}

/// The Xing (VBR) or Info (CBR) header in an MP3's first frame, as players read it: its name, and the
/// number of frames it says the file has. `None` when the first frame carries neither.
pub(crate) fn mp3_xing(path: &Path) -> Option<(String, u32)> {
    let bytes = std::fs::read(path).unwrap();
    let mut at = 0;
    if bytes.starts_with(b"ID3") {
        let size = bytes[6..10]
            .iter()
            .fold(0usize, |n, &b| (n << 7) | (b & 0x7f) as usize);
        at = 10 + size;
    }
    let frame = bytes.get(at..at + 200)?;
    if frame[0] != 0xff || frame[1] & 0xe0 != 0xe0 {
        return None;
    }
    let pos = frame
        .windows(4)
        .position(|w| w == b"Xing" || w == b"Info")?;
    let name = String::from_utf8_lossy(&frame[pos..pos + 4]).into_owned();
    let word = |i: usize| u32::from_be_bytes(frame[i..i + 4].try_into().unwrap());
    let flags = word(pos + 4);
    (flags & 1 == 1).then(|| (name, word(pos + 8)))
}

/// A 0.05 s mono WAV whose samples depend on `seed`, so that each file is a recording of its own.
pub(crate) fn write_short_wav(path: &Path, seed: u16) {
    let samples: Vec<i16> = (0..400u16)
        .map(|n| ((n.wrapping_mul(seed + 1) % 2000) as i16 - 1000) * 8)
        .collect();
    write_wav(path, 8000, &samples);
}

/// A mono 16-bit PCM WAV file of `samples` at `rate` Hz.
pub(crate) fn write_wav(path: &Path, rate: u32, samples: &[i16]) {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut wav = Vec::new();
    wav.extend(b"RIFF");
    wav.extend(((36 + data.len()) as u32).to_le_bytes());
    wav.extend(b"WAVEfmt ");
    wav.extend(16u32.to_le_bytes());
    wav.extend(1u16.to_le_bytes());
    wav.extend(1u16.to_le_bytes());
    wav.extend(rate.to_le_bytes());
    wav.extend((rate * 2).to_le_bytes());
    wav.extend(2u16.to_le_bytes());
    wav.extend(16u16.to_le_bytes());
    wav.extend(b"data");
    wav.extend((data.len() as u32).to_le_bytes());
    wav.extend(data);
    std::fs::write(path, wav).unwrap();
}
