//! Source kinds: each turns what its URL serves into [`RawItem`]s, the common model.
//!
//! Nothing downstream of this module knows which kind an item came from.

pub mod article;
pub mod epaper;
pub mod feed;
pub mod html;
pub mod json;
mod redirect;

use chrono::{DateTime, FixedOffset};
use url::Url;

/// One item as a source delivers it, before normalization.
#[derive(Debug, Clone, Default)]
pub struct RawItem {
    /// Id that only this source uses (a feed's guid).
    pub guid: Option<String>,
    /// Id the source declares for the article itself (e.g. an infoCode).
    pub declared_id: Option<String>,
    pub link: Option<Url>,
    /// Plain text.
    pub title: String,
    /// HTML, unsanitized.
    pub summary: Option<String>,
    /// HTML, unsanitized.
    pub content: Option<String>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub categories: Vec<String>,
}

/// A document that could not be read as its kind.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {message}")]
pub struct ParseError {
    pub url: Url,
    pub message: String,
}
