//! Published tracks in a real browser (Debian's chromium over WebDriver), as a listener meets them: a
//! VBR MP3 (`mp3_mode = "vbr"`) and the Opus file each show their exact length, and seeking lands where
//! it was asked to.
//! A VBR MP3 without its Xing/LAME header would show a length guessed from its first frames, and seek by
//! that guess.

mod common;

use std::path::Path;

use common::servers::Serve;
use common::webdriver::Browser;
use common::*;
use serde_json::Value;

/// 40 s of 44.1 kHz stereo whose loudness and brightness change every few seconds (a quiet tone, then
/// noise bursts, then chords), so that a VBR encoder spends very different bitrates along the track.
fn write_changing_wav(path: &Path) {
    let rate = 44_100u32;
    let frames = rate * 40;
    let mut data = Vec::with_capacity(frames as usize * 4);
    let mut noise = 0x1234_5678u32;
    for i in 0..frames {
        let t = i as f32 / rate as f32;
        noise ^= noise << 13;
        noise ^= noise >> 17;
        noise ^= noise << 5;
        let white = (noise % 2001) as f32 / 1000.0 - 1.0;
        let section = (t / 5.0) as u32 % 3;
        let s = match section {
            0 => 0.1 * (2.0 * std::f32::consts::PI * 220.0 * t).sin(),
            1 => 0.5 * white * (2.0 * std::f32::consts::PI * 2.0 * t).sin().abs(),
            _ => [261.6f32, 329.6, 392.0, 523.3]
                .iter()
                .map(|f| 0.15 * (2.0 * std::f32::consts::PI * f * t).sin())
                .sum::<f32>(),
        };
        let left = (s * 30_000.0) as i16;
        let right = (s * 0.8 * 30_000.0) as i16;
        data.extend_from_slice(&left.to_le_bytes());
        data.extend_from_slice(&right.to_le_bytes());
    }
    let mut wav = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 4).to_le_bytes());
    wav.extend_from_slice(&4u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    let riff = (wav.len() - 8) as u32;
    wav[4..8].copy_from_slice(&riff.to_le_bytes());
    std::fs::write(path, wav).unwrap();
}

/// Loads `url` into an `<audio>` element of the page the browser shows, and reports its duration,
/// then where it is after seeking to `to` seconds.
fn duration_and_seek(browser: &Browser, url: &str, to: f64) -> (f64, f64) {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const m = document.createElement('audio');
         m.preload = 'metadata';
         m.addEventListener('error', () => done(['error', String(m.error && m.error.code)]));
         m.addEventListener('loadedmetadata', () => {{
           const d = m.duration;
           m.addEventListener('seeked', () => done([d, m.currentTime]), {{ once: true }});
           m.currentTime = {to};
         }}, {{ once: true }});
         m.src = '{url}';
         document.body.append(m);"
    );
    let got = browser.execute_async(&script);
    let num = |v: &Value| {
        v.as_f64()
            .unwrap_or_else(|| panic!("{url}: the browser says {got}"))
    };
    (num(&got[0]), num(&got[1]))
}

#[test]
fn a_listener_sees_the_exact_length_and_seeks_in_both_formats() {
    let site = fixture("basic");
    let folder = site.path().join("content/playlists/night-drive");
    write_changing_wav(&folder.join("05-changes.wav"));
    let config = site.path().join("capsule.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[audio]\nmp3_mode = \"vbr\"\n")).unwrap();
    build(site.path(), &["-q"]);
    let mp3 = site.path().join("public/html/music/tracks/05-changes.mp3");
    let (tag, _) = media::mp3_xing(&mp3).expect("no Xing header");
    assert_eq!(tag, "Xing", "the MP3 is not VBR");

    let serve = Serve::start(site.path(), &["--no-gemini"]);
    let browser = Browser::start();
    // The playlist page, whose player a listener would use.
    browser.go(&format!(
        "http://127.0.0.1:{}/playlists/night-drive/index.html",
        serve.http
    ));
    assert!(browser.source().contains("05-changes.mp3"));
    for ext in ["mp3", "opus"] {
        let url = format!(
            "http://127.0.0.1:{}/music/tracks/05-changes.{ext}",
            serve.http
        );
        let (duration, at) = duration_and_seek(&browser, &url, 31.5);
        assert!(
            (duration - 40.0).abs() < 0.03,
            "{ext}: the browser shows {duration} s for a 40 s track"
        );
        assert!(
            (at - 31.5).abs() < 0.1,
            "{ext}: asked to seek to 31.5 s, the browser is at {at} s"
        );
    }
}
