//! Gemini status codes, named as in the Gemini protocol specification, and the header line they open.

/// 20: the body follows, of the MIME type the meta names.
pub(super) const SUCCESS: u8 = 20;
/// 31: the resource lives at the URL in the meta, for good.
pub(super) const REDIRECT_PERMANENT: u8 = 31;
/// 40: the request may succeed later (here: the site does not build right now).
pub(super) const TEMPORARY_FAILURE: u8 = 40;
/// 51: nothing is at that path.
pub(super) const NOT_FOUND: u8 = 51;
/// 53: this server does not serve that host, port or scheme.
pub(super) const PROXY_REQUEST_REFUSED: u8 = 53;
/// 59: the request could not be understood.
pub(super) const BAD_REQUEST: u8 = 59;

/// The response header line, without its CRLF: `51 Not found`.
pub(super) fn header(code: u8, meta: impl std::fmt::Display) -> String {
    format!("{code} {meta}")
}
