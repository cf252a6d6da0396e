//! One test per gemtext rule: each renders a Markdown snippet and checks the exact lines.

use super::*;
use pulldown_cmark::Parser;

/// Renders a whole Markdown document the way a page is rendered: block by block, footnotes gathered first.
fn gem(md: &str) -> String {
    let events: Vec<Event> = Parser::new_ext(md, crate::content::markdown_options()).collect();
    let notes = collect_notes(std::iter::once(events.as_slice()));
    let link = |url: &str| -> Option<String> {
        match url.strip_prefix("page:") {
            Some("draft") => None,
            Some(p) => Some(format!("{p}/")),
            None => Some(url.to_string()),
        }
    };
    let ctx = BodyCtx {
        link: Box::new(link),
        notes,
        notes_given: Default::default(),
        table_alt: "table",
        last_heading: std::cell::Cell::new(1),
    };
    render(&events, &ctx)
}

#[test]
fn paragraph_is_one_line_without_inline_markup() {
    assert_eq!(
        gem("Some *soft*\n**wrapped** `code` ~~text~~."),
        "Some soft wrapped code text."
    );
}

#[test]
fn inline_html_tags_are_removed_text_kept() {
    assert_eq!(gem("A <b>bold</b> <i>move</i>."), "A bold move.");
}

#[test]
fn html_blocks_are_dropped() {
    assert_eq!(
        gem("Before.\n\n<div class=\"x\">\n<p>raw</p>\n</div>\n\nAfter."),
        "Before.\n\nAfter."
    );
}

#[test]
fn inline_links_follow_their_paragraph() {
    assert_eq!(
        gem("Read [the spec](https://geminiprotocol.net/) and [about](page:about) today."),
        "Read the spec and about today.\n=> https://geminiprotocol.net/ the spec\n=> about/ about"
    );
}

#[test]
fn link_only_paragraph_becomes_link_lines() {
    assert_eq!(
        gem("[One](https://a.example/)\n[Two](https://b.example/)"),
        "=> https://a.example/ One\n=> https://b.example/ Two"
    );
}

#[test]
fn link_to_left_out_page_keeps_only_text() {
    assert_eq!(gem("See [the draft](page:draft)."), "See the draft.");
}

#[test]
fn headings_four_to_six_are_clamped() {
    assert_eq!(
        gem("# One\n\n## Two\n\n### Three\n\n#### Four\n\n###### Six"),
        "# One\n\n## Two\n\n### Three\n\n### Four\n\n### Six"
    );
}

#[test]
fn heading_markup_and_links() {
    assert_eq!(
        gem("## The *[harbour](https://h.example/)*"),
        "## The harbour\n=> https://h.example/ harbour"
    );
}

#[test]
fn nested_lists_are_flattened_with_parent() {
    let md = "- fruit\n  - apple\n  - pear\n    - conference\n- bread";
    assert_eq!(
        gem(md),
        "* fruit\n* fruit › apple\n* fruit › pear\n* fruit › pear › conference\n* bread"
    );
}

#[test]
fn nested_lines_name_long_parents_by_their_first_words_and_skip_empty_items() {
    let md =
        "- a parent whose text runs on for many words\n  - child\n- - \n  - under an empty item";
    assert_eq!(
        gem(md),
        "* a parent whose text runs on for many words\n* a parent whose text… › child\n* under an empty item"
    );
}

#[test]
fn a_deep_list_names_only_its_two_nearest_parents() {
    let md = "- a\n  - b\n    - c\n      - d";
    assert_eq!(gem(md), "* a\n* a › b\n* a › b › c\n* … › b › c › d");
}

#[test]
fn a_footnote_cited_many_times_is_given_once() {
    let md = "One[^n].\n\nTwo[^n].\n\n[^n]: The note.";
    assert_eq!(gem(md), "One[n].\n[n] The note.\n\nTwo[n].");
}

#[test]
fn ordered_lists_keep_their_numbers() {
    assert_eq!(gem("3. three\n4. four"), "3. three\n4. four");
    assert_eq!(
        gem("1. steps\n   - detail"),
        "1. steps\n* 1. steps › detail"
    );
}

#[test]
fn links_in_list_items_follow_the_item() {
    assert_eq!(
        gem("- see [a](https://a.example/)\n- and [b](https://b.example/)"),
        "* see a\n=> https://a.example/ a\n* and b\n=> https://b.example/ b"
    );
}

#[test]
fn list_item_starting_with_markup_is_still_one_item() {
    assert_eq!(gem("- # not a heading"), "* not a heading");
}

#[test]
fn code_fence_keeps_language_as_alt() {
    assert_eq!(
        gem("```rust\nfn main() {}\n```"),
        "```rust\nfn main() {}\n```"
    );
}

#[test]
fn code_fence_without_language_gets_alt_text() {
    assert_eq!(gem("```\nplain\n```"), "```code\nplain\n```");
    assert_eq!(gem("    indented"), "```code\nindented\n```");
}

#[test]
fn fence_inside_code_is_neutralised() {
    assert_eq!(
        gem("~~~md\n```\ninner\n```\n~~~"),
        "```md\n ```\ninner\n ```\n```"
    );
}

#[test]
fn tables_become_aligned_preformatted_text() {
    let md = "| Name | Size |\n|---|---|\n| harbour | 12 MB |\n| é | 1 |";
    assert_eq!(
        gem(md),
        "```table\nName    | Size\n--------+------\nharbour | 12 MB\né       | 1\n```"
    );
}

#[test]
fn links_in_tables_follow_the_table() {
    let out = gem("| a |\n|---|\n| [x](https://x.example/) |");
    assert!(out.ends_with("```\n=> https://x.example/ x"), "{out}");
}

#[test]
fn footnotes_are_written_after_their_paragraph() {
    let md = "A claim.[^1] More.\n\nNext paragraph.\n\n[^1]: The source, *emphasised*.";
    assert_eq!(
        gem(md),
        "A claim.[1] More.\n[1] The source, emphasised.\n\nNext paragraph."
    );
}

#[test]
fn text_lines_that_look_like_other_types_are_escaped() {
    // Markdown escapes produce text that starts with each gemtext marker.
    assert_eq!(gem("\\=> not a link"), " => not a link");
    assert_eq!(gem("\\# not a heading"), " # not a heading");
    assert_eq!(gem("\\* not an item"), " * not an item");
    assert_eq!(gem("\\> not a quote"), " > not a quote");
    assert_eq!(gem("\\`\\`\\` not a fence"), " ``` not a fence");
}

#[test]
fn hard_breaks_split_lines_and_each_is_escaped() {
    assert_eq!(gem("first\\\n\\# second"), "first\n # second");
}

#[test]
fn blockquotes_prefix_every_text_line() {
    assert_eq!(
        gem("> quoted\n>\n> - item\n>\n> > nested"),
        "> quoted\n>\n> • item\n>\n> nested"
    );
}

#[test]
fn remote_images_become_links() {
    assert_eq!(
        gem("![a cat](https://c.example/cat.jpg)"),
        "=> https://c.example/cat.jpg a cat"
    );
}

#[test]
fn rules_become_a_text_line() {
    assert_eq!(gem("a\n\n---\n\nb"), "a\n\n---\n\nb");
}

#[test]
fn escape_line_leaves_ordinary_text() {
    assert_eq!(escape_line("*emphasis* is fine"), "*emphasis* is fine");
    assert_eq!(escape_line("=>"), " =>");
}
