//! Where each source stands: healthy or failing since when, with what error, how many
//! items its last run yielded and when it runs next. What `paperboy status` prints, from
//! the daemon or straight from the store.

use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::store::{Store, StoreError};

/// Characters of an error shown in a status line.
const SHORT_ERROR: usize = 120;

/// One source's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub name: String,
    pub feed: String,
    /// `ok`, `failing` or `never run`.
    pub state: String,
    /// What kind of failure, while failing (`dns`, `http`, `nothing_matched`…).
    pub error_kind: Option<String>,
    pub failing_since: Option<String>,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub items_last_run: Option<u32>,
    pub next_run: Option<String>,
}

/// Every configured source's standing, in config order.
pub fn of_sources(settings: &Settings, store: &Store) -> Result<Vec<SourceStatus>, StoreError> {
    let tz = settings.timezone;
    settings
        .sources()
        .map(|source| {
            let state = store.source_state(&source.name)?;
            let standing = store.standing(&source.name)?;
            let failing = state.consecutive_failures > 0;
            let label = if failing {
                "failing"
            } else if state.last_success.is_some() {
                "ok"
            } else {
                "never run"
            };
            Ok(SourceStatus {
                name: source.name.clone(),
                feed: source.feed.clone(),
                state: label.to_string(),
                error_kind: standing
                    .kind
                    .filter(|_| failing)
                    .map(|k| k.label().to_string()),
                failing_since: standing
                    .failing_since
                    .filter(|_| failing)
                    .and_then(|t| local(t, tz)),
                last_success: state.last_success.and_then(|t| local(t, tz)),
                last_error: state
                    .last_error
                    .filter(|_| state.consecutive_failures > 0)
                    .map(|e| short(&e)),
                consecutive_failures: state.consecutive_failures,
                items_last_run: store.last_yield(&source.name)?,
                next_run: state.next_run.and_then(|t| local(t, tz)),
            })
        })
        .collect()
}

fn local(millis: i64, tz: Tz) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
}

fn short(error: &str) -> String {
    let line = error.lines().next().unwrap_or_default();
    if line.chars().count() <= SHORT_ERROR {
        line.to_string()
    } else {
        let cut: String = line.chars().take(SHORT_ERROR).collect();
        format!("{cut}…")
    }
}

impl fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
        write!(f, "{}: {}", self.name, self.state)?;
        if let Some(kind) = &self.error_kind {
            write!(f, " ({kind})")?;
        }
        if let Some(since) = &self.failing_since {
            write!(f, " since {since}")?;
        }
        write!(
            f,
            "; last success {}; {} consecutive failures; items last run {}; next run {}",
            or_dash(&self.last_success),
            self.consecutive_failures,
            self.items_last_run
                .map_or_else(|| "-".to_string(), |n| n.to_string()),
            or_dash(&self.next_run),
        )?;
        if let Some(error) = &self.last_error {
            write!(f, "; last error: {error}")?;
        }
        Ok(())
    }
}
