//! Reloading the configuration while the daemon runs. SIGHUP, or an edit of the daemon
//! file or of a feed file (watched with `notify`, debounced), reads it again: added,
//! removed and changed sources and feeds take effect at once, and a source whose
//! schedule changed is planned again from now. An edit that does not load keeps the
//! running configuration; what is wrong and where is logged and shown as the health of
//! the configuration (index page, health feed).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use tokio::sync::mpsc;

use crate::config::{self, Settings};
use crate::fetch::Fetcher;
use crate::model::health::{CONFIG_SUBJECT, ErrorKind};
use crate::pipeline::{Context, Live};
use crate::publish::Catalog;
use crate::runner::Runner;
use crate::schedule::next_scheduled;

/// Edits closer together than this make one reload.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Watches the daemon file and the feeds directory; each settled edit of a `.toml` file
/// there sends on `reload`. Dropping the watcher stops it.
pub fn watch(
    settings: &Settings,
    reload: mpsc::Sender<()>,
) -> Result<Debouncer<RecommendedWatcher>, notify_debouncer_mini::notify::Error> {
    let config_path = settings.config_path.clone();
    let feeds_dir = settings.feeds_dir.clone();
    let relevant = {
        let (config_path, feeds_dir) = (config_path.clone(), feeds_dir.clone());
        move |path: &Path| {
            same_file(path, &config_path)
                || (path.parent().is_some_and(|dir| same_file(dir, &feeds_dir))
                    && path.extension().is_some_and(|ext| ext == "toml"))
        }
    };
    let mut debouncer = new_debouncer(DEBOUNCE, move |events: DebounceEventResult| {
        match events {
            Ok(events) if events.iter().any(|e| relevant(&e.path)) => {
                // A full channel already holds a reload that will read this edit.
                let _ = reload.try_send(());
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "watching the configuration failed"),
        }
    })?;
    let mut dirs: Vec<PathBuf> = vec![feeds_dir];
    // Editors replace files by renaming: watch the daemon file's directory, not the file.
    if let Some(dir) = config_path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if !dirs.iter().any(|d| same_file(d, dir)) {
            dirs.push(dir.to_path_buf());
        }
    }
    for dir in dirs {
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::NonRecursive)?;
    }
    Ok(debouncer)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Reads the configuration again and, when it loads, runs it in place of the current
/// one; returns the new settings, or `None` when the running configuration stays.
pub async fn apply(live: &Live, catalog: &Catalog, runner: &mut Runner) -> Option<Arc<Settings>> {
    let old = live.get();
    let path = old.settings.config_path.clone();
    let loaded = crate::blocking::run(move || config::load(&path))
        .await
        .map_err(|err| err.to_string())
        .and_then(|result| result.map_err(|err| err.to_string()))
        .and_then(|settings| {
            let fetcher = Fetcher::new(&settings.fetch).map_err(|err| err.to_string())?;
            Ok((settings, fetcher))
        });
    let now = Utc::now().timestamp_millis();
    let (mut settings, fetcher) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => {
            tracing::error!(
                "the configuration did not reload; the running one stays:\n{}",
                error
            );
            config_outcome(&old, now, Some(error), catalog).await;
            return None;
        }
    };
    keep_until_restart(&old.settings, &mut settings);
    replan(&old, &settings);
    let (added, removed, changed) = differences(&old.settings, &settings);
    let ctx = Context::new(settings, fetcher, old.store.clone());
    live.set(ctx.clone());
    if let Err(err) = catalog.refresh(&ctx).await {
        tracing::error!(error = %err, "cannot render the feeds after a reload");
    }
    runner.start(&ctx);
    config_outcome(&ctx, now, None, catalog).await;
    tracing::info!(
        feeds = ctx.settings.feeds.len(),
        sources.added = added,
        sources.removed = removed,
        sources.changed = changed,
        "configuration reloaded"
    );
    Some(ctx.settings)
}

/// Records whether the configuration loaded; a change of that is a health event.
async fn config_outcome(ctx: &Context, now: i64, error: Option<String>, catalog: &Catalog) {
    let store = ctx.store.clone();
    let failure = error.map(|e| (ErrorKind::Config, e));
    let event =
        crate::blocking::run(move || store.take_outcome(CONFIG_SUBJECT, now, failure)).await;
    match event {
        Ok(Ok(Some(_))) => catalog.rebuild_health(ctx).await,
        Ok(Ok(None)) => {}
        Ok(Err(err)) => tracing::error!(error = %err, "cannot record the configuration's health"),
        Err(err) => tracing::error!(error = %err, "cannot record the configuration's health"),
    }
}

/// What only a restart changes: where the daemon listens, its store and its cache.
fn keep_until_restart(old: &Settings, new: &mut Settings) {
    let mut kept = Vec::new();
    if new.listen != old.listen {
        new.listen = old.listen;
        kept.push("listen");
    }
    if new.data_dir != old.data_dir {
        new.data_dir = old.data_dir.clone();
        kept.push("data_dir");
    }
    if new.store_cache != old.store_cache {
        new.store_cache = old.store_cache;
        kept.push("store_cache");
    }
    if !kept.is_empty() {
        tracing::warn!(keys = ?kept, "these settings change at the next restart");
    }
}

/// Plans the sources whose schedule changed from now, instead of when the old schedule
/// would have run them next.
fn replan(old: &Context, new: &Settings) {
    let now = Utc::now();
    for source in new.sources() {
        let before = old.settings.sources().find(|s| s.name == source.name);
        let Some(before) = before else { continue };
        if before.schedule.source() == source.schedule.source() {
            continue;
        }
        let Ok(mut state) = old.store.source_state(&source.name) else {
            continue;
        };
        let next = next_scheduled(&source.schedule, new.timezone, now);
        state.next_run = Some(next.timestamp_millis());
        if let Err(err) = old.store.save_source_state(&source.name, &state) {
            tracing::error!(source = %source.name, error = %err, "cannot plan the new schedule");
        } else {
            tracing::info!(source = %source.name, next = %next, "schedule changed; planned from now");
        }
    }
}

/// Sources added, removed and changed between two configurations.
fn differences(old: &Settings, new: &Settings) -> (usize, usize, usize) {
    let added = new
        .sources()
        .filter(|s| old.sources().all(|o| o.name != s.name))
        .count();
    let removed = old
        .sources()
        .filter(|s| new.sources().all(|n| n.name != s.name))
        .count();
    let changed = new
        .sources()
        .filter(|s| {
            old.sources().any(|o| {
                o.name == s.name
                    && (o.config_hash != s.config_hash
                        || o.feed != s.feed
                        || o.schedule.source() != s.schedule.source())
            })
        })
        .count();
    (added, removed, changed)
}
