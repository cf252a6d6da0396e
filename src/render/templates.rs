//! Templates: the built-in ones are embedded in the binary; a file of the same name in the site's `templates/` replaces one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, Value};
use serde::Serialize;

use super::gemtext::{escape_line, one_line};
use crate::error::{Diagnostic, Error};

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Every built-in template, by the name a site uses to override it.
pub(crate) const BUILTIN: &[(&str, &str)] = builtin!(
    "atom.xml",
    "podcast.xml",
    "html/base.html",
    "html/home.html",
    "html/list.html",
    "html/album.html",
    "html/playlist.html",
    "html/page.html",
    "html/404.html",
    "html/photo.html",
    "html/photo-page.html",
    "html/track.html",
    "html/body.html",
    "html/item.html",
    "html/item-nav.html",
    "html/music.html",
    "html/entry.html",
    "html/style.css",
    "gemini/home.gmi",
    "gemini/list.gmi",
    "gemini/album.gmi",
    "gemini/playlist.gmi",
    "gemini/page.gmi",
    "gemini/photo.gmi",
    "gemini/photo-page.gmi",
    "gemini/track.gmi",
    "gemini/footer.gmi",
    "gemini/body.gmi",
    "gemini/item.gmi",
    "gemini/music.gmi",
    "gemini/entry.gmi",
    "edit/base.html",
    "edit/message.html",
    "edit/dashboard.html",
    "edit/new.html",
    "edit/fields.html",
    "edit/text.html",
    "edit/conflict.html",
    "edit/trash.html",
    "edit/album.html",
    "edit/job.html",
    "edit/playlist.html",
    "edit/upload.html",
    "edit/welcome.html",
    "edit/settings.html",
    "edit/publishing.html",
    "edit/style.css",
);

/// Escapes only what HTML needs (`& < > " '`); the default also escapes `/`, which bloats every link.
fn escape_html_minimal(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if !matches!(state.auto_escape(), minijinja::AutoEscape::Html)
        || value.is_safe()
        || value.is_none()
    {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    out.write_str(&escaped).map_err(minijinja::Error::from)
}

pub(crate) struct Templates {
    env: Environment<'static>,
    /// Names the site overrides → the file on disk.
    overridden: HashMap<String, PathBuf>,
}

impl Templates {
    /// Reads the site's own `templates/` folder, if any, over the built-in set.
    pub(crate) fn load(root: &Path) -> Result<Templates, Error> {
        let dir = root.join("templates");
        let mut sources: HashMap<String, String> = BUILTIN
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let mut overridden = HashMap::new();
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
                let entry = entry
                    .map_err(|e| Error::Usage(format!("cannot read {}: {e}", dir.display())))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let path = entry.path();
                let name = path
                    .strip_prefix(&dir)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(path).map_err(|_| {
                    Error::content(Diagnostic::new(
                        path,
                        None,
                        "cannot read this template as UTF-8 text",
                    ))
                })?;
                sources.insert(name.clone(), text);
                overridden.insert(name, path.to_path_buf());
            }
        }
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(Error::internal("set the template syntax"))?;
        env.set_syntax(syntax);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        // Text from the author, made safe for one gemtext line.
        env.add_filter("gemtext", |s: String| escape_line(&one_line(&s)));
        env.add_filter("oneline", |s: String| one_line(&s));
        env.set_loader(move |name| Ok(sources.get(name).cloned()));
        env.set_formatter(escape_html_minimal);
        Ok(Templates { env, overridden })
    }

    /// Renders a template; an error names the template's file and line.
    pub(crate) fn render(&self, name: &str, ctx: &impl Serialize) -> Result<String, Diagnostic> {
        let value = Value::from(minijinja::value::Serde(ctx));
        self.env
            .get_template(name)
            .and_then(|t| t.render(value))
            .map_err(|e| self.diagnostic(name, &e))
    }

    /// A file that is used as it is (the stylesheet), built-in or overridden.
    pub(crate) fn raw(&self, name: &str) -> Result<String, Diagnostic> {
        self.env
            .get_template(name)
            .map(|t| t.source().to_string())
            .map_err(|e| self.diagnostic(name, &e))
    }

    fn diagnostic(&self, name: &str, e: &minijinja::Error) -> Diagnostic {
        let failing = e.name().unwrap_or(name);
        let file = match self.overridden.get(failing) {
            Some(path) => path.clone(),
            None => PathBuf::from(format!("templates/{failing} (built-in)")),
        };
        let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
        Diagnostic::new(
            file,
            e.line(),
            format!("template error, {}{detail}", e.kind()),
        )
    }
}
