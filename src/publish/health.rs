//! The built-in health feed (`/feeds/health.atom`): an entry each time a source breaks
//! or recovers, and when a configuration edit cannot be loaded, so users learn about
//! breakage in the reader they already use.

use chrono::{TimeZone, Utc};

use super::post::{Channel, Post, local_time};
use super::{Document, Format, Prepared};
use crate::config::{HEALTH_FEED, Settings};
use crate::model::health::{CONFIG_SUBJECT, HealthEvent};
use crate::store::{Store, StoreError};

/// Events shown in the health feed (the newest).
const ENTRIES: usize = 100;

/// Renders the health feed from the store's events.
pub fn render(settings: &Settings, store: &Store) -> Result<Document, StoreError> {
    Ok(prepare(settings, store)?.render())
}

/// The health feed's channel and entries.
pub fn prepare(settings: &Settings, store: &Store) -> Result<Prepared, StoreError> {
    let events = store.health_events(ENTRIES)?;
    let tz = settings.timezone;
    let updated_ms = events.first().map_or(store.created()?, |e| e.at);
    let updated = Utc
        .timestamp_millis_opt(updated_ms)
        .single()
        .unwrap_or_default();
    let channel = Channel {
        slug: HEALTH_FEED.to_string(),
        title: "paperboy: source health".to_string(),
        description: Some("Sources that broke or recovered".to_string()),
        home: settings.base_url.clone(),
        updated: local_time(updated_ms, tz),
        history: Default::default(),
    };
    let posts: Vec<Post> = events.iter().map(|e| post(e, settings)).collect();
    let stored = events.len();
    Ok(Prepared {
        channel,
        posts,
        updated,
        stored,
    })
}

fn post(event: &HealthEvent, settings: &Settings) -> Post {
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
    let id = format!(
        "{}#{}-{}",
        Format::Atom.url(&settings.base_url, HEALTH_FEED),
        event.at,
        url::form_urlencoded::byte_serialize(event.subject.as_bytes()).collect::<String>()
    );
    Post {
        id,
        title,
        link: Some(settings.base_url.to_string()),
        related: Vec::new(),
        published: local_time(event.at, tz),
        updated: local_time(event.at, tz),
        author: None,
        summary: None,
        content: Some(format!("<p>{}</p>", quick_xml::escape::escape(&text))),
        categories: Vec::new(),
        enclosure: None,
    }
}
