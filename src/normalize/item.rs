//! A source's raw item → the normalized item the store takes.

use url::Url;

use super::{clean_url, declared_id, plain_text, sanitize_html, url_identity};
use crate::model::{NewItem, RawItem};

/// Characters of body text used as a title when an item has none.
const TITLE_FROM_TEXT: usize = 40;

/// Cleans a raw item: canonical link, sanitized HTML with absolute URLs, plain title.
/// `base` (the listing's address) resolves relative URLs when the item has no link of its
/// own.
pub fn new_item(raw: RawItem, base: Option<&Url>) -> NewItem {
    let link = raw.link.as_ref().map(clean_url);
    let content_base = raw.link.as_ref().or(base);
    let clean = |html: Option<String>| {
        html.map(|html| sanitize_html(&html, content_base))
            .filter(|html| !html.is_empty())
    };
    let summary = clean(raw.summary);
    let content = clean(raw.content);
    let mut title = plain_text(&raw.title);
    if title.is_empty() {
        let text = plain_text(content.as_deref().or(summary.as_deref()).unwrap_or(""));
        title = text.chars().take(TITLE_FROM_TEXT).collect();
    }
    if title.is_empty() {
        title = link
            .as_ref()
            .map_or_else(|| "(无标题)".to_string(), Url::to_string);
    }
    NewItem {
        guid: raw.guid,
        declared_id: raw.declared_id.as_deref().map(declared_id),
        url_identity: raw.link.as_ref().map(url_identity),
        link: link.map(String::from),
        title,
        summary,
        content,
        author: raw.author.map(|a| plain_text(&a)).filter(|a| !a.is_empty()),
        outlet: raw.outlet.map(|o| plain_text(&o)).filter(|o| !o.is_empty()),
        published: raw
            .published
            .map(|time| (time.timestamp_millis(), time.offset().local_minus_utc())),
        categories: raw
            .categories
            .iter()
            .map(|c| plain_text(c))
            .filter(|c| !c.is_empty())
            .collect(),
        enclosure: raw.enclosure.map(String::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_cleaned_and_content_made_safe() {
        let raw = RawItem {
            link: Some(Url::parse("http://news.example/a/1.html?utm_source=rss#top").unwrap()),
            title: "  标题 ".into(),
            content: Some(
                r#"<p>正文<img src="p.jpg" onerror="x()"></p><script>bad()</script>"#.into(),
            ),
            ..RawItem::default()
        };
        let item = new_item(raw, Some(&Url::parse("http://news.example/rss").unwrap()));
        assert_eq!(item.link.as_deref(), Some("http://news.example/a/1.html"));
        assert_eq!(
            item.url_identity.as_deref(),
            Some("//news.example/a/1.html")
        );
        assert_eq!(item.title, "标题");
        let content = item.content.unwrap();
        assert!(
            content.contains(r#"src="http://news.example/a/p.jpg""#),
            "{content}"
        );
        assert!(!content.contains("onerror") && !content.contains("bad()"));
    }

    #[test]
    fn an_untitled_item_gets_its_first_words() {
        let raw = RawItem {
            summary: Some("<p>今天上午，全市召开大会。</p>".into()),
            ..RawItem::default()
        };
        let item = new_item(raw, Some(&Url::parse("http://news.example/rss").unwrap()));
        assert_eq!(item.title, "今天上午，全市召开大会。");
    }
}
