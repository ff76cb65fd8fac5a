//! A container's log: follow, timestamps, wrap, filter (substring or regex), older lines,
//! the previous instance, download. Lines are read through the server (`pods/log`, bounded
//! there) and at most [`MAX_TAIL`] are kept here.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::fetched::use_fetched_text;
use ktop_web_shared::api::API_PREFIX;

use crate::api_client::{LogOptions, log_path};

/// Lines asked for at first, and added by "Load older".
const TAIL_STEP: u32 = 500;
/// The most lines ever held (the server's own bound).
const MAX_TAIL: u32 = 10_000;
/// Re-read interval while following.
const FOLLOW_EVERY: Duration = Duration::from_secs(2);

/// How lines are picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineFilter {
    /// Every line.
    All,
    /// Lines containing this text (ASCII case-insensitive: log keys and levels are ASCII, and
    /// full Unicode case tables would cost the wasm several KB).
    Text(String),
    /// Lines matching this JavaScript regular expression.
    Regex(String),
}

impl LineFilter {
    /// From the filter box and the regex switch.
    pub fn new(text: &str, regex: bool) -> LineFilter {
        match (text.is_empty(), regex) {
            (true, _) => LineFilter::All,
            (false, true) => LineFilter::Regex(text.to_owned()),
            (false, false) => LineFilter::Text(text.to_ascii_lowercase()),
        }
    }

    /// The lines that pass, or why the pattern is unusable.
    pub fn apply<'a>(&self, text: &'a str) -> Result<Vec<&'a str>, String> {
        let lines = text.lines();
        match self {
            LineFilter::All => Ok(lines.collect()),
            LineFilter::Text(needle) => Ok(lines
                .filter(|l| l.to_ascii_lowercase().contains(needle))
                .collect()),
            LineFilter::Regex(pattern) => {
                let re = compile(pattern)
                    .ok_or_else(|| format!("not a valid regular expression: {pattern}"))?;
                Ok(lines.filter(|l| re.test(l)).collect())
            }
        }
    }
}

/// `new RegExp(pattern)`, or `None` where that would throw (which `RegExp::new` would turn
/// into an abort).
fn compile(pattern: &str) -> Option<js_sys::RegExp> {
    let constructor = js_sys::Reflect::get(&js_sys::global(), &"RegExp".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let args = js_sys::Array::of1(&pattern.into());
    js_sys::Reflect::construct(&constructor, &args)
        .ok()
        .map(JsCast::unchecked_into)
}

/// A labelled checkbox bound to a flag; one component, so the five switches share one copy
/// of the code.
#[component]
fn Toggle(
    /// Element id.
    id: &'static str,
    /// Label text.
    label: &'static str,
    /// The flag.
    value: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" id=id prop:checked=value on:change=move |ev| value.set(event_target_checked(&ev)) />
            {label}
        </label>
    }
}

/// The log panel for one container.
#[component]
pub fn LogsView(
    /// Kube context.
    #[prop(into)]
    context: Signal<Option<String>>,
    /// Namespace.
    #[prop(into)]
    ns: Signal<String>,
    /// Pod.
    #[prop(into)]
    pod: Signal<String>,
    /// Container.
    #[prop(into)]
    container: Signal<String>,
) -> impl IntoView {
    let follow = RwSignal::new(true);
    let timestamps = RwSignal::new(false);
    let wrap = RwSignal::new(true);
    let previous = RwSignal::new(false);
    let tail = RwSignal::new(TAIL_STEP);
    let filter_text = RwSignal::new(String::new());
    let regex = RwSignal::new(false);

    let log_at = Memo::new(move |_| {
        context.get().map(|c| {
            let options = LogOptions {
                tail_lines: tail.get(),
                previous: previous.get(),
                timestamps: timestamps.get(),
            };
            log_path(&c, &ns.get(), &pod.get(), &container.get(), &options)
        })
    });
    // Not following: one read per change of options, none on a timer.
    let every = Signal::derive(move || follow.get().then_some(FOLLOW_EVERY));
    let log = use_fetched_text(log_at, every);
    // Not a memo: making the filter is cheap next to applying it, and a memo type is not.
    let filter = move || LineFilter::new(&filter_text.get(), regex.get());
    let shown = Memo::new(move |_| {
        log.with(|l| match l {
            None => Err("Loading…".to_owned()),
            Some(Err(e)) => Err(e.message()),
            Some(Ok(text)) => filter()
                .apply(text)
                .map(|lines| (lines.len(), lines.join("\n"))),
        })
    });
    let at_most = Signal::derive(move || tail.get() >= MAX_TAIL);
    let total = move || {
        log.with(|l| {
            l.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map_or(0, |t| t.lines().count())
        })
    };

    view! {
        <section class="panel logs" id="logs">
            <div class="toolbar logs-toolbar">
                <Toggle id="log-follow" label="Follow" value=follow />
                <Toggle id="log-timestamps" label="Timestamps" value=timestamps />
                <Toggle id="log-wrap" label="Wrap" value=wrap />
                <Toggle id="log-previous" label="Previous instance" value=previous />
                <label class="field grow">
                    <span>"Filter"</span>
                    <input id="log-filter" type="search" autocomplete="off" spellcheck="false" placeholder="text, or a pattern with Regex on"
                        prop:value=filter_text on:input=move |ev| filter_text.set(event_target_value(&ev)) />
                </label>
                <Toggle id="log-regex" label="Regex" value=regex />
                <button
                    id="log-older"
                    type="button"
                    disabled=at_most
                    on:click=move |_| tail.update(|t| *t = (*t + TAIL_STEP).min(MAX_TAIL))
                >
                    "Load older"
                </button>
                // The same read as a plain link: the browser saves it (same origin, so the
                // cookie goes along), and no download code is needed here.
                <a
                    id="log-download"
                    class="button"
                    href=move || log_at.get().map(|p| format!("{API_PREFIX}{p}")).unwrap_or_default()
                    download=move || format!("{}-{}.log", pod.get(), container.get())
                >
                    "Download"
                </a>
                <span class="count" id="log-count">
                    {move || shown.with(|s| s.as_ref().map(|(n, _)| format!("{n} of {} lines", total())).unwrap_or_default())}
                </span>
            </div>
            {move || match shown.get() {
                Ok((count, text)) => view! {
                    <pre id="log-lines" class:wrap=wrap data-count=count>{text}</pre>
                }.into_any(),
                Err(message) => view! { <p class="muted" id="log-message">{message}</p> }.into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_filters_ignore_case_and_empty_shows_all() {
        let text = "level=info msg=ok\nlevel=ERROR msg=boom\nlevel=warn msg=slow";
        assert_eq!(
            LineFilter::new("", false).apply(text).map(|l| l.len()),
            Ok(3)
        );
        assert_eq!(
            LineFilter::new("error", false).apply(text),
            Ok(vec!["level=ERROR msg=boom"])
        );
        assert_eq!(LineFilter::new("x", true), LineFilter::Regex("x".into()));
    }
}
