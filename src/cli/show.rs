//! `paperboy extract` and `paperboy inspect`: one article, as extracted or as stored.

use std::path::PathBuf;

use paperboy::config::{self, FetchSettings};
use paperboy::store::{Place, Store, StoredItem};
use serde::Serialize;
use url::Url;

use super::{CliError, load, runtime};

/// Works without a config (Beijing time, default HTTP settings); uses one when given or
/// found.
pub fn extract(page: &str, url: Option<String>, config: Option<PathBuf>) -> Result<(), CliError> {
    let path = config.clone().unwrap_or_else(config::default_config_path);
    let settings = if config.is_some() || path.exists() {
        Some(load(Some(path))?)
    } else {
        None
    };
    let timezone = settings
        .as_ref()
        .map_or(chrono_tz::Asia::Shanghai, |s| s.timezone);
    let is_url = page.starts_with("http://") || page.starts_with("https://");
    let base = url
        .as_deref()
        .or(is_url.then_some(page))
        .map(Url::parse)
        .transpose()
        .map_err(|err| CliError::Usage(format!("--url: {err}")))?;
    let html = match &base {
        Some(base) if is_url => {
            let fetch = settings.map_or_else(FetchSettings::default, |s| s.fetch);
            runtime().block_on(paperboy::pipeline::fetch_page(&fetch, base))?
        }
        _ => {
            let bytes = std::fs::read(page).map_err(|source| CliError::Read {
                path: PathBuf::from(page),
                source,
            })?;
            paperboy::charset::decode(&bytes, None).text
        }
    };
    let article = paperboy::extract::extract(&html, base.as_ref(), &Default::default(), timezone);
    say!(
        "{}",
        serde_json::to_string_pretty(&article).expect("an article serializes")
    );
    Ok(())
}

/// What `inspect` prints about a stored item.
#[derive(Serialize)]
struct Inspected<'a> {
    id: String,
    title: &'a str,
    owner: &'a str,
    feeds: &'a [String],
    places: Vec<InspectedPlace<'a>>,
}

#[derive(Serialize)]
struct InspectedPlace<'a> {
    source: &'a str,
    url: Option<&'a str>,
    outlet: Option<&'a str>,
    title: Option<&'a str>,
    merged_with_similarity: Option<f32>,
}

impl<'a> Inspected<'a> {
    fn of(item: &'a StoredItem) -> Inspected<'a> {
        Inspected {
            id: item.key.atom_id(),
            title: &item.title,
            owner: &item.owner,
            feeds: &item.feeds,
            places: item.places.iter().map(InspectedPlace::of).collect(),
        }
    }
}

impl<'a> InspectedPlace<'a> {
    fn of(place: &'a Place) -> InspectedPlace<'a> {
        InspectedPlace {
            source: &place.source,
            url: place.url.as_deref(),
            outlet: place.outlet.as_deref(),
            title: place.version.as_ref().map(|v| v.title.as_str()),
            merged_with_similarity: place.similarity,
        }
    }
}

pub fn inspect(config: Option<PathBuf>, url: &str) -> Result<(), CliError> {
    let settings = load(config)?;
    let url =
        Url::parse(url).map_err(|err| CliError::Usage(format!("`{url}` is not a URL: {err}")))?;
    let not_found = || CliError::NotFound(format!("no stored item has the address {url}"));
    let path = format!("/inspect?{}", super::admin::query(&[("url", url.as_str())]));
    let item: StoredItem = match super::admin::ask(&settings, "GET", &path) {
        // A running daemon holds the store: ask it.
        Some(answer) => {
            let answer = answer?;
            if answer.status == 404 {
                return Err(not_found());
            }
            serde_json::from_slice(&answer.body).map_err(|err| {
                CliError::Admin(format!(
                    "the daemon's answer ({}): {err}: {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ))
            })?
        }
        None => {
            let store = Store::open_with_cache(&settings.data_dir, settings.store_cache)?;
            store
                .item_for_url(&paperboy::normalize::url_identity(&url))?
                .ok_or_else(not_found)?
        }
    };
    say!(
        "{}",
        serde_json::to_string_pretty(&Inspected::of(&item)).expect("json")
    );
    Ok(())
}
