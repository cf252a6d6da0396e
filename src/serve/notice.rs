//! What the preview adds to its pages when the last build left photos or tracks out: on the page they
//! belong to, each file and why; on every other page, a line that names those pages.

use crate::error::{display_path, Diagnostic, LEFT_OUT};

/// `(output folder of its page, the warning)` for each file left out.
type LeftOut = [(String, Diagnostic)];

fn message(d: &Diagnostic) -> String {
    let file = display_path(&d.file);
    let why = d.message.trim_end_matches(LEFT_OUT).trim_end();
    match d.line {
        Some(line) => format!("{file}:{line}: {why}"),
        None => format!("{file}: {why}"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The pages (output folders) that lost something, each once, in order.
fn pages(left_out: &LeftOut) -> Vec<&str> {
    let mut pages: Vec<&str> = Vec::new();
    for (dir, _) in left_out {
        if !pages.contains(&dir.as_str()) {
            pages.push(dir);
        }
    }
    pages
}

/// The HTML page of the output folder `dir`, with its notice at the start of its `<main>`.
pub(super) fn html(page: &str, dir: &str, left_out: &LeftOut) -> String {
    let here: Vec<&Diagnostic> = left_out
        .iter()
        .filter(|(d, _)| d == dir)
        .map(|(_, w)| w)
        .collect();
    let box_style = "border:2px solid #b00020;padding:.5rem 1rem;margin:1rem 0";
    let notice = if here.is_empty() {
        let links: Vec<String> = pages(left_out)
            .iter()
            .map(|p| {
                let name = if p.is_empty() { "the home page" } else { p };
                format!(
                    "<a href=\"/{}\">{}</a>",
                    escape(&page_path(p)),
                    escape(name)
                )
            })
            .collect();
        format!(
            "<p role=\"status\" style=\"{box_style}\">Preview: {} left out of the site because {} cannot be published; see {}.</p>\n",
            count(left_out.len()),
            if left_out.len() == 1 { "it" } else { "they" },
            links.join(", ")
        )
    } else {
        let items: String = here
            .iter()
            .map(|d| format!("<li>{}</li>\n", escape(&message(d))))
            .collect();
        format!(
            "<div role=\"alert\" style=\"{box_style}\">\n<p><strong>Preview: left out of this page</strong></p>\n<ul>\n{items}</ul>\n<p>Fix or replace each file, save, and reload this page.</p>\n</div>\n"
        )
    };
    match page.find("<main id=\"main\">") {
        Some(i) => {
            let at = i + "<main id=\"main\">".len();
            format!("{}\n{notice}{}", &page[..at], &page[at..])
        }
        None => format!("{notice}{page}"),
    }
}

/// The gemtext page of the output folder `dir`, with its notice after its first heading.
pub(super) fn gemtext(page: &str, dir: &str, left_out: &LeftOut) -> String {
    let here: Vec<&Diagnostic> = left_out
        .iter()
        .filter(|(d, _)| d == dir)
        .map(|(_, w)| w)
        .collect();
    let mut notice = String::new();
    if here.is_empty() {
        notice.push_str(&format!(
            "> Preview: {} left out of the site because {} cannot be published:\n",
            count(left_out.len()),
            if left_out.len() == 1 { "it" } else { "they" },
        ));
        for p in pages(left_out) {
            let name = if p.is_empty() { "the home page" } else { p };
            notice.push_str(&format!("=> /{} {name}\n", page_path(p)));
        }
    } else {
        notice.push_str(
            "> Preview: left out of this page (fix or replace each file, save, and reload)\n",
        );
        for d in here {
            notice.push_str(&format!("> {}\n", message(d).replace(['\r', '\n'], " ")));
        }
    }
    let (first, rest) = match page.split_once('\n') {
        Some((first, rest)) if first.starts_with('#') => (format!("{first}\n"), rest),
        _ => (String::new(), page),
    };
    format!("{first}\n{notice}\n{rest}")
}

fn page_path(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 photo or track is".into()
    } else {
        format!("{n} photos or tracks are")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn left() -> Vec<(String, Diagnostic)> {
        vec![(
            "albums/trip".into(),
            Diagnostic {
                file: PathBuf::from("content/albums/trip/broken.jpg"),
                line: None,
                message: format!("the photo is damaged {LEFT_OUT}"),
            },
        )]
    }

    #[test]
    fn the_page_concerned_says_what_and_why_the_others_where() {
        let page = "<body><main id=\"main\"><h1>Trip</h1></main></body>";
        let here = html(page, "albums/trip", &left());
        assert!(here.contains("role=\"alert\""), "{here}");
        assert!(here.contains("content/albums/trip/broken.jpg: the photo is damaged</li>"));
        let home = html(page, "", &left());
        assert!(home.contains("1 photo or track is left out"), "{home}");
        assert!(
            home.contains("<a href=\"/albums/trip/\">albums/trip</a>"),
            "{home}"
        );
        let gem = gemtext("# Trip\n\nText\n", "albums/trip", &left());
        assert!(
            gem.starts_with("# Trip\n\n> Preview: left out of this page"),
            "{gem}"
        );
    }
}
