//! The raw shapes of `paperboy.toml` and `feeds/<slug>.toml`, and their validation.
//!
//! These structs are inert data: every field is documented and unknown keys are errors.
//! Validation turns them into the types of the parent module, recording every problem
//! with its file, line and key instead of stopping at the first.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;
use url::Url;

use super::{
    ConfigIssue, FeedDef, FetchSettings, Settings, SourceDef, SourceKind, parse_duration,
    parse_schedule, parse_size,
};

/// Default user agent: several Chinese news sites refuse clients that do not look like a
/// browser, so this looks like one and still says who is asking.
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 paperboy/0.1";
/// Default schedule of a source whose feed file names none: every 30 minutes.
pub const DEFAULT_SCHEDULE: &str = "*/30 * * * *";
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";
const DEFAULT_ENTRIES: usize = 100;

/// `paperboy.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DaemonFile {
    /// Address the HTTP server listens on (default `127.0.0.1:8080`).
    listen: Option<Spanned<String>>,
    /// Public URL of the server, used in feed self links (default `http://<listen>/`).
    base_url: Option<Spanned<String>>,
    /// Directory of the sled store, relative to this file (default `../data`).
    data_dir: Option<String>,
    /// Directory of the feed files, relative to this file (default `../feeds`).
    feeds_dir: Option<String>,
    /// IANA zone for cron schedules and for times pages give without a zone.
    timezone: Option<Spanned<String>>,
    /// Entries per published feed (default 100).
    entries: Option<usize>,
    #[serde(default)]
    fetch: FetchSection,
}

/// `[fetch]` of `paperboy.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FetchSection {
    /// User-Agent header (default: a browser-like string).
    user_agent: Option<String>,
    /// Total time one request may take, body included (default `20s`).
    timeout: Option<Spanned<String>>,
    /// Time to establish a connection (default: the smaller of `10s` and `timeout`).
    connect_timeout: Option<Spanned<String>>,
    /// Largest body read, after decompression (default `16MiB`).
    max_body: Option<Spanned<String>>,
    /// Requests in flight in total (default 8).
    concurrency: Option<usize>,
    /// Least time between two requests to one host (default `1.2s`).
    host_delay: Option<Spanned<String>>,
    /// Longest wait before retrying a failing source (default `6h`).
    retry_max: Option<Spanned<String>>,
}

/// `feeds/<slug>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedFile {
    /// Title of the published feed.
    title: String,
    /// Subtitle of the published feed.
    description: Option<String>,
    /// Default schedule of the sources below (default every 30 minutes).
    schedule: Option<Spanned<String>>,
    /// Entries in the published feed (default: the daemon's `entries`).
    entries: Option<usize>,
    #[serde(default)]
    sources: Vec<SourceTable>,
}

/// One `[[sources]]` table.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SourceTable {
    /// Unique name across all feed files, `[a-z0-9-]`.
    name: Spanned<String>,
    /// `feed` (more kinds to come).
    kind: Spanned<String>,
    /// What to fetch.
    url: Spanned<String>,
    /// Overrides the feed file's schedule.
    schedule: Option<Spanned<String>>,
}

/// Collects problems of one file.
struct FileIssues<'a> {
    path: &'a Path,
    text: &'a str,
    issues: &'a mut Vec<ConfigIssue>,
}

impl FileIssues<'_> {
    fn at<T>(&mut self, spanned: Option<&Spanned<T>>, key: &str, message: String) {
        let line = spanned.map(|s| line_at(self.text, s.span().start));
        self.issues.push(ConfigIssue {
            path: self.path.to_path_buf(),
            line,
            key: Some(key.to_string()),
            message,
        });
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Reads a TOML file into `T`, recording a read or syntax error.
fn read_toml<T: for<'de> Deserialize<'de>>(
    path: &Path,
    issues: &mut Vec<ConfigIssue>,
) -> Option<(T, String)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            issues.push(ConfigIssue {
                path: path.to_path_buf(),
                line: None,
                key: None,
                message: format!("cannot read: {err}"),
            });
            return None;
        }
    };
    match toml::from_str::<T>(&text) {
        Ok(value) => Some((value, text)),
        Err(err) => {
            issues.push(ConfigIssue {
                path: path.to_path_buf(),
                line: err.span().map(|span| line_at(&text, span.start)),
                key: None,
                message: err.message().trim().to_string(),
            });
            None
        }
    }
}

fn resolve(base_dir: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() { path.to_path_buf() } else { base_dir.join(path) }
}

pub(super) fn read_daemon(path: &Path, issues: &mut Vec<ConfigIssue>) -> Option<Settings> {
    let (file, text) = read_toml::<DaemonFile>(path, issues)?;
    let before = issues.len();
    let mut out = FileIssues { path, text: &text, issues };
    let dir = path.parent().unwrap_or(Path::new("."));

    let listen_text = file.listen.as_ref().map_or(DEFAULT_LISTEN, |s| s.get_ref().as_str());
    let listen = listen_text.parse::<SocketAddr>().unwrap_or_else(|err| {
        out.at(file.listen.as_ref(), "listen", format!("`{listen_text}` is not host:port: {err}"));
        SocketAddr::from(([127, 0, 0, 1], 8080))
    });
    let base_text = file
        .base_url
        .as_ref()
        .map_or_else(|| format!("http://{listen}/"), |s| s.get_ref().clone());
    let base_url = match Url::parse(&base_text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => with_trailing_slash(url),
        Ok(_) | Err(_) => {
            out.at(file.base_url.as_ref(), "base_url", format!("`{base_text}` is not an http(s) URL"));
            Url::parse("http://127.0.0.1:8080/").expect("valid")
        }
    };
    let tz_text = file.timezone.as_ref().map_or(DEFAULT_TIMEZONE, |s| s.get_ref().as_str());
    let timezone = tz_text.parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
        out.at(file.timezone.as_ref(), "timezone", format!("`{tz_text}` is not an IANA time zone such as \"Asia/Shanghai\""));
        chrono_tz::Asia::Shanghai
    });
    let fetch = fetch_settings(&file.fetch, &mut out);
    let entries = file.entries.unwrap_or(DEFAULT_ENTRIES);
    if entries == 0 {
        out.at::<()>(None, "entries", "must be at least 1".into());
    }
    let settings = Settings {
        listen,
        base_url,
        data_dir: resolve(dir, file.data_dir.as_deref().unwrap_or("../data")),
        feeds_dir: resolve(dir, file.feeds_dir.as_deref().unwrap_or("../feeds")),
        timezone,
        fetch,
        entries,
        feeds: Vec::new(),
    };
    (issues.len() == before).then_some(settings)
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

fn fetch_settings(section: &FetchSection, out: &mut FileIssues) -> FetchSettings {
    let mut duration = |value: &Option<Spanned<String>>, key: &str, default: &str| {
        let text = value.as_ref().map_or(default, |s| s.get_ref().as_str());
        parse_duration(text).unwrap_or_else(|err| {
            out.at(value.as_ref(), key, err);
            parse_duration(default).expect("valid default")
        })
    };
    let timeout = duration(&section.timeout, "fetch.timeout", "20s");
    let connect_default = if timeout.as_secs() < 10 { "0" } else { "10s" };
    let mut connect_timeout =
        duration(&section.connect_timeout, "fetch.connect_timeout", connect_default);
    if connect_timeout.is_zero() {
        connect_timeout = timeout;
    }
    let host_delay = duration(&section.host_delay, "fetch.host_delay", "1.2s");
    let retry_max = duration(&section.retry_max, "fetch.retry_max", "6h");
    if timeout.is_zero() {
        out.at(section.timeout.as_ref(), "fetch.timeout", "must be more than zero".into());
    }
    let max_body_text = section.max_body.as_ref().map_or("16MiB", |s| s.get_ref().as_str());
    let max_body = parse_size(max_body_text).unwrap_or_else(|err| {
        out.at(section.max_body.as_ref(), "fetch.max_body", err);
        16 << 20
    });
    let concurrency = section.concurrency.unwrap_or(8);
    if concurrency == 0 {
        out.at::<()>(None, "fetch.concurrency", "must be at least 1".into());
    }
    FetchSettings {
        user_agent: section.user_agent.clone().unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
        timeout,
        connect_timeout,
        max_body,
        concurrency: concurrency.max(1),
        host_delay,
        retry_max,
    }
}

/// Reads every `*.toml` in the feeds directory, in name order.
pub(super) fn read_feeds(settings: &Settings, issues: &mut Vec<ConfigIssue>) -> Vec<FeedDef> {
    let dir = &settings.feeds_dir;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            issues.push(ConfigIssue {
                path: dir.clone(),
                line: None,
                key: None,
                message: format!("cannot read the feeds directory: {err}"),
            });
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    paths.iter().filter_map(|path| read_feed(path, settings, issues)).collect()
}

fn read_feed(path: &Path, settings: &Settings, issues: &mut Vec<ConfigIssue>) -> Option<FeedDef> {
    let slug = path.file_stem()?.to_string_lossy().into_owned();
    let (file, text) = read_toml::<FeedFile>(path, issues)?;
    let before = issues.len();
    let mut out = FileIssues { path, text: &text, issues };
    if !is_slug(&slug) {
        out.at::<()>(None, "file name", format!("`{slug}` must be made of a-z, 0-9 and - (it is the feed's URL)"));
    }
    if file.sources.is_empty() {
        out.at::<()>(None, "sources", "a feed needs at least one [[sources]] table".into());
    }
    let default_schedule = file.schedule.as_ref();
    if let Some(schedule) = default_schedule {
        if let Err(err) = parse_schedule(schedule.get_ref()) {
            out.at(Some(schedule), "schedule", err);
        }
    }
    let sources: Vec<SourceDef> = file
        .sources
        .iter()
        .enumerate()
        .filter_map(|(i, table)| source_def(i, table, &slug, default_schedule, &mut out))
        .collect();
    let entries = file.entries.unwrap_or(settings.entries);
    if entries == 0 {
        out.at::<()>(None, "entries", "must be at least 1".into());
    }
    (issues.len() == before).then(|| FeedDef {
        slug,
        title: file.title,
        description: file.description,
        entries,
        sources,
    })
}

fn is_slug(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn source_def(
    index: usize,
    table: &SourceTable,
    slug: &str,
    default_schedule: Option<&Spanned<String>>,
    out: &mut FileIssues,
) -> Option<SourceDef> {
    let key = |field: &str| format!("sources[{index}].{field}");
    let mut ok = true;
    let name = table.name.get_ref();
    if !is_slug(name) {
        out.at(Some(&table.name), &key("name"), format!("`{name}` must be made of a-z, 0-9 and -"));
        ok = false;
    }
    let kind = match table.kind.get_ref().as_str() {
        "feed" => Some(SourceKind::Feed),
        other => {
            let message = match other {
                "html" | "json" | "epaper" => format!("kind `{other}` is not supported by this version"),
                _ => format!("`{other}` is not a source kind (feed, html, json or epaper)"),
            };
            out.at(Some(&table.kind), &key("kind"), message);
            None
        }
    };
    let url = match Url::parse(table.url.get_ref()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url),
        Ok(_) => {
            out.at(Some(&table.url), &key("url"), format!("`{}` is not an http(s) URL", table.url.get_ref()));
            None
        }
        Err(err) => {
            out.at(Some(&table.url), &key("url"), format!("`{}` is not a URL: {err}", table.url.get_ref()));
            None
        }
    };
    let spanned_schedule = table.schedule.as_ref().or(default_schedule);
    let schedule_text = spanned_schedule.map_or(DEFAULT_SCHEDULE, |s| s.get_ref().as_str());
    let schedule = match parse_schedule(schedule_text) {
        Ok(schedule) => Some(schedule),
        Err(err) => {
            // The feed file's own schedule was reported once already.
            if table.schedule.is_some() {
                out.at(table.schedule.as_ref(), &key("schedule"), err);
            }
            None
        }
    };
    let config_hash = xxhash_rust::xxh3::xxh3_64(
        serde_json::to_string(table).expect("a source table serializes").as_bytes(),
    );
    match (ok, kind, url, schedule) {
        (true, Some(kind), Some(url), Some(schedule)) => Some(SourceDef {
            name: name.clone(),
            feed: slug.to_string(),
            url,
            schedule,
            kind,
            config_hash,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::load;
    use std::fs;

    fn write_config(daemon: &str, feeds: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("config")).unwrap();
        fs::create_dir_all(dir.path().join("feeds")).unwrap();
        fs::write(dir.path().join("config/paperboy.toml"), daemon).unwrap();
        for (name, text) in feeds {
            fs::write(dir.path().join("feeds").join(name), text).unwrap();
        }
        dir
    }

    const FEED: &str = "title = \"t\"\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://example.com/rss\"\n";

    #[test]
    fn relative_paths_resolve_against_the_config_file() {
        let dir = write_config("", &[("news.toml", FEED)]);
        let settings = load(&dir.path().join("config/paperboy.toml")).unwrap();
        assert_eq!(settings.data_dir, dir.path().join("config/../data"));
        assert_eq!(settings.feeds[0].slug, "news");
        assert_eq!(settings.feeds[0].sources[0].feed, "news");
        assert_eq!(settings.entries, 100);
        assert_eq!(settings.base_url.as_str(), "http://127.0.0.1:8080/");
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let bad = "title = \"t\"\nschedule = \"* * *\"\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"not a url\"\n";
        let dir = write_config("timezone = \"Mars/Base\"\n", &[("x.toml", bad)]);
        let err = load(&dir.path().join("config/paperboy.toml")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("paperboy.toml:1: `timezone`"), "{text}");
        // The daemon file failed, so feed files were not read yet.
        assert_eq!(err.0.len(), 1);

        let dir = write_config("", &[("x.toml", bad)]);
        let err = load(&dir.path().join("config/paperboy.toml")).unwrap_err().to_string();
        assert!(err.contains("x.toml:2: `schedule`"), "{err}");
        assert!(err.contains("x.toml:6: `sources[0].url`"), "{err}");
    }

    #[test]
    fn unknown_keys_and_duplicate_names_are_errors() {
        let unknown = format!("{FEED}colour = \"red\"\n");
        let dir = write_config("", &[("x.toml", &unknown)]);
        let err = load(&dir.path().join("config/paperboy.toml")).unwrap_err().to_string();
        assert!(err.contains("x.toml:6") && err.contains("colour"), "{err}");

        let dir = write_config("", &[("x.toml", FEED), ("y.toml", FEED)]);
        let err = load(&dir.path().join("config/paperboy.toml")).unwrap_err().to_string();
        assert!(err.contains("y.toml") && err.contains("`a` is already used in x.toml"), "{err}");

        let dir = write_config("[fetch]\nspeed = 3\n", &[("x.toml", FEED)]);
        let err = load(&dir.path().join("config/paperboy.toml")).unwrap_err().to_string();
        assert!(err.contains("paperboy.toml:2") && err.contains("speed"), "{err}");
    }
}
