//! When sources run: cron schedules with jitter, exponential backoff after failures,
//! `Retry-After`, and stopping cleanly at shutdown.
//!
//! Each source has its own task, so one slow or failing source never delays another;
//! the fetcher's politeness rules are what they share. The next run time is stored with
//! the source's state, so a restarted daemon runs overdue sources at once and leaves the
//! others to their schedule.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::Rng;
use tokio_util::sync::CancellationToken;

use crate::config::SourceDef;
use crate::pipeline::{Context, Report, RunError, refresh};
use crate::publish::Catalog;
use crate::store::SourceState;

/// Longest random delay added to a scheduled run.
const MAX_JITTER: Duration = Duration::from_secs(30);
/// Longest first retry delay after a failure.
const MAX_FIRST_RETRY: Duration = Duration::from_secs(60);

/// The next time `schedule` fires after `now`, plus a jitter of up to a tenth of the
/// schedule's interval (at most 30 s), so sources on one schedule do not fire together.
pub fn next_scheduled(schedule: &cron::Schedule, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut upcoming = schedule.after(&now.with_timezone(&tz));
    let Some(next) = upcoming.next() else {
        return now + chrono::Duration::days(365);
    };
    let interval = upcoming.next().map_or(MAX_JITTER, |after| {
        (after - next).to_std().unwrap_or(MAX_JITTER)
    });
    let jitter = random_up_to((interval / 10).min(MAX_JITTER));
    next.with_timezone(&Utc) + jitter
}

/// Wait before retrying after `failures` consecutive failures: the schedule's interval
/// (at most a minute), doubled per further failure, capped at `cap`, with jitter. A
/// server's `Retry-After` overrides it.
pub fn retry_delay(
    failures: u32,
    interval: Duration,
    cap: Duration,
    retry_after: Option<Duration>,
) -> Duration {
    if let Some(wait) = retry_after {
        return wait.max(Duration::from_secs(1));
    }
    let first = interval.clamp(Duration::from_secs(1), MAX_FIRST_RETRY);
    let exponent = failures.saturating_sub(1).min(20);
    let full = first.saturating_mul(1 << exponent).min(cap.max(first));
    // "Equal jitter": between half and all of the delay.
    full / 2 + random_up_to(full / 2)
}

fn random_up_to(limit: Duration) -> Duration {
    if limit.is_zero() {
        return Duration::ZERO;
    }
    Duration::from_millis(rand::rng().random_range(0..=limit.as_millis() as u64))
}

/// Interval between two consecutive firings of a schedule.
fn interval_of(schedule: &cron::Schedule, tz: Tz, now: DateTime<Utc>) -> Duration {
    let mut upcoming = schedule.after(&now.with_timezone(&tz));
    match (upcoming.next(), upcoming.next()) {
        (Some(a), Some(b)) => (b - a).to_std().unwrap_or(MAX_FIRST_RETRY),
        _ => MAX_FIRST_RETRY,
    }
}

/// Records a run's outcome in the source's state and sets its next run.
pub fn record(
    state: &mut SourceState,
    source: &SourceDef,
    result: &Result<Report, RunError>,
    ctx: &Context,
    now: DateTime<Utc>,
) {
    let tz = ctx.settings.timezone;
    let next = match result {
        Ok(report) => {
            // After a run with failed articles, the next one must not be told "not
            // modified": the failed articles are retried from the same list.
            if let Some(validators) = report.validators.as_ref().filter(|_| report.failed == 0) {
                state.validators = validators.clone();
                state.config_hash = source.config_hash;
            } else if report.failed > 0 {
                state.validators = Default::default();
            }
            state.last_success = Some(now.timestamp_millis());
            state.consecutive_failures = 0;
            state.last_error = None;
            next_scheduled(&source.schedule, tz, now)
        }
        Err(err) => {
            state.last_failure = Some(now.timestamp_millis());
            state.consecutive_failures = state.consecutive_failures.saturating_add(1);
            state.last_error = Some(err.to_string());
            let interval = interval_of(&source.schedule, tz, now);
            let wait = retry_delay(
                state.consecutive_failures,
                interval,
                ctx.settings.fetch.retry_max,
                err.retry_after(),
            );
            now + wait
        }
    };
    state.next_run = Some(next.timestamp_millis());
}

/// Runs a source now and plans its next run; used by `paperboy fetch` and the daemon.
pub async fn run_once(ctx: &Context, source: &SourceDef) -> Result<Report, RunError> {
    refresh(ctx, source, |state, result| {
        record(state, source, result, ctx, Utc::now());
    })
    .await
}

/// What running a source on request did: the lines `paperboy fetch` prints, whether it
/// failed, and its report when it stored anything.
pub struct OnRequest {
    pub lines: Vec<String>,
    pub failed: bool,
    pub report: Option<Report>,
}

/// Runs a source now as `paperboy fetch` asks (or only previews it), in the daemon or
/// in the command itself.
pub async fn on_request(ctx: &Context, source: &SourceDef, dry_run: bool) -> OnRequest {
    if dry_run {
        let outcome = crate::pipeline::preview(ctx, source).await;
        return OnRequest {
            lines: crate::pipeline::preview_lines(&source.name, &outcome),
            failed: outcome.is_err(),
            report: None,
        };
    }
    match run_once(ctx, source).await {
        Ok(report) => OnRequest {
            lines: report.lines(&source.name),
            failed: false,
            report: Some(report),
        },
        Err(err) => OnRequest {
            lines: vec![format!("{}: error: {err}", source.name)],
            failed: true,
            report: None,
        },
    }
}

/// Re-renders the feeds a run changed.
pub async fn republish(ctx: &Context, catalog: &Catalog, source: &SourceDef, report: &Report) {
    if report.merged > 0 {
        // A merged reprint adds a related link to an item of another feed too.
        for feed in &ctx.settings.feeds {
            catalog.rebuild(ctx, &feed.slug).await;
        }
    } else if report.changed() {
        catalog.rebuild_with_topics(ctx, &source.feed).await;
    }
}

/// How long until the source's planned next run (zero when due or never run).
fn until_next_run(ctx: &Context, source: &str) -> Duration {
    let next_run = match ctx.store.source_state(source) {
        Ok(state) => state.next_run,
        Err(err) => {
            tracing::error!(source, error = %err, "cannot read source state");
            None
        }
    };
    next_run
        .and_then(DateTime::from_timestamp_millis)
        .and_then(|at| (at - Utc::now()).to_std().ok())
        .unwrap_or(Duration::ZERO)
}

/// The daemon's loop for one source, until `stop` is cancelled (shutdown, or a reload
/// that replaces it). `running` is held during a run: a loop that replaced another waits
/// for the run that one began, and then goes by the plan that run made. A run in
/// progress when `stop` comes is finished (the daemon bounds how long it waits).
pub async fn run_source(
    ctx: Context,
    source: Arc<SourceDef>,
    catalog: Catalog,
    running: Arc<tokio::sync::Mutex<()>>,
    stop: CancellationToken,
) {
    // Failures to record a run (the store cannot be written): the plan in the store is
    // stale, so wait here instead, longer each time.
    let mut unrecorded: u32 = 0;
    loop {
        let wait = if unrecorded > 0 {
            Duration::from_secs(1 << unrecorded.min(6))
        } else {
            until_next_run(&ctx, &source.name)
        };
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        // Boxed: a waiting loop then holds a pointer, not the state of a whole turn (a
        // thousand idle sources would hold megabytes of it).
        let turn = Box::pin(turn(&ctx, &source, &catalog, &running, &stop, unrecorded));
        match turn.await {
            Some(count) => unrecorded = count,
            None => return,
        }
        if stop.is_cancelled() {
            return;
        }
    }
}

/// One turn of a source's loop once its wait is over: the run, if it is due, and what
/// follows it. The count of runs in a row that could not be recorded after it; `None`
/// when `stop` came while waiting for another run of the source to end.
async fn turn(
    ctx: &Context,
    source: &SourceDef,
    catalog: &Catalog,
    running: &tokio::sync::Mutex<()>,
    stop: &CancellationToken,
    unrecorded: u32,
) -> Option<u32> {
    let _running = tokio::select! {
        _ = stop.cancelled() => return None,
        guard = running.lock() => guard,
    };
    if unrecorded == 0 && !until_next_run(ctx, &source.name).is_zero() {
        return Some(0);
    }
    let before = ctx.store.standing(&source.name).unwrap_or_default();
    let unrecorded = match run_once(ctx, source).await {
        Ok(report) => {
            tracing::info!(source = %source.name, %report, "fetched");
            republish(ctx, catalog, source, &report).await;
            0
        }
        Err(RunError::Store(err)) => {
            tracing::error!(source = %source.name, error = %err, "cannot store this run; serving what is stored");
            unrecorded.saturating_add(1)
        }
        Err(err) => {
            tracing::warn!(source = %source.name, error = %err, "fetch failed");
            0
        }
    };
    let after = ctx.store.standing(&source.name).unwrap_or_default();
    if before.failing_since != after.failing_since {
        catalog.rebuild_health(ctx).await;
    }
    Some(unrecorded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    #[test]
    fn schedules_fire_in_their_zone_with_bounded_jitter() {
        let schedule = crate::config::parse_schedule("0 8 * * *").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 1, 0, 0).unwrap();
        let next = next_scheduled(&schedule, Shanghai, now);
        // 08:00 Beijing is 00:00 UTC, so the next run is tomorrow 00:00 UTC + up to 30 s.
        let base = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        assert!(
            next >= base && next <= base + chrono::Duration::seconds(30),
            "{next}"
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let cap = Duration::from_secs(3600);
        let interval = Duration::from_secs(1800);
        for failures in 1..30 {
            let full = Duration::from_secs(60)
                .saturating_mul(1 << (failures - 1).min(20))
                .min(cap);
            let wait = retry_delay(failures, interval, cap, None);
            assert!(wait >= full / 2 && wait <= full, "{failures}: {wait:?}");
        }
        assert_eq!(
            retry_delay(3, interval, cap, Some(Duration::from_secs(120))),
            Duration::from_secs(120)
        );
        // A source polled every second retries after about a second.
        assert!(retry_delay(1, Duration::from_secs(1), cap, None) <= Duration::from_secs(1));
    }
}
