//! Encoders and the perceptual search: JPEG through mozjpeg, WebP through libwebp, resizing through
//! fast_image_resize, and the smallest encoding whose SSIMULACRA2 score reaches a target.

use image::RgbImage;
use serde::{Deserialize, Serialize};

/// The image formats capsule writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Jpeg,
    Webp,
    /// AVIF through ravif (rav1e), in fixed-quality mode only: nothing here decodes AVIF to score it.
    Avif,
}

impl ImageFormat {
    pub fn ext(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
            ImageFormat::Avif => "avif",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Webp => "WebP",
            ImageFormat::Avif => "AVIF",
        }
    }

    pub fn encode(self, img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
        match self {
            ImageFormat::Jpeg => mozjpeg(img, quality),
            ImageFormat::Webp => webp_encode(img, quality),
            ImageFormat::Avif => avif_encode(img, quality),
        }
    }

    pub fn decode(self, bytes: &[u8]) -> Result<RgbImage, String> {
        let format = match self {
            ImageFormat::Jpeg => image::ImageFormat::Jpeg,
            ImageFormat::Webp => image::ImageFormat::WebP,
            ImageFormat::Avif => return Err("capsule cannot decode AVIF to measure it".into()),
        };
        image::load_from_memory_with_format(bytes, format)
            .map(|i| i.into_rgb8())
            .map_err(|e| e.to_string())
    }
}

/// Lossy WebP with libwebp's most thorough rate-distortion search (method 6): a few percent smaller at
/// the same quality than the default, for encoding time we can afford.
fn webp_encode(img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut config =
        webp::WebPConfig::new().map_err(|_| "cannot configure the WebP encoder".to_string())?;
    config.quality = quality as f32;
    config.method = 6;
    webp::Encoder::from_rgb(img.as_raw(), img.width(), img.height())
        .encode_advanced(&config)
        .map(|m| m.to_vec())
        .map_err(|e| format!("the WebP encoder failed ({e:?})"))
}

/// AVIF through ravif (rav1e without assembly, so it builds with only a C compiler). Speed 6 of 10:
/// rav1e's slower settings cost minutes per photo without assembly for a few percent.
fn avif_encode(img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let pixels: Vec<ravif::RGB8> = img
        .pixels()
        .map(|p| ravif::RGB8::new(p[0], p[1], p[2]))
        .collect();
    ravif::Encoder::new()
        .with_quality(quality.clamp(1, 100) as f32)
        .with_speed(6)
        .encode_rgb(ravif::Img::new(
            &pixels[..],
            img.width() as usize,
            img.height() as usize,
        ))
        .map(|e| e.avif_file)
        .map_err(|e| format!("the AVIF encoder failed ({e})"))
}

/// Progressive, optimised JPEG with mozjpeg's trellis quantisation. It writes no metadata but JFIF.
fn mozjpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    // mozjpeg reports libjpeg errors by unwinding; keep them inside this call.
    std::panic::catch_unwind(|| -> std::io::Result<Vec<u8>> {
        let mut c = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        c.set_size(img.width() as usize, img.height() as usize);
        c.set_quality(quality as f32);
        c.set_progressive_mode();
        c.set_optimize_coding(true);
        c.set_optimize_scans(true);
        let mut started = c.start_compress(Vec::new())?;
        started.write_scanlines(img.as_raw())?;
        started.finish()
    })
    .map_err(|_| "the JPEG encoder failed".to_string())?
    .map_err(|e| e.to_string())
}

/// Lanczos3 resize to exactly `w`×`h`.
pub fn resize(img: &RgbImage, w: u32, h: u32) -> Result<RgbImage, String> {
    use fast_image_resize as fr;
    if (w, h) == img.dimensions() {
        return Ok(img.clone());
    }
    let src =
        fr::images::ImageRef::new(img.width(), img.height(), img.as_raw(), fr::PixelType::U8x3)
            .map_err(|e| e.to_string())?;
    let mut dst = fr::images::Image::new(w, h, fr::PixelType::U8x3);
    fr::Resizer::new()
        .resize(
            &src,
            &mut dst,
            &fr::ResizeOptions::new()
                .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3)),
        )
        .map_err(|e| e.to_string())?;
    RgbImage::from_raw(w, h, dst.into_vec())
        .ok_or_else(|| "resize produced a wrong buffer".to_string())
}

/// SSIMULACRA2 of `distorted` against `reference` (same size): 100 is identical, 70 is "high quality".
#[cfg(test)]
pub fn score(reference: &RgbImage, distorted: &RgbImage) -> Result<f64, String> {
    score_linear(linear(reference)?, distorted)
}

/// An image in linear light, as SSIMULACRA2 takes it: made once per search for the reference.
pub fn linear(img: &RgbImage) -> Result<ssimulacra2::LinearRgb, String> {
    // sRGB → linear through a table: the same values as the exact curve, without a power per channel.
    static TABLE: std::sync::OnceLock<[f32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        std::array::from_fn(|i| {
            let v = i as f64 / 255.0;
            (if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }) as f32
        })
    });
    let data = img
        .pixels()
        .map(|p| {
            [
                table[p[0] as usize],
                table[p[1] as usize],
                table[p[2] as usize],
            ]
        })
        .collect();
    ssimulacra2::LinearRgb::new(data, img.width() as usize, img.height() as usize)
        .map_err(|e| format!("{e:?}"))
}

/// The SSIMULACRA2 score of `distorted` against a reference already in linear light.
pub fn score_linear(
    reference: ssimulacra2::LinearRgb,
    distorted: &RgbImage,
) -> Result<f64, String> {
    ssimulacra2::compute_frame_ssimulacra2(reference, linear(distorted)?)
        .map_err(|e| format!("{e:?}"))
}

/// One encoding with the quality setting that made it and the score the search measured.
pub struct Encoding {
    pub bytes: Vec<u8>,
    pub quality: u8,
    pub score: Option<f64>,
}

/// Side of the square tiles the search scores.
const TILE: u32 = 192;
/// Thumbnails (at most this long) are scored on smaller tiles: they are seen small, and "may go lower".
const SMALL_IMAGE: u32 = 640;
const SMALL_TILE: u32 = 128;

/// Up to four tiles spread over the image, side by side: scoring them costs a fraction of the whole
/// frame while still seeing its corners and centre. Small images are used whole.
fn mosaic(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let tile = if w.max(h) <= SMALL_IMAGE {
        SMALL_TILE
    } else {
        TILE
    };
    if w <= tile * 2 && h <= tile * 2 {
        return img.clone();
    }
    let (tw, th) = (tile.min(w), tile.min(h));
    let spots = [(0.2, 0.25), (0.8, 0.25), (0.5, 0.5), (0.35, 0.8)];
    let mut out = RgbImage::new(tw * 2, th * 2);
    for (i, (fx, fy)) in spots.iter().enumerate() {
        let x0 = ((w as f64 * fx) as u32).saturating_sub(tw / 2).min(w - tw);
        let y0 = ((h as f64 * fy) as u32).saturating_sub(th / 2).min(h - th);
        let (ox, oy) = ((i as u32 % 2) * tw, (i as u32 / 2) * th);
        for y in 0..th {
            for x in 0..tw {
                out.put_pixel(ox + x, oy + y, *img.get_pixel(x0 + x, y0 + y));
            }
        }
    }
    out
}

impl ImageFormat {
    /// How far above the target the search aims, because a probe encodes only the mosaic: calibrated by
    /// bench/media.sh on the public corpus so that whole-frame scores land on the target (JPEG on the
    /// mosaic scores above its whole frame; WebP, whose segment quantiser sees more edges there, below).
    fn margin(self) -> f64 {
        match self {
            ImageFormat::Avif => 0.0,
            ImageFormat::Jpeg => 2.4,
            ImageFormat::Webp => -0.5,
        }
    }

    /// Score units gained per quality step near the usual targets (measured on the corpus), to aim the
    /// steps before two probes give the real slope.
    fn slope(self) -> f64 {
        match self {
            ImageFormat::Avif => 0.4,
            ImageFormat::Jpeg => 0.5,
            ImageFormat::Webp => 0.35,
        }
    }

    /// The first quality to try for a target: where the corpus's photos land on average.
    fn start(self, target: f64) -> f64 {
        let at_70 = match self {
            ImageFormat::Avif => 70.0,
            ImageFormat::Jpeg => 68.0,
            ImageFormat::Webp => 70.0,
        };
        at_70 - (70.0 - target) * 2.5
    }
}
const MAX_PROBES: usize = 6;
/// A passing probe this close above the aim is taken without looking further: one quality step lower
/// would save about a percent and cost another probe.
const CLOSE_ENOUGH: f64 = 0.3;

/// The smallest encoding whose score reaches `target`, searched over quality `lowest..=highest`:
/// a first guess where photos usually land, then secant steps inside the bracket of a failing and a
/// passing quality, until they are adjacent or a passing score is within `CLOSE_ENOUGH` of the aim.
/// When even `highest` misses the target, that encoding is returned with its score.
pub fn smallest_reaching(
    img: &RgbImage,
    format: ImageFormat,
    target: f64,
    lowest: u8,
    highest: u8,
) -> Result<Encoding, String> {
    if img.width() < 8 || img.height() < 8 {
        return Ok(Encoding {
            bytes: format.encode(img, highest)?,
            quality: highest,
            score: None,
        });
    }
    // Probes encode the mosaic alone: a fraction of the work of the whole image, with the same
    // content. The chosen quality then encodes the whole image once.
    let reference = mosaic(img);
    let reference_linear = linear(&reference)?;
    let aim = target + format.margin();
    let probe = |q: u8| -> Result<(u8, f64), String> {
        let bytes = format.encode(&reference, q)?;
        Ok((
            q,
            score_linear(reference_linear.clone(), &format.decode(&bytes)?)?,
        ))
    };
    let clamp = |q: f64| q.round().clamp(lowest as f64, highest as f64) as u8;
    let mut fail: Option<(u8, f64)> = None;
    let mut pass: Option<(u8, f64)> = None;
    let mut q = clamp(format.start(target));
    let mut last: Option<(u8, f64)> = None;
    for _ in 0..MAX_PROBES {
        let (q_now, s) = probe(q)?;
        // Before a bracket exists, the slope of the last two probes (a photo can sit on a plateau
        // where quality changes little), else the usual one.
        let slope = match last {
            Some((lq, ls)) if lq != q_now => {
                ((s - ls) / (q_now as f64 - lq as f64)).abs().max(0.05)
            }
            _ => format.slope(),
        };
        last = Some((q_now, s));
        if s >= aim {
            if pass.is_none_or(|(pq, _)| q_now < pq) {
                pass = Some((q_now, s));
            }
            if s < aim + CLOSE_ENOUGH {
                break;
            }
        } else if fail.is_none_or(|(fq, _)| q_now > fq) {
            fail = Some((q_now, s));
        }
        q = match (fail, pass) {
            (Some((fq, _)), Some((pq, _))) if pq <= fq + 1 => break,
            (Some((fq, fs)), Some((pq, ps))) => {
                let slope = ((ps - fs) / (pq - fq) as f64).max(0.05);
                let guess = fq as f64 + (aim - fs) / slope;
                (guess.ceil() as u8).clamp(fq + 1, pq - 1)
            }
            (None, Some((pq, _))) if pq <= lowest => break,
            (None, Some((pq, ps))) => {
                let step = ((ps - aim) / slope).floor().max(1.0);
                clamp(pq as f64 - step)
            }
            (Some((fq, _)), None) if fq >= highest => break,
            (Some((fq, fs)), None) => {
                let step = ((aim - fs) / slope).ceil().max(1.0);
                clamp(fq as f64 + step)
            }
            (None, None) => unreachable!("a probe always passes or fails"),
        };
    }
    let (quality, score) = pass.unwrap_or((highest, fail.map(|(_, s)| s).unwrap_or(0.0)));
    Ok(Encoding {
        bytes: format.encode(img, quality)?,
        quality,
        score: Some(score),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                ((x + y) % 255) as u8,
            ])
        })
    }

    #[test]
    fn encoders_round_trip_without_metadata() {
        let img = gradient(64, 48);
        let avif = ImageFormat::Avif.encode(&img, 70).unwrap();
        assert_eq!(&avif[4..12], b"ftypavif");
        assert!(!avif.windows(4).any(|w| w == b"Exif"), "AVIF wrote EXIF");
        for format in [ImageFormat::Jpeg, ImageFormat::Webp] {
            let bytes = format.encode(&img, 80).unwrap();
            let back = format.decode(&bytes).unwrap();
            assert_eq!(back.dimensions(), (64, 48));
            assert!(
                !bytes.windows(4).any(|w| w == b"Exif"),
                "{format:?} wrote EXIF"
            );
        }
        let jpeg = ImageFormat::Jpeg.encode(&img, 80).unwrap();
        // SOF2: a progressive JPEG.
        assert!(jpeg.windows(2).any(|w| w == [0xFF, 0xC2]));
    }

    /// A photo-like test image: smooth areas, edges and fine texture.
    fn busy(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let n = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) % 37;
            let edge = if (x / 23 + y / 17) % 2 == 0 { 60 } else { 0 };
            image::Rgb([
                (x * 200 / w + n) as u8,
                (y * 180 / h + edge) as u8,
                (((x + y) / 3) % 200 + n) as u8,
            ])
        })
    }

    #[test]
    fn search_reaches_the_target_within_two_quality_steps() {
        for (img, format) in [
            (busy(300, 200), ImageFormat::Webp),
            (busy(700, 600), ImageFormat::Jpeg),
        ] {
            let e = smallest_reaching(&img, format, 70.0, 5, 100).unwrap();
            // The search aims `margin` above the target, measured on the mosaic it encodes.
            let reference = mosaic(&img);
            let at = |q: u8| {
                score(
                    &reference,
                    &format
                        .decode(&format.encode(&reference, q).unwrap())
                        .unwrap(),
                )
                .unwrap()
            };
            let aim = 70.0 + format.margin();
            assert!(
                at(e.quality) >= aim,
                "{format:?}: chosen quality {} misses the target",
                e.quality
            );
            assert!(
                at(e.quality - 3) < aim,
                "{format:?}: quality {} would also do",
                e.quality - 3
            );
            assert_eq!(
                format.decode(&e.bytes).unwrap().dimensions(),
                img.dimensions(),
                "the whole image is encoded"
            );
        }
        assert!(score(&busy(64, 64), &busy(64, 64)).unwrap() > 99.0);
    }

    #[test]
    fn mosaic_of_a_large_image_is_four_tiles() {
        assert_eq!(mosaic(&busy(1600, 1000)).dimensions(), (2 * TILE, 2 * TILE));
        assert_eq!(
            mosaic(&busy(480, 320)).dimensions(),
            (2 * SMALL_TILE, 2 * SMALL_TILE)
        );
        assert_eq!(mosaic(&busy(250, 200)).dimensions(), (250, 200));
        assert_eq!(mosaic(&busy(200, 1000)).dimensions(), (2 * TILE, 2 * TILE));
    }
}
