//! CPU work (parsing, extraction, sled) run off the async threads: 2 cores here, and a
//! parse on an async thread would stall every fetch in flight.

/// A blocking task that did not finish (it panicked or was cancelled).
#[derive(Debug, thiserror::Error)]
#[error("worker failed: {0}")]
pub struct WorkerError(String);

/// Runs `work` on tokio's blocking pool.
pub async fn run<T, F>(work: F) -> Result<T, WorkerError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| WorkerError(err.to_string()))
}
