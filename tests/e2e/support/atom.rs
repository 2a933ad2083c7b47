//! Reading published Atom documents back, as a feed reader would.

/// One published entry, in the terms a reader sees.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub link: Option<String>,
    pub related: Vec<String>,
    pub published: Option<String>,
    pub updated: String,
    pub author: Option<String>,
    /// `content`, else `summary`.
    pub content: String,
    pub categories: Vec<String>,
}

/// Parses an Atom document (strictly: it must be Atom) into its entries.
pub fn entries(xml: &str) -> Vec<Entry> {
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("published feed parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    feed.entries
        .into_iter()
        .map(|entry| Entry {
            id: entry.id,
            title: entry.title.map(|t| t.content).unwrap_or_default(),
            link: entry
                .links
                .iter()
                .find(|l| l.rel.as_deref() == Some("alternate"))
                .map(|l| l.href.clone()),
            related: entry
                .links
                .iter()
                .filter(|l| l.rel.as_deref() == Some("related"))
                .map(|l| l.href.clone())
                .collect(),
            published: entry.published.map(|t| t.to_rfc3339()),
            updated: entry.updated.map(|t| t.to_rfc3339()).unwrap_or_default(),
            author: entry.authors.first().and_then(|a| a.name.clone()),
            content: entry
                .content
                .and_then(|c| c.body)
                .or(entry.summary.map(|s| s.content))
                .unwrap_or_default(),
            categories: entry.categories.into_iter().map(|c| c.term).collect(),
        })
        .collect()
}

/// The `href` of the document's own link with this `rel` (`prev-archive`, `current`…).
pub fn feed_link(xml: &str, rel: &str) -> Option<String> {
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("published feed parses");
    feed.links
        .into_iter()
        .find(|l| l.rel.as_deref() == Some(rel))
        .map(|l| l.href)
}
