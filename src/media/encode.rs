//! Encoders and the perceptual search: JPEG through mozjpeg, WebP through libwebp, resizing through
//! fast_image_resize, and the smallest encoding whose whole-frame SSIMULACRA2 score (fast-ssim2)
//! reaches a target.

use std::borrow::Cow;

use image::RgbImage;

use super::timing::{timed, Work};
use crate::formats::AVIF_SPEED;

pub(super) use crate::formats::ImageFormat;

impl ImageFormat {
    pub(crate) fn encode(self, img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
        match self {
            ImageFormat::Jpeg => mozjpeg(img, quality),
            ImageFormat::Webp => webp_encode(img, quality),
            ImageFormat::Avif => avif_encode(img, quality, AVIF_SPEED),
        }
    }

    pub(crate) fn decode(self, bytes: &[u8]) -> Result<RgbImage, String> {
        match self {
            ImageFormat::Jpeg => {
                image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                    .map(|i| i.into_rgb8())
                    .map_err(|e| e.to_string())
            }
            ImageFormat::Webp => webp_decode(bytes),
            ImageFormat::Avif => super::avif::decode(bytes),
        }
    }
}

/// Lossy WebP with libwebp's most thorough rate-distortion search (method 6): a few percent smaller at
/// the same quality than the default, for encoding time we can afford. Sharp RGB→YUV conversion keeps
/// saturated edges (red on black) from bleeding into their dark side, at the same bytes and scores on
/// the public corpus (README, Benchmark).
fn webp_encode(img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    WebpPicture::new(img, true)?.encode(quality)
}

/// An image converted once to the YUV 4:2:0 planes that libwebp's lossy encoder codes, so that the
/// perceptual search's probes at several qualities share one conversion (sharp YUV costs about a fifth
/// of a method-6 encode). Encoding it gives the same bytes as libwebp encoding the RGB image directly.
pub(super) struct WebpPicture(libwebp_sys::WebPPicture);

impl WebpPicture {
    fn new(img: &RgbImage, sharp_yuv: bool) -> Result<Self, String> {
        use libwebp_sys as w;
        let failed = || "the WebP encoder could not take the image".to_string();
        let (width, height) = (i32::try_from(img.width()), i32::try_from(img.height()));
        let (Ok(width), Ok(height)) = (width, height) else {
            return Err(failed());
        };
        // SAFETY: a zeroed WebPPicture is what WebPPictureInit expects to fill; the import reads
        // `width * height * 3` bytes, which an RgbImage of these dimensions holds.
        unsafe {
            let mut pic: w::WebPPicture = std::mem::zeroed();
            if !w::WebPPictureInit(&mut pic) {
                return Err(failed());
            }
            let mut this = WebpPicture(pic);
            this.0.use_argb = 1;
            this.0.width = width;
            this.0.height = height;
            if w::WebPPictureImportRGB(&mut this.0, img.as_raw().as_ptr(), width * 3) == 0 {
                return Err(failed());
            }
            let converted = if sharp_yuv {
                w::WebPPictureSharpARGBToYUVA(&mut this.0)
            } else {
                w::WebPPictureARGBToYUVA(&mut this.0, w::WebPEncCSP::WEBP_YUV420)
            };
            if converted == 0 {
                return Err(failed());
            }
            // Keep the YUV planes alone: the copy of a YUV picture leaves out the RGB the import made.
            let mut yuv: w::WebPPicture = std::mem::zeroed();
            if !w::WebPPictureInit(&mut yuv) {
                return Err(failed());
            }
            let mut yuv = WebpPicture(yuv);
            if w::WebPPictureCopy(&this.0, &mut yuv.0) == 0 {
                return Err(failed());
            }
            Ok(yuv)
        }
    }

    /// Lossy WebP of the picture at `quality`, with capsule's settings (method 6).
    fn encode(&mut self, quality: u8) -> Result<Vec<u8>, String> {
        use libwebp_sys as w;
        let mut config =
            w::WebPConfig::new().map_err(|_| "cannot configure the WebP encoder".to_string())?;
        config.quality = quality as f32;
        config.method = 6;
        // SAFETY: the writer and its memory live until after WebPEncode returns, and the picture's
        // pointers to them are cleared before this function does; the picture holds YUV planes that
        // `new` made, which WebPEncode reads and does not free.
        unsafe {
            let mut writer: w::WebPMemoryWriter = std::mem::zeroed();
            w::WebPMemoryWriterInit(&mut writer);
            self.0.writer = Some(w::WebPMemoryWrite);
            self.0.custom_ptr = (&raw mut writer).cast();
            let ok = w::WebPEncode(&config, &mut self.0);
            self.0.writer = None;
            self.0.custom_ptr = std::ptr::null_mut();
            let bytes = if ok != 0 && !writer.mem.is_null() {
                Ok(std::slice::from_raw_parts(writer.mem, writer.size).to_vec())
            } else {
                Err(format!("the WebP encoder failed ({:?})", self.0.error_code))
            };
            w::WebPMemoryWriterClear(&mut writer);
            bytes
        }
    }
}

impl Drop for WebpPicture {
    fn drop(&mut self) {
        // SAFETY: the picture's buffers were allocated by libwebp in `new`.
        unsafe { libwebp_sys::WebPPictureFree(&mut self.0) }
    }
}

// SAFETY: the picture owns its planes (libwebp allocated them) and is used by one thread at a time.
unsafe impl Send for WebpPicture {}

/// A WebP that `webp_encode` made, decoded by libwebp: the decoder Chrome shows it with, and about three
/// times as fast as image-webp's (7 % of a perceptual build's time under perf, 2 % with libwebp).
fn webp_decode(bytes: &[u8]) -> Result<RgbImage, String> {
    let decoded = webp::Decoder::new(bytes)
        .decode()
        .ok_or_else(|| "the WebP decoder failed".to_string())?;
    let rgb = match decoded.layout() {
        webp::PixelLayout::Rgb => decoded.to_vec(),
        webp::PixelLayout::Rgba => decoded
            .as_chunks::<4>()
            .0
            .iter()
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
    };
    RgbImage::from_raw(decoded.width(), decoded.height(), rgb)
        .ok_or_else(|| "the WebP decoder returned a short image".to_string())
}

/// An image format with its encoder's settings: what the perceptual search encodes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Codec {
    pub format: ImageFormat,
    /// ravif's speed, for AVIF.
    pub avif_speed: u8,
}

impl From<ImageFormat> for Codec {
    fn from(format: ImageFormat) -> Self {
        Codec {
            format,
            avif_speed: AVIF_SPEED,
        }
    }
}

/// An image ready for a codec to encode at several qualities (see `WebpPicture`).
pub(super) enum Prepared<'a> {
    Rgb(&'a RgbImage),
    Webp(Box<WebpPicture>),
}

impl Codec {
    pub(crate) fn encode(self, img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
        self.encode_prepared(&mut self.prepare(img)?, quality)
    }

    pub(super) fn prepare(self, img: &RgbImage) -> Result<Prepared<'_>, String> {
        Ok(match self.format {
            ImageFormat::Webp => Prepared::Webp(Box::new(WebpPicture::new(img, true)?)),
            _ => Prepared::Rgb(img),
        })
    }

    pub(super) fn encode_prepared(
        self,
        img: &mut Prepared,
        quality: u8,
    ) -> Result<Vec<u8>, String> {
        match img {
            Prepared::Webp(picture) => picture.encode(quality),
            Prepared::Rgb(img) if self.format == ImageFormat::Avif => {
                avif_encode(img, quality, self.avif_speed)
            }
            Prepared::Rgb(img) => self.format.encode(img, quality),
        }
    }

    fn decode(self, bytes: &[u8]) -> Result<RgbImage, String> {
        self.format.decode(bytes)
    }
}

/// AVIF through ravif (rav1e without assembly, so it builds with only a C compiler), 10-bit.
fn avif_encode(img: &RgbImage, quality: u8, speed: u8) -> Result<Vec<u8>, String> {
    let pixels: Vec<ravif::RGB8> = img
        .pixels()
        .map(|p| ravif::RGB8::new(p[0], p[1], p[2]))
        .collect();
    ravif::Encoder::new()
        .with_quality(quality.clamp(1, 100) as f32)
        .with_speed(speed.clamp(1, 10))
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
pub(super) fn resize(img: &RgbImage, w: u32, h: u32) -> Result<RgbImage, String> {
    timed(Work::Resize, || resize_now(img, w, h))
}

fn resize_now(img: &RgbImage, w: u32, h: u32) -> Result<RgbImage, String> {
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

/// The pixels of an image as the scorer takes them (sRGB, 8 bits a channel).
fn pixels(img: &RgbImage) -> imgref::ImgRef<'_, [u8; 3]> {
    imgref::ImgRef::new(
        img.as_raw().as_chunks::<3>().0,
        img.width() as usize,
        img.height() as usize,
    )
}

/// Rows a strip of the whole-frame score holds (with 96 more above and below it): 640 scored 1440-px photos
/// in 83 MB instead of 140 to 160 for the whole image at once (fast-ssim2 0.8: reference and comparison),
/// as fast, within 0.03 of its score (see `whole_frame_score_near` for the photos that lie that close).
const WHOLE_FRAME_STRIP: usize = 640;

/// How far the strips' score can stray from the whole image's at once (the unit test below holds them
/// to it; 0.026 at most on the public corpus's display photos).
const STRIPS_AGREE: f64 = 0.05;

/// SSIMULACRA2 of `distorted` against `reference` (same size) on the whole frame, as the whole image
/// scored at once reads it, in the memory of strips: scored strip by strip, and only where that score
/// falls within `STRIPS_AGREE` of `line` (where the strips' rounding could decide which side of the line
/// a photo lands) scored again at once, with the larger lease that takes. The search's decisions are
/// then those of the whole image at once.
fn whole_frame_score_near(
    reference: &RgbImage,
    distorted: &RgbImage,
    line: f64,
) -> Result<f64, String> {
    let (w, h) = reference.dimensions();
    let strips = {
        let _lease = super::memory::for_whole_frame(w, h, true);
        timed(Work::WholeScore, || {
            whole_frame_score(reference, distorted, true)
        })?
    };
    if (strips - line).abs() >= STRIPS_AGREE {
        return Ok(strips);
    }
    let _lease = super::memory::for_whole_frame(w, h, false);
    timed(Work::WholeScore, || {
        whole_frame_score(reference, distorted, false)
    })
}

/// SSIMULACRA2 of `distorted` against `reference` (same size) on the whole frame, strip by strip or
/// the whole image at once.
fn whole_frame_score(
    reference: &RgbImage,
    distorted: &RgbImage,
    in_strips: bool,
) -> Result<f64, String> {
    use fast_ssim2_strips as s;
    fn slice(img: &RgbImage) -> Result<s::PixelSlice<'_>, String> {
        s::PixelSlice::new(
            img.as_raw(),
            img.width(),
            img.height(),
            img.width() as usize * 3,
            s::PixelDescriptor::RGB8_SRGB,
        )
        .map_err(|e| e.to_string())
    }
    let config = match in_strips {
        true => s::Ssimulacra2Config::strips(WHOLE_FRAME_STRIP),
        false => s::Ssimulacra2Config::default(),
    };
    s::compute_ssimulacra2_with_config(&slice(reference)?, &slice(distorted)?, &config)
        .map_err(|e| e.to_string())
}

/// SSIMULACRA2 of `distorted` against `reference` (same size): 100 is identical, 70 is "high quality".
#[cfg(test)]
pub(super) fn score(reference: &RgbImage, distorted: &RgbImage) -> Result<f64, String> {
    fast_ssim2::compute_ssimulacra2(pixels(reference), pixels(distorted)).map_err(|e| e.to_string())
}

/// One encoding with the quality setting that made it and the score the search measured.
pub(super) struct Encoding {
    pub bytes: Vec<u8>,
    pub quality: u8,
    pub score: Option<f64>,
    /// How many quality steps above (or, negative, below) where photos usually land for this target
    /// the search found this photo: the photo's other sizes tend to sit the same side (bench/media.sh).
    pub lean: f64,
}

/// Side of the square crops the search scores, laid out `GRID` by `GRID`.
const CROP: u32 = 256;
const GRID: u32 = 3;

/// Nine crops of the image in a 3×3 grid, side by side, cut at the same places from the source and from
/// each encoding: the search scores these (about a third of a 1600 px photo) for speed and memory. An
/// image at most 3×256 px a side is scored whole.
fn crops(img: &RgbImage) -> Cow<'_, RgbImage> {
    if !is_cropped(img) {
        return Cow::Borrowed(img);
    }
    let (w, h) = img.dimensions();
    let (tw, th) = (CROP.min(w / GRID), CROP.min(h / GRID));
    let mut out = RgbImage::new(tw * GRID, th * GRID);
    let (from, to) = (img.as_raw(), &mut *out);
    let (row, from_stride, to_stride) = (tw as usize * 3, w as usize * 3, (tw * GRID) as usize * 3);
    for j in 0..GRID {
        for i in 0..GRID {
            // Tiles centred on the grid's cells, so they spread over the whole frame.
            let x0 = (w * (2 * i + 1) / (2 * GRID))
                .saturating_sub(tw / 2)
                .min(w - tw);
            let y0 = (h * (2 * j + 1) / (2 * GRID))
                .saturating_sub(th / 2)
                .min(h - th);
            for y in 0..th {
                let src = (y0 + y) as usize * from_stride + x0 as usize * 3;
                let dst = (j * th + y) as usize * to_stride + (i * tw) as usize * 3;
                to[dst..dst + row].copy_from_slice(&from[src..src + row]);
            }
        }
    }
    Cow::Owned(out)
}

/// Whether the search scores crops of `img` rather than the whole of it.
fn is_cropped(img: &RgbImage) -> bool {
    img.width() > GRID * CROP || img.height() > GRID * CROP
}

/// How far above the target the search aims, because it scores crops rather than the whole frame: on
/// the public corpus (bench/media.sh) the crops score about a point above the whole frame, for WebP and
/// JPEG alike, so aiming this much higher leaves few photos for the whole-frame check to step up.
const CROP_MARGIN: f64 = 1.2;

impl Codec {
    /// Whether the search's probes may encode the crops alone rather than the whole image. JPEG codes
    /// each block on its own with the same tables, so the crops come out as they would from the whole
    /// photo, for a third of the work. WebP and AVIF adapt their quantisers to the whole picture's
    /// content: encoded alone, the crops of the public corpus scored up to 13 points lower, so their
    /// probes encode the whole photo and score its crops.
    fn probes_crops_alone(self) -> bool {
        self.format == ImageFormat::Jpeg
    }

    /// Score units gained per quality step near the usual targets (median over the corpus), to aim the
    /// steps before two probes give the photo's own slope.
    fn slope(self) -> f64 {
        match self.format {
            ImageFormat::Avif => 0.4,
            ImageFormat::Jpeg => 0.5,
            ImageFormat::Webp => 0.5,
        }
    }

    /// The first quality to try for a target: near where the corpus's photos land, tuned (with `slope`)
    /// for the fewest probes. (AVIF: qualities at targets 70 and 60 on the public corpus, speed 8.)
    fn start(self, target: f64) -> f64 {
        let (at_70, per_point) = match self.format {
            ImageFormat::Avif => (67.0, 1.7),
            ImageFormat::Jpeg => (66.0, 2.5),
            ImageFormat::Webp => (76.0, 2.5),
        };
        at_70 - (70.0 - target) * per_point
    }
}
const MAX_PROBES: usize = 6;
/// The most quality steps one probe climbs above a failing one before any probe has passed (the
/// whole-frame check climbs the same way).
const MAX_STEP_UP: f64 = 10.0;
/// How many quality steps apart a failing and a passing probe may be for the whole-frame check to take
/// the quality between them that the crops point to, instead of one more probe.
const SETTLE_WITHIN: u8 = 4;
/// A passing probe this close above the aim is taken without looking further: a step or two lower would
/// save a percent or two and cost another probe (2.0 rather than 1.5: 2 % less search work for 0.1 %
/// more bytes in a replay of the public corpus's searches; too little to show in bench/memory.sh).
const CLOSE_ENOUGH: f64 = 2.0;
/// The same for a photo scored by its crops, whose probes (for WebP) encode the whole image: on the
/// public corpus, 2.5 instead of 1.5 takes 7 % off a perceptual first build (12 % on 320 photos) for
/// 0.5 % more bytes (bench/memory.sh; 0.5 % on the HTML photos, 0.4 % on the Gemini ones). The
/// whole-frame check that follows holds the target either way.
const CLOSE_ENOUGH_CROPPED: f64 = 2.5;

/// The smallest encoding whose score reaches `target`, searched over quality `lowest..=highest`:
/// a first guess where photos usually land, then secant steps inside the bracket of a failing and a
/// passing quality, until they are adjacent or a passing score is within `CLOSE_ENOUGH` of the aim
/// (`CLOSE_ENOUGH_CROPPED` for a photo scored by its crops).
/// Each probe scores the image's crops (see `probes_crops_alone`); the smallest passing probe is the
/// result, checked on the whole frame. When even `highest` misses the target, that encoding is returned
/// with its score. `lean` moves the first guess, from where another size of the same photo landed.
pub(super) fn smallest_reaching(
    img: &RgbImage,
    codec: impl Into<Codec>,
    target: f64,
    lowest: u8,
    highest: u8,
    lean: f64,
) -> Result<Encoding, String> {
    let codec: Codec = codec.into();
    if img.width() < 8 || img.height() < 8 {
        return Ok(Encoding {
            bytes: codec.encode(img, highest)?,
            quality: highest,
            score: None,
            lean: 0.0,
        });
    }
    let mosaic = crops(img);
    let reference =
        fast_ssim2::Ssimulacra2Reference::new(pixels(&mosaic)).map_err(|e| e.to_string())?;
    let aim = target + CROP_MARGIN;
    let alone = codec.probes_crops_alone() && is_cropped(img);
    // For WebP, the image converted to YUV once, for every probe and the whole-frame check.
    let mut whole = codec.prepare(img)?;
    let mut probe = |q: u8| -> Result<(u8, f64, Vec<u8>), String> {
        let bytes = timed(Work::Probe, || match alone {
            true => codec.encode(&mosaic, q),
            false => codec.encode_prepared(&mut whole, q),
        })?;
        let decoded = timed(Work::ProbeDecode, || codec.decode(&bytes))?;
        let scored = if alone {
            Cow::Owned(decoded)
        } else {
            crops(&decoded)
        };
        // The comparison's planes live only while it runs, under a lease: held through the probes'
        // encodes, they would sit beside the other thread's whole-frame score outside the budget.
        let _lease = super::memory::for_crops_compare(mosaic.width(), mosaic.height());
        let s = timed(Work::ScoreCrops, || {
            reference.compare_with(&mut reference.compare_context(), pixels(&scored))
        })
        .map_err(|e| e.to_string())?;
        Ok((q, s, bytes))
    };
    let clamp = |q: f64| q.round().clamp(lowest as f64, highest as f64) as u8;
    let mut fail: Option<(u8, f64)> = None;
    let mut pass: Option<(u8, f64, Vec<u8>)> = None;
    let usual = codec.start(target);
    let mut q = clamp(usual + lean);
    let mut last: Option<(u8, f64)> = None;
    let mut own_slope = codec.slope();
    let cropped = is_cropped(img);
    let close_enough = match cropped {
        true => CLOSE_ENOUGH_CROPPED,
        false => CLOSE_ENOUGH,
    };
    // The quality between a failing and a passing probe that the crops' secant points to: for a cropped
    // photo, the whole-frame check encodes and scores it rather than one more probe of the crops.
    let mut settle: Option<u8> = None;
    // Failing probes in a row inside the bracket: a secant that keeps landing short (the score curves
    // upward, as on a plateau's edge) gives way to halving the bracket.
    let mut short = 0;
    for n in 0.. {
        // Probes may go a few beyond the usual count until one passes (stopping then would leave only
        // `highest`, the largest encoding there is) and while the bracket is still wide (its top can be
        // far above the quality that passes, where the score leaps at a plateau's end).
        let wide = match (fail, &pass) {
            (Some((fq, _)), Some((pq, _, _))) => *pq > fq + SETTLE_WITHIN,
            (_, pass) => pass.is_none(),
        };
        if n >= MAX_PROBES + 4 || (n >= MAX_PROBES && !wide) {
            break;
        }
        let (q_now, s, bytes) = probe(q)?;
        // Before a bracket exists, the slope of the last two probes (a photo can sit on a plateau
        // where quality changes little), else the usual one.
        let slope = match last {
            Some((lq, ls)) if lq != q_now => {
                ((s - ls) / (q_now as f64 - lq as f64)).abs().max(0.05)
            }
            _ => codec.slope(),
        };
        last = Some((q_now, s));
        if s >= aim {
            short = 0;
            if pass.as_ref().is_none_or(|(pq, _, _)| q_now < *pq) {
                pass = Some((q_now, s, bytes));
            }
            if s < aim + close_enough {
                break;
            }
        } else if fail.is_none_or(|(fq, _)| q_now > fq) {
            if pass.is_some() {
                short += 1;
            }
            fail = Some((q_now, s));
        }
        let passed = pass.as_ref().map(|(pq, ps, _)| (*pq, *ps));
        own_slope = match (fail, passed) {
            (Some((fq, fs)), Some((pq, ps))) if pq > fq => ((ps - fs) / (pq - fq) as f64).max(0.05),
            _ => slope,
        };
        q = match (fail, passed) {
            (Some((fq, _)), Some((pq, _))) if pq <= fq + 1 => break,
            (Some((fq, fs)), Some((pq, ps))) => {
                let slope = ((ps - fs) / (pq - fq) as f64).max(0.05);
                let guess = if short >= 2 {
                    short = 0;
                    (fq as f64 + pq as f64) / 2.0
                } else {
                    fq as f64 + (aim - fs) / slope
                };
                let guess = (guess.ceil() as u8).clamp(fq + 1, pq - 1);
                // Only from a narrow bracket: a plateau can throw a wide bracket's secant far off.
                if cropped && pq - fq <= SETTLE_WITHIN {
                    settle = Some(guess);
                    break;
                }
                guess
            }
            (None, Some((pq, _))) if pq <= lowest => break,
            (None, Some((pq, ps))) => {
                let step = ((ps - aim) / slope).floor().max(1.0);
                clamp(pq as f64 - step)
            }
            (Some((fq, _)), None) if fq >= highest => break,
            (Some((fq, fs)), None) => {
                // At most ten steps at a time: from a plateau, the slope alone would throw the probe
                // to a quality far above the one that passes.
                let step = ((aim - fs) / slope).ceil().clamp(1.0, MAX_STEP_UP);
                clamp(fq as f64 + step)
            }
            (None, None) => unreachable!("a probe always passes or fails"),
        };
    }
    let (quality, score, bytes) = match pass {
        Some(p) => p,
        None => {
            let (_, s, bytes) = probe(highest)?;
            (highest, s, bytes)
        }
    };
    if !cropped {
        // The crops were the whole image: the score is already the whole frame's.
        return Ok(Encoding {
            bytes,
            quality,
            score: Some(score),
            lean: quality as f64 - usual,
        });
    }
    // Probes of the crops alone leave the whole image to encode at the quality they chose.
    let (quality, bytes) = match settle {
        Some(q) => (
            q,
            timed(Work::Encode, || codec.encode_prepared(&mut whole, q))?,
        ),
        None if alone => (
            quality,
            timed(Work::Encode, || codec.encode_prepared(&mut whole, quality))?,
        ),
        None => (quality, bytes),
    };
    drop((reference, mosaic));
    let mut e = whole_frame_reaching(
        img,
        &mut whole,
        codec,
        target,
        highest,
        own_slope,
        (quality, bytes),
    )?;
    e.lean = e.quality as f64 - usual;
    Ok(e)
}

/// How far above the target the whole-frame check aims: capsule's own resize and scorer read a point
/// or so differently from an independent tool on a colour-managed resize (bench/media.sh), mostly for
/// JPEG; this keeps the independent score at or above the target - 1 on the corpus.
const WHOLE_MARGIN: f64 = 0.3;

/// The promise is the whole frame's score, which the crops only estimate: score the chosen encoding on
/// the whole image and step the quality up while it falls short, by the photo's own slope as the search
/// measured it (at least one step), up to `highest`.
fn whole_frame_reaching(
    img: &RgbImage,
    prepared: &mut Prepared,
    codec: Codec,
    target: f64,
    highest: u8,
    slope: f64,
    (mut quality, mut bytes): (u8, Vec<u8>),
) -> Result<Encoding, String> {
    let aim = target + WHOLE_MARGIN;
    let whole = |bytes: &[u8]| -> Result<f64, String> {
        let decoded = timed(Work::ProbeDecode, || codec.decode(bytes))?;
        whole_frame_score_near(img, &decoded, aim)
    };
    let mut score = whole(&bytes)?;
    let mut slope = slope;
    while score < aim && quality < highest {
        let step = ((aim - score) / slope).ceil().clamp(1.0, MAX_STEP_UP);
        let (last_q, last_s) = (quality, score);
        quality = (quality as f64 + step).min(highest as f64) as u8;
        bytes = timed(Work::Encode, || codec.encode_prepared(prepared, quality))?;
        score = whole(&bytes)?;
        // From the second step on, the whole frame's own slope (it can be far flatter than the crops').
        slope = ((score - last_s) / (quality - last_q) as f64).max(0.05);
    }
    Ok(Encoding {
        bytes,
        quality,
        score: Some(score),
        lean: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A red square on near-black keeps its edges: libwebp's default RGB→YUV conversion smears the
    /// half-resolution colour across them (red pixels lose a quarter of their red, the dark side turns
    /// reddish); sharp YUV, which `webp_encode` uses, leaves less error across the image at every quality.
    #[test]
    fn a_red_edge_bleeds_less_with_sharp_yuv() {
        // Edges on odd rows and columns: a 2×2 block of the colour planes straddles each.
        let img = RgbImage::from_fn(64, 64, |x, y| {
            if (5..33).contains(&x) && (5..33).contains(&y) {
                image::Rgb([220, 0, 0])
            } else {
                image::Rgb([1, 4, 5])
            }
        });
        let error = |bytes: Vec<u8>| -> u64 {
            let out = webp_decode(&bytes).unwrap();
            img.pixels()
                .zip(out.pixels())
                .map(|(a, b)| (0..3).map(|i| a.0[i].abs_diff(b.0[i]) as u64).sum::<u64>())
                .sum()
        };
        for quality in [60, 75, 90] {
            let sharp = error(webp_encode(&img, quality).unwrap());
            let plain = error(
                WebpPicture::new(&img, false)
                    .unwrap()
                    .encode(quality)
                    .unwrap(),
            );
            assert!(
                sharp * 10 < plain * 9,
                "quality {quality}: error {sharp} with sharp YUV, {plain} without"
            );
        }
    }

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                ((x + y) % 255) as u8,
            ])
        })
    }

    /// The picture converted once gives, at every quality and however often it is encoded, the bytes
    /// libwebp gives from the RGB pixels with the same settings (the webp crate's own path).
    #[test]
    fn a_webp_picture_converted_once_encodes_as_libwebp_does_from_rgb() {
        let img = busy(301, 203);
        let mut picture = WebpPicture::new(&img, true).unwrap();
        for quality in [40u8, 76, 76, 95] {
            let mut config = webp::WebPConfig::new().unwrap();
            config.quality = quality as f32;
            config.method = 6;
            config.use_sharp_yuv = 1;
            let direct = webp::Encoder::from_rgb(img.as_raw(), img.width(), img.height())
                .encode_advanced(&config)
                .unwrap()
                .to_vec();
            assert!(
                picture.encode(quality).unwrap() == direct,
                "quality {quality}"
            );
        }
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

    /// The whole frame's score of encoding `img` at quality `q`, the whole image scored at once (fast-ssim2
    /// 0.9 for an image the search scores by crops, 0.8 for one it scores whole).
    fn whole_at(img: &RgbImage, format: ImageFormat, q: u8) -> f64 {
        let decoded = format.decode(&format.encode(img, q).unwrap()).unwrap();
        if is_cropped(img) {
            whole_frame_score(img, &decoded, false).unwrap()
        } else {
            score(img, &decoded).unwrap()
        }
    }

    /// The strips' score agrees with the whole image's at once within 0.05, on a photo-like image
    /// taller than two strips.
    #[test]
    fn the_whole_frame_scored_in_strips_agrees_with_the_whole_image_at_once() {
        let img = busy(900, 1500);
        for q in [40u8, 75] {
            let decoded = ImageFormat::Webp
                .decode(&ImageFormat::Webp.encode(&img, q).unwrap())
                .unwrap();
            let (strips, whole) = (
                whole_frame_score(&img, &decoded, true).unwrap(),
                score(&img, &decoded).unwrap(),
            );
            assert!(
                (strips - whole).abs() < 0.05,
                "quality {q}: strips {strips:.3}, at once {whole:.3}"
            );
        }
    }

    /// Near the line the search decides by, the whole frame is read as the whole image at once reads it;
    /// away from it, the strips' reading stands.
    #[test]
    fn a_score_near_the_line_is_taken_from_the_whole_image_at_once() {
        let img = busy(900, 1500);
        let decoded = ImageFormat::Webp
            .decode(&ImageFormat::Webp.encode(&img, 60).unwrap())
            .unwrap();
        let strips = whole_frame_score(&img, &decoded, true).unwrap();
        let at_once = whole_frame_score(&img, &decoded, false).unwrap();
        assert_ne!(strips, at_once, "the two readings differ on this image");
        assert_eq!(
            whole_frame_score_near(&img, &decoded, strips + 0.01).unwrap(),
            at_once
        );
        assert_eq!(
            whole_frame_score_near(&img, &decoded, strips + 1.0).unwrap(),
            strips
        );
    }

    #[test]
    fn search_reaches_the_target_on_the_whole_frame_without_overshooting() {
        // A lean moves only the first guess: far too high or far too low, the promise is the same.
        for (img, format, lean) in [
            (busy(300, 200), ImageFormat::Webp, 0.0),
            (busy(1000, 800), ImageFormat::Webp, 0.0),
            (busy(1000, 800), ImageFormat::Webp, 20.0),
            (busy(900, 600), ImageFormat::Jpeg, 0.0),
            (busy(900, 600), ImageFormat::Jpeg, -20.0),
            (busy(400, 300), ImageFormat::Avif, 0.0),
        ] {
            let e = smallest_reaching(&img, format, 70.0, 5, 100, lean).unwrap();
            let whole = whole_at(&img, format, e.quality);
            assert!(
                whole >= 70.0 + WHOLE_MARGIN,
                "{format:?}: chosen quality {} scores {whole:.2} on the whole frame",
                e.quality
            );
            let reported = e.score.unwrap();
            assert!(
                (reported - whole).abs() < STRIPS_AGREE,
                "the score reported ({reported:.3}) is the whole frame's ({whole:.3}), but for the strips' rounding"
            );
            // Three steps lower misses what the search aims at, on the crops or on the whole frame.
            let lower = e.quality - 3;
            let decoded = format.decode(&format.encode(&img, lower).unwrap()).unwrap();
            let crops_lower = score(&crops(&img), &crops(&decoded)).unwrap();
            assert!(
                crops_lower < 70.0 + CROP_MARGIN
                    || whole_at(&img, format, lower) < 70.0 + WHOLE_MARGIN,
                "{format:?}: quality {lower} would also do"
            );
            assert_eq!(e.bytes, format.encode(&img, e.quality).unwrap());
            assert_eq!(
                format.decode(&e.bytes).unwrap().dimensions(),
                img.dimensions(),
                "the whole image is encoded"
            );
        }
        assert!(score(&busy(64, 64), &busy(64, 64)).unwrap() > 99.0);
    }

    /// Soft noise over a slow wave, resized down as a display photo is: its WebP score climbs slowly
    /// for a long stretch of qualities, then fast (the budget test's photos).
    fn plateau(w: u32, h: u32) -> RgbImage {
        let mut state: u32 = 1;
        let (sw, sh) = (w * 5 / 4, h * 5 / 4);
        let img = RgbImage::from_fn(sw, sh, |x, y| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state % 12) as f32 - 6.0;
            let (fx, fy) = (x as f32 / sw as f32, y as f32 / sh as f32);
            let wave = ((fx * 9.0).sin() * (fy * 7.0).cos()) * 60.0;
            let base = [90.0 + 120.0 * fy, 110.0 + wave, 160.0 - 80.0 * fx];
            let c = |v: f32| (v + noise).clamp(0.0, 255.0) as u8;
            image::Rgb([c(base[0]), c(base[1]), c(base[2])])
        });
        resize(&img, w, h).unwrap()
    }

    #[test]
    fn a_search_that_starts_low_on_a_plateau_ends_near_the_smallest_passing_quality() {
        // Started well below where photos usually land (as a thumbnail's lean can move it), the probes
        // meet a stretch where the score hardly moves: the next step must not leap to the top quality,
        // nor the bracket's secant keep landing just short until the probes run out.
        let img = plateau(640, 480);
        let format = ImageFormat::Webp;
        let aim = 70.0 + CROP_MARGIN;
        for lean in [-14.0, -20.0] {
            let e = smallest_reaching(&img, format, 70.0, 5, 100, lean).unwrap();
            let score = e.score.unwrap();
            assert!(
                score >= aim,
                "lean {lean}, quality {}: {score:.1}",
                e.quality
            );
            let lower = e.quality - 3;
            let below = whole_at(&img, format, lower);
            assert!(
                below < aim,
                "lean {lean}: quality {} scores {score:.1}, but {lower} already scores {below:.1}",
                e.quality
            );
        }
    }

    #[test]
    fn a_jpeg_of_the_crops_alone_scores_as_the_crops_of_the_whole_jpeg() {
        // Why JPEG probes may encode the crops alone: each block is coded on its own with the same
        // tables, so the crops come out nearly as they do from the whole photo (on this busy image,
        // 1 to 2.3 points higher, where the blocks fall differently); the whole-frame check settles
        // the rest.
        let img = busy(1600, 1000);
        let mosaic = crops(&img);
        let jpeg = ImageFormat::Jpeg;
        for q in [50, 70, 85] {
            let alone = jpeg.decode(&jpeg.encode(&mosaic, q).unwrap()).unwrap();
            let whole = jpeg.decode(&jpeg.encode(&img, q).unwrap()).unwrap();
            let (alone, whole) = (
                score(&mosaic, &alone).unwrap(),
                score(&mosaic, &crops(&whole)).unwrap(),
            );
            assert!(
                (alone - whole).abs() < 2.5,
                "quality {q}: crops alone {alone:.2}, crops of the whole {whole:.2}"
            );
        }
    }

    #[test]
    fn a_photo_whose_detail_lies_outside_the_crops_still_reaches_the_target() {
        // Flat gradient where the nine crops are cut, fine texture everywhere else: the crops promise
        // far more than the whole frame holds at the quality they pick.
        let (w, h) = (1600, 1000);
        let flat = gradient(w, h);
        let textured = busy(w, h);
        let in_crop = |x: u32, y: u32| {
            let cell = |v: u32, len: u32, tile: u32| {
                (0..GRID).any(|i| {
                    let c = len * (2 * i + 1) / (2 * GRID);
                    v + tile / 2 >= c && v < c + tile / 2
                })
            };
            cell(x, w, CROP) && cell(y, h, CROP)
        };
        let img = RgbImage::from_fn(w, h, |x, y| {
            if in_crop(x, y) {
                *flat.get_pixel(x, y)
            } else {
                *textured.get_pixel(x, y)
            }
        });
        let format = ImageFormat::Webp;
        let e = smallest_reaching(&img, format, 70.0, 5, 100, 0.0).unwrap();
        let whole = whole_at(&img, format, e.quality);
        assert!(
            whole >= 70.0 + WHOLE_MARGIN,
            "quality {} scores {whole:.2} on the whole frame",
            e.quality
        );
        // Without the whole-frame check the crops alone would have taken a lower quality that misses.
        let decoded = format.decode(&e.bytes).unwrap();
        let on_crops = score(&crops(&img), &crops(&decoded)).unwrap();
        assert!(
            on_crops > 70.0 + CROP_MARGIN + CLOSE_ENOUGH_CROPPED,
            "the crops score {on_crops:.2}: this photo does not test the whole-frame check"
        );
    }

    #[test]
    fn crops_of_a_large_image_are_a_grid_of_nine() {
        let big = busy(1600, 1000);
        let c = crops(&big);
        assert_eq!(c.dimensions(), (GRID * CROP, GRID * CROP));
        // The centre tile is cut from the centre of the photo.
        assert_eq!(
            c.get_pixel(CROP + CROP / 2, CROP + CROP / 2),
            big.get_pixel(800, 500)
        );
        assert_eq!(*crops(&busy(480, 320)), busy(480, 320));
        assert_eq!(crops(&busy(2000, 300)).dimensions(), (GRID * CROP, 300));
    }
}
