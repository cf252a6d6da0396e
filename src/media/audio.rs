//! Tracks: decoded as a stream (symphonia; opus-pure for Opus), resampled to 48 kHz (rubato), encoded
//! to gapless Ogg Opus (opus-pure) and to MP3 (LAME), tagged, and cached by content like photos.

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::cache::Cache;
use crate::config::{mp3_vbr_level, AudioConfig, Mp3Mode, MP3_VBR_KBPS};
use crate::content::Track;
use crate::error::Error;
use crate::output::{join_path, Format, Kind, Placement, Written};

use super::file_size;

const RATE: u32 = 48_000;
/// 20 ms at 48 kHz: the Opus frame.
const FRAME: usize = 960;

/// One published audio file of a track.
#[derive(Debug, Clone)]
pub(crate) struct AudioFile {
    pub path: String,
    pub bytes: u64,
    pub mime: &'static str,
    pub label: &'static str,
    /// The cache file to publish.
    pub source: std::path::PathBuf,
}

#[derive(Debug, Clone)]
pub(crate) struct TrackOutput {
    /// In the order of the HTML `<source>` elements: Opus first, then the MP3 fallback.
    pub html: Vec<AudioFile>,
    /// The file Gemini links to: MP3, which Gemini clients play, when it exists.
    pub gemini: AudioFile,
    /// Measured while decoding, so it holds even when a file's header lies.
    pub duration_secs: u64,
    /// The hash of the source file's bytes: the same recording in two playlists is stored once.
    pub recording: String,
    /// A followed site publishes the same recording: its files (`html`, `gemini`) are that site's
    /// addresses, and nothing is stored here.
    pub elsewhere: bool,
    /// The name of its files in `music/tracks/`, of its place on pages (`#track-<name>`) and of its
    /// radio: unique in the site, even for a recording played from a followed site.
    pub name: String,
}

impl AudioFile {
    /// A followed site's file, at `address`, of a type every browser's `<audio>` plays (Opus or MP3);
    /// `None` for any other.
    pub(crate) fn played_from(mime: &str, address: &str, bytes: u64) -> Option<AudioFile> {
        let (mime, label) = match mime.split(';').next().unwrap_or("").trim() {
            "audio/ogg" => ("audio/ogg; codecs=opus", "Opus"),
            "audio/mpeg" => ("audio/mpeg", "MP3"),
            _ => return None,
        };
        Some(AudioFile {
            path: address.to_string(),
            bytes,
            mime,
            label,
            source: std::path::PathBuf::new(),
        })
    }
}

impl TrackOutput {
    /// Points this output at a followed site's files of the same recording (media type, address,
    /// bytes), and its capsule file when there is one: nothing of it is stored here. False, and nothing
    /// changed, when none of the files is one a browser plays.
    pub(crate) fn play_from(
        &mut self,
        files: &[(String, String, u64)],
        gemini: Option<&str>,
    ) -> bool {
        let html: Vec<AudioFile> = files
            .iter()
            .filter_map(|(mime, address, bytes)| AudioFile::played_from(mime, address, *bytes))
            .collect();
        let Some(web) = html
            .iter()
            .find(|f| f.mime == "audio/mpeg")
            .or(html.first())
            .cloned()
        else {
            return false;
        };
        self.gemini = match gemini {
            Some(g) => AudioFile {
                path: g.to_string(),
                ..web
            },
            None => web,
        };
        self.html = html;
        self.elsewhere = true;
        true
    }

    /// The output of a track that plays from a followed site (see [`Self::play_from`]).
    pub(crate) fn elsewhere(track: &Track) -> Option<TrackOutput> {
        let e = track.elsewhere.as_ref()?;
        let mut out = TrackOutput {
            html: Vec::new(),
            gemini: AudioFile {
                path: String::new(),
                bytes: 0,
                mime: "",
                label: "",
                source: std::path::PathBuf::new(),
            },
            duration_secs: track.duration_secs.unwrap_or(0),
            recording: e.recording.clone(),
            elsewhere: true,
            name: track.name.clone(),
        };
        out.play_from(&e.files, e.gemini.as_deref()).then_some(out)
    }

    /// Where each of its files goes: every HTML file, and the one the capsule links to.
    pub(crate) fn placements(&self) -> Vec<Placement> {
        if self.elsewhere {
            return Vec::new();
        }
        let place = |format: Format, f: &AudioFile| Placement {
            file: Written {
                format,
                path: f.path.clone(),
                kind: Kind::Audio,
                bytes: f.bytes,
                seconds: self.duration_secs,
            },
            source: f.source.clone(),
        };
        let mut out: Vec<Placement> = self.html.iter().map(|f| place(Format::Html, f)).collect();
        out.push(place(Format::Gemini, &self.gemini));
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Codec {
    Opus,
    Mp3,
}

#[derive(Debug, Serialize, Deserialize)]
struct Encoded {
    file: String,
    codec: Codec,
    kbps: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct TrackMeta {
    files: Vec<Encoded>,
    frames: u64,
    /// Problems worth a warning, kept so a cached track warns again.
    notes: Vec<String>,
}

fn fail(track: &Track, msg: impl std::fmt::Display) -> Error {
    Error::file(&track.source, msg)
}

/// Makes one track's files for `dir` of both formats. Returns its outputs, whether it encoded, and warnings.
pub(super) fn process(
    track: &Track,
    cfg: &AudioConfig,
    dir: &str,
    cache: &Cache,
) -> Result<(TrackOutput, bool, Vec<String>), Error> {
    let recording = cache
        .source_hash(&track.source)
        .map_err(|e| fail(track, format!("cannot read the file: {e}")))?;
    let (entry, meta, ran) = cache.entry::<TrackMeta>(&track.source, "track", cfg, |tmp| {
        encode_all(track, cfg, tmp)
    })?;
    let mut files = Vec::new();
    for e in &meta.files {
        let (ext, mime, label) = match e.codec {
            Codec::Opus => ("opus", "audio/ogg; codecs=opus", "Opus"),
            Codec::Mp3 => ("mp3", "audio/mpeg", "MP3"),
        };
        let path = join_path(dir, &format!("{}.{ext}", track.name));
        let source = entry.join(&e.file);
        files.push((
            e.codec,
            AudioFile {
                path,
                bytes: file_size(&source)?,
                mime,
                label,
                source,
            },
        ));
    }
    let gemini_pick = files
        .iter()
        .find(|(c, _)| *c == Codec::Mp3)
        .or(files.first())
        .map(|(_, f)| f.clone());
    let gemini = gemini_pick.ok_or_else(|| fail(track, "no audio format is enabled in [audio]"))?;
    Ok((
        TrackOutput {
            html: files.into_iter().map(|(_, f)| f).collect(),
            gemini,
            duration_secs: (meta.frames + RATE as u64 / 2) / RATE as u64,
            recording,
            elsewhere: false,
            name: track.name.clone(),
        },
        ran,
        track
            .tags_problem
            .iter()
            .chain(&meta.notes)
            .cloned()
            .collect(),
    ))
}

/// The warning for a track whose header claims `claimed` s but that decodes to `frames` at 48 kHz,
/// when it is more than 2 s short; tenths under a minute, so a 0.42 s track is no "0 s".
fn ends_early(claimed: u64, frames: u64) -> Option<String> {
    let whole = frames / RATE as u64;
    if claimed <= whole + 2 {
        return None;
    }
    let secs = frames as f64 / RATE as f64;
    let got = if secs < 60.0 {
        format!("{secs:.1}")
    } else {
        whole.to_string()
    };
    Some(format!(
        "the file ends early: its header says {claimed} s but only {got} s could be decoded; the published track is the {got} s that exist"
    ))
}

fn encode_all(track: &Track, cfg: &AudioConfig, tmp: &Path) -> Result<TrackMeta, Error> {
    let lossy = matches!(
        track.ext.as_str(),
        "mp3" | "ogg" | "oga" | "opus" | "m4a" | "m4b"
    );
    // Never spend more bits than a lossy source has (ALAC in M4A counts too: its bitrate is far above any cap).
    let cap = |kbps: u32| match (lossy, source_kbps(&track.source)) {
        (true, Some(src)) if src > 0 => kbps.min(src),
        _ => kbps,
    };
    let mut decoder = Decoder::open(&track.source).map_err(|e| fail(track, e))?;
    let channels = decoder.channels.clamp(1, 2);
    let mut resampler = Resample::new(decoder.rate, channels).map_err(|e| fail(track, e))?;
    let mut opus = cfg
        .opus
        .then(|| {
            OpusSink::new(
                &tmp.join("track.opus"),
                channels,
                cap(cfg.opus_bitrate),
                track,
            )
        })
        .transpose()
        .map_err(|e| fail(track, e))?;
    let mut mp3 = cfg
        .mp3
        .then(|| {
            Mp3Sink::new(
                &tmp.join("track.mp3"),
                channels,
                mp3_rate(
                    cfg,
                    channels,
                    lossy.then(|| source_kbps(&track.source)).flatten(),
                ),
                track,
            )
        })
        .transpose()
        .map_err(|e| fail(track, e))?;
    let mut input_frames = 0u64;
    let mut chunk = Vec::new();
    let mut at48 = Vec::new();
    loop {
        chunk.clear();
        match decoder.next(&mut chunk, channels) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(fail(track, e)),
        }
        input_frames += (chunk.len() / channels) as u64;
        at48.clear();
        resampler
            .push(&chunk, &mut at48)
            .map_err(|e| fail(track, e))?;
        feed(&mut opus, &mut mp3, &at48, track)?;
    }
    if input_frames == 0 {
        return Err(fail(
            track,
            "no audio could be decoded from this file; check that it plays, or export it again",
        ));
    }
    let frames = input_frames * RATE as u64 / decoder.rate as u64;
    at48.clear();
    resampler
        .finish(frames, &mut at48)
        .map_err(|e| fail(track, e))?;
    feed(&mut opus, &mut mp3, &at48, track)?;

    let mut files = Vec::new();
    if let Some(sink) = opus {
        let kbps = sink.kbps;
        sink.finish(frames).map_err(|e| fail(track, e))?;
        files.push(Encoded {
            file: "track.opus".into(),
            codec: Codec::Opus,
            kbps,
        });
    }
    if let Some(sink) = mp3 {
        let kbps = sink.kbps;
        sink.finish().map_err(|e| fail(track, e))?;
        files.push(Encoded {
            file: "track.mp3".into(),
            codec: Codec::Mp3,
            kbps,
        });
    }
    let mut notes: Vec<String> = decoder.note.take().into_iter().collect();
    if let Some(note) = track.duration_secs.and_then(|c| ends_early(c, frames)) {
        notes.push(note);
    }
    Ok(TrackMeta {
        files,
        frames,
        notes,
    })
}

fn feed(
    opus: &mut Option<OpusSink>,
    mp3: &mut Option<Mp3Sink>,
    samples: &[f32],
    track: &Track,
) -> Result<(), Error> {
    if let Some(s) = opus {
        s.push(samples).map_err(|e| fail(track, e))?;
    }
    if let Some(s) = mp3 {
        s.push(samples).map_err(|e| fail(track, e))?;
    }
    Ok(())
}

/// How an MP3 is encoded: a LAME VBR level (0 best to 9), or a constant bitrate in kb/s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mp3Rate {
    Vbr(u8),
    Cbr(u32),
}

/// The MP3 encoding of a track. In VBR mode: the level of `mp3_bitrate`, or a lower one when a lossy
/// source has fewer bits than that level spends (its average is for stereo; mono takes about half), or
/// at last a constant bitrate at the source's. In CBR mode: `mp3_bitrate`, capped at the source's.
fn mp3_rate(cfg: &AudioConfig, channels: usize, source_kbps: Option<u32>) -> Mp3Rate {
    let source = source_kbps.filter(|&k| k > 0);
    let capped = source.map_or(cfg.mp3_bitrate, |s| cfg.mp3_bitrate.min(s));
    if cfg.mp3_mode == Mp3Mode::Cbr {
        return Mp3Rate::Cbr(capped);
    }
    let Some(asked) = mp3_vbr_level(cfg.mp3_bitrate) else {
        return Mp3Rate::Cbr(capped);
    };
    let per_channels = if channels == 1 { 2 } else { 1 };
    (asked..MP3_VBR_KBPS.len() as u8)
        .find(|&v| source.is_none_or(|s| MP3_VBR_KBPS[v as usize] / per_channels <= s))
        .map_or(Mp3Rate::Cbr(capped), Mp3Rate::Vbr)
}

/// The average bitrate of a file, from its header.
fn source_kbps(path: &Path) -> Option<u32> {
    use lofty::prelude::*;
    lofty::read_from_path(path)
        .ok()?
        .properties()
        .audio_bitrate()
}

/// Decoded audio as interleaved f32, a packet at a time.
fn unreadable(e: &dyn std::fmt::Display) -> String {
    format!("not a readable audio file ({e}); export it again as FLAC, WAV, MP3 or Ogg")
}

pub(super) struct Decoder {
    inner: Inner,
    pub(super) rate: u32,
    channels: usize,
    /// Something the decoder had to overlook to read the file, for a warning.
    note: Option<String>,
}

enum Inner {
    Symphonia {
        format: Box<dyn symphonia::core::formats::FormatReader>,
        decoder: Box<dyn symphonia::core::codecs::audio::AudioDecoder>,
        track_id: u32,
        buf: Vec<f32>,
        /// The MP4 edit list's delay and length, and the frames decoded so far.
        edit: Option<super::mp4::Edit>,
        decoded: u64,
    },
    // Boxed: the Opus reader and decoder state is large, and a Decoder is moved around.
    Opus(Box<OpusInput>),
}

struct OpusInput {
    reader: opus_pure::OggOpusReader<std::io::BufReader<File>>,
    decoder: opus_pure::OpusDecoder,
    trim: opus_pure::Trim,
    block: Vec<f32>,
}

impl Decoder {
    pub(super) fn open(path: &Path) -> Result<Decoder, String> {
        let is_opus = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("opus"));
        if is_opus {
            let file = File::open(path).map_err(|e| e.to_string())?;
            let reader = opus_pure::OggOpusReader::new(std::io::BufReader::new(file))
                .map_err(|e| format!("not a readable Opus file ({e})"))?;
            let channels = reader.head().channel_count as usize;
            let decoder = reader
                .head()
                .decoder(RATE as i32)
                .map_err(|e| e.to_string())?;
            let trim = opus_pure::Trim::new(reader.head(), RATE as i32, channels)
                .map_err(|e| e.to_string())?;
            return Ok(Decoder {
                inner: Inner::Opus(Box::new(OpusInput {
                    reader,
                    decoder,
                    trim,
                    block: vec![0.0; opus_pure::MAX_PACKET_SAMPLES * channels],
                })),
                rate: RATE,
                channels,
                note: None,
            });
        }
        use symphonia::core::formats::probe::Hint;
        use symphonia::core::formats::TrackType;
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let probe = |source: Box<dyn symphonia::core::io::MediaSource>| {
            let mss = symphonia::core::io::MediaSourceStream::new(source, Default::default());
            symphonia::default::get_probe().probe(
                &hint,
                mss,
                Default::default(),
                Default::default(),
            )
        };
        let file = File::open(path).map_err(|e| e.to_string())?;
        let mut note = None;
        let format = match probe(Box::new(file)) {
            Ok(format) => format,
            // symphonia refuses a FLAC whose cue sheet breaks the CD rules; ffmpeg plays it, and so
            // does capsule: the cue sheet is read as padding, and a warning says so.
            Err(e) if e.to_string().contains("cuesheet") => {
                let at = super::flac::cuesheet_at(path).ok_or_else(|| unreadable(&e))?;
                let source =
                    super::flac::WithoutBlock::open(path, at).map_err(|e| e.to_string())?;
                note = Some(format!(
                    "its cue sheet is not valid ({e}), so it is left out; the audio is published whole"
                ));
                probe(Box::new(source)).map_err(|e| unreadable(&e))?
            }
            Err(e) => return Err(unreadable(&e)),
        };
        let track = format
            .default_track(TrackType::Audio)
            .ok_or("the file holds no audio track")?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or("the file's audio codec is not supported")?;
        let rate = params
            .sample_rate
            .ok_or("the file does not say its sample rate")?;
        let channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(2);
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(params, &Default::default())
            .map_err(|e| format!("this audio codec is not supported ({e}); export it again as FLAC, WAV, MP3 or Ogg"))?;
        let track_id = track.id;
        let is_mp4 = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["m4a", "m4b", "mp4"]
                .iter()
                .any(|m| e.eq_ignore_ascii_case(m))
        });
        Ok(Decoder {
            inner: Inner::Symphonia {
                format,
                decoder,
                track_id,
                buf: Vec::new(),
                edit: is_mp4.then(|| super::mp4::audio_edit(path, rate)).flatten(),
                decoded: 0,
            },
            rate,
            channels,
            note,
        })
    }

    /// Appends the next packet's samples, as `channels` interleaved channels. `false` at the end.
    pub(super) fn next(&mut self, out: &mut Vec<f32>, channels: usize) -> Result<bool, String> {
        let source_channels = self.channels;
        match &mut self.inner {
            Inner::Symphonia {
                format,
                decoder,
                track_id,
                buf,
                edit,
                decoded,
            } => loop {
                let packet = match format.next_packet() {
                    Ok(Some(p)) => p,
                    Ok(None) => return Ok(false),
                    // A truncated file ends where its data ends; the caller compares durations.
                    Err(symphonia::core::errors::Error::IoError(_)) => return Ok(false),
                    Err(e) => return Err(format!("the file is damaged ({e})")),
                };
                if packet.track_id != *track_id {
                    continue;
                }
                match decoder.decode(&packet) {
                    Ok(audio) => {
                        buf.resize(audio.samples_interleaved(), 0.0);
                        audio.copy_to_slice_interleaved(&mut buf[..]);
                        let n = audio.spec().channels().count().max(1);
                        let frames = (buf.len() / n) as u64;
                        let (from, to) = match edit {
                            // The part of this packet inside the edit: [skip, skip + keep).
                            Some(e) => {
                                let end = e.keep.map_or(u64::MAX, |k| e.skip.saturating_add(k));
                                let clip = |f: u64| f.clamp(*decoded, *decoded + frames) - *decoded;
                                (clip(e.skip), clip(end))
                            }
                            None => (0, frames),
                        };
                        *decoded += frames;
                        remix(
                            &buf[from as usize * n..to.max(from) as usize * n],
                            n,
                            channels,
                            out,
                        );
                        return Ok(true);
                    }
                    Err(symphonia::core::errors::Error::DecodeError(_)) => continue,
                    Err(symphonia::core::errors::Error::IoError(_)) => return Ok(false),
                    Err(e) => return Err(format!("the audio cannot be decoded ({e})")),
                }
            },
            Inner::Opus(input) => {
                let OpusInput {
                    reader,
                    decoder,
                    trim,
                    block,
                } = &mut **input;
                let Some(packet) = reader.packets().next() else {
                    return Ok(false);
                };
                let packet = packet.map_err(|e| format!("the Opus file is damaged ({e})"))?;
                let n = decoder
                    .decode(&packet.data, opus_pure::MAX_PACKET_SAMPLES, block)
                    .map_err(|e| format!("the Opus audio cannot be decoded ({e})"))?;
                let kept = trim.keep(&packet, &block[..n * source_channels]);
                remix(kept, source_channels, channels, out);
                Ok(true)
            }
        }
    }
}

/// Keeps mono as mono and folds anything wider into stereo (the first two channels).
fn remix(input: &[f32], from: usize, to: usize, out: &mut Vec<f32>) {
    if from == to {
        out.extend_from_slice(input);
        return;
    }
    for frame in input.chunks_exact(from) {
        match to {
            1 => out.push(frame.iter().sum::<f32>() / from as f32),
            _ => {
                out.push(frame[0]);
                out.push(*frame.get(1).unwrap_or(&frame[0]));
            }
        }
    }
}

/// Streaming resampling (to 48 kHz for the encoders) that keeps the exact length: the resampler's delay is cut from the
/// start, and the end is flushed and trimmed.
pub(super) struct Resample {
    inner: Option<rubato::Fft<f32>>,
    channels: usize,
    pending: Vec<f32>,
    skip: usize,
    produced: u64,
}

impl Resample {
    fn new(rate: u32, channels: usize) -> Result<Resample, String> {
        Resample::to(rate, RATE, channels)
    }

    /// From `rate` to `target` Hz.
    pub(super) fn to(rate: u32, target: u32, channels: usize) -> Result<Resample, String> {
        use rubato::Resampler;
        if rate == target {
            return Ok(Resample {
                inner: None,
                channels,
                pending: Vec::new(),
                skip: 0,
                produced: 0,
            });
        }
        let r = rubato::Fft::<f32>::new(
            rate as usize,
            target as usize,
            1024,
            channels,
            rubato::FixedSync::Input,
        )
        .map_err(|e| format!("cannot resample from {rate} Hz ({e})"))?;
        let skip = r.output_delay();
        Ok(Resample {
            inner: Some(r),
            channels,
            pending: Vec::new(),
            skip,
            produced: 0,
        })
    }

    pub(super) fn push(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<(), String> {
        use rubato::Resampler;
        let Some(r) = self.inner.as_mut() else {
            out.extend_from_slice(input);
            self.produced += (input.len() / self.channels) as u64;
            return Ok(());
        };
        self.pending.extend_from_slice(input);
        let ch = self.channels;
        loop {
            let need = r.input_frames_next();
            if self.pending.len() / ch < need {
                return Ok(());
            }
            let adapter = rubato::audioadapter_buffers::direct::InterleavedSlice::new(
                &self.pending[..need * ch],
                ch,
                need,
            )
            .map_err(|e| format!("{e:?}"))?;
            let data = r
                .process(&adapter, None)
                .map_err(|e| e.to_string())?
                .take_data();
            self.pending.drain(..need * ch);
            let drop = (self.skip * ch).min(data.len());
            self.skip -= drop / ch;
            out.extend_from_slice(&data[drop..]);
            self.produced += ((data.len() - drop) / ch) as u64;
        }
    }

    /// Flushes with silence until `total` frames have come out, and cuts anything beyond.
    fn finish(&mut self, total: u64, out: &mut Vec<f32>) -> Result<(), String> {
        if self.inner.is_none() {
            return Ok(());
        }
        let ch = self.channels;
        let start = out.len();
        let before = self.produced;
        let mut rounds = 0;
        while self.produced < total && rounds < 64 {
            let silence = vec![0.0f32; 1024 * ch];
            self.push(&silence, out)?;
            rounds += 1;
        }
        let keep = (total.saturating_sub(before) as usize) * ch;
        out.truncate(start + keep.min(out.len() - start));
        Ok(())
    }
}

/// Ogg Opus, gapless: the right pre-skip, and a final granule position that ends on the last real sample.
struct OpusSink {
    encoder: opus_pure::OpusEncoder,
    writer: opus_pure::OggOpusWriter<BufWriter<File>>,
    channels: usize,
    block: Vec<f32>,
    pending: Option<Vec<u8>>,
    packet: Vec<u8>,
    pre_skip: u16,
    kbps: u32,
}

impl OpusSink {
    fn new(path: &Path, channels: usize, kbps: u32, track: &Track) -> Result<OpusSink, String> {
        let mut encoder =
            opus_pure::OpusEncoder::new(RATE as i32, channels, opus_pure::Application::Audio)
                .map_err(|e| e.to_string())?;
        encoder.bitrate_bps = (kbps * 1000) as i32;
        let head = opus_pure::OpusHead::for_encoder(&encoder, RATE);
        let pre_skip = head.pre_skip;
        let mut tags = opus_pure::OpusTags::new();
        for (name, value) in tag_pairs(track) {
            let _ = tags.push(name, &value);
        }
        let file = File::create(path).map_err(|e| e.to_string())?;
        let writer = opus_pure::OggOpusWriter::with_tags(BufWriter::new(file), head, tags)
            .map_err(|e| e.to_string())?;
        Ok(OpusSink {
            encoder,
            writer,
            channels,
            block: Vec::new(),
            pending: None,
            packet: vec![0; opus_pure::MAX_PACKET_BYTES],
            pre_skip,
            kbps,
        })
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), String> {
        self.block.extend_from_slice(samples);
        let per = FRAME * self.channels;
        while self.block.len() >= per {
            let n = self
                .encoder
                .encode(&self.block[..per], FRAME, &mut self.packet)
                .map_err(|e| e.to_string())?;
            self.block.drain(..per);
            if let Some(prev) = self.pending.replace(self.packet[..n].to_vec()) {
                self.writer.write_packet(&prev).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    fn finish(mut self, frames: u64) -> Result<(), String> {
        // The encoder runs `pre_skip` samples behind: feed that much silence, then whole frames.
        let flush = self.pre_skip as usize * self.channels;
        let per = FRAME * self.channels;
        let mut tail = vec![0.0f32; flush];
        let rest = (self.block.len() + tail.len()) % per;
        if rest != 0 {
            tail.extend(std::iter::repeat_n(0.0, per - rest));
        }
        self.push(&tail)?;
        let last = self.pending.take().ok_or("no audio was encoded")?;
        let final_granule = self.pre_skip as u64 + frames;
        let duration = final_granule.saturating_sub(self.writer.granule() as u64);
        self.writer
            .write_packet_with_duration(&last, duration as u32)
            .map_err(|e| e.to_string())?;
        self.writer.finish().map_err(|e| e.to_string())?;
        Ok(())
    }
}

struct Mp3Sink {
    encoder: mp3lame_encoder::Encoder,
    out: BufWriter<File>,
    channels: usize,
    buf: Vec<u8>,
    kbps: u32,
}

impl Mp3Sink {
    fn new(path: &Path, channels: usize, rate: Mp3Rate, track: &Track) -> Result<Mp3Sink, String> {
        use mp3lame_encoder::{Bitrate::*, Builder, Id3Tag, Quality};
        let (vbr, asked) = match rate {
            Mp3Rate::Vbr(v) => (Some(v), MP3_VBR_KBPS[v as usize]),
            Mp3Rate::Cbr(k) => (None, k),
        };
        let (bitrate, cbr) = [
            (Kbps320, 320),
            (Kbps256, 256),
            (Kbps224, 224),
            (Kbps192, 192),
            (Kbps160, 160),
            (Kbps128, 128),
            (Kbps112, 112),
            (Kbps96, 96),
            (Kbps80, 80),
            (Kbps64, 64),
            (Kbps48, 48),
            (Kbps40, 40),
            (Kbps32, 32),
            (Kbps24, 24),
            (Kbps16, 16),
        ]
        .into_iter()
        .find(|(_, k)| *k <= asked)
        .unwrap_or((Kbps8, 8));
        // What the file's metadata records: the level's average in VBR mode.
        let kbps = if vbr.is_some() { asked } else { cbr };
        let mut b = Builder::new().ok_or("cannot start the MP3 encoder")?;
        b.set_num_channels(channels as u8)
            .map_err(|e| format!("{e:?}"))?;
        b.set_sample_rate(RATE).map_err(|e| format!("{e:?}"))?;
        b.set_quality(Quality::Good).map_err(|e| format!("{e:?}"))?;
        if let Some(level) = vbr {
            let q = [
                Quality::Best,
                Quality::SecondBest,
                Quality::NearBest,
                Quality::VeryNice,
                Quality::Nice,
                Quality::Good,
                Quality::Decent,
                Quality::Ok,
                Quality::SecondWorst,
                Quality::Worst,
            ][level as usize];
            b.set_vbr_mode(mp3lame_encoder::VbrMode::Mtrh)
                .map_err(|e| format!("{e:?}"))?;
            b.set_vbr_quality(q).map_err(|e| format!("{e:?}"))?;
        } else {
            b.set_brate(bitrate).map_err(|e| format!("{e:?}"))?;
        }
        // The LAME tag (a Xing header) tells players the encoder's delay and padding, so they play exactly
        // the source's samples (gapless), and gives the exact length and, for VBR, the seek table.
        b.set_to_write_vbr_tag(true).map_err(|e| format!("{e:?}"))?;
        let (title, artist, album) = (
            track.title.clone(),
            track.artist.clone().unwrap_or_default(),
            track.album.clone().unwrap_or_default(),
        );
        let _ = b.set_id3_tag(Id3Tag {
            title: title.as_bytes(),
            artist: artist.as_bytes(),
            album: album.as_bytes(),
            album_art: &[],
            year: &[],
            comment: &[],
        });
        let encoder = b.build().map_err(|e| format!("{e:?}"))?;
        let out = BufWriter::new(File::create(path).map_err(|e| e.to_string())?);
        Ok(Mp3Sink {
            encoder,
            out,
            channels,
            buf: Vec::new(),
            kbps,
        })
    }

    fn push(&mut self, samples: &[f32]) -> Result<(), String> {
        self.buf.clear();
        self.buf.reserve(mp3lame_encoder::max_required_buffer_size(
            samples.len() / self.channels,
        ));
        let n = if self.channels == 1 {
            self.encoder.encode(
                mp3lame_encoder::MonoPcm(samples),
                self.buf.spare_capacity_mut(),
            )
        } else {
            self.encoder.encode(
                mp3lame_encoder::InterleavedPcm(samples),
                self.buf.spare_capacity_mut(),
            )
        }
        .map_err(|e| format!("{e:?}"))?;
        // SAFETY: the encoder initialised `n` bytes of the spare capacity.
        unsafe { self.buf.set_len(n) };
        self.out.write_all(&self.buf).map_err(|e| e.to_string())
    }

    fn finish(mut self) -> Result<(), String> {
        self.buf.clear();
        self.encoder
            .flush_to_vec::<mp3lame_encoder::FlushGap>(&mut self.buf)
            .map_err(|e| format!("{e:?}"))?;
        self.out.write_all(&self.buf).map_err(|e| e.to_string())?;
        // LAME left a placeholder frame for its tag after the ID3v2 tag; the real one is known now.
        let mut tag = Vec::with_capacity(self.encoder.lame_tag_size());
        if self.encoder.lame_tag_encode_to_vec(&mut tag).is_some() {
            self.out
                .seek(std::io::SeekFrom::Start(
                    self.encoder.id3v2_tag_size() as u64
                ))
                .map_err(|e| e.to_string())?;
            self.out.write_all(&tag).map_err(|e| e.to_string())?;
        }
        self.out.flush().map_err(|e| e.to_string())
    }
}

/// Vorbis-comment names and values copied from the track.
fn tag_pairs(track: &Track) -> Vec<(&'static str, String)> {
    let mut tags = vec![("TITLE", track.title.clone())];
    if let Some(a) = &track.artist {
        tags.push(("ARTIST", a.clone()));
    }
    if let Some(a) = &track.album {
        tags.push(("ALBUM", a.clone()));
    }
    if let Some(n) = track.number {
        tags.push(("TRACKNUMBER", n.to_string()));
    }
    tags
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_track_that_ends_early_is_told_its_real_length() {
        let note = ends_early(222, 20_160).unwrap();
        assert!(
            note.contains("222 s but only 0.4 s could be decoded"),
            "{note}"
        );
        assert!(ends_early(3, 48_000).is_none(), "within 2 s is not early");
        let long = ends_early(600, 300 * 48_000).unwrap();
        assert!(long.contains("only 300 s"), "{long}");
    }
    use super::*;

    fn cfg(mp3_bitrate: u32, mp3_mode: Mp3Mode) -> AudioConfig {
        AudioConfig {
            mp3_bitrate,
            mp3_mode,
            ..AudioConfig::default()
        }
    }

    #[test]
    fn mp3_levels_never_spend_more_than_a_lossy_source_has() {
        let v5 = cfg(130, Mp3Mode::Vbr);
        assert_eq!(mp3_rate(&v5, 2, None), Mp3Rate::Vbr(5), "a lossless source");
        assert_eq!(mp3_rate(&v5, 2, Some(320)), Mp3Rate::Vbr(5));
        // A 110 kb/s stereo source gets -V7 (about 100 kb/s), not -V5.
        assert_eq!(mp3_rate(&v5, 2, Some(110)), Mp3Rate::Vbr(7));
        // Mono spends about half: an 80 kb/s mono source keeps -V5.
        assert_eq!(mp3_rate(&v5, 1, Some(80)), Mp3Rate::Vbr(5));
        // Below what -V9 spends, a constant bitrate at the source's.
        assert_eq!(mp3_rate(&v5, 2, Some(40)), Mp3Rate::Cbr(40));
        assert_eq!(
            mp3_rate(&cfg(128, Mp3Mode::Cbr), 2, Some(96)),
            Mp3Rate::Cbr(96)
        );
        assert_eq!(mp3_rate(&cfg(48, Mp3Mode::Vbr), 2, None), Mp3Rate::Cbr(48));
    }
}
