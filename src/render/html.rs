//! Markdown → HTML for page bodies: pulldown-cmark's writer, with our links resolved and no raw HTML or remote images.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::body::BodyCtx;

/// Renders one top-level Markdown block. The body's `link` maps a target to its URL, or `None` to keep
/// only the text; its `last_heading` keeps headings in order across blocks.
pub(crate) fn render(events: &[Event], body: &BodyCtx) -> String {
    let link = &body.link;
    let mut out_events: Vec<Event> = Vec::with_capacity(events.len());
    // For each open link: whether its end tag is kept.
    let mut open: Vec<bool> = Vec::new();
    for event in events {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => match link(dest_url) {
                Some(url) => {
                    open.push(true);
                    out_events.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: CowStr::from(url),
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
                None => open.push(false),
            },
            Event::End(TagEnd::Link) => {
                if open.pop().unwrap_or(false) {
                    out_events.push(Event::End(TagEnd::Link));
                }
            }
            // Remote images become plain links: no page makes the reader's browser call a third party.
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                out_events.push(Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url: dest_url.clone(),
                    title: title.clone(),
                    id: CowStr::from(""),
                }));
            }
            Event::End(TagEnd::Image) => out_events.push(Event::End(TagEnd::Link)),
            // The page title is the only h1, and no level is skipped, so the outline stays navigable.
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let wanted = (*level as u8).max(2);
                let fitted = wanted.min(body.last_heading.get() + 1);
                body.last_heading.set(fitted);
                out_events.push(Event::Start(Tag::Heading {
                    level: heading_level(fitted),
                    id: id.clone(),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::End(TagEnd::Heading(_)) => out_events.push(Event::End(TagEnd::Heading(
                heading_level(body.last_heading.get()),
            ))),
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            other => out_events.push(other.clone()),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out_events.into_iter());
    html
}

fn heading_level(n: u8) -> HeadingLevel {
    match n {
        0..=1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn html(md: &str) -> String {
        let events: Vec<Event> = Parser::new_ext(md, crate::content::markdown_options()).collect();
        let body = BodyCtx {
            link: Box::new(|url: &str| {
                url.strip_prefix("page:")
                    .map(|p| format!("{p}/index.html"))
                    .or(Some(url.to_string()))
                    .filter(|u| u != "gone")
            }),
            notes: Default::default(),
            notes_given: Default::default(),
            table_alt: "table",
            last_heading: std::cell::Cell::new(1),
        };
        render(&events, &body)
    }

    #[test]
    fn raw_html_is_dropped() {
        let out = html("Hello <script>alert(1)</script> <b onclick=\"x()\">bold</b>\n\n<div onload=\"x()\">block</div>\n");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("onload"), "{out}");
        assert!(out.contains("bold"));
    }

    #[test]
    fn page_links_are_resolved_and_missing_ones_become_text() {
        let out = html("[About](page:about) and [gone](gone)");
        assert!(
            out.contains(r#"<a href="about/index.html">About</a>"#),
            "{out}"
        );
        assert!(out.contains("and gone"), "{out}");
    }

    #[test]
    fn headings_start_below_the_title_and_never_skip_levels() {
        let out = html("# One\n\n#### Four\n\n## Two\n\n###### Six");
        assert_eq!(
            out,
            "<h2>One</h2>\n<h3>Four</h3>\n<h2>Two</h2>\n<h3>Six</h3>\n"
        );
    }

    #[test]
    fn remote_images_become_links() {
        let out = html("![a cat](https://example.org/cat.jpg)");
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.contains(r#"<a href="https://example.org/cat.jpg">a cat</a>"#),
            "{out}"
        );
    }
}
