//! The preview of a text that is not saved: the site loaded with the form's text in place of its
//! file, the page's media taken from the cache (or encoded into it), and the page rendered as the
//! build would render it. Nothing is written but cache entries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content;
use crate::fit::{self, Fitted};
use crate::media::{self, Cache, MediaOptions};
use crate::output::Format;
use crate::render::{render_site, Templates};

/// The inside of the `<main>` of the HTML page in output folder `dir`, as it would be with `text` as
/// the content of `file`; or what stops it from being built.
pub(crate) fn main_of(root: &Path, dir: &str, file: &Path, text: &str) -> Result<String, String> {
    let texts: HashMap<PathBuf, String> = [(file.to_path_buf(), text.to_string())].into();
    let base = Config::load(root).map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    let mut site = content::load_with(
        root,
        base.clone(),
        content::LoadOptions {
            drafts: true,
            keep_going: false,
        },
        &mut warnings,
        &texts,
    )
    .map_err(|e| e.to_string())?;
    // The playlist's links to followed sites' recordings, from the catalogues the last build read.
    let cache_dir = Config::cache_dir(root);
    let followed = crate::library::follow::kept(&base.library.follow, &cache_dir.join("follow"));
    crate::library::elsewhere::place(&mut site, &followed, &mut warnings);
    let templates = Templates::load(root).map_err(|e| e.to_string())?;
    let cache = Cache::open(&cache_dir.join("media")).map_err(|e| e.to_string())?;
    // The settings the build uses: capsule.toml's, or those of a --fit made for this content.
    let config = match Fitted::load(root).ok().flatten() {
        Some(f) if fit::key(&site, &base, &cache).is_ok_and(|k| k == f.key) => f.apply(&base),
        _ => base,
    };
    let pages: Vec<&content::Page> = site.all_pages().filter(|p| p.dir == dir).collect();
    let run = media::run(
        &pages,
        &config,
        &cache,
        MediaOptions::default(),
        &mut warnings,
    )
    .map_err(|e| e.to_string())?;
    let _ = cache.save();
    let wanted = Format::Html.page_file(dir);
    // A preview of one page: the followed sites' music is left to the build, which reads it.
    let library = crate::library::Library::of_site(&site, &run.outputs, Vec::new());
    let page = render_site(&site, &run.outputs, &library, &templates)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|r| r.format == Format::Html && r.path == wanted)
        .ok_or_else(|| format!("{dir} is not a page of the site"))?;
    let start = page
        .text
        .find("<main")
        .and_then(|i| page.text[i..].find('>').map(|j| i + j + 1));
    let end = page.text.rfind("</main>");
    match (start, end) {
        (Some(s), Some(e)) if s <= e => Ok(page.text[s..e].to_string()),
        _ => Ok(page.text),
    }
}
