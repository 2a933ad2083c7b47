//! Retention as the daemon and `paperboy fetch` apply it: each feed's `keep` and
//! `keep_items` made into prune rules, how long tombstones last, and the daemon's
//! periodic prune.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::pipeline::Live;
use crate::publish::Catalog;
use crate::store::{Keep, Pruned, Store, StoreError};

/// How long a tombstone outlives the longest `keep` once no source lists its item: a
/// source that comes back after a long failure with old items does not bring them back.
pub const TOMBSTONE_GRACE: Duration = Duration::from_secs(14 * 86_400);
/// How often the daemon prunes (and once at start).
pub const EVERY: Duration = Duration::from_secs(3600);

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Prunes every feed with a retention as of `now` (UTC milliseconds).
pub fn prune(settings: &Settings, store: &Store, now: i64) -> Result<Pruned, StoreError> {
    let rules: Vec<Keep<'_>> = settings
        .feeds
        .iter()
        .filter(|feed| feed.select.is_none() && feed.retention.prunes())
        .map(|feed| Keep {
            feed: &feed.slug,
            older_than: feed
                .retention
                .keep
                .map(|keep| now.saturating_sub(millis(keep))),
            newest: feed.retention.keep_items,
        })
        .collect();
    let longest = settings
        .feeds
        .iter()
        .filter_map(|feed| feed.retention.keep)
        .max()
        .unwrap_or_default();
    let expire_before = now.saturating_sub(millis(longest + TOMBSTONE_GRACE));
    let pruned = store.prune(&rules, now, expire_before)?;
    if pruned != Pruned::default() {
        tracing::info!(
            from_feeds = pruned.from_feeds,
            deleted = pruned.deleted,
            tombstones_expired = pruned.expired,
            "pruned"
        );
    }
    Ok(pruned)
}

/// Prunes now and every [`EVERY`] until `shutdown`, re-rendering the feeds it changed.
pub async fn periodically(live: Live, catalog: Catalog, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        let ctx = live.get();
        let (settings, store) = (ctx.settings.clone(), ctx.store.clone());
        let now = chrono::Utc::now().timestamp_millis();
        match crate::blocking::run(move || prune(&settings, &store, now)).await {
            Ok(Ok(pruned)) if pruned.from_feeds > 0 => {
                if let Err(err) = catalog.refresh(&ctx).await {
                    tracing::error!(error = %err, "cannot render the feeds after pruning");
                }
            }
            Ok(Ok(_)) => {}
            Ok(Err(err)) => tracing::error!(error = %err, "pruning failed"),
            Err(err) => tracing::error!(error = %err, "pruning failed"),
        }
    }
}
