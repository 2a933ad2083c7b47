//! The daemon's Prometheus metrics: what each fetch and run adds to them, and the gauges
//! read from state when `/metrics` is scraped. Recorded through the `metrics` facade: in
//! the command-line tools no recorder is installed and recording costs nothing.

use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

use crate::model::health::{ErrorKind, HealthEvent};

const FETCHES: &str = "paperboy_fetches_total";
const FETCH_SECONDS: &str = "paperboy_fetch_duration_seconds";
const FETCHED_BYTES: &str = "paperboy_fetched_bytes_total";
const RUNS: &str = "paperboy_runs_total";
const ITEMS: &str = "paperboy_items_total";
const HEALTH_EVENTS: &str = "paperboy_health_events_total";

/// Installs the process's recorder; its handle renders `/metrics`.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(FETCH_SECONDS.to_string()),
            &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
        )?
        .install_recorder()
}

/// One HTTP request: its outcome (`ok`, `not_modified` or an error kind), the status
/// when the server answered, the body's size and how long it took.
pub fn fetched(outcome: &'static str, status: Option<u16>, bytes: usize, took: Duration) {
    let class = match status {
        Some(code) => ["1xx", "2xx", "3xx", "4xx", "5xx"]
            .get(usize::from(code / 100).saturating_sub(1))
            .copied()
            .unwrap_or("other"),
        None => "none",
    };
    counter!(FETCHES, "outcome" => outcome, "status" => class).increment(1);
    histogram!(FETCH_SECONDS).record(took.as_secs_f64());
    counter!(FETCHED_BYTES).increment(bytes as u64);
}

/// What a source's run stored (new, updated, merged items), or the kind it failed with,
/// and the health event it caused.
pub fn run(source: &str, outcome: Result<[usize; 3], ErrorKind>, event: Option<&HealthEvent>) {
    let source = source.to_string();
    match outcome {
        Ok(counts) => {
            counter!(RUNS, "source" => source.clone(), "outcome" => "ok").increment(1);
            for (change, n) in ["new", "updated", "merged"].into_iter().zip(counts) {
                counter!(ITEMS, "source" => source.clone(), "change" => change).increment(n as u64);
            }
        }
        Err(kind) => {
            counter!(RUNS, "source" => source, "outcome" => kind.label()).increment(1);
        }
    }
    if let Some(event) = event {
        let change = if event.failure.is_some() {
            "broke"
        } else {
            "recovered"
        };
        counter!(HEALTH_EVENTS, "change" => change).increment(1);
    }
}

/// A source's standing, set when metrics are scraped.
pub fn source_gauges(source: &str, consecutive_failures: u32, last_success: Option<i64>) {
    let source = source.to_string();
    gauge!("paperboy_source_consecutive_failures", "source" => source.clone())
        .set(f64::from(consecutive_failures));
    gauge!("paperboy_source_failing", "source" => source.clone())
        .set(f64::from(u8::from(consecutive_failures > 0)));
    if let Some(millis) = last_success {
        gauge!("paperboy_source_last_success_timestamp_seconds", "source" => source)
            .set(millis as f64 / 1000.0);
    }
}

/// Items stored for a feed, set when metrics are scraped.
pub fn feed_gauge(feed: &str, items: usize) {
    gauge!("paperboy_feed_items", "feed" => feed.to_string()).set(items as f64);
}

/// The store's size on disk, set when metrics are scraped.
pub fn store_gauge(bytes: u64) {
    gauge!("paperboy_store_size_bytes").set(bytes as f64);
}
