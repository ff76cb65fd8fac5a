//! Client-side routing: which page the address bar names, and moving between pages
//! with the history API so back and forward work.

pub mod location;
pub mod page_route;
pub mod url_codec;
