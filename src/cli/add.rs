//! `paperboy add URL [--feed SLUG] [--title T] [--dry-run]`: finds what the address is,
//! tries each source that could read it (a dry run in a scratch store) and writes the
//! first that yields articles into a feed file.

use paperboy::add;
use paperboy::config::{self, Settings};
use paperboy::fetch::Fetcher;
use paperboy::names::{slug_of, unique};
use paperboy::{daemon, pipeline};
use url::Url;

use super::{CliError, load, runtime, write_feed_file};

/// Titles of the dry run shown.
const SHOWN: usize = 5;

pub fn add(
    config: Option<std::path::PathBuf>,
    address: &str,
    feed: Option<String>,
    title: Option<String>,
    dry_run: bool,
) -> Result<(), CliError> {
    let settings = load(config)?;
    let url = Url::parse(address)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| CliError::Usage(format!("`{address}` is not an http(s) address")))?;
    let fetcher = Fetcher::new(&settings.fetch).map_err(|err| CliError::Admin(err.to_string()))?;
    let page = runtime()
        .block_on(pipeline::fetch_followed(
            &fetcher,
            &url,
            settings.fetch.allow_private,
        ))
        .map_err(|err| CliError::NotFound(err.to_string()))?;
    let reading = add::read(&page, &url);
    if reading.candidates.is_empty() {
        return Err(CliError::NotFound(
            match (&reading.article_of, reading.looks_like) {
                (_, Some(family)) => format!(
                    "{url} looks like a `{family}` e-paper page, but its address is not one of the family's; write an `epaper` source with preset = \"{family}\" and the edition's address with {{date:…}} in it as `url`"
                ),
                (Some(column), None) => format!(
                    "{url} is a single article, not a list of them; add its column, perhaps: paperboy add {column}"
                ),
                (None, None) => format!(
                    "{url}: found no feed, no <link rel=\"alternate\"> feed, no page of a known e-paper family and no list of article links"
                ),
            },
        ));
    }
    let title = title
        .or(reading.title.clone())
        .unwrap_or_else(|| url.host_str().unwrap_or("feed").to_string());
    let slug = feed.unwrap_or_else(|| slug_of(&title, "feed"));
    let path = settings.feeds_dir.join(format!("{slug}.toml"));
    let existing = std::fs::read_to_string(&path).ok();
    let mut names = settings.sources().map(|s| s.name.clone()).collect();
    let name = unique(slug_of(&title, "source"), &mut names);

    let mut tried = Vec::new();
    for candidate in &reading.candidates {
        let table = candidate.table(&name);
        let text = match &existing {
            Some(text) => format!("{}\n\n{table}", text.trim_end()),
            None => format!("title = {}\n\n{table}", toml::Value::String(title.clone())),
        };
        match try_source(&settings, &slug, &text, &name) {
            Ok(titles) if !titles.is_empty() => {
                say!("{url} is {}", candidate.describe());
                let verb = if existing.is_some() {
                    "adds to"
                } else {
                    "writes"
                };
                say!("paperboy {verb} {}:", path.display());
                for line in table.lines() {
                    say!("    {line}");
                }
                say!("a dry run of it yields {} items, the first:", titles.len());
                for title in titles.iter().take(SHOWN) {
                    say!("    {title}");
                }
                if dry_run {
                    say!("(dry run: nothing written)");
                } else {
                    write_feed_file(&path, &text)?;
                    say!("wrote {}", path.display());
                }
                return Ok(());
            }
            Ok(_) => tried.push(format!("{}: yields no articles", candidate.describe())),
            Err(err) => tried.push(format!("{}: {err}", candidate.describe())),
        }
    }
    Err(CliError::NotFound(format!(
        "{url}: no source that reads it yields articles; tried\n  {}",
        tried.join("\n  ")
    )))
}

/// The titles a dry run of source `name` in feed file `text` yields, run in a scratch
/// installation (its own store) with these settings' time zone and fetch rules.
fn try_source(
    settings: &Settings,
    slug: &str,
    text: &str,
    name: &str,
) -> Result<Vec<String>, String> {
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    let feeds = scratch.path().join("feeds");
    std::fs::create_dir_all(&feeds).map_err(|e| e.to_string())?;
    std::fs::write(feeds.join(format!("{slug}.toml")), text).map_err(|e| e.to_string())?;
    let daemon_file = scratch.path().join("paperboy.toml");
    std::fs::write(
        &daemon_file,
        format!(
            "data_dir = \"data\"\nfeeds_dir = \"feeds\"\ntimezone = \"{}\"\n[fetch]\nallow_private = {}\ntimeout = \"{}ms\"\nhost_delay = \"{}ms\"\n",
            settings.timezone.name(),
            settings.fetch.allow_private,
            settings.fetch.timeout.as_millis(),
            settings.fetch.host_delay.as_millis(),
        ),
    )
    .map_err(|e| e.to_string())?;
    let trial = config::load(&daemon_file).map_err(|e| e.to_string())?;
    let source = trial
        .sources()
        .find(|s| s.name == name)
        .cloned()
        .ok_or("the source did not load")?;
    let ctx = daemon::context(trial).map_err(|e| e.to_string())?;
    let (items, _) = runtime()
        .block_on(pipeline::preview(&ctx, &source))
        .map_err(|e| e.to_string())?;
    Ok(items.into_iter().map(|item| item.title).collect())
}
