//! RSS 2.0 from a channel and its posts: the summary as `description`, the article as
//! `content:encoded`, the Atom id as a non-permalink `guid`, the byline as `dc:creator`.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link as AtomLink};
use rss::{Category, Channel as RssChannel, Guid, Item};

use super::Format;
use super::post::{Channel, Post, xml_text};

pub fn write(channel: &Channel, posts: &[Post]) -> Vec<u8> {
    let mut out = RssChannel::default();
    out.set_title(xml_text(&channel.title));
    out.set_link(channel.home.as_str());
    out.set_description(xml_text(
        channel.description.as_deref().unwrap_or(&channel.title),
    ));
    out.set_language(Some("zh-CN".to_string()));
    out.set_generator(Some(format!("paperboy {}", env!("CARGO_PKG_VERSION"))));
    out.set_last_build_date(Some(channel.updated.to_rfc2822()));
    let mut self_link = AtomLink::default();
    self_link.set_href(Format::Rss.url(&channel.home, &channel.slug).as_str());
    self_link.set_rel("self");
    self_link.set_mime_type(Some(Format::Rss.mime().to_string()));
    let mut atom = AtomExtension::default();
    atom.set_links(vec![self_link]);
    out.set_atom_ext(Some(atom));
    let mut namespaces = BTreeMap::new();
    namespaces.insert(
        "content".to_string(),
        "http://purl.org/rss/1.0/modules/content/".to_string(),
    );
    out.set_namespaces(namespaces);
    out.set_items(posts.iter().map(item).collect::<Vec<_>>());
    out.write_to(Vec::new())
        .expect("writing to memory does not fail")
}

fn item(post: &Post) -> Item {
    let mut item = Item::default();
    item.set_title(Some(xml_text(&post.title)));
    item.set_link(post.link.as_deref().map(xml_text));
    let mut guid = Guid::default();
    guid.set_value(xml_text(&post.id));
    guid.set_permalink(false);
    item.set_guid(Some(guid));
    item.set_pub_date(Some(post.published.to_rfc2822()));
    // RSS's `author` must be an e-mail address; a byline goes in Dublin Core.
    if let Some(name) = &post.author {
        let mut dc = rss::extension::dublincore::DublinCoreExtension::default();
        dc.set_creators(vec![xml_text(name)]);
        item.set_dublin_core_ext(Some(dc));
    }
    let description = post.summary.as_deref().or(post.content.as_deref());
    item.set_description(description.map(xml_text));
    if let Some(html) = &post.content {
        item.set_content(Some(xml_text(html)));
    }
    if let Some(file) = &post.enclosure {
        let mut enclosure = rss::Enclosure::default();
        enclosure.set_url(xml_text(file));
        enclosure.set_mime_type(super::atom::mime_of(file));
        // The size is not known without fetching the file; RSS asks for one anyway.
        enclosure.set_length("0");
        item.set_enclosure(Some(enclosure));
    }
    item.set_categories(
        post.categories
            .iter()
            .map(|term| {
                let mut category = Category::default();
                category.set_name(xml_text(term));
                category
            })
            .collect::<Vec<_>>(),
    );
    item
}
