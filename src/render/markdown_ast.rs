//! A small block tree built from Markdown events, so the gemtext renderer can flatten lists and tables.

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

/// Inline content reduced to plain text, with what cannot stay inline in gemtext pulled out.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Inline {
    pub text: String,
    /// (url, label) of each link, in order.
    pub links: Vec<(String, String)>,
    /// Labels of the footnotes referenced.
    pub notes: Vec<String>,
    /// True when the text is nothing but the links' labels.
    pub link_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Para(Inline),
    Heading(u8, Inline),
    Quote(Vec<Node>),
    /// Start number for ordered lists; each item is a list of nodes.
    List(Option<u64>, Vec<Vec<Node>>),
    Code(Option<String>, String),
    Table(Vec<Vec<Inline>>),
    Rule,
    FootnoteDef(String, Vec<Node>),
}

pub(super) fn parse(events: &[Event]) -> Vec<Node> {
    let mut pos = 0;
    parse_until(events, &mut pos, None)
}

/// Parses block nodes until the end tag `end` (or the end of input).
fn parse_until(events: &[Event], pos: &mut usize, end: Option<TagEnd>) -> Vec<Node> {
    let mut nodes = Vec::new();
    while *pos < events.len() {
        let event = &events[*pos];
        *pos += 1;
        match event {
            Event::End(e) if Some(*e) == end => break,
            Event::Start(Tag::Paragraph) => {
                nodes.push(Node::Para(inline_until(events, pos, TagEnd::Paragraph)))
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let inline = inline_until(events, pos, TagEnd::Heading(*level));
                nodes.push(Node::Heading(*level as u8, inline));
            }
            Event::Start(Tag::BlockQuote(kind)) => nodes.push(Node::Quote(parse_until(
                events,
                pos,
                Some(TagEnd::BlockQuote(*kind)),
            ))),
            Event::Start(Tag::List(start)) => {
                let mut items = Vec::new();
                while *pos < events.len() {
                    match &events[*pos] {
                        Event::Start(Tag::Item) => {
                            *pos += 1;
                            items.push(parse_until(events, pos, Some(TagEnd::Item)));
                        }
                        Event::End(TagEnd::List(_)) => {
                            *pos += 1;
                            break;
                        }
                        _ => *pos += 1,
                    }
                }
                nodes.push(Node::List(*start, items));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.split_whitespace().next().map(str::to_string),
                    CodeBlockKind::Indented => None,
                };
                let mut code = String::new();
                while *pos < events.len() {
                    let e = &events[*pos];
                    *pos += 1;
                    match e {
                        Event::Text(t) => code.push_str(t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                nodes.push(Node::Code(lang, code));
            }
            Event::Start(Tag::Table(_)) => {
                let mut rows = Vec::new();
                let mut row = Vec::new();
                while *pos < events.len() {
                    let e = &events[*pos];
                    *pos += 1;
                    match e {
                        Event::Start(Tag::TableCell) => {
                            row.push(inline_until(events, pos, TagEnd::TableCell))
                        }
                        Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                            rows.push(std::mem::take(&mut row))
                        }
                        Event::End(TagEnd::Table) => break,
                        _ => {}
                    }
                }
                nodes.push(Node::Table(rows));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let body = parse_until(events, pos, Some(TagEnd::FootnoteDefinition));
                nodes.push(Node::FootnoteDef(label.to_string(), body));
            }
            Event::Start(Tag::HtmlBlock) => {
                let _ = parse_until(events, pos, Some(TagEnd::HtmlBlock));
            }
            Event::Rule => nodes.push(Node::Rule),
            Event::Start(_)
            | Event::Text(_)
            | Event::Code(_)
            | Event::TaskListMarker(_)
            | Event::FootnoteReference(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::InlineMath(_) => {
                // Inline content directly in a block (a tight list item): an implicit paragraph.
                *pos -= 1;
                let inline = inline_loose(events, pos);
                nodes.push(Node::Para(inline));
            }
            _ => {}
        }
    }
    nodes
}

/// Inline events up to the matching end tag, which is consumed.
fn inline_until(events: &[Event], pos: &mut usize, end: TagEnd) -> Inline {
    let mut acc = InlineAcc::default();
    while *pos < events.len() {
        let e = &events[*pos];
        *pos += 1;
        if matches!(e, Event::End(x) if *x == end) {
            break;
        }
        acc.push(e);
    }
    acc.finish()
}

/// Inline events until the next block-level start or end, which is left for the caller.
fn inline_loose(events: &[Event], pos: &mut usize) -> Inline {
    let mut acc = InlineAcc::default();
    while *pos < events.len() {
        let e = &events[*pos];
        let block = match e {
            Event::Start(t) => !is_inline_tag(t),
            Event::End(t) => !is_inline_end(t),
            Event::Rule => true,
            _ => false,
        };
        if block {
            break;
        }
        *pos += 1;
        acc.push(e);
    }
    acc.finish()
}

fn is_inline_tag(t: &Tag) -> bool {
    matches!(
        t,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(t: &TagEnd) -> bool {
    matches!(
        t,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

#[derive(Default)]
struct InlineAcc {
    text: String,
    links: Vec<(String, String)>,
    notes: Vec<String>,
    /// Links (and images) being read: url and label so far.
    open: Vec<(String, String)>,
}

impl InlineAcc {
    fn put(&mut self, s: &str) {
        self.text.push_str(s);
        if let Some((_, label)) = self.open.last_mut() {
            label.push_str(s);
        }
    }

    fn push(&mut self, e: &Event) {
        match e {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => self.put(t),
            Event::SoftBreak => self.put(" "),
            Event::HardBreak => self.put("\n"),
            Event::TaskListMarker(done) => self.text.push_str(if *done { "[x] " } else { "[ ] " }),
            Event::FootnoteReference(label) => {
                self.text.push_str(&format!("[{label}]"));
                self.notes.push(label.to_string());
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                self.open.push((dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some((url, label)) = self.open.pop() {
                    let label = label.trim().to_string();
                    if let Some((_, outer)) = self.open.last_mut() {
                        outer.push_str(&label);
                    }
                    self.links.push((url, label));
                }
            }
            _ => {}
        }
    }

    fn finish(self) -> Inline {
        // Labels are part of the text, so the text is "only links" when it has no other visible characters.
        let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
        let link_only = !self.links.is_empty()
            && visible(&self.text) == self.links.iter().map(|(_, l)| visible(l)).sum::<usize>();
        Inline {
            text: self.text,
            links: self.links,
            notes: self.notes,
            link_only,
        }
    }
}
