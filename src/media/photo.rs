//! Photos: decode, apply the EXIF orientation, flatten to RGB, resize, encode each size for each format
//! (HTML: WebP or JPEG; Gemini: JPEG) at a perceptual target or a fixed quality. No metadata survives.

use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};
use serde::{Deserialize, Serialize};

use super::cache::Cache;
use super::encode::{resize, smallest_reaching, Codec, Encoding, ImageFormat};
use super::memory;
use crate::config::{PhotoConfig, QualityMode};
use crate::content::Photo;
use crate::error::Error;
use crate::output::{join_path, Format, Kind, Placement, Written};

use std::path::PathBuf;

use super::file_size;

/// One encoded size of a photo, as published.
#[derive(Debug, Clone)]
pub(crate) struct Rendition {
    /// Path inside the format's folder.
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// Shown to readers: "JPEG", "WebP".
    pub label: &'static str,
    /// The file to publish: in the cache, or the author's own for an original.
    pub source: PathBuf,
}

#[derive(Debug, Clone)]
pub(crate) struct PhotoOutput {
    /// Smallest first: half the thumbnail, the thumbnail, half the display size and the display size,
    /// less those that coincide (a photo is never enlarged).
    pub html: Vec<Rendition>,
    /// Which of `html` is the thumbnail.
    pub thumbnail: usize,
    pub gemini: Rendition,
    /// The original file, published as it is, when the album opts in (`publish_originals = true`).
    /// Its path is the same in both formats.
    pub original: Option<Rendition>,
}

impl PhotoOutput {
    pub(crate) fn thumbnail(&self) -> &Rendition {
        &self.html[self.thumbnail]
    }

    pub(crate) fn display(&self) -> &Rendition {
        self.html.last().unwrap_or(&self.gemini)
    }

    /// Where each of its files goes: the HTML sizes, the Gemini size, and the original in both formats.
    pub(crate) fn placements(&self) -> Vec<Placement> {
        let place = |format: Format, r: &Rendition| r.placed(format, Kind::Images);
        let mut out: Vec<Placement> = self.html.iter().map(|r| place(Format::Html, r)).collect();
        out.push(place(Format::Gemini, &self.gemini));
        if let Some(o) = &self.original {
            out.extend(Format::ALL.iter().map(|&f| place(f, o)));
        }
        out
    }
}

impl Rendition {
    fn placed(&self, format: Format, kind: Kind) -> Placement {
        Placement {
            file: Written {
                format,
                path: self.path.clone(),
                kind,
                bytes: self.bytes,
                seconds: 0,
            },
            source: self.source.clone(),
        }
    }
}

/// What the cache keeps of one encoded file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Encoded {
    file: String,
    width: u32,
    height: u32,
    format: ImageFormat,
    quality: u8,
    score: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PhotoMeta {
    html: Vec<Encoded>,
    gemini: Encoded,
}

fn fail(photo: &Photo, msg: impl std::fmt::Display) -> Error {
    Error::file(&photo.source, msg)
}

/// Makes one photo's files for `dir` of both formats, from the cache when its key matches.
/// Returns whether any encoding work was done, and what the writer should hear of (see `misses`).
pub(super) fn process(
    photo: &Photo,
    cfg: &PhotoConfig,
    dir: &str,
    originals: bool,
    cache: &Cache,
) -> Result<(PhotoOutput, bool, Vec<String>), Error> {
    // The key holds the AVIF speed in use (only for AVIF), so a change of the default re-encodes.
    let keyed = PhotoConfig {
        avif_speed: (cfg.format == ImageFormat::Avif).then(|| cfg.avif_speed()),
        ..cfg.clone()
    };
    let (entry, meta, ran) = cache.entry::<PhotoMeta>(&photo.source, "photo", &keyed, |tmp| {
        encode_all(photo, cfg, tmp)
    })?;
    let publish = |e: &Encoded| -> Result<Rendition, Error> {
        let path = join_path(
            dir,
            &format!("{}-{}.{}", photo.name, e.width, e.format.ext()),
        );
        let source = entry.join(&e.file);
        Ok(Rendition {
            path,
            width: e.width,
            height: e.height,
            bytes: file_size(&source)?,
            label: e.format.label(),
            source,
        })
    };
    let html = meta
        .html
        .iter()
        .map(publish)
        .collect::<Result<Vec<_>, _>>()?;
    let gemini = publish(&meta.gemini)?;
    let original = if originals {
        let ext = photo
            .source
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let path = join_path(dir, &format!("{}-original.{ext}", photo.name));
        let bytes = file_size(&photo.source)?;
        let (width, height) = image::image_dimensions(&photo.source).unwrap_or((0, 0));
        Some(Rendition {
            path,
            width,
            height,
            bytes,
            label: match ext.as_str() {
                "png" => "PNG",
                "webp" => "WebP",
                _ => "JPEG",
            },
            source: photo.source.clone(),
        })
    } else {
        None
    };
    let thumbnail = meta
        .html
        .iter()
        .position(|e| e.file.starts_with(THUMBNAIL))
        .unwrap_or(0);
    Ok((
        PhotoOutput {
            html,
            thumbnail,
            gemini,
            original,
        },
        ran,
        misses(&meta, cfg),
    ))
}

/// The sizes of a photo whose perceptual search missed its target even at the highest quality, in
/// one sentence that says what was published and what would do better: never a silent miss. Made
/// from the scores the cache keeps, so a rebuild says it again.
fn misses(meta: &PhotoMeta, cfg: &PhotoConfig) -> Vec<String> {
    let gemini_target = cfg.gemini_target.unwrap_or(cfg.target);
    let target_of = |e: &Encoded| -> f64 {
        let stem = e.file.split('.').next().unwrap_or_default();
        html_sizes(cfg)
            .iter()
            .find(|(name, _, _)| *name == stem)
            .map_or(gemini_target as f64, |(_, _, t)| *t)
    };
    let missed: Vec<(&Encoded, f64, f64)> = meta
        .html
        .iter()
        .chain(std::iter::once(&meta.gemini))
        .filter_map(|e| Some((e, e.score?, target_of(e))))
        .filter(|(_, score, target)| score < target)
        .collect();
    if missed.is_empty() {
        return Vec::new();
    }
    let sizes = missed
        .iter()
        .map(|(e, score, target)| {
            format!(
                "its {}×{} {} scores {score:.1} where the target is {target} (at quality {})",
                e.width,
                e.height,
                e.format.label(),
                e.quality
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let webp_missed = missed.iter().any(|(e, _, _)| e.format == ImageFormat::Webp);
    let avif = if webp_missed {
        " For the HTML site, format = \"avif\" under [photos] in capsule.toml keeps colour at full \
         resolution, where WebP halves it."
    } else {
        ""
    };
    vec![format!(
        "this photo's detail (often fine, saturated colour) is more than the format keeps at any \
         quality: {sizes}; each is published at the highest quality the search tried.{avif} Lower \
         targets under [photos] (target, thumbnail_target, gemini_target) accept such scores without \
         this warning."
    )]
}

/// A quick look at a photo for the editor, before any build has made its sizes: upright, in sRGB, at
/// most `long` pixels on its long side, as a JPEG that holds pixels and nothing else (no EXIF, no GPS).
pub(crate) fn preview(source: &std::path::Path, long: u32) -> Result<Vec<u8>, Error> {
    let photo = Photo {
        source: source.to_path_buf(),
        name: String::new(),
        taken: None,
    };
    let (image, icc, _lease) = decode(&photo, long)?;
    let rgb = to_srgb(flatten(image), icc.as_deref());
    let (w, h) = rgb.dimensions();
    let (tw, th) = fit(w, h, long);
    let small = if (tw, th) == (w, h) {
        rgb
    } else {
        resize(&rgb, tw, th).map_err(|e| fail(&photo, e))?
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .map_err(|e| fail(&photo, format!("could not make a preview: {e}")))?;
    Ok(out)
}

const THUMBNAIL: &str = "thumbnail";

/// The HTML sizes of a photo, smallest first, as (file name, long side, quality target): half the
/// thumbnail and the thumbnail (a grid cell at 1× and 2×, and the album lists), half the display size
/// and the display size (the page column at 1× and 2×, and the photo's own page).
fn html_sizes(cfg: &PhotoConfig) -> [(&'static str, u32, f64); 4] {
    let (thumb, display) = (cfg.thumbnail_target as f64, cfg.target as f64);
    [
        ("small", cfg.thumbnail.div_ceil(2), thumb),
        (THUMBNAIL, cfg.thumbnail, thumb),
        ("medium", cfg.display.div_ceil(2), display),
        ("display", cfg.display, display),
    ]
}

/// How much of a photo's lean (how far above or below the usual quality its search landed) carries
/// from its thumbnail to its display size, and from its display size to its Gemini JPEG: the slopes
/// of a straight line through the qualities of the public corpus's 32 photos (bench/media.sh).
const LEAN_TO_DISPLAY: f64 = 0.5;
const LEAN_TO_GEMINI: f64 = 0.6;

fn encode_all(photo: &Photo, cfg: &PhotoConfig, tmp: &std::path::Path) -> Result<PhotoMeta, Error> {
    let (image, icc, lease) = super::timing::timed(super::timing::Work::Decode, || {
        decode(photo, cfg.display.max(cfg.gemini))
    })?;
    let rgb = to_srgb(flatten(image), icc.as_deref());
    let (w, h) = rgb.dimensions();
    let sized = |target: u32| -> Result<RgbImage, Error> {
        let (tw, th) = fit(w, h, target);
        resize(&rgb, tw, th).map_err(|e| fail(photo, format!("could not resize the photo: {e}")))
    };
    let display = sized(cfg.display)?;
    // Each size the layout shows at 1× and 2×: a grid cell and the column, from the display size (the
    // same result as from the original, for far less work).
    let mut wanted: Vec<(&str, (u32, u32), f64)> = Vec::new();
    for (name, long, target) in html_sizes(cfg) {
        let dims = fit(w, h, long);
        if !wanted.iter().any(|(_, d, _)| *d == dims) {
            wanted.push((name, dims, target));
        }
    }
    let mut display = Some(display);
    let mut sizes = Vec::new();
    for (name, (tw, th), target) in wanted {
        let img = match display.take_if(|d| d.dimensions() == (tw, th)) {
            Some(d) => d,
            None => {
                let from = display
                    .as_ref()
                    .ok_or_else(|| fail(photo, "no display size"))?;
                resize(from, tw, th).map_err(|e| fail(photo, e))?
            }
        };
        sizes.push((name, img, target));
    }
    drop(display);
    let gemini_img = sized(cfg.gemini)?;
    drop(rgb);
    drop(lease);

    let codec = |format| Codec {
        format,
        avif_speed: cfg.avif_speed(),
    };
    let encode = |img: &RgbImage,
                  format: ImageFormat,
                  target: f64,
                  name: &str,
                  lean: f64|
     -> Result<(Encoded, f64), Error> {
        let e: Encoding = match cfg.mode {
            QualityMode::Perceptual => smallest_reaching(img, codec(format), target, 5, 100, lean),
            QualityMode::Fixed => super::timing::timed(super::timing::Work::Encode, || {
                codec(format).encode(img, cfg.quality)
            })
            .map(|bytes| Encoding {
                bytes,
                quality: cfg.quality,
                score: None,
                lean: 0.0,
            }),
        }
        .map_err(|e| fail(photo, format!("could not encode the photo: {e}")))?;
        let file = format!("{name}.{}", format.ext());
        std::fs::write(tmp.join(&file), &e.bytes).map_err(Error::io("write", tmp))?;
        Ok((
            Encoded {
                file,
                width: img.width(),
                height: img.height(),
                format,
                quality: e.quality,
                score: e.score,
            },
            e.lean,
        ))
    };
    let html_format = cfg.format;
    let mut html = Vec::new();
    // Smallest first: where one size's search landed (above or below the usual quality) tells the next
    // where to start, and the display size's the Gemini one's (fewer probes of the larger sizes).
    let mut l = 0.0;
    for (name, img, target) in &sizes {
        let (e, landed) = encode(img, html_format, *target, name, l * LEAN_TO_DISPLAY)?;
        html.push(e);
        l = landed;
    }
    let gemini_target = cfg.gemini_target.unwrap_or(cfg.target) as f64;
    let (gemini, _) = encode(
        &gemini_img,
        ImageFormat::Jpeg,
        gemini_target,
        "gemini",
        l * LEAN_TO_GEMINI,
    )?;
    Ok(PhotoMeta { html, gemini })
}

/// Decodes a photo, upright, with its ICC profile. `largest` is the largest size that will be made from it:
/// a JPEG much larger than that is decoded at 1/2 or 1/4 scale by libjpeg's DCT scaling, for speed and memory.
/// The lease holds the memory that decoding and resizing the photo take, until the caller drops it.
fn decode(
    photo: &Photo,
    largest: u32,
) -> Result<(DynamicImage, Option<Vec<u8>>, memory::Lease), Error> {
    let reader = ImageReader::open(&photo.source)
        .map_err(|e| fail(photo, format!("cannot open the photo: {e}")))?
        .with_guessed_format()
        .map_err(|e| fail(photo, format!("cannot read the photo: {e}")))?;
    if reader.format().is_none() {
        return Err(fail(photo, "this is not a JPEG, PNG or WebP image (the file's content is not a photo capsule can read); export it again as JPEG"));
    }
    let format = reader.format();
    let mut decoder = reader.into_decoder().map_err(|e| damaged(photo, &e))?;
    // Refuse by the declared size before any pixel is allocated: a header can claim anything.
    let (w, h) = decoder.dimensions();
    if w as u64 * h as u64 > MAX_PIXELS {
        return Err(fail(
            photo,
            format!(
                "the photo says it is {w}×{h} pixels ({} megapixels), more than the {} megapixels capsule reads; export a smaller version (or the file is damaged)",
                w as u64 * h as u64 / 1_000_000,
                MAX_PIXELS / 1_000_000
            ),
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    decoder.set_limits(limits).map_err(|e| damaged(photo, &e))?;
    let icc = decoder.icc_profile().ok().flatten();
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let scale = match format {
        Some(image::ImageFormat::Jpeg) => dct_scale(w.max(h), largest),
        _ => None,
    };
    let lease = memory::lease(decoding_bytes(w, h, scale, &photo.source));
    if format == Some(image::ImageFormat::Jpeg) {
        if let Some(problem) = jpeg_damage(&photo.source) {
            return Err(fail(
                photo,
                format!("the photo is damaged or cut short ({problem}), so it would show grey; copy it again from its source, or export it again as JPEG"),
            ));
        }
    }
    let scaled = scale.and_then(|num| decode_jpeg_scaled(&photo.source, num));
    let mut image = match scaled {
        Some(img) => DynamicImage::ImageRgb8(img),
        None => DynamicImage::from_decoder(decoder).map_err(|e| damaged(photo, &e))?,
    };
    image.apply_orientation(orientation);
    Ok((image, icc, lease))
}

/// What decoding a `w` × `h` photo and making its sizes take at their peak: the file's bytes; for a
/// JPEG, libjpeg's coefficients of the whole image (a progressive JPEG keeps them all: 4 bytes a pixel
/// at 4:4:4) and the pixels at the DCT scale, three times over (decoded, upright, in sRGB); otherwise
/// the decoder's buffers and the pixels, about 12 bytes a source pixel (measured with heaptrack).
fn decoding_bytes(w: u32, h: u32, scale: Option<u8>, path: &std::path::Path) -> u64 {
    let pixels = w as u64 * h as u64;
    let file = std::fs::metadata(path).map_or(0, |m| m.len());
    file + match scale {
        Some(num) => pixels * 4 + pixels * (num as u64 * num as u64) / 64 * 9,
        None => pixels * 12,
    }
}

/// The DCT scale (in eighths) for a JPEG whose long side is `long`: the smallest that still leaves at least
/// 1.5 × `largest` pixels for the high-quality resize that follows, or `None` when full size is needed.
fn dct_scale(long: u32, largest: u32) -> Option<u8> {
    [2u8, 4]
        .into_iter()
        .find(|&n| long as u64 * n as u64 / 8 >= largest as u64 * 3 / 2)
}

/// libjpeg (mozjpeg) decodes at reduced scale in the DCT domain (`num` eighths): a quarter or a sixteenth
/// of the pixels. Any failure (CMYK, a damaged stream) returns `None`, and the ordinary decoder then gives
/// its own error.
fn decode_jpeg_scaled(path: &std::path::Path, num: u8) -> Option<RgbImage> {
    let data = std::fs::read(path).ok()?;
    std::panic::catch_unwind(|| -> Option<RgbImage> {
        let mut d = mozjpeg::Decompress::new_mem(&data).ok()?;
        d.scale(num);
        let mut started = d.rgb().ok()?;
        let (w, h) = (started.width() as u32, started.height() as u32);
        let pixels = started.read_scanlines::<u8>().ok()?;
        started.finish().ok()?;
        RgbImage::from_raw(w, h, pixels)
    })
    .ok()
    .flatten()
}

thread_local! {
    /// The damage libjpeg reported while [`jpeg_damage`] read a JPEG on this thread.
    static JPEG_DAMAGE: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// What libjpeg finds wrong with a JPEG's image data, if anything: it reads the whole stream (at 1/8
/// scale, so only the entropy decoding costs) and warns of data that ends early or is corrupt, which
/// other decoders silently paint grey; a file it cannot read to its end is damaged too.
fn jpeg_damage(path: &std::path::Path) -> Option<&'static str> {
    use mozjpeg_sys::{jpeg_common_struct, jpeg_error_mgr, jpeg_std_error};
    extern "C-unwind" fn on_message(cinfo: &mut jpeg_common_struct, level: std::os::raw::c_int) {
        // SAFETY: libjpeg calls this with its own, valid error manager.
        let code = unsafe { cinfo.err.as_ref() }.map_or(0, |e| e.msg_code);
        let damage = match code {
            mozjpeg_sys::JWRN_JPEG_EOF => Some("its data ends early"),
            mozjpeg_sys::JWRN_HIT_MARKER
            | mozjpeg_sys::JWRN_HUFF_BAD_CODE
            | mozjpeg_sys::JWRN_MUST_RESYNC => Some("its image data is corrupt"),
            _ => None,
        };
        if level < 0 && damage.is_some() {
            JPEG_DAMAGE.with(|d| d.set(d.get().or(damage)));
        }
    }
    extern "C-unwind" fn on_error(_cinfo: &mut jpeg_common_struct) {
        JPEG_DAMAGE.with(|d| d.set(d.get().or(Some("it cannot be read to its end"))));
        std::panic::resume_unwind(Box::new(()));
    }
    let data = std::fs::read(path).ok()?;
    JPEG_DAMAGE.with(|d| d.set(None));
    // SAFETY: a zeroed error manager filled by libjpeg's own initialiser, as libjpeg expects.
    let mut err: jpeg_error_mgr = unsafe { std::mem::zeroed() };
    unsafe { jpeg_std_error(&mut err) };
    err.emit_message = Some(on_message);
    err.error_exit = Some(on_error);
    let _ = std::panic::catch_unwind(move || -> Option<()> {
        let mut d = mozjpeg::Decompress::with_err(err).from_mem(&data).ok()?;
        d.scale(1);
        let mut started = match d.image().ok()? {
            mozjpeg::decompress::Format::RGB(s)
            | mozjpeg::decompress::Format::Gray(s)
            | mozjpeg::decompress::Format::CMYK(s) => s,
        };
        let _ = started.read_scanlines::<u8>();
        let _ = started.finish();
        Some(())
    });
    JPEG_DAMAGE.with(|d| d.take())
}

/// Pixels described by an embedded RGB profile (Display P3 from phones, Adobe RGB from cameras) are
/// converted to sRGB, which browsers and Gemini clients assume once the profile is stripped; otherwise
/// they would look washed out. Grey and CMYK profiles, and profiles that cannot be read, are left as
/// they are (CMYK photos are converted naively by the decoder).
fn to_srgb(img: RgbImage, icc: Option<&[u8]>) -> RgbImage {
    use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
    let Some(profile) = icc.and_then(|b| ColorProfile::new_from_slice(b).ok()) else {
        return img;
    };
    if profile.color_space != DataColorSpace::Rgb {
        return img;
    }
    let srgb = ColorProfile::new_srgb();
    let Ok(transform) =
        profile.create_transform_8bit(Layout::Rgb, &srgb, Layout::Rgb, TransformOptions::default())
    else {
        return img;
    };
    let (w, h) = img.dimensions();
    let mut out = vec![0u8; img.as_raw().len()];
    if transform.transform(img.as_raw(), &mut out).is_err() {
        return img;
    }
    RgbImage::from_raw(w, h, out).unwrap_or(img)
}

/// The largest photo decoded: beyond a 100 MP medium-format camera, with room to spare.
const MAX_PIXELS: u64 = 120_000_000;

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
pub(super) fn fit(w: u32, h: u32, target: u32) -> (u32, u32) {
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
    #[test]
    fn dct_scaling_keeps_at_least_one_and_a_half_times_the_largest_size() {
        use super::dct_scale;
        // A 24-megapixel photo (6000 px) for 1600 px: half scale leaves 3000 px ≥ 2400.
        assert_eq!(dct_scale(6000, 1600), Some(4));
        // 12 000 px for 1200: a quarter leaves 3000 px ≥ 1800.
        assert_eq!(dct_scale(12000, 1200), Some(2));
        // 3000 px for 1600: half would leave 1500, too few.
        assert_eq!(dct_scale(3000, 1600), None);
    }

    use super::{fit, to_srgb};

    #[test]
    fn display_p3_pixels_become_srgb() {
        let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
        let img = image::RgbImage::from_pixel(16, 16, image::Rgb([200, 60, 40]));
        let out = to_srgb(img.clone(), Some(&p3));
        let [r, g, b] = out.get_pixel(8, 8).0;
        // A P3 orange is more saturated than the same numbers in sRGB: red up, green and blue down.
        assert!(r > 205 && g < 55 && b < 38, "{:?}", (r, g, b));
        // No profile, or an sRGB one, leaves the pixels (nearly) as they are.
        assert_eq!(to_srgb(img.clone(), None), img);
        let srgb = moxcms::ColorProfile::new_srgb().encode().unwrap();
        let same = to_srgb(img.clone(), Some(&srgb));
        assert!(same
            .get_pixel(0, 0)
            .0
            .iter()
            .zip([200u8, 60, 40])
            .all(|(a, b)| a.abs_diff(b) <= 1));
    }

    #[test]
    fn fit_keeps_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit(800, 600, 1600), (800, 600));
    }
}
