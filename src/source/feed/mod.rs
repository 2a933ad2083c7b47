//! The `feed` kind: RSS 0.9x/1.0/2.0, Atom and JSON Feed documents, read by feed-rs, with
//! what a tolerant reader adds around it: RSS 0.90/1.0 (RDF) read by [`rdf`], Dublin Core
//! fields feed-rs missed filled in from it, JSON Feed ids of any JSON type, and an entry's
//! `id`/`guid` as its link when it is the only address the entry has.
//!
//! feed-rs is given UTF-8 (the charset module decodes first, so a charset only in the HTTP
//! header still works), a date parser that reads zone-less times in the configured zone,
//! and an id generator that generates nothing: its generated ids hash link and title or
//! are random, so they must never become an identity.

use chrono::Utc;
use chrono_tz::Tz;
use feed_rs::model::{Entry, Text};
use url::Url;

mod rdf;

use super::{Candidate, Listing, ParseError, RawItem};
use crate::fetch::Page;
use crate::normalize::plain_text;

/// A feed document's entries, each complete.
pub fn read(page: &Page, timezone: Tz) -> Result<Listing, ParseError> {
    Ok(Listing {
        candidates: parse(page, timezone)?
            .into_iter()
            .map(|item| Candidate {
                item,
                ..Candidate::default()
            })
            .collect(),
        ..Listing::default()
    })
}

/// Parses a feed document into items, in document order.
pub fn parse(page: &Page, timezone: Tz) -> Result<Vec<RawItem>, ParseError> {
    let text = crate::charset::xml_as_utf8(&page.body, page.content_type.as_deref());
    let rewritten = if text.trim_start().starts_with('{') {
        json_feed_pre_pass(&text)
    } else if rdf::is_rdf(&text) {
        return rdf::read(&text, &page.url, timezone);
    } else if text.contains(ATOM_03) {
        Some(atom_03_as_atom_10(&text).into_bytes())
    } else {
        None
    };
    let bytes = rewritten.as_deref().unwrap_or(text.as_bytes());
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(page.url.as_str()))
        .sanitize_content(false)
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(move |text| {
            crate::dates::parse_date(text, timezone).map(|t| t.with_timezone(&Utc))
        })
        .build();
    let feed = parser.parse(bytes).map_err(|err| ParseError {
        url: page.url.clone(),
        message: format!("not a readable RSS/Atom/JSON feed: {err}"),
    })?;
    let mut items: Vec<RawItem> = feed
        .entries
        .into_iter()
        .map(|entry| item(entry, &page.url, timezone))
        .collect();
    // Only an RSS document with an item lacking its title or time, and Dublin Core
    // declared, is read a second time.
    let rss = matches!(
        feed.feed_type,
        feed_rs::model::FeedType::RSS2 | feed_rs::model::FeedType::RSS0
    );
    let incomplete = items
        .iter()
        .any(|item| item.title.is_empty() || item.published.is_none());
    if rss && incomplete && text.contains("purl.org/dc/") {
        fill_dublin_core(&mut items, &text, &page.url, timezone);
    }
    for item in &mut items {
        // An entry whose only address is its id or guid (a permalink guid, an Atom id
        // that is a URL) links there.
        if item.link.is_none() {
            item.link = item
                .guid
                .as_deref()
                .and_then(|id| Url::parse(id.trim()).ok())
                .filter(|url| matches!(url.scheme(), "http" | "https"));
        }
    }
    Ok(items)
}

/// The Atom 0.3 namespace, which feed-rs does not know.
const ATOM_03: &str = "http://purl.org/atom/ns#";

/// An Atom 0.3 document in Atom 1.0's terms, as a pre-pass for feed-rs: the namespace,
/// `issued` → `published`, `modified` → `updated`, escaped content as HTML. The two
/// formats differ in little else a reader uses.
fn atom_03_as_atom_10(text: &str) -> String {
    text.replace(ATOM_03, "http://www.w3.org/2005/Atom")
        .replace("<issued>", "<published>")
        .replace("</issued>", "</published>")
        .replace("<modified>", "<updated>")
        .replace("</modified>", "</updated>")
        .replace("mode=\"escaped\"", "")
        .replace("type=\"text/html\"", "type=\"html\"")
        .replace("type=\"text/plain\"", "type=\"text\"")
}

/// Titles, times and authors that only Dublin Core gives (`dc:title`, `dc:date` under any
/// prefix), filled in where feed-rs left them empty. Items are matched by position.
fn fill_dublin_core(items: &mut [RawItem], text: &str, url: &Url, timezone: Tz) {
    let fields = rdf::dublin_core(text, url);
    if fields.len() != items.len() {
        return;
    }
    for (item, fields) in items.iter_mut().zip(fields) {
        if item.title.is_empty() {
            if let Some(title) = fields.title.as_deref() {
                item.title = plain_text(title);
            }
        }
        if item.published.is_none() {
            item.published = fields
                .date
                .as_deref()
                .and_then(|d| crate::dates::parse_date(d, timezone))
                .map(|t| t.with_timezone(&timezone).fixed_offset());
        }
        if item.author.is_none() {
            item.author = fields.creator;
        }
    }
}

/// JSON Feed items as feed-rs wants them: ids of any JSON type become strings (the spec
/// says strings; numbers are common), and an item with only an `external_url` links there.
fn json_feed_pre_pass(text: &str) -> Option<Vec<u8>> {
    let mut document: serde_json::Value = serde_json::from_str(text).ok()?;
    for item in document.get_mut("items")?.as_array_mut()? {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        match item.get("id") {
            Some(serde_json::Value::String(_)) | None => {}
            Some(serde_json::Value::Null) => {
                item.remove("id");
            }
            Some(other) => {
                let id = other.to_string();
                item.insert("id".into(), serde_json::Value::String(id));
            }
        }
        if !item.contains_key("url") {
            if let Some(external) = item.get("external_url").cloned() {
                item.insert("url".into(), external);
            }
        }
    }
    serde_json::to_vec(&document).ok()
}

fn item(entry: Entry, base: &Url, timezone: Tz) -> RawItem {
    let link = entry
        .links
        .iter()
        .find(|link| link.rel.as_deref().is_none_or(|rel| rel == "alternate"))
        .and_then(|link| base.join(link.href.trim()).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"));
    let title = entry.title.as_ref().map(text_to_plain).unwrap_or_default();
    let summary = entry.summary.as_ref().map(text_to_html);
    let content = entry
        .content
        .as_ref()
        .and_then(|content| content.body.clone());
    let author = entry
        .authors
        .iter()
        .filter_map(|person| person.name.as_deref().map(plain_text))
        .filter(|name| !name.is_empty())
        .collect::<Vec<_>>();
    let published = entry.published.or(entry.updated).map(|time| {
        // Report in the configured zone: the instant is the same, the reader sees local time.
        time.with_timezone(&timezone).fixed_offset()
    });
    RawItem {
        guid: Some(entry.id)
            .filter(|id| !id.trim().is_empty())
            .map(|id| id.trim().to_string()),
        declared_id: None,
        link,
        title,
        summary,
        content,
        author: (!author.is_empty()).then(|| author.join("、")),
        outlet: None,
        published,
        categories: entry
            .categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term))
            .collect(),
        enclosure: None,
    }
}

fn is_html(text: &Text) -> bool {
    text.content_type.subty().as_str().contains("html")
}

fn text_to_plain(text: &Text) -> String {
    if is_html(text) {
        plain_text(&text.content)
    } else {
        // feed-rs leaves `&nbsp;` literal in plain titles.
        plain_text(&text.content.replace("&nbsp;", " "))
    }
}

fn text_to_html(text: &Text) -> String {
    if is_html(text) {
        text.content.clone()
    } else {
        ammonia::clean_text(&text.content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn page(body: &str, content_type: &str) -> Page {
        Page::new(
            Url::parse("https://news.example/rss.xml").unwrap(),
            Some(content_type.to_string()),
            Default::default(),
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn rss2_with_beijing_times_and_relative_links() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>标题&lt;一&gt;</title><link>/a/1.html</link><guid isPermaLink="false">g-1</guid>
            <pubDate>2026-11-01 08:00:00</pubDate><description>&lt;p&gt;摘要&lt;/p&gt;</description>
            <author>记者 张三</author></item>
            <item><title>无链接</title><description>x</description></item></channel></rss>"#;
        let items = parse(&page(rss, "application/rss+xml"), Shanghai).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title, "标题<一>");
        assert_eq!(
            items[0].link.as_ref().unwrap().as_str(),
            "https://news.example/a/1.html"
        );
        assert_eq!(items[0].guid.as_deref(), Some("g-1"));
        assert_eq!(
            items[0].published.unwrap().to_rfc3339(),
            "2026-11-01T08:00:00+08:00"
        );
        assert_eq!(items[1].guid, None);
        assert_eq!(items[1].link, None);
    }

    #[test]
    fn gbk_feed_declared_only_in_the_header() {
        let rss = "<rss version=\"2.0\"><channel><title>t</title><item><title>大众日报</title><link>https://a.example/1</link></item></channel></rss>";
        let mut p = page("", "text/xml; charset=gbk");
        p.body = encoding_rs::GBK.encode(rss).0.into_owned();
        assert_eq!(parse(&p, Shanghai).unwrap()[0].title, "大众日报");
    }

    #[test]
    fn malformed_xml_is_an_error_naming_the_url() {
        let err = parse(
            &page("<rss version=\"2.0\"><channel><item><title>x &", "text/xml"),
            Shanghai,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("https://news.example/rss.xml: "),
            "{err}"
        );
        assert!(
            parse(
                &page("<html><body>not a feed</body></html>", "text/html"),
                Shanghai
            )
            .is_err()
        );
    }
}
