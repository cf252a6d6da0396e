//! Where each page of the site comes from, found by the same naming rules as the loader but without
//! reading any file: the editor uses it to find a page's Markdown file even when the site has errors.

use std::path::{Path, PathBuf};

use super::load::{ALBUMS, PLAYLISTS};
use super::media_files::file_slug;
use super::slug::slugify;
use super::PageKind;

/// One page's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    pub kind: PageKind,
    /// Its output folder, as `Page::dir`: `""`, `"about"`, `"albums/harbour"`.
    pub dir: String,
    /// Its Markdown file, which an album or playlist may not have yet.
    pub markdown: PathBuf,
    /// The item's folder, for albums and playlists.
    pub folder: Option<PathBuf>,
}

/// Every page's source under `root/content`, home first, then pages, albums and playlists, by name.
pub(crate) fn sources(root: &Path) -> Vec<Source> {
    let content = root.join("content");
    let mut out = vec![Source {
        kind: PageKind::Home,
        dir: String::new(),
        markdown: content.join("index.md"),
        folder: None,
    }];
    let entries = |dir: &Path| -> Vec<PathBuf> {
        let mut list: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        list.sort();
        list
    };
    for path in entries(&content) {
        let is_md = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if path.is_file() && is_md && path.file_name().is_some_and(|n| n != "index.md") {
            out.push(Source {
                kind: PageKind::Page,
                dir: file_slug(&path),
                markdown: path,
                folder: None,
            });
        }
    }
    for (folder, kind) in [(ALBUMS, PageKind::Album), (PLAYLISTS, PageKind::Playlist)] {
        for path in entries(&content.join(folder)) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let slug = slugify(&name.unwrap_or_default());
            if path.is_dir() && !slug.is_empty() {
                out.push(Source {
                    kind,
                    dir: format!("{folder}/{slug}"),
                    markdown: path.join("index.md"),
                    folder: Some(path),
                });
            }
        }
    }
    out
}
