//! Lines for whoever watches the terminal. A command that keeps running (the preview server, the
//! editor) never stops because nobody reads them any more: `println!` panics when its pipe is closed
//! (a launcher that read the login address and went away, `capsule edit | head -1`).

use std::fmt::Arguments;
use std::io::Write;

/// A line on standard output; lost, not fatal, if nobody reads it.
pub(crate) fn out(line: Arguments) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// A line on standard error; lost, not fatal, if nobody reads it.
pub(crate) fn err(line: Arguments) {
    let _ = writeln!(std::io::stderr(), "{line}");
}
