//! AVIF decoding, so that the perceptual search can score what it encodes: avif-parse reads the
//! container, rav1d (dav1d ported to Rust, built without its assembly) decodes the AV1 picture, and
//! the YCbCr planes become RGB by the matrix the file declares.

use std::mem::MaybeUninit;
use std::ptr::NonNull;

use image::RgbImage;
use rav1d::include::dav1d::data::Dav1dData;
use rav1d::include::dav1d::dav1d::{Dav1dContext, Dav1dSettings};
use rav1d::include::dav1d::headers::{
    DAV1D_MC_BT470BG, DAV1D_MC_BT601, DAV1D_MC_BT709, DAV1D_MC_IDENTITY, DAV1D_PIXEL_LAYOUT_I400,
    DAV1D_PIXEL_LAYOUT_I420, DAV1D_PIXEL_LAYOUT_I422, DAV1D_PIXEL_LAYOUT_I444,
};
use rav1d::include::dav1d::picture::Dav1dPicture;
use rav1d::src::lib as dav1d;

/// The decoded picture of an AVIF file as 8-bit sRGB (its alpha, if any, is not read: capsule's AVIFs
/// have none).
pub(super) fn decode(bytes: &[u8]) -> Result<RgbImage, String> {
    let container = avif_parse::read_avif(&mut &bytes[..])
        .map_err(|e| format!("not a readable AVIF file ({e})"))?;
    let decoder = Decoder::open()?;
    let picture = decoder.picture(&container.primary_item)?;
    picture.to_rgb()
}

/// One rav1d context, closed when dropped.
struct Decoder(Option<Dav1dContext>);

impl Decoder {
    fn open() -> Result<Self, String> {
        let mut settings = MaybeUninit::<Dav1dSettings>::uninit();
        // SAFETY: the pointer is valid to write a whole `Dav1dSettings` to, which this call does.
        let mut settings = unsafe {
            dav1d::dav1d_default_settings(NonNull::new_unchecked(settings.as_mut_ptr()));
            settings.assume_init()
        };
        // One still picture: one thread and no frame delay, so it comes out at the first ask; the
        // build already runs one photo per core.
        settings.n_threads = 1;
        settings.max_frame_delay = 1;
        let mut context = None;
        // SAFETY: both pointers are to live locals of the right types.
        let result = unsafe {
            dav1d::dav1d_open(
                Some(NonNull::from(&mut context)),
                Some(NonNull::from(&mut settings)),
            )
        };
        match (result.0, context) {
            (0, Some(c)) => Ok(Decoder(Some(c))),
            (code, _) => Err(format!("the AV1 decoder did not start (error {code})")),
        }
    }

    /// Sends the whole AV1 payload and takes the picture it makes.
    fn picture(&self, payload: &[u8]) -> Result<Picture, String> {
        let mut data = Dav1dData::default();
        // SAFETY: `data` is a live `Dav1dData`; the call points it at a buffer of `payload.len()` bytes.
        let buffer =
            unsafe { dav1d::dav1d_data_create(Some(NonNull::from(&mut data)), payload.len()) };
        if buffer.is_null() {
            return Err("the AV1 decoder could not take the picture's data".into());
        }
        // SAFETY: `buffer` holds `payload.len()` writable bytes that nothing else uses yet.
        unsafe { std::ptr::copy_nonoverlapping(payload.as_ptr(), buffer, payload.len()) };
        let again = -(libc::EAGAIN);
        let mut picture = Picture(Dav1dPicture::default());
        let mut result = None;
        // Each round sends what the decoder has not taken yet, then asks for the picture; a still
        // image needs one or two rounds.
        for _ in 0..16 {
            if data.sz > 0 {
                // SAFETY: the context is open and `data` is the buffer made above.
                let sent =
                    unsafe { dav1d::dav1d_send_data(self.0, Some(NonNull::from(&mut data))) };
                if sent.0 != 0 && sent.0 != again {
                    result = Some(sent.0);
                    break;
                }
            }
            // SAFETY: the context is open and `picture.0` is a live, empty `Dav1dPicture`.
            let got =
                unsafe { dav1d::dav1d_get_picture(self.0, Some(NonNull::from(&mut picture.0))) };
            if got.0 != again || data.sz == 0 {
                result = Some(got.0);
                break;
            }
        }
        // SAFETY: `data` came from `dav1d_data_create`; unref is a no-op once the decoder took it all.
        unsafe { dav1d::dav1d_data_unref(Some(NonNull::from(&mut data))) };
        match result {
            Some(0) => Ok(picture),
            Some(code) if code == again => Err("the AVIF file holds no complete picture".into()),
            Some(code) => Err(format!("the AV1 picture is damaged (decoder error {code})")),
            None => Err("the AV1 decoder gave no picture".into()),
        }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: the context came from `dav1d_open` and is closed only here.
        unsafe { dav1d::dav1d_close(Some(NonNull::from(&mut self.0))) };
    }
}

/// A decoded picture, released when dropped.
struct Picture(Dav1dPicture);

impl Drop for Picture {
    fn drop(&mut self) {
        // SAFETY: the picture is empty or came from `dav1d_get_picture`; unref handles both.
        unsafe { dav1d::dav1d_picture_unref(Some(NonNull::from(&mut self.0))) };
    }
}

/// Luma and chroma weights (Kr, Kb) of the matrices capsule's encoder writes, or `None` for RGB
/// stored as GBR.
fn weights(matrix: u32) -> Result<Option<(f32, f32)>, String> {
    match matrix {
        DAV1D_MC_IDENTITY => Ok(None),
        DAV1D_MC_BT601 | DAV1D_MC_BT470BG => Ok(Some((0.299, 0.114))),
        DAV1D_MC_BT709 => Ok(Some((0.2126, 0.0722))),
        other => Err(format!(
            "AVIF colour matrix {other} is not one capsule reads"
        )),
    }
}

impl Picture {
    fn to_rgb(&self) -> Result<RgbImage, String> {
        let p = &self.0;
        let (w, h) = (p.p.w as usize, p.p.h as usize);
        let header = p.seq_hdr.ok_or("the AV1 picture has no sequence header")?;
        // SAFETY: a picture from `dav1d_get_picture` points at its live sequence header.
        let header = unsafe { header.as_ref() };
        let weights = weights(header.mtrx)?;
        let full_range = header.color_range != 0;
        let (sub_x, sub_y) = match p.p.layout {
            DAV1D_PIXEL_LAYOUT_I444 => (0, 0),
            DAV1D_PIXEL_LAYOUT_I422 => (1, 0),
            DAV1D_PIXEL_LAYOUT_I420 => (1, 1),
            DAV1D_PIXEL_LAYOUT_I400 => (0, 0),
            other => return Err(format!("AV1 pixel layout {other} is not one capsule reads")),
        };
        let mono = p.p.layout == DAV1D_PIXEL_LAYOUT_I400;
        let bpc = p.p.bpc as u32;
        let wide = bpc > 8;
        let max = ((1u32 << bpc) - 1) as f32;
        let (cw, ch) = ((w + sub_x) >> sub_x, (h + sub_y) >> sub_y);
        let plane = |i: usize, pw: usize, ph: usize| -> Result<Vec<f32>, String> {
            let base = p.data[i].ok_or("the AV1 picture lacks a plane")?.as_ptr() as *const u8;
            let stride = p.stride[i.min(1)];
            let mut out = Vec::with_capacity(pw * ph);
            for y in 0..ph {
                // SAFETY: rav1d's planes hold `ph` rows of `stride` bytes, each with `pw` samples of
                // one (8-bit) or two (10- and 12-bit) bytes.
                unsafe {
                    let row = base.offset(y as isize * stride);
                    if wide {
                        let row = std::slice::from_raw_parts(row as *const u16, pw);
                        out.extend(row.iter().map(|&v| v as f32));
                    } else {
                        let row = std::slice::from_raw_parts(row, pw);
                        out.extend(row.iter().map(|&v| v as f32));
                    }
                }
            }
            Ok(out)
        };
        let luma = plane(0, w, h)?;
        let (cb, cr) = if mono {
            (Vec::new(), Vec::new())
        } else {
            (plane(1, cw, ch)?, plane(2, cw, ch)?)
        };
        // Samples to the 0..1 range, undoing studio range where the file uses it.
        let half = (1u32 << (bpc - 1)) as f32;
        let (y_off, y_scale, c_scale) = if full_range {
            (0.0, 1.0 / max, 1.0 / max)
        } else {
            let k = (1u32 << (bpc - 8)) as f32;
            (16.0 * k, 1.0 / (219.0 * k), 1.0 / (224.0 * k))
        };
        let to_byte = |v: f32| (v * 255.0).round().clamp(0.0, 255.0) as u8;
        let mut out = RgbImage::new(w as u32, h as u32);
        for (y, row) in out.rows_mut().enumerate() {
            for (x, px) in row.enumerate() {
                let l = (luma[y * w + x] - y_off) * y_scale;
                if mono {
                    *px = image::Rgb([to_byte(l); 3]);
                    continue;
                }
                let c = (y >> sub_y) * cw + (x >> sub_x);
                *px = match weights {
                    // GBR: luma holds green, Cb blue, Cr red, all at full range.
                    None => image::Rgb([
                        to_byte(cr[c] / max),
                        to_byte(luma[y * w + x] / max),
                        to_byte(cb[c] / max),
                    ]),
                    Some((kr, kb)) => {
                        let u = (cb[c] - half) * c_scale;
                        let v = (cr[c] - half) * c_scale;
                        let kg = 1.0 - kr - kb;
                        let r = l + 2.0 * (1.0 - kr) * v;
                        let b = l + 2.0 * (1.0 - kb) * u;
                        let g = (l - kr * r - kb * b) / kg;
                        image::Rgb([to_byte(r), to_byte(g), to_byte(b)])
                    }
                };
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                ((x + y) * 127 / (w + h)) as u8 + 60,
            ])
        })
    }

    #[test]
    fn an_avif_capsule_encodes_decodes_to_its_size_and_colours() {
        let img = gradient(200, 120);
        let bytes = super::super::encode::ImageFormat::Avif
            .encode(&img, 90)
            .unwrap();
        let back = decode(&bytes).unwrap();
        assert_eq!(back.dimensions(), (200, 120));
        let worst = img
            .pixels()
            .zip(back.pixels())
            .flat_map(|(a, b)| (0..3).map(move |i| (a[i] as i32 - b[i] as i32).abs()))
            .max()
            .unwrap();
        assert!(worst <= 12, "a channel is {worst} off after the round trip");
    }

    #[test]
    fn a_damaged_avif_is_an_error_not_a_picture() {
        let bytes = super::super::encode::ImageFormat::Avif
            .encode(&gradient(64, 64), 80)
            .unwrap();
        assert!(decode(&bytes[..bytes.len() / 2]).is_err());
        assert!(decode(b"not an image at all").is_err());
        let mut garbled = bytes.clone();
        let n = garbled.len();
        for b in &mut garbled[n - 200..] {
            *b ^= 0x5a;
        }
        // Garbled AV1 data may still decode to something; what matters is that it does not crash.
        let _ = decode(&garbled);
    }
}
