//! The built-in health feed (`/feeds/health.atom`): an entry each time a source breaks
//! or recovers, and when a configuration edit cannot be loaded, so users learn about
//! breakage in the reader they already use.

use atom_syndication::{Content, Entry, Feed, Text};
use chrono::{TimeZone, Utc};

use super::{Document, document, link, local_time, person, xml_text};
use crate::config::{HEALTH_FEED, Settings};
use crate::model::health::{CONFIG_SUBJECT, HealthEvent};
use crate::store::{Store, StoreError};

/// Events shown in the health feed (the newest).
const ENTRIES: usize = 100;

/// Renders the health feed from the store's events.
pub fn render(settings: &Settings, store: &Store) -> Result<Document, StoreError> {
    let events = store.health_events(ENTRIES)?;
    let tz = settings.timezone;
    let updated_ms = events.first().map_or(store.created()?, |e| e.at);
    let updated = Utc
        .timestamp_millis_opt(updated_ms)
        .single()
        .unwrap_or_default();
    let self_url = settings.feed_url(HEALTH_FEED);
    let mut feed = Feed::default();
    feed.set_id(self_url.as_str());
    feed.set_title(Text::plain("paperboy: source health".to_string()));
    feed.set_subtitle(Some(Text::plain(
        "Sources that broke or recovered".to_string(),
    )));
    feed.set_updated(local_time(updated_ms, tz));
    feed.set_authors(vec![person("paperboy")]);
    feed.set_links(vec![
        link(
            self_url.as_str(),
            "self",
            Some("application/atom+xml"),
            None,
        ),
        link(
            settings.base_url.as_str(),
            "alternate",
            Some("text/html"),
            None,
        ),
    ]);
    let entries: Vec<Entry> = events.iter().map(|event| entry(event, settings)).collect();
    feed.set_entries(entries);
    Ok(document(HEALTH_FEED, &feed, updated, events.len()))
}

fn entry(event: &HealthEvent, settings: &Settings) -> Entry {
    let tz = settings.timezone;
    let when = |millis: i64| {
        local_time(millis, tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let (title, text) = match (&event.failure, event.since) {
        (Some((_, error)), _) if event.subject == CONFIG_SUBJECT => (
            "The configuration could not be reloaded".to_string(),
            format!(
                "At {} an edit did not load; the daemon runs the last good configuration. {error}",
                when(event.at)
            ),
        ),
        (None, _) if event.subject == CONFIG_SUBJECT => (
            "The configuration loads again".to_string(),
            format!("At {} the configuration reloaded.", when(event.at)),
        ),
        (Some((kind, error)), _) => (
            format!("{} is failing ({})", event.subject, kind.label()),
            format!("{} failed at {}: {error}", event.subject, when(event.at)),
        ),
        (None, since) => (
            format!("{} recovered", event.subject),
            format!(
                "{} works again at {}{}",
                event.subject,
                when(event.at),
                since.map_or(String::new(), |s| format!(
                    " after failing since {}",
                    when(s)
                )),
            ),
        ),
    };
    let mut entry = Entry::default();
    entry.set_id(format!(
        "{}#{}-{}",
        settings.feed_url(HEALTH_FEED),
        event.at,
        urlencode(&event.subject)
    ));
    entry.set_title(Text::plain(xml_text(&title)));
    entry.set_updated(local_time(event.at, tz));
    entry.set_published(Some(local_time(event.at, tz)));
    entry.set_links(vec![link(
        settings.base_url.as_str(),
        "alternate",
        Some("text/html"),
        None,
    )]);
    let mut content = Content::default();
    content.set_content_type(Some("html".to_string()));
    let html = format!("<p>{}</p>", quick_xml::escape::escape(&text));
    content.set_value(Some(xml_text(&html)));
    entry.set_content(Some(content));
    entry
}

/// A source name as an id fragment.
fn urlencode(name: &str) -> String {
    url::form_urlencoded::byte_serialize(name.as_bytes()).collect()
}
