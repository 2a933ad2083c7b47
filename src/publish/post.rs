//! What a feed says, before any format: the channel and its posts. Stored items and
//! health events become posts; Atom, RSS and JSON Feed are written from them alike.

use chrono::{DateTime, FixedOffset, TimeZone};
use chrono_tz::Tz;
use url::Url;

use crate::store::StoredItem;

/// A feed's own description.
#[derive(Debug, Clone)]
pub struct Channel {
    /// The feed's slug: its documents are `/feeds/<slug>.<format>`.
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    /// The site the feed belongs to (the index page).
    pub home: Url,
    pub updated: DateTime<FixedOffset>,
    /// Where the document stands in the feed's history (RFC 5005).
    pub history: History,
}

/// Links of a document to the feed's archive documents (RFC 5005 §4).
#[derive(Debug, Clone, Default)]
pub struct History {
    /// This document is archive page `n` (and says so with `fh:archive`).
    pub archive: Option<usize>,
    /// The next older archive page. (No `next-archive`: a page that gained one when a
    /// newer page appeared would change, and archive pages never change.)
    pub prev: Option<usize>,
}

/// One entry of a feed.
#[derive(Debug, Clone)]
pub struct Post {
    /// Stable and unique (`urn:uuid:…`, or a tag within the feed).
    pub id: String,
    pub title: String,
    pub link: Option<String>,
    /// Other places the article appeared: address and outlet.
    pub related: Vec<(String, String)>,
    pub published: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    /// Byline, else outlet.
    pub author: Option<String>,
    /// Sanitized HTML.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content: Option<String>,
    pub categories: Vec<String>,
    /// A file that goes with it (an e-paper page's PDF).
    pub enclosure: Option<String>,
}

/// The item as the outlet of `feed` published it: a source's feed shows its own place's
/// headline, link and text under the shared id; without a version of its own (a source
/// that only listed a stored article) it shows the primary place's.
pub fn as_published_in(mut item: StoredItem, feed: &str) -> StoredItem {
    let own = item
        .places
        .iter()
        .filter(|place| place.feed == feed)
        .find_map(|place| place.version.as_ref());
    if let Some(version) = own.cloned() {
        item.title = version.title;
        item.link = version.link.or(item.link);
        item.summary = version.summary;
        item.content = version.content;
        item.author = version.author;
        item.outlet = version.outlet;
        item.published = version.published.or(item.published);
        item.categories = version.categories;
    }
    item
}

impl Post {
    pub fn of(item: &StoredItem, tz: Tz) -> Post {
        let published = match item.published {
            Some((millis, offset)) => FixedOffset::east_opt(offset)
                .and_then(|zone| zone.timestamp_millis_opt(millis).single())
                .unwrap_or_else(|| local_time(millis, tz)),
            None => local_time(item.first_seen, tz),
        };
        let mut related: Vec<(String, String)> = Vec::new();
        for place in &item.places {
            let Some(url) = &place.url else { continue };
            if Some(url) != item.link.as_ref() && !related.iter().any(|(u, _)| u == url) {
                let outlet = place.outlet.as_deref().unwrap_or(&place.source);
                related.push((url.clone(), outlet.to_string()));
            }
        }
        Post {
            id: item.key.atom_id(),
            title: item.title.clone(),
            link: item.link.clone(),
            related,
            published,
            updated: local_time(item.updated, tz),
            author: item.author.clone().or(item.outlet.clone()),
            summary: item.summary.clone(),
            content: item.content.clone(),
            categories: item.categories.clone(),
            enclosure: None,
        }
    }
}

/// UTC milliseconds as a time in `tz`.
pub fn local_time(millis: i64, tz: Tz) -> DateTime<FixedOffset> {
    tz.timestamp_millis_opt(millis)
        .single()
        .map_or_else(Default::default, |t| t.fixed_offset())
}

/// Drops every character XML 1.0 does not allow (§2.2): the XML writers would write
/// control characters raw, which makes the document invalid.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\u{FFFE}\n"), "abc\n");
    }
}
