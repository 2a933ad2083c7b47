//! RSS 0.90 and RSS 1.0 (RDF) documents, with their Dublin Core fields, read on quick-xml.
//!
//! Written here because feed-rs reads neither fully: RSS 0.90 items (outside the channel,
//! in the Netscape namespace) come out as no entries at all, and Dublin Core fields are
//! matched by the `dc:` prefix, so `dcterms:title` or a `<title>` only in Dublin Core is
//! lost. This reader resolves namespaces, so any prefix works, and takes an item's title,
//! link, time, author, subject and body from the RSS or Dublin Core element, whichever the
//! item has. It also lends its Dublin Core reading to other RSS documents
//! ([`dublin_core`]), whose items feed-rs reads but whose `dc:` fields it may miss.

use chrono_tz::Tz;
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use url::Url;

use crate::source::{ParseError, RawItem};

const RDF: &[u8] = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RSS10: &[u8] = b"http://purl.org/rss/1.0/";
const RSS090: &[u8] = b"http://my.netscape.com/rdf/simple/0.9/";
const DC: &[u8] = b"http://purl.org/dc/elements/1.1/";
const DCTERMS: &[u8] = b"http://purl.org/dc/terms/";
const CONTENT: &[u8] = b"http://purl.org/rss/1.0/modules/content/";

/// The fields of one item, as written.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    pub about: Option<String>,
    pub title: Option<String>,
    pub link: Option<String>,
    pub description: Option<String>,
    pub content: Option<String>,
    pub date: Option<String>,
    pub creator: Option<String>,
    pub subjects: Vec<String>,
}

/// Which field an element fills.
fn field(ns: &[u8], local: &[u8]) -> Option<&'static str> {
    let rss = ns == RSS10 || ns == RSS090 || ns.is_empty();
    let dc = ns == DC || ns == DCTERMS;
    Some(match local {
        b"title" if rss => "title",
        b"link" if rss => "link",
        b"description" if rss => "description",
        b"title" if dc => "dc:title",
        b"date" | b"created" | b"issued" | b"modified" if dc => "dc:date",
        b"creator" | b"contributor" if dc => "dc:creator",
        b"subject" if dc => "dc:subject",
        b"description" if dc => "dc:description",
        b"encoded" if ns == CONTENT => "content",
        _ => return None,
    })
}

/// Whether a document is RDF (RSS 0.90 or 1.0): its root element is `rdf:RDF`.
pub fn is_rdf(text: &str) -> bool {
    let mut reader = NsReader::from_str(text);
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(e) | Event::Empty(e))) => {
                return matches!(ns, ResolveResult::Bound(Namespace(n)) if n == RDF)
                    && e.local_name().as_ref() == b"RDF";
            }
            Ok((_, Event::Eof)) | Err(_) => return false,
            _ => {}
        }
    }
}

/// The fields of every `item` element of an RSS document (any version), in order.
pub fn items(text: &str, url: &Url) -> Result<Vec<Fields>, ParseError> {
    let mut reader = NsReader::from_str(text);
    let mut out = Vec::new();
    let mut current: Option<Fields> = None;
    // The field being read, the depth it opened at, and its text so far.
    let mut reading: Option<(&'static str, usize, String)> = None;
    let mut depth = 0usize;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_resolved_event().map_err(|err| ParseError {
            url: url.clone(),
            message: format!("not a readable RSS document after byte {position}: {err}"),
        })?;
        match event {
            (ns, Event::Start(e)) => {
                depth += 1;
                let ns = namespace(&ns);
                let local = e.local_name();
                if local.as_ref() == b"item" && (ns == RSS10 || ns == RSS090 || ns.is_empty()) {
                    let about = e.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == b"about")
                            .then(|| String::from_utf8_lossy(&a.value).into_owned())
                    });
                    current = Some(Fields {
                        about,
                        ..Fields::default()
                    });
                } else if current.is_some() && reading.is_none() {
                    if let Some(name) = field(ns, local.as_ref()) {
                        reading = Some((name, depth, String::new()));
                    }
                }
            }
            (_, Event::Text(t)) => {
                if let Some((_, _, text)) = reading.as_mut() {
                    text.push_str(&t.decode().unwrap_or_default());
                }
            }
            (_, Event::CData(t)) => {
                if let Some((_, _, text)) = reading.as_mut() {
                    text.push_str(&t.decode().unwrap_or_default());
                }
            }
            (_, Event::GeneralRef(r)) => {
                if let Some((_, _, text)) = reading.as_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        text.push(c);
                    } else {
                        let name = r.decode().unwrap_or_default();
                        match quick_xml::escape::resolve_xml_entity(&name) {
                            Some(value) => text.push_str(value),
                            None => {
                                text.push('&');
                                text.push_str(&name);
                                text.push(';');
                            }
                        }
                    }
                }
            }
            (ns, Event::End(e)) => {
                if let Some((name, at, text)) = reading.take() {
                    if at != depth {
                        reading = Some((name, at, text));
                    } else if let Some(item) = current.as_mut() {
                        store(item, name, text);
                    }
                }
                let ns = namespace(&ns);
                if e.local_name().as_ref() == b"item"
                    && (ns == RSS10 || ns == RSS090 || ns.is_empty())
                {
                    out.extend(current.take());
                }
                depth = depth.saturating_sub(1);
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    Ok(out)
}

fn namespace<'a>(ns: &'a ResolveResult<'_>) -> &'a [u8] {
    match ns {
        ResolveResult::Bound(Namespace(n)) => n,
        _ => b"",
    }
}

fn store(item: &mut Fields, name: &str, text: String) {
    let text = text.trim().to_string();
    if text.is_empty() {
        return;
    }
    match name {
        "title" => item.title = Some(text),
        "dc:title" => {
            item.title.get_or_insert(text);
        }
        "link" => item.link = Some(text),
        "description" => item.description = Some(text),
        "dc:description" => {
            item.description.get_or_insert(text);
        }
        "content" => item.content = Some(text),
        "dc:date" => {
            item.date.get_or_insert(text);
        }
        "dc:creator" => {
            item.creator.get_or_insert(text);
        }
        "dc:subject" => item.subjects.push(text),
        _ => {}
    }
}

/// An RDF document's items.
pub fn read(text: &str, url: &Url, timezone: Tz) -> Result<Vec<RawItem>, ParseError> {
    Ok(items(text, url)?
        .into_iter()
        .map(|fields| {
            let link = fields
                .link
                .as_deref()
                .or(fields.about.as_deref())
                .and_then(|href| url.join(href.trim()).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"));
            RawItem {
                guid: fields.about.clone(),
                declared_id: None,
                link,
                title: fields
                    .title
                    .as_deref()
                    .map(crate::normalize::plain_text)
                    .unwrap_or_default(),
                summary: fields.description,
                content: fields.content,
                author: fields.creator,
                outlet: None,
                published: fields
                    .date
                    .as_deref()
                    .and_then(|d| crate::dates::parse_date(d, timezone))
                    // Reported in the configured zone: the same instant, local time.
                    .map(|t| t.with_timezone(&timezone).fixed_offset()),
                categories: fields.subjects,
                enclosure: None,
            }
        })
        .collect())
}

/// The Dublin Core fields of an RSS document's items, in order, for filling what another
/// parser left empty.
pub fn dublin_core(text: &str, url: &Url) -> Vec<Fields> {
    items(text, url).unwrap_or_default()
}
