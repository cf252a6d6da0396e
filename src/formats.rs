//! The image formats capsule writes, with their file extension and the name readers see. Encoding them
//! is media's work (`media::encode`); config and render only name them.

use serde::{Deserialize, Serialize};

/// ravif's speed (1 slowest to 10 fastest) for AVIF photos unless `[photos] avif_speed` says otherwise.
/// On the public corpus (bench/avif.sh), against WebP at the same whole-frame score: speed 6 makes 18 %
/// fewer bytes in three quarters of speed 4's time (19 %); 8 saves 17 %, 10 only 7 %.
pub(crate) const AVIF_SPEED: u8 = 6;

/// The image formats capsule writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ImageFormat {
    Jpeg,
    Webp,
    /// AVIF through ravif (rav1e), decoded by rav1d to score it.
    Avif,
}

impl ImageFormat {
    pub(crate) fn ext(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
            ImageFormat::Avif => "avif",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Webp => "WebP",
            ImageFormat::Avif => "AVIF",
        }
    }
}
