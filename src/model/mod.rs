//! The shared model at the bottom of the house: what a source delivers ([`RawItem`]),
//! what the store takes ([`NewItem`]), an item's key ([`ItemKey`]) and a response's
//! validators ([`Validators`]). It imports nothing of paperboy's, so every stage can use
//! it without depending on another stage.

pub mod health;
mod key;

use chrono::{DateTime, FixedOffset};
use url::Url;

pub use key::ItemKey;

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
    /// A file that goes with the item (an e-paper page's PDF).
    pub enclosure: Option<Url>,
}

/// An item as a source delivers it, normalized and ready to store.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    /// Source-scoped id (a feed's guid): recognises the item again within its source.
    pub guid: Option<String>,
    /// Global id the source declares (e.g. an infoCode).
    pub declared_id: Option<String>,
    /// Canonical URL identity (see `normalize::url_identity`).
    pub url_identity: Option<String>,
    pub link: Option<String>,
    pub title: String,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<(i64, i32)>,
    pub categories: Vec<String>,
    /// A file that goes with the item (an e-paper page's PDF); kept beside the item.
    pub enclosure: Option<String>,
}

impl NewItem {
    /// Hash of the fields a reader sees. The date is left out: feeds that re-date items
    /// at every build would otherwise look edited on every fetch.
    pub fn fingerprint(&self) -> u64 {
        // Streamed: the same hash as of the fields joined into one string (fingerprints
        // are stored), without building that string for every item.
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for part in [
            Some(&self.title),
            self.link.as_ref(),
            self.summary.as_ref(),
            self.content.as_ref(),
            self.author.as_ref(),
            self.outlet.as_ref(),
        ] {
            hasher.update(part.map_or("", String::as_str).as_bytes());
            hasher.update("\u{1f}".as_bytes());
        }
        for (at, category) in self.categories.iter().enumerate() {
            if at > 0 {
                hasher.update("\u{1e}".as_bytes());
            }
            hasher.update(category.as_bytes());
        }
        hasher.digest()
    }

    /// The identity a new item is keyed by: declared id, else URL, else guid, else title.
    pub fn primary_identity(&self, source: &str) -> String {
        if let Some(id) = &self.declared_id {
            format!("id:{id}")
        } else if let Some(url) = &self.url_identity {
            format!("url:{url}")
        } else if let Some(guid) = &self.guid {
            format!("guid:{source}:{guid}")
        } else {
            format!("title:{source}:{}", self.title)
        }
    }
}

/// ETag and Last-Modified of a previous response, sent back as a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash stored versions were written with: the fields joined into one string.
    fn joined_hash(item: &NewItem) -> u64 {
        let mut text = String::new();
        for part in [
            Some(&item.title),
            item.link.as_ref(),
            item.summary.as_ref(),
            item.content.as_ref(),
            item.author.as_ref(),
            item.outlet.as_ref(),
        ] {
            text.push_str(part.map_or("", String::as_str));
            text.push('\u{1f}');
        }
        text.push_str(&item.categories.join("\u{1e}"));
        xxhash_rust::xxh3::xxh3_64(text.as_bytes())
    }

    #[test]
    fn the_fingerprint_is_the_hash_of_the_joined_fields() {
        let full = NewItem {
            title: "滨州：为群众办实事66315件".into(),
            link: Some("http://paper.example/a1.htm".into()),
            summary: Some("摘要".into()),
            content: Some("<p>正文".repeat(200)),
            author: Some("记者".into()),
            outlet: Some("大众日报".into()),
            categories: vec!["要闻".into(), "民生".into(), "滨州".into()],
            ..NewItem::default()
        };
        let one_category = NewItem {
            categories: vec!["要闻".into()],
            ..full.clone()
        };
        for item in [NewItem::default(), full, one_category] {
            assert_eq!(item.fingerprint(), joined_hash(&item), "{item:?}");
        }
    }
}
