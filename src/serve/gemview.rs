//! The capsule shown in a web browser, for authors without a Gemini client: every gemtext line type made visible.

/// Renders a gemtext page as a plain HTML page; links stay relative, so they lead to the next view or file.
pub(super) fn render(gemtext: &str, url_path: &str) -> String {
    let mut body = String::new();
    let mut pre: Option<String> = None;
    let mut in_list = false;
    for line in gemtext.lines() {
        if let Some(alt) = line.strip_prefix("```") {
            match pre.take() {
                Some(text) => body.push_str(&format!("{text}</pre>\n")),
                None => {
                    close_list(&mut body, &mut in_list);
                    pre = Some(format!(
                        "<p class=\"alt\">```{}</p>\n<pre title=\"{}\">",
                        escape(alt),
                        escape(alt)
                    ));
                }
            }
            continue;
        }
        if let Some(text) = pre.as_mut() {
            text.push_str(&escape(line));
            text.push('\n');
            continue;
        }
        if let Some(item) = line.strip_prefix("* ") {
            if !in_list {
                body.push_str("<ul>\n");
                in_list = true;
            }
            body.push_str(&format!("<li>{}</li>\n", escape(item)));
            continue;
        }
        close_list(&mut body, &mut in_list);
        if let Some(rest) = line.strip_prefix("=>") {
            let rest = rest.trim_start();
            let (url, label) = rest.split_once(char::is_whitespace).unwrap_or((rest, rest));
            let label = if label.trim().is_empty() {
                url
            } else {
                label.trim()
            };
            body.push_str(&format!(
                "<p class=\"link\">⇒ <a href=\"{}\">{}</a></p>\n",
                escape(url),
                escape(label)
            ));
        } else if let Some(h) = line.strip_prefix("###") {
            body.push_str(&format!("<h3>{}</h3>\n", escape(h.trim())));
        } else if let Some(h) = line.strip_prefix("##") {
            body.push_str(&format!("<h2>{}</h2>\n", escape(h.trim())));
        } else if let Some(h) = line.strip_prefix('#') {
            body.push_str(&format!("<h1>{}</h1>\n", escape(h.trim())));
        } else if let Some(q) = line.strip_prefix('>') {
            body.push_str(&format!(
                "<blockquote>{}</blockquote>\n",
                escape(q.trim_start())
            ));
        } else if line.trim().is_empty() {
            body.push_str("<p class=\"blank\"></p>\n");
        } else {
            body.push_str(&format!("<p>{}</p>\n", escape(line)));
        }
    }
    close_list(&mut body, &mut in_list);
    if let Some(text) = pre {
        body.push_str(&format!("{text}</pre>\n"));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Capsule preview: {path}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<p class=\"note\">Capsule preview of {path}, as a Gemini client would show it.</p>\n<main>\n{body}</main>\n</body>\n</html>\n",
        path = escape(url_path)
    )
}

const STYLE: &str =
    "body{max-width:44rem;margin:auto;padding:1rem;font:1rem/1.5 system-ui,sans-serif}\
.note{color:#777;font-size:.85rem}.link{margin:.2rem 0}.blank{margin:.6rem 0}\
blockquote{border-left:3px solid #aaa;margin:.3rem 0;padding-left:.8rem}\
pre{background:#8882;padding:.5rem;overflow-x:auto}.alt{color:#777;font-size:.8rem;margin:0}";

fn close_list(body: &mut String, in_list: &mut bool) {
    if *in_list {
        body.push_str("</ul>\n");
        *in_list = false;
    }
}

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn every_line_type_is_visible() {
        let html = render(
            "# T\n## S\n### U\ntext <b>\n=> a/ Label\n* item\n> quote\n```alt\n  * kept\n```",
            "/_gemini/",
        );
        for needle in [
            "<h1>T</h1>",
            "<h2>S</h2>",
            "<h3>U</h3>",
            "<p>text &lt;b&gt;</p>",
            "<a href=\"a/\">Label</a>",
            "<li>item</li>",
            "<blockquote>quote</blockquote>",
            "<pre title=\"alt\">  * kept\n</pre>",
        ] {
            assert!(html.contains(needle), "{needle} missing in {html}");
        }
    }
}
