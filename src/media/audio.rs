//! Tracks, stage one: copied as they are into both outputs (the media pipeline will transcode them).

use crate::content::Track;
use crate::error::Error;
use crate::output::{join_path, Format, Kind, Staging};

/// One published audio file of a track.
#[derive(Debug, Clone)]
pub struct AudioFile {
    pub path: String,
    pub bytes: u64,
    pub mime: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone)]
pub struct TrackOutput {
    /// In the order of the HTML `<source>` elements.
    pub html: Vec<AudioFile>,
    pub gemini: AudioFile,
}

pub fn mime_and_label(ext: &str) -> (&'static str, &'static str) {
    match ext {
        "flac" => ("audio/flac", "FLAC"),
        "wav" => ("audio/wav", "WAV"),
        "mp3" => ("audio/mpeg", "MP3"),
        "ogg" | "oga" => ("audio/ogg", "Ogg Vorbis"),
        "opus" => ("audio/ogg", "Opus"),
        "m4a" => ("audio/mp4", "M4A"),
        "aif" | "aiff" => ("audio/aiff", "AIFF"),
        _ => ("application/octet-stream", "audio"),
    }
}

pub fn process(track: &Track, dir: &str, staging: &Staging) -> Result<TrackOutput, Error> {
    let path = join_path(dir, &format!("{}.{}", track.name, track.ext));
    let (mime, label) = mime_and_label(&track.ext);
    let copy = |format| -> Result<AudioFile, Error> {
        let bytes = staging.copy(format, &path, Kind::Audio, &track.source)?;
        Ok(AudioFile {
            path: path.clone(),
            bytes,
            mime,
            label,
        })
    };
    let html = vec![copy(Format::Html)?];
    let gemini = copy(Format::Gemini)?;
    Ok(TrackOutput { html, gemini })
}
