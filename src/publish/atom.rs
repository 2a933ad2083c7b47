//! Atom 1.0 (RFC 4287) from a channel and its posts.

use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};

use super::Format;
use super::post::{Channel, Post, xml_text};

/// RFC 5005's namespace.
const HISTORY: &str = "http://purl.org/syndication/history/1.0";

/// Where archive page `n` of a feed is.
pub fn archive_url(home: &url::Url, slug: &str, n: usize) -> url::Url {
    home.join(&format!("feeds/{slug}/archive/{n}.atom"))
        .expect("a slug is a valid path segment")
}

pub fn write(channel: &Channel, posts: &[Post]) -> Vec<u8> {
    let current = Format::Atom.url(&channel.home, &channel.slug);
    let self_url = match channel.history.archive {
        Some(n) => archive_url(&channel.home, &channel.slug, n),
        None => current.clone(),
    };
    let mut feed = Feed::default();
    feed.set_id(self_url.as_str());
    feed.set_title(Text::plain(xml_text(&channel.title)));
    if let Some(description) = &channel.description {
        feed.set_subtitle(Some(Text::plain(xml_text(description))));
    }
    feed.set_updated(channel.updated);
    feed.set_authors(vec![person(&channel.title)]);
    let mut links = vec![
        link(self_url.as_str(), "self", Some(Format::Atom.mime()), None),
        link(channel.home.as_str(), "alternate", Some("text/html"), None),
    ];
    let history = &channel.history;
    if history.archive.is_some() {
        links.push(link(
            current.as_str(),
            "current",
            Some(Format::Atom.mime()),
            None,
        ));
    }
    if let Some(n) = history.prev {
        let url = archive_url(&channel.home, &channel.slug, n);
        links.push(link(
            url.as_str(),
            "prev-archive",
            Some(Format::Atom.mime()),
            None,
        ));
    }
    if history.archive.is_some() || history.prev.is_some() {
        feed.set_namespaces(std::collections::BTreeMap::from([(
            "fh".to_string(),
            HISTORY.to_string(),
        )]));
    }
    feed.set_links(links);
    let mut generator = Generator::default();
    generator.set_value("paperboy");
    generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
    feed.set_generator(Some(generator));
    feed.set_lang(Some("zh-CN".to_string()));
    feed.set_entries(posts.iter().map(entry).collect::<Vec<_>>());
    let xml = feed
        .write_to(Vec::new())
        .expect("writing to memory does not fail");
    if history.archive.is_some() {
        mark_archive(xml)
    } else {
        xml
    }
}

/// Adds `<fh:archive/>` to a feed's head. Written here rather than as an extension of
/// atom_syndication's, which puts extensions after the entries, where RFC 4287's schema
/// allows none. Text in the head is escaped, so the first `<entry>` is the first entry.
fn mark_archive(xml: Vec<u8>) -> Vec<u8> {
    const MARK: &[u8] = b"<fh:archive/>";
    let at = [&b"<entry>"[..], b"</feed>"]
        .iter()
        .find_map(|tag| xml.windows(tag.len()).position(|w| w == *tag))
        .unwrap_or(xml.len());
    let mut out = Vec::with_capacity(xml.len() + MARK.len());
    out.extend_from_slice(&xml[..at]);
    out.extend_from_slice(MARK);
    out.extend_from_slice(&xml[at..]);
    out
}

fn entry(post: &Post) -> Entry {
    let mut entry = Entry::default();
    entry.set_id(xml_text(&post.id));
    entry.set_title(Text::plain(xml_text(&post.title)));
    entry.set_updated(post.updated);
    entry.set_published(Some(post.published));
    if let Some(name) = &post.author {
        entry.set_authors(vec![person(name)]);
    }
    let mut links = Vec::new();
    if let Some(href) = &post.link {
        links.push(link(href, "alternate", Some("text/html"), None));
    }
    for (url, outlet) in &post.related {
        links.push(link(url, "related", Some("text/html"), Some(outlet)));
    }
    if let Some(file) = &post.enclosure {
        links.push(link(file, "enclosure", Some(mime_of(file)), None));
    }
    entry.set_links(links);
    if let Some(summary) = &post.summary {
        entry.set_summary(Some(Text::html(xml_text(summary))));
    }
    if let Some(html) = &post.content {
        let mut content = Content::default();
        content.set_content_type(Some("html".to_string()));
        content.set_value(Some(xml_text(html)));
        entry.set_content(Some(content));
    }
    entry.set_categories(
        post.categories
            .iter()
            .map(|term| {
                let mut category = Category::default();
                category.set_term(xml_text(term));
                category
            })
            .collect::<Vec<_>>(),
    );
    entry
}

fn person(name: &str) -> Person {
    let mut person = Person::default();
    person.set_name(xml_text(name));
    person
}

fn link(href: &str, rel: &str, mime: Option<&str>, title: Option<&str>) -> Link {
    let mut link = Link::default();
    link.set_href(xml_text(href));
    link.set_rel(rel);
    link.set_mime_type(mime.map(str::to_string));
    link.set_title(title.map(xml_text));
    link
}

/// The type of an enclosure, by its name.
pub fn mime_of(file: &str) -> &'static str {
    if file.to_ascii_lowercase().ends_with(".pdf") {
        "application/pdf"
    } else {
        "application/octet-stream"
    }
}
