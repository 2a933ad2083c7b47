//! Politeness: at most `concurrency` requests in flight in total, and at least
//! `host_delay` between two requests to one host.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Shared by every request of the process.
pub struct Politeness {
    per_host: Option<DefaultKeyedRateLimiter<String>>,
    slots: Arc<Semaphore>,
}

impl Politeness {
    pub fn new(concurrency: usize, host_delay: Duration) -> Politeness {
        let per_host = Quota::with_period(host_delay)
            .map(|quota| RateLimiter::keyed(quota.allow_burst(NonZeroU32::MIN)));
        Politeness {
            per_host,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Waits for this host's turn, then for a free slot. The slot is held until the
    /// returned permit is dropped. Waiting for the host comes first so that requests to a
    /// busy host do not hold slots other hosts could use.
    pub async fn acquire(&self, host: &str) -> OwnedSemaphorePermit {
        if let Some(limiter) = &self.per_host {
            let key = host.to_ascii_lowercase();
            limiter.until_key_ready(&key).await;
            // The limiter keeps a cell per host it has seen; drop the idle ones now and then.
            if limiter.len() > 1024 {
                limiter.retain_recent();
            }
        }
        self.slots
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn requests_to_one_host_are_spaced() {
        let politeness = Politeness::new(4, Duration::from_millis(100));
        let start = Instant::now();
        for _ in 0..3 {
            drop(politeness.acquire("a.example").await);
        }
        assert!(start.elapsed() >= Duration::from_millis(200));
        // Another host is not held back by the first.
        let other = Instant::now();
        drop(politeness.acquire("b.example").await);
        assert!(other.elapsed() < Duration::from_millis(100));
    }
}
