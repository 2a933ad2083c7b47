//! `feeds/<slug>.toml`: the raw shape of a feed file (inert, documented, unknown keys
//! are errors) and its validation into [`FeedDef`]s.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;
use url::Url;

use super::toml_file::{FileIssues, read_toml};
use super::{ConfigIssue, FeedDef, Settings, SourceDef, SourceKind, parse_schedule};

/// Default schedule of a source whose feed file names none: every 30 minutes.
pub const DEFAULT_SCHEDULE: &str = "*/30 * * * *";

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
    paths
        .iter()
        .filter_map(|path| read_feed(path, settings, issues))
        .collect()
}

fn read_feed(path: &Path, settings: &Settings, issues: &mut Vec<ConfigIssue>) -> Option<FeedDef> {
    let slug = path.file_stem()?.to_string_lossy().into_owned();
    let (file, text) = read_toml::<FeedFile>(path, issues)?;
    let mut out = FileIssues {
        path,
        text: &text,
        issues,
    };
    if !is_slug(&slug) {
        out.at::<()>(
            None,
            "file name",
            format!("`{slug}` must be made of a-z, 0-9 and - (it is the feed's URL)"),
        );
    }
    if file.sources.is_empty() {
        out.at::<()>(
            None,
            "sources",
            "a feed needs at least one [[sources]] table".into(),
        );
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
    // Kept even when the file has problems, so that duplicate names across files are
    // reported too; `load` fails on any problem anyway.
    Some(FeedDef {
        slug,
        title: file.title,
        description: file.description,
        entries,
        sources,
    })
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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
        out.at(
            Some(&table.name),
            &key("name"),
            format!("`{name}` must be made of a-z, 0-9 and -"),
        );
        ok = false;
    }
    let kind = match table.kind.get_ref().as_str() {
        "feed" => Some(SourceKind::Feed),
        other => {
            let message = match other {
                "html" | "json" | "epaper" => {
                    format!("kind `{other}` is not supported by this version")
                }
                _ => format!("`{other}` is not a source kind (feed, html, json or epaper)"),
            };
            out.at(Some(&table.kind), &key("kind"), message);
            None
        }
    };
    let url = match Url::parse(table.url.get_ref()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url),
        Ok(_) => {
            out.at(
                Some(&table.url),
                &key("url"),
                format!("`{}` is not an http(s) URL", table.url.get_ref()),
            );
            None
        }
        Err(err) => {
            out.at(
                Some(&table.url),
                &key("url"),
                format!("`{}` is not a URL: {err}", table.url.get_ref()),
            );
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
        serde_json::to_string(table)
            .expect("a source table serializes")
            .as_bytes(),
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
