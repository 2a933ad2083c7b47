//! Source kinds as adapters: each turns what its listing serves — a feed, a list page, an
//! API document, an e-paper edition — into [`Candidate`]s: items complete in the listing,
//! or articles to fetch with what the listing says about them.
//!
//! Adapters never store, normalize or extract articles: that is the pipeline's line. The
//! e-paper kind walks an edition's pages, and HTML redirect stubs are followed, through the
//! small [`Pages`] interface. Nothing downstream knows which kind an item came from.

pub mod epaper;
pub mod feed;
pub mod html;
pub mod json;
pub mod redirect;

use std::future::Future;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use url::Url;

use crate::blocking::WorkerError;
use crate::config::SourceKind;
use crate::extract::Overrides;
use crate::fetch::{FetchError, Page};

pub use crate::model::RawItem;

/// How an adapter asks for a page: a GET with the pipeline's politeness, caps and time-outs.
pub trait Pages {
    fn get(&self, url: &Url) -> impl Future<Output = Result<Page, FetchError>> + Send;
}

/// One item or article as a listing shows it.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    /// What the listing says: everything for a feed entry; for an article its declared
    /// id, link and whatever title, date and fields the listing gives (these win over
    /// what the article page says).
    pub item: RawItem,
    /// Where the body still has to be read, if anywhere.
    pub fetch: Option<ToFetch>,
    /// The time of an article whose page gives none precise of its own (an e-paper's
    /// issue date).
    pub fallback_date: Option<DateTime<FixedOffset>>,
    /// The categories the listing showed it under, each with the link text there
    /// (`第08版`, headline): the one whose text is the article's headline is its category.
    pub listed_as: Vec<(String, String)>,
}

impl Candidate {
    /// The category the listing showed an article under: the one whose link text is its
    /// headline, else the first.
    pub fn category_for(&self, title: &str) -> Option<String> {
        let squeeze = |text: &str| {
            text.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        };
        let title = squeeze(title);
        self.listed_as
            .iter()
            .find(|(_, text)| squeeze(text) == title)
            .or(self.listed_as.first())
            .map(|(category, _)| category.clone())
    }
}

/// A page that holds a candidate's body.
#[derive(Debug, Clone)]
pub struct ToFetch {
    pub url: Url,
    pub body: BodyFrom,
}

/// How the body is read from that page.
#[derive(Debug, Clone)]
pub enum BodyFrom {
    /// Extracted from an article page (with the source's override selectors), following
    /// its next pages.
    Article(Overrides),
    /// The text at a JSON Pointer of a JSON document.
    JsonPointer(String),
}

/// What an adapter read from a source's listing.
#[derive(Debug, Default)]
pub struct Listing {
    pub candidates: Vec<Candidate>,
    /// Things the user should look at (a selector that matched nothing).
    pub warnings: Vec<String>,
    /// E-paper editions not published (yet).
    pub missing_editions: usize,
    /// Pages of the listing that could not be read (retried next run).
    pub failed: Vec<(Url, String)>,
    /// Why the listing is (partly) empty when it should not be: the run fails with it.
    pub empty: Option<Empty>,
}

/// A listing that came back empty where articles were expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Empty {
    /// The selector or pointer that finds the items matched nothing.
    NothingMatched(String),
    /// An e-paper edition was published but lists no articles.
    Edition(String),
}

/// A document that could not be read as its kind.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {message}")]
pub struct ParseError {
    pub url: Url,
    pub message: String,
}

/// Why an adapter could not read its listing.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Worker(#[from] WorkerError),
    #[error(transparent)]
    Template(#[from] crate::config::TemplateError),
}

/// Reads a listing document of a `feed`, `html` or `json` source (an `epaper` source
/// reads its editions through [`epaper::read`]).
pub fn read(kind: &SourceKind, page: &Page, timezone: Tz) -> Result<Listing, ParseError> {
    match kind {
        SourceKind::Feed { .. } => feed::read(page, timezone),
        SourceKind::Html { links, article, .. } => Ok(html::read(page, links, article)),
        SourceKind::Json(rules) => json::read(page, rules, timezone),
        SourceKind::Epaper(_) => Err(ParseError {
            url: page.url.clone(),
            message: "an e-paper is read by editions, not from one listing".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_is_in_the_category_whose_link_is_its_headline() {
        let candidate = Candidate {
            listed_as: vec![
                (
                    "第01版".to_string(),
                    "多措并举惠民生（详见08版）".to_string(),
                ),
                ("第08版".to_string(), "多措并举 惠民生".to_string()),
            ],
            ..Candidate::default()
        };
        assert_eq!(
            candidate.category_for("多措并举惠民生").as_deref(),
            Some("第08版")
        );
        assert_eq!(
            candidate.category_for("另一个标题").as_deref(),
            Some("第01版")
        );
    }
}
