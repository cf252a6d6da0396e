//! Markdown → gemtext, following the Gemini spec: line types at column 0, no inline markup, links on lines of their own.

use std::collections::HashMap;

use pulldown_cmark::Event;
use unicode_width::UnicodeWidthStr;

use super::body::BodyCtx;
use super::markdown_ast::{parse, Inline, Node};

/// Renders one top-level Markdown block to gemtext lines, joined by `\n`, without a trailing newline.
pub(crate) fn render(events: &[Event], ctx: &BodyCtx) -> String {
    let mut out = Out::default();
    for node in parse(events) {
        out.node(&node, ctx);
    }
    out.finish()
}

/// Footnote label → plain text, from every footnote definition among `blocks`.
pub(crate) fn collect_notes<'a>(
    blocks: impl Iterator<Item = &'a [Event<'a>]>,
) -> HashMap<String, String> {
    let mut notes = HashMap::new();
    for events in blocks {
        for node in parse(events) {
            if let Node::FootnoteDef(label, body) = node {
                let text: Vec<String> = body
                    .iter()
                    .map(plain_text)
                    .filter(|t| !t.is_empty())
                    .collect();
                notes.insert(label, text.join(" "));
            }
        }
    }
    notes
}

fn plain_text(node: &Node) -> String {
    match node {
        Node::Para(i) | Node::Heading(_, i) => one_line(&i.text),
        Node::Quote(nodes) | Node::FootnoteDef(_, nodes) => {
            nodes.iter().map(plain_text).collect::<Vec<_>>().join(" ")
        }
        Node::List(_, items) => items
            .iter()
            .flatten()
            .map(plain_text)
            .collect::<Vec<_>>()
            .join(" "),
        Node::Code(_, code) => one_line(code),
        Node::Table(_) | Node::Rule => String::new(),
    }
}

/// Makes a text line safe: a line that would read as a link, heading, list item, quote or fence
/// gets a leading space, which turns it back into plain text.
pub(crate) fn escape_line(line: &str) -> String {
    if ["=>", "#", "* ", ">", "```"]
        .iter()
        .any(|p| line.starts_with(p))
    {
        format!(" {line}")
    } else {
        line.to_string()
    }
}

/// Newlines and runs of white space folded into single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct Out {
    /// Groups of lines; groups are separated by a blank line.
    groups: Vec<Vec<String>>,
}

impl Out {
    fn group(&mut self, lines: Vec<String>) {
        if !lines.is_empty() {
            self.groups.push(lines);
        }
    }

    fn finish(self) -> String {
        self.groups
            .into_iter()
            .map(|g| g.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    fn node(&mut self, node: &Node, ctx: &BodyCtx) {
        match node {
            Node::Para(inline) => {
                let mut lines = Vec::new();
                if !inline.link_only {
                    lines.extend(text_lines(&inline.text));
                }
                lines.extend(link_lines(inline, ctx));
                lines.extend(note_lines(inline, ctx));
                self.group(lines);
            }
            Node::Heading(level, inline) => {
                let hashes = "#".repeat((*level).clamp(1, 3) as usize);
                let mut lines = vec![format!("{hashes} {}", one_line(&inline.text))];
                lines.extend(link_lines(inline, ctx));
                lines.extend(note_lines(inline, ctx));
                self.group(lines);
            }
            Node::Quote(nodes) => {
                let mut inner = Out::default();
                for n in nodes {
                    inner.node(n, ctx);
                }
                let mut lines = Vec::new();
                for (i, group) in inner.groups.iter().enumerate() {
                    if i > 0 {
                        lines.push(">".to_string());
                    }
                    lines.extend(group.iter().map(|l| quote_line(l)));
                }
                self.group(lines);
            }
            Node::List(start, items) => {
                let mut lines = Vec::new();
                list_lines(*start, items, &[], false, ctx, &mut lines);
                self.group(lines);
            }
            Node::Code(lang, code) => {
                self.group(preformatted(lang.as_deref().unwrap_or("code"), code))
            }
            Node::Table(rows) => {
                let mut lines = preformatted(ctx.table_alt, &table_text(rows));
                for cell in rows.iter().flatten() {
                    lines.extend(link_lines(cell, ctx));
                }
                self.group(lines);
            }
            Node::Rule => self.group(vec!["---".to_string()]),
            // Footnotes are written after the paragraph that refers to them.
            Node::FootnoteDef(..) => {}
        }
    }
}

fn text_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| escape_line(&one_line(l)))
        .filter(|l| !l.is_empty())
        .collect()
}

fn link_lines(inline: &Inline, ctx: &BodyCtx) -> Vec<String> {
    inline
        .links
        .iter()
        .filter_map(|(url, label)| {
            let url = (ctx.link)(url)?;
            let label = one_line(label);
            Some(if label.is_empty() || label == url {
                format!("=> {url}")
            } else {
                format!("=> {url} {label}")
            })
        })
        .collect()
}

/// The notes cited in `inline` that the page has not given yet (so a note cited a thousand times is
/// given once, after its first citation).
fn note_lines(inline: &Inline, ctx: &BodyCtx) -> Vec<String> {
    let mut given = ctx.notes_given.borrow_mut();
    inline
        .notes
        .iter()
        .filter_map(|label| {
            let text = ctx.notes.get(label)?;
            given
                .insert(label.clone())
                .then(|| escape_line(&format!("[{label}] {text}")))
        })
        .collect()
}

/// Inside a quote, text lines get `> `; link lines and preformatted blocks stay as they are.
fn quote_line(line: &str) -> String {
    if line.starts_with("=>") || line.starts_with("```") {
        line.to_string()
    } else if let Some(rest) = line.strip_prefix("* ") {
        format!("> • {rest}")
    } else if line.starts_with('#') {
        format!("> {}", line.trim_start_matches('#').trim_start())
    } else if line.starts_with('>') {
        line.to_string()
    } else {
        format!("> {}", line.trim_start())
    }
}

fn preformatted(alt: &str, code: &str) -> Vec<String> {
    let mut lines = vec![format!("```{alt}")];
    lines.extend(code.trim_end_matches('\n').split('\n').map(|l| {
        if l.starts_with("```") {
            format!(" {l}")
        } else {
            l.to_string()
        }
    }));
    lines.push("```".to_string());
    lines
}

/// How many parents a nested list item names.
const PARENTS: usize = 2;

/// Flattens a list: every item is one line at column 0; a nested item names its parents (`* parent ›
/// child`), at most the [`PARENTS`] nearest (`deeper` says there are more, shown as `…`).
fn list_lines(
    start: Option<u64>,
    items: &[Vec<Node>],
    path: &[String],
    deeper: bool,
    ctx: &BodyCtx,
    lines: &mut Vec<String>,
) {
    for (i, item) in items.iter().enumerate() {
        let own: Vec<String> = item
            .iter()
            .filter_map(|n| match n {
                Node::Para(inline) => Some(one_line(&inline.text)),
                Node::Heading(_, inline) => Some(one_line(&inline.text)),
                _ => None,
            })
            .filter(|t| !t.is_empty())
            .collect();
        let own = own.join(" ");
        let silent = own.is_empty() && start.is_none();
        let label = match start {
            Some(n) => format!("{}. {own}", n + i as u64),
            None => own,
        };
        // An item with no text of its own (only a nested list, or nothing) gets no line, and its
        // children name the parents above it.
        let mut full: Vec<String> = path.to_vec();
        full.push(label.clone());
        let text = full.join(" › ");
        let text = if deeper {
            format!("… › {text}")
        } else {
            text
        };
        if !silent {
            lines.push(match start {
                Some(_) => escape_line(&text),
                None => format!("* {text}"),
            });
        }
        for node in item {
            match node {
                Node::Para(inline) | Node::Heading(_, inline) => {
                    lines.extend(link_lines(inline, ctx));
                    lines.extend(note_lines(inline, ctx));
                }
                Node::List(s, sub) => {
                    let mut sub_path = path.to_vec();
                    if !silent {
                        sub_path.push(shorten(&label));
                    }
                    // Only the two nearest parents are named, so a deep list stays linear in size.
                    let cut = sub_path.len().saturating_sub(PARENTS);
                    let sub_deeper = deeper || cut > 0;
                    list_lines(*s, sub, &sub_path[cut..], sub_deeper, ctx, lines);
                }
                other => {
                    let mut inner = Out::default();
                    inner.node(other, ctx);
                    for group in inner.groups {
                        lines.extend(group);
                    }
                }
            }
        }
    }
}

/// Parent labels are shortened to their first words, so a nested line names its parents without
/// repeating their text.
fn shorten(label: &str) -> String {
    const MAX: usize = 24;
    if label.chars().count() <= MAX {
        return label.to_string();
    }
    let cut: String = label.chars().take(MAX).collect();
    let words = match cut.rfind(' ') {
        Some(i) if i > MAX / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", words.trim_end())
}

fn table_text(rows: &[Vec<Inline>]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| one_line(&c.text)).collect())
        .collect();
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            cells
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = Vec::new();
    for (i, row) in cells.iter().enumerate() {
        let line: Vec<String> = (0..columns)
            .map(|c| {
                let cell = row.get(c).map(String::as_str).unwrap_or("");
                format!("{cell}{}", " ".repeat(widths[c] - cell.width()))
            })
            .collect();
        out.push(line.join(" | ").trim_end().to_string());
        if i == 0 && cells.len() > 1 {
            out.push(
                widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("-+-"),
            );
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests;
