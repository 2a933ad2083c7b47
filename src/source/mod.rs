//! Source kinds: each turns what its URL serves into [`RawItem`]s, the common model.
//!
//! Nothing downstream of this module knows which kind an item came from.

pub mod article;
pub mod epaper;
pub mod feed;
pub mod html;
pub mod json;
mod redirect;

use url::Url;

pub use crate::model::RawItem;

/// A document that could not be read as its kind.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {message}")]
pub struct ParseError {
    pub url: Url,
    pub message: String,
}
