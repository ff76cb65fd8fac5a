//! The overview's "who is heavy" lists as markup: ranked links with their figures.
//!
//! Plain markup, set as a whole each refresh: reactive views per list and entry cost the
//! wasm several times this, and every entry changes with each refresh anyway. (The app's
//! click listener routes the links.)

use std::fmt::Write;

use crate::dataset::Dataset;
use crate::markup::escape;

use super::board::Board;

/// Writes one entry: `<li data-value="raw"><a href title>label</a> <span class="note">note</span>
/// <span class="num">text</span></li>`; `data-value` only with a raw number. `href` and
/// `text` are the app's own (percent-encoded, formatted); names are escaped.
pub fn entry(html: &mut String, href: &str, label: &str, note: &str, raw: Option<u64>, text: &str) {
    html.push_str("<li");
    if let Some(raw) = raw {
        _ = write!(html, r#" data-value="{raw}""#);
    }
    let label = escape(label);
    _ = write!(
        html,
        r#"><a href="{href}" title="{label}">{label}</a> <span class="note">{}</span> <span class="num">{text}</span></li>"#,
        escape(note),
    );
}

/// Every list of `boards` as `<section><h2>…</h2><ol id="…">entries</ol></section>`, for
/// `d` with links in `context`.
pub fn lists_html(boards: &[Board], d: &Dataset, context: Option<&str>) -> String {
    let mut html = String::new();
    for board in boards {
        _ = write!(
            html,
            r#"<section class="panel top-list"><h2>{}</h2><ol id="{}">"#,
            board.title(),
            board.id(),
        );
        board.write_items(&mut html, d, context);
        html.push_str("</ol></section>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktop_web_shared::api::Snapshot;

    #[test]
    fn entries_carry_link_note_figure_and_raw_value() {
        let mut html = String::new();
        entry(
            &mut html,
            "/c/dev/pods/shop/web-1",
            "web-<1>",
            "shop",
            Some(1_500_000_000),
            "1.5",
        );
        assert_eq!(
            html,
            r#"<li data-value="1500000000"><a href="/c/dev/pods/shop/web-1" title="web-&lt;1&gt;">web-&lt;1&gt;</a> <span class="note">shop</span> <span class="num">1.5</span></li>"#
        );
        html.clear();
        entry(&mut html, "/nodes/x", "a&\"b", "", None, "Memory");
        assert!(html.starts_with(r#"<li><a href="/nodes/x" title="a&amp;&quot;b">"#));
    }

    #[test]
    fn each_list_has_its_heading_and_id() {
        let d = Dataset::of_snapshot(&Snapshot::default());
        let html = lists_html(&[Board::Pressure], &d, None);
        assert_eq!(
            html,
            r#"<section class="panel top-list"><h2>Nodes under pressure</h2><ol id="pressure-nodes"><li class="none">none</li></ol></section>"#
        );
    }
}
