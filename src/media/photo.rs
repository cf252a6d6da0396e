//! Photos, stage one: decode, apply the EXIF orientation, resize, and re-encode as JPEG so that no metadata survives.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};

use crate::config::PhotoConfig;
use crate::content::Photo;
use crate::error::{Diagnostic, Error};
use crate::output::{join_path, Format, Kind, Staging};

/// One encoded size of a photo.
#[derive(Debug, Clone)]
pub struct Rendition {
    /// Path inside the format's folder.
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// Shown to readers: "JPEG".
    pub label: &'static str,
}

#[derive(Debug, Clone)]
pub struct PhotoOutput {
    /// Smallest first: the thumbnail, then the display size (one entry when they coincide).
    pub html: Vec<Rendition>,
    pub gemini: Rendition,
}

impl PhotoOutput {
    pub fn thumbnail(&self) -> &Rendition {
        &self.html[0]
    }

    pub fn display(&self) -> &Rendition {
        self.html.last().unwrap_or(&self.gemini)
    }
}

fn fail(photo: &Photo, msg: impl std::fmt::Display) -> Error {
    Error::content(Diagnostic::new(&photo.source, None, msg.to_string()))
}

pub fn process(
    photo: &Photo,
    cfg: &PhotoConfig,
    dir: &str,
    staging: &Staging,
) -> Result<PhotoOutput, Error> {
    let image = decode(photo)?;
    let rgb = flatten(image);
    let mut encoded: Vec<(u32, u32, Vec<u8>)> = Vec::new();
    let mut encode = |target: u32| -> Result<(u32, u32, usize), Error> {
        let (w, h) = fit(rgb.width(), rgb.height(), target);
        if let Some(i) = encoded.iter().position(|e| (e.0, e.1) == (w, h)) {
            return Ok((w, h, i));
        }
        let resized = if (w, h) == rgb.dimensions() {
            rgb.clone()
        } else {
            image::imageops::resize(&rgb, w, h, FilterType::Lanczos3)
        };
        let mut buf = Vec::new();
        JpegEncoder::new_with_quality(Cursor::new(&mut buf), cfg.quality)
            .encode_image(&resized)
            .map_err(|e| fail(photo, format!("could not encode the photo: {e}")))?;
        encoded.push((w, h, buf));
        Ok((w, h, encoded.len() - 1))
    };
    let thumb = encode(cfg.thumbnail)?;
    let display = encode(cfg.display)?;
    let gemini = encode(cfg.gemini)?;

    let write = |format: Format, (w, h, i): (u32, u32, usize)| -> Result<Rendition, Error> {
        let name = format!("{}-{w}.jpg", photo.name);
        let path = join_path(dir, &name);
        let bytes = &encoded[i].2;
        staging.write(format, &path, Kind::Images, bytes)?;
        Ok(Rendition {
            path,
            width: w,
            height: h,
            bytes: bytes.len() as u64,
            label: "JPEG",
        })
    };
    let mut html = vec![write(Format::Html, thumb)?];
    if display.2 != thumb.2 {
        html.push(write(Format::Html, display)?);
    }
    let gemini = write(Format::Gemini, gemini)?;
    Ok(PhotoOutput { html, gemini })
}

fn decode(photo: &Photo) -> Result<DynamicImage, Error> {
    let reader = ImageReader::open(&photo.source)
        .map_err(|e| fail(photo, format!("cannot open the photo: {e}")))?
        .with_guessed_format()
        .map_err(|e| fail(photo, format!("cannot read the photo: {e}")))?;
    if reader.format().is_none() {
        return Err(fail(photo, "this is not a JPEG, PNG or WebP image (the file's content is not a photo capsule can read); export it again as JPEG"));
    }
    let mut decoder = reader.into_decoder().map_err(|e| damaged(photo, &e))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| damaged(photo, &e))?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn damaged(photo: &Photo, e: &image::ImageError) -> Error {
    let detail = e
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    fail(
        photo,
        format!("the photo is damaged or truncated ({detail}); copy it again from its source, or export it again as JPEG"),
    )
}

/// RGB with any transparency composited over white, since JPEG has no alpha.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = p[3] as u32;
        let mix = |c: u8| ((c as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

/// Scales `(w, h)` so that the longest side is at most `target`; never enlarges.
pub fn fit(w: u32, h: u32, target: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= target {
        return (w, h);
    }
    let scale = target as f64 / long as f64;
    let s = |v: u32| ((v as f64 * scale).round() as u32).max(1);
    (s(w), s(h))
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fit_keeps_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit(800, 600, 1600), (800, 600));
    }
}
