//! JSON Feed 1.1 (https://jsonfeed.org/version/1.1) from a channel and its posts.
//!
//! Written with serde from the structs below: the format is a dozen fields, and the
//! crates that model it are unmaintained.

use serde::Serialize;

use super::Format;
use super::post::{Channel, Post};

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    language: &'static str,
    authors: Vec<Author<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
    /// Where else the article appeared (an extension: `_` keys are the format's way).
    #[serde(rename = "_paperboy", skip_serializing_if = "Option::is_none")]
    extension: Option<Extension<'a>>,
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'static str,
}

#[derive(Serialize)]
struct Extension<'a> {
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    url: &'a str,
    outlet: &'a str,
}

pub fn write(channel: &Channel, posts: &[Post]) -> Vec<u8> {
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: &channel.title,
        home_page_url: channel.home.as_str(),
        feed_url: Format::Json.url(&channel.home, &channel.slug).to_string(),
        description: channel.description.as_deref(),
        language: "zh-CN",
        authors: vec![Author {
            name: &channel.title,
        }],
        items: posts.iter().map(item).collect(),
    };
    serde_json::to_vec_pretty(&feed).expect("serializing to memory does not fail")
}

fn item(post: &Post) -> Item<'_> {
    let content_html = post.content.as_deref().or(post.summary.as_deref());
    Item {
        id: &post.id,
        url: post.link.as_deref(),
        title: &post.title,
        // JSON Feed items need `content_html` or `content_text`.
        content_html: Some(content_html.unwrap_or("")),
        summary: post
            .summary
            .as_deref()
            .filter(|_| post.content.is_some())
            .map(crate::normalize::plain_text),
        date_published: post.published.to_rfc3339(),
        date_modified: post.updated.to_rfc3339(),
        authors: post.author.iter().map(|name| Author { name }).collect(),
        tags: post.categories.iter().map(String::as_str).collect(),
        attachments: post
            .enclosure
            .iter()
            .map(|url| Attachment {
                url,
                mime_type: super::atom::mime_of(url),
            })
            .collect(),
        extension: (!post.related.is_empty()).then(|| Extension {
            related: post
                .related
                .iter()
                .map(|(url, outlet)| Related { url, outlet })
                .collect(),
        }),
    }
}
