//! Wall-clock times in the viewer's time zone.

/// `HH:MM:SS` local time of a Unix-millisecond timestamp.
pub fn time_of_day(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02}:{:02}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// ISO 8601 (UTC) form of a Unix-millisecond timestamp, for `<time datetime>`.
pub fn iso(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    date.to_iso_string().into()
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
