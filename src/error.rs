//! Errors and diagnostics: every problem names the user's file (and line when there is one) and says what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in the user's site, tied to a file and, where known, a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnostic {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = display_path(&self.file);
        match self.line {
            Some(line) => write!(f, "{file}:{line}: {}", self.message),
            None => write!(f, "{file}: {}", self.message),
        }
    }
}

/// Shows a path the way the user typed it, without a leading `./`.
pub(crate) fn display_path(path: &Path) -> String {
    let shown = path.strip_prefix(".").unwrap_or(path);
    shown.display().to_string()
}

/// How a warning about a photo or track left out of the site ends (`--keep-going`).
pub(crate) const LEFT_OUT: &str = "(left out of the site: --keep-going)";

/// Errors and warnings gathered while loading a site, reported all together.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// `--keep-going`: a photo or track that cannot be published is left out with a warning.
    pub keep_going: bool,
    /// The files left out so, for the caller to take out of the site.
    pub left_out: Vec<PathBuf>,
}

impl Diagnostics {
    pub(crate) fn error(
        &mut self,
        file: impl Into<PathBuf>,
        line: Option<usize>,
        msg: impl Into<String>,
    ) {
        self.errors.push(Diagnostic::new(file, line, msg));
    }

    pub(crate) fn warn(
        &mut self,
        file: impl Into<PathBuf>,
        line: Option<usize>,
        msg: impl Into<String>,
    ) {
        self.warnings.push(Diagnostic::new(file, line, msg));
    }

    /// A photo or track (`what`) that cannot be published: an error, or with `--keep-going` a warning,
    /// and `what` is left out.
    pub(crate) fn cannot_publish(
        &mut self,
        file: impl Into<PathBuf>,
        line: Option<usize>,
        msg: impl Into<String>,
        what: &Path,
    ) {
        if self.keep_going {
            let msg = format!("{} {LEFT_OUT}", msg.into());
            self.warnings.push(Diagnostic::new(file, line, msg));
            self.left_out.push(what.to_path_buf());
        } else {
            self.error(file, line, msg);
        }
    }

    /// Moves the warnings to `warnings`, where the caller gathers them, and turns collected errors into
    /// a failure.
    pub(crate) fn finish(self, warnings: &mut Vec<Diagnostic>) -> Result<(), Error> {
        warnings.extend(self.warnings);
        Error::check(self.errors)
    }
}

/// Everything that can stop a command. The variant decides the exit code.
#[derive(Debug)]
pub(crate) enum Error {
    /// The site's content has problems: exit code 1.
    Content { errors: Vec<Diagnostic> },
    /// The site does not fit a budget of capsule.toml; the message says what to change: exit code 1.
    Budget(String),
    /// The command was used wrongly: exit code 2.
    Usage(String),
    /// Publishing failed (network, credentials, the server refused): exit code 2.
    Publish(String),
    /// Something that should never fail did (serialising the cache, setting up TLS): a bug in capsule,
    /// not in the site: exit code 2.
    Internal(String),
    /// Reading or writing a file failed: exit code 2.
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            path,
            action,
            source,
        }
    }

    /// For `map_err`: an internal failure while doing `what`.
    pub(crate) fn internal<E: fmt::Display>(what: &'static str) -> impl FnOnce(E) -> Error {
        move |e| Error::Internal(format!("{what}: {e}"))
    }

    /// A content error about one file, with no line.
    pub(crate) fn file(path: &Path, msg: impl fmt::Display) -> Error {
        Error::content(Diagnostic::new(path, None, msg.to_string()))
    }

    pub(crate) fn content(diagnostic: Diagnostic) -> Error {
        Error::Content {
            errors: vec![diagnostic],
        }
    }

    /// Nothing when `errors` is empty, else one failure with all of them, in file and line order.
    pub(crate) fn check(mut errors: Vec<Diagnostic>) -> Result<(), Error> {
        if errors.is_empty() {
            return Ok(());
        }
        errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        Err(Error::Content { errors })
    }

    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            Error::Content { .. } | Error::Budget(_) => 1,
            Error::Usage(_) | Error::Publish(_) | Error::Internal(_) | Error::Io { .. } => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Content { errors } => {
                for e in errors {
                    writeln!(f, "error: {e}")?;
                }
                let n = errors.len();
                write!(
                    f,
                    "{n} error{} in the site; nothing was written. Fix {} and build again.",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                )
            }
            Error::Usage(msg) | Error::Publish(msg) => write!(f, "error: {msg}"),
            Error::Internal(msg) => write!(
                f,
                "error: {msg}\nThis is a bug in capsule, not a problem with your site. Please report it on capsule's \
                 issue tracker, with the command you ran, this message and `capsule --version`."
            ),
            Error::Budget(message) => write!(f, "{message}"),
            Error::Io {
                path,
                action,
                source,
            } => write!(
                f,
                "error: could not {action} {}: {source}",
                display_path(path)
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Prints warnings to standard error, one a line, before a command's result or error.
pub(crate) fn print_warnings(warnings: &[Diagnostic]) {
    for w in warnings {
        crate::say::err(format_args!("warning: {w}"));
    }
}

/// Converts a byte offset in `text` to a 1-based line number.
/// The line of each offset of one text, each found in O(log lines): a text's line starts, once.
pub(crate) struct LineIndex {
    /// The offset just after each line feed.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1)
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line of `offset`, as [`line_of_offset`] counts it.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) + 1
    }
}

pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_index_agrees_with_counting() {
        let text = "one\ntwo\n\nfour\nfive";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 3 {
            assert_eq!(
                index.line_of(offset),
                line_of_offset(text, offset),
                "{offset}"
            );
        }
    }
}
