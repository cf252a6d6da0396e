//! Relative links between pages and files, so that both sites work from any sub-path and from `file://`.

use crate::output::Format;

/// The relative path from the folder `from_dir` to the site path `to` (both `/`-separated, relative to the root).
pub(crate) fn relative(from_dir: &str, to: &str) -> String {
    // A file another site publishes (a followed site's recording) is linked where it is.
    if is_absolute(to) {
        return to.to_string();
    }
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let target: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&target[common..]);
    parts.join("/")
}

/// An address with its scheme (`https://…`): a file of another site, not a path of this one.
pub(crate) fn is_absolute(path: &str) -> bool {
    path.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic())
    })
}

/// The link from the page in `from_dir` to the page whose folder is `to_dir`:
/// `x/` in Gemini, `x/index.html` in HTML (which also works from `file://`).
pub(crate) fn page_href(format: Format, from_dir: &str, to_dir: &str) -> String {
    let rel = relative(from_dir, to_dir);
    match (format, rel.is_empty()) {
        (Format::Gemini, true) => "./".into(),
        (Format::Gemini, false) => format!("{rel}/"),
        (Format::Html, true) => "index.html".into(),
        (Format::Html, false) => format!("{rel}/index.html"),
    }
}

/// An absolute URL for a published file: `base` + `/` + its path.
pub(crate) fn file_url(base: &str, path: &str) -> String {
    if is_absolute(path) {
        return path.to_string();
    }
    format!("{}/{path}", base.trim_end_matches('/'))
}

/// The address of a published file in a list that players read (M3U8, JSPF) kept in the folder `dir`:
/// absolute with a base URL, relative to the list otherwise.
pub(crate) fn list_href(base: Option<&str>, dir: &str, path: &str) -> String {
    match base {
        Some(base) => file_url(base, path),
        None => relative(dir, path),
    }
}

/// An absolute URL for a page, for feeds: `base` + folder + `/`.
pub(crate) fn absolute(base: &str, dir: &str) -> String {
    let base = base.trim_end_matches('/');
    if dir.is_empty() {
        format!("{base}/")
    } else {
        format!("{base}/{dir}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative("albums/a", "albums/b"), "../b");
        assert_eq!(relative("albums/a", "albums/a/x.jpg"), "x.jpg");
        assert_eq!(relative("", "albums/a"), "albums/a");
        assert_eq!(relative("albums/a", ""), "../..");
    }

    #[test]
    fn page_links_per_format() {
        assert_eq!(page_href(Format::Gemini, "albums/a", ""), "../../");
        assert_eq!(page_href(Format::Html, "albums/a", ""), "../../index.html");
        assert_eq!(page_href(Format::Gemini, "", ""), "./");
        assert_eq!(page_href(Format::Html, "", "about"), "about/index.html");
    }
}
