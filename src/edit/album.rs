//! An album as the photo table shows it: one row per photo, in the album's order, with its alt text,
//! caption and "decorative" flag; and the span edits that save a changed table into the writer's
//! Markdown, touching only the image references that changed.
//!
//! Photos the text places stay where the text places them: reordering moves photos between those
//! places, not the prose. Photos the text does not place come after, in capture order; when the
//! writer gives one words or another position, the editor writes image lines for them at the end of
//! the text (`![alt](file "caption")`), which a person can read and edit by hand, and which the build
//! reads like any other.

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::content::{markdown_options, percent_decode, Block, Page};

/// One photo of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// The file, relative to the album's folder, with `/` separators.
    pub file: String,
    pub alt: String,
    pub caption: String,
    pub decorative: bool,
}

/// One image reference in the body that places a photo of the album.
#[derive(Debug, Clone)]
struct Span {
    range: Range<usize>,
    /// The destination as written, to keep the writer's spelling of it.
    dest: String,
}

/// The table of an album, and where its text places its photos.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub rows: Vec<Row>,
    spans: Vec<Span>,
}

fn relative(folder: &Path, file: &Path) -> String {
    file.strip_prefix(folder)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

impl Table {
    /// The table of `page` (loaded by the build's loader) whose body text is `body` and folder `folder`.
    /// `None` when the text's image references do not line up with what the loader found (then the
    /// writer edits the text instead).
    pub(crate) fn of(page: &Page, body: &str, folder: &Path) -> Option<Table> {
        let rows: Vec<Row> = page
            .body
            .iter()
            .filter_map(|b| match b {
                Block::Photo(u) => Some(Row {
                    file: relative(folder, &page.photos[u.photo].source),
                    alt: u.alt.clone(),
                    caption: u.caption.clone().unwrap_or_default(),
                    decorative: u.decorative,
                }),
                _ => None,
            })
            .collect();
        let spans = image_spans(body, folder);
        // The first rows are the placed photos, in the text's order.
        let lined_up = spans.len() <= rows.len()
            && spans
                .iter()
                .zip(&rows)
                .all(|(s, r)| decode(&s.dest) == r.file);
        lined_up.then_some(Table { rows, spans })
    }

    /// How many photos the text places.
    #[cfg(test)]
    pub(crate) fn placed(&self) -> usize {
        self.spans.len()
    }

    /// `body` with the table `new` in place of this one. Unchanged places keep their bytes; a place
    /// left without a photo (a removed one) loses its image reference.
    pub(crate) fn apply(&self, body: &str, new: &[Row]) -> String {
        let mut out = body.to_string();
        let placed = &self.rows[..self.spans.len()];
        // As many places stay as placed photos remain; the rest of the table comes after them.
        let places = new
            .iter()
            .filter(|r| placed.iter().any(|p| p.file == r.file))
            .count();
        for (k, span) in self.spans.iter().enumerate().rev() {
            match new.get(k).filter(|_| k < places) {
                Some(row) if *row == self.rows[k] => {}
                Some(row) => {
                    let dest = self
                        .spans
                        .iter()
                        .zip(&self.rows)
                        .find(|(_, r)| r.file == row.file)
                        .map(|(s, _)| s.dest.clone())
                        .unwrap_or_else(|| encode(&row.file));
                    out.replace_range(span.range.clone(), &image(row, &dest));
                }
                None => remove_span(&mut out, span.range.clone()),
            }
        }
        let tail = new.get(places..).unwrap_or(&[]);
        let natural: Vec<&str> = self.rows[self.spans.len()..]
            .iter()
            .map(|r| r.file.as_str())
            .filter(|f| tail.iter().any(|t| t.file == *f))
            .collect();
        let needs_lines = tail
            .iter()
            .any(|r| !r.alt.is_empty() || !r.caption.is_empty())
            || tail
                .iter()
                .map(|r| r.file.as_str())
                .ne(natural.iter().copied());
        if needs_lines {
            let trimmed = out.trim_end_matches(['\n', '\r', ' ']).len();
            out.truncate(trimmed);
            out.push_str(if out.is_empty() { "\n" } else { "\n\n" });
            for row in tail {
                out.push_str(&image(row, &encode(&row.file)));
                out.push_str("\n\n");
            }
            out.pop();
        }
        out
    }
}

/// The image references of `body` that point at a file of `folder`, with their byte ranges.
fn image_spans(body: &str, folder: &Path) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut events = Parser::new_ext(body, markdown_options()).into_offset_iter();
    while let Some((event, range)) = events.next() {
        if let Event::Start(Tag::Image { dest_url, .. }) = event {
            let mut end = range.end;
            for (e, r) in events.by_ref() {
                if matches!(e, Event::End(TagEnd::Image)) {
                    end = end.max(r.end);
                    break;
                }
            }
            let decoded = decode(&dest_url);
            let local = !decoded.contains(':') && !decoded.starts_with('/');
            if local && folder.join(&decoded).is_file() {
                let written = &body[range.start..end];
                let dest = written
                    .rfind("](")
                    .map(|i| written[i + 2..].trim_end_matches(')'))
                    .map(|d| d.split(" \"").next().unwrap_or(d).trim().to_string())
                    .unwrap_or_else(|| dest_url.to_string());
                spans.push(Span {
                    range: range.start..end,
                    dest,
                });
            }
        }
    }
    spans
}

/// Percent-decodes a destination, and unwraps `<…>`.
fn decode(dest: &str) -> String {
    let dest = dest
        .strip_prefix('<')
        .and_then(|d| d.strip_suffix('>'))
        .unwrap_or(dest);
    percent_decode(dest)
}

/// A file name as a Markdown destination: ASCII punctuation that Markdown reads is percent-encoded.
fn encode(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    for c in file.chars() {
        match c {
            ' ' | '(' | ')' | '<' | '>' | '"' | '\'' | '\\' | '%' | '[' | ']' | '#' | '?' | '*' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// `![alt](dest "caption")`, with what Markdown would read as markup escaped.
fn image(row: &Row, dest: &str) -> String {
    let mut alt = String::new();
    for c in row.alt.chars() {
        if "\\[]*_`<&!".contains(c) {
            alt.push('\\');
        }
        alt.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
    let caption = row.caption.trim();
    if caption.is_empty() {
        format!("![{alt}]({dest})")
    } else {
        let caption = caption
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace(['\n', '\r'], " ");
        format!("![{alt}]({dest} \"{caption}\")")
    }
}

/// Removes an image reference, and its line when nothing else stood on it.
fn remove_span(text: &mut String, range: Range<usize>) {
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i + 1);
    let alone = text[line_start..range.start].trim().is_empty()
        && text[range.end..line_end].trim().is_empty();
    if alone {
        text.replace_range(line_start..line_end, "");
    } else {
        text.replace_range(range, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, alt: &str, caption: &str) -> Row {
        Row {
            file: file.into(),
            alt: alt.into(),
            caption: caption.into(),
            decorative: false,
        }
    }

    fn table(body: &str, rows: Vec<Row>, dir: &Path) -> Table {
        Table {
            spans: image_spans(body, dir),
            rows,
        }
    }

    fn album() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        for f in ["gull.jpg", "boats.jpg", "my dog.jpg", "late.jpg"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let body = "\nWe arrived early.\n\n![A gull](gull.jpg \"The first gull\")\n\nThen the tide.\n\n![Boats](boats.jpg)\n\n![](my%20dog.jpg)\n".to_string();
        (dir, body)
    }

    fn rows() -> Vec<Row> {
        vec![
            row("gull.jpg", "A gull", "The first gull"),
            row("boats.jpg", "Boats", ""),
            row("my dog.jpg", "", ""),
            row("late.jpg", "", ""),
        ]
    }

    #[test]
    fn an_unchanged_table_changes_nothing() {
        let (dir, body) = album();
        let t = table(&body, rows(), dir.path());
        assert_eq!(t.placed(), 3);
        assert_eq!(t.apply(&body, &rows()), body);
    }

    #[test]
    fn one_alt_text_changes_only_its_reference() {
        let (dir, body) = album();
        let t = table(&body, rows(), dir.path());
        let mut new = rows();
        new[2].alt = "My dog [asleep]".into();
        let out = t.apply(&body, &new);
        assert_eq!(
            out,
            body.replace("![](my%20dog.jpg)", "![My dog \\[asleep\\]](my%20dog.jpg)")
        );
    }

    #[test]
    fn moving_a_photo_to_the_top_moves_photos_between_places_not_the_prose() {
        let (dir, body) = album();
        let t = table(&body, rows(), dir.path());
        let mut new = rows();
        let third = new.remove(2);
        new.insert(0, third);
        let out = t.apply(&body, &new);
        assert_eq!(
            out,
            "\nWe arrived early.\n\n![](my%20dog.jpg)\n\nThen the tide.\n\n![A gull](gull.jpg \"The first gull\")\n\n![Boats](boats.jpg)\n"
        );
    }

    #[test]
    fn an_unplaced_photo_given_words_gets_a_line_at_the_end() {
        let (dir, body) = album();
        let t = table(&body, rows(), dir.path());
        let mut new = rows();
        new[3].caption = "Late \"light\"".into();
        let out = t.apply(&body, &new);
        assert_eq!(
            out,
            format!("{body}\n![](late.jpg \"Late \\\"light\\\"\")\n")
        );
    }

    #[test]
    fn a_removed_photo_loses_its_line() {
        let (dir, body) = album();
        let t = table(&body, rows(), dir.path());
        let mut new = rows();
        new.remove(1);
        let out = t.apply(&body, &new);
        // Places shift up: the dog takes the boats' place, and late.jpg (unplaced) stays unplaced.
        assert_eq!(
            out,
            "\nWe arrived early.\n\n![A gull](gull.jpg \"The first gull\")\n\nThen the tide.\n\n![](my%20dog.jpg)\n\n"
        );
    }
}
