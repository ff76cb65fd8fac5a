//! Keys, as in `top` and friends: `/` focuses the filter, `j`/`k` or the arrows move
//! through the table's rows, Enter opens the selected one, Esc leaves a field or goes back.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The class of the selected row (the stylesheet highlights it).
const SELECTED: &str = "selected";

/// Listens for the keys for as long as the page lives.
pub fn start() {
    _ = window_event_listener(ev::keydown, |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let key = event.key();
        let in_field = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if in_field {
            if key == "Escape" {
                blur_focused();
            }
            return;
        }
        let handled = match key.as_str() {
            "/" => focus("#filter, #log-filter"),
            "j" | "ArrowDown" => move_selection(1),
            "k" | "ArrowUp" => move_selection(-1),
            "Enter" => open_selected(),
            "Escape" => window().history().and_then(|h| h.back()).is_ok(),
            _ => false,
        };
        if handled {
            event.prevent_default();
        }
    });
}

fn html(css: &str) -> Option<web_sys::HtmlElement> {
    document().query_selector(css).ok()??.dyn_into().ok()
}

fn focus(css: &str) -> bool {
    html(css).is_some_and(|el| el.focus().is_ok())
}

fn blur_focused() {
    if let Some(el) = document()
        .active_element()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        _ = el.blur();
    }
}

/// Selects the row `step` away from the selected one (the first row when none is).
fn move_selection(step: i32) -> bool {
    let Ok(rows) = document().query_selector_all("main tr.row") else {
        return false;
    };
    let count = rows.length();
    if count == 0 {
        return false;
    }
    let rows: Vec<web_sys::Element> = (0..count)
        .filter_map(|i| rows.item(i)?.dyn_into().ok())
        .collect();
    let current = rows.iter().position(|r| r.class_list().contains(SELECTED));
    let next = match current {
        None => 0,
        Some(i) => (i as i32 + step).clamp(0, rows.len() as i32 - 1) as usize,
    };
    if let Some(i) = current {
        _ = rows[i].class_list().remove_1(SELECTED);
    }
    _ = rows[next].class_list().add_1(SELECTED);
    rows[next].scroll_into_view_with_bool(false);
    true
}

/// Follows the first link of the selected row.
fn open_selected() -> bool {
    html("main tr.row.selected a[href]").is_some_and(|a| {
        a.click();
        true
    })
}
