//! What surrounds every view: header and banners.

pub mod access_banner;
pub mod banners;
pub mod context_picker;
pub mod header;
pub mod source_badge;
pub mod theme_switch;
pub mod view_settings;
