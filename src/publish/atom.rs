//! Atom 1.0 (RFC 4287) from a channel and its posts.

use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};

use super::Format;
use super::post::{Channel, Post, xml_text};

pub fn write(channel: &Channel, posts: &[Post]) -> Vec<u8> {
    let self_url = Format::Atom.url(&channel.home, &channel.slug);
    let mut feed = Feed::default();
    feed.set_id(self_url.as_str());
    feed.set_title(Text::plain(xml_text(&channel.title)));
    if let Some(description) = &channel.description {
        feed.set_subtitle(Some(Text::plain(xml_text(description))));
    }
    feed.set_updated(channel.updated);
    feed.set_authors(vec![person(&channel.title)]);
    feed.set_links(vec![
        link(self_url.as_str(), "self", Some(Format::Atom.mime()), None),
        link(channel.home.as_str(), "alternate", Some("text/html"), None),
    ]);
    let mut generator = Generator::default();
    generator.set_value("paperboy");
    generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
    feed.set_generator(Some(generator));
    feed.set_lang(Some("zh-CN".to_string()));
    feed.set_entries(posts.iter().map(entry).collect::<Vec<_>>());
    feed.write_to(Vec::new())
        .expect("writing to memory does not fail")
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
