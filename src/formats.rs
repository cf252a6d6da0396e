//! The image formats capsule writes, with their file extension and the name readers see. Encoding them
//! is media's work (`media::encode`); config and render only name them.

use serde::{Deserialize, Serialize};

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
