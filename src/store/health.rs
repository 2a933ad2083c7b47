//! Source standings, the health events, and the items each run yielded.

use super::{Store, StoreError, TREE_EVENTS, TREE_STANDINGS, decode, encode};
use crate::model::health::{ErrorKind, HealthEvent, Standing};

/// Health events kept (the newest).
const MAX_EVENTS: usize = 500;
/// Runs whose yields are kept per source.
const RECENT_YIELDS: usize = 10;

impl Store {
    pub fn standing(&self, subject: &str) -> Result<Standing, StoreError> {
        match self.standings.get(subject.as_bytes())? {
            Some(bytes) => decode(TREE_STANDINGS, &bytes),
            None => Ok(Standing::default()),
        }
    }

    /// Takes a run's outcome into `subject`'s standing; when it broke or recovered, the
    /// event is kept for the health feed and returned.
    pub fn take_outcome(
        &self,
        subject: &str,
        at: i64,
        failure: Option<(ErrorKind, String)>,
    ) -> Result<Option<HealthEvent>, StoreError> {
        let before = self.standing(subject)?;
        let mut standing = before.clone();
        let event = standing.take(subject, at, failure);
        // A healthy source stays healthy run after run: nothing to write then.
        if standing != before {
            self.standings
                .insert(subject.as_bytes(), encode(&standing))?;
        }
        if let Some(event) = &event {
            let mut key = at.to_be_bytes().to_vec();
            key.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
            self.events.insert(key, encode(event))?;
            while self.events.len() > MAX_EVENTS {
                self.events.pop_min()?;
            }
        }
        Ok(event)
    }

    /// The newest health events, newest first.
    pub fn health_events(&self, limit: usize) -> Result<Vec<HealthEvent>, StoreError> {
        self.events
            .iter()
            .rev()
            .take(limit)
            .map(|entry| decode(TREE_EVENTS, &entry?.1))
            .collect()
    }

    /// Records how many items a source's run listed, keeping its recent runs' counts
    /// (big-endian u32s, oldest first).
    pub fn save_yield(&self, source: &str, items: u32) -> Result<(), StoreError> {
        let mut yields = self.recent_yields(source)?;
        yields.push(items);
        let start = yields.len().saturating_sub(RECENT_YIELDS);
        let bytes: Vec<u8> = yields[start..]
            .iter()
            .flat_map(|n| n.to_be_bytes())
            .collect();
        self.yields.insert(source.as_bytes(), bytes)?;
        Ok(())
    }

    /// How many items the source's recent runs listed, oldest first.
    pub fn recent_yields(&self, source: &str) -> Result<Vec<u32>, StoreError> {
        Ok(self
            .yields
            .get(source.as_bytes())?
            .map(|bytes| {
                bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_be_bytes(c.try_into().expect("four bytes")))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// How many items the source's last run listed.
    pub fn last_yield(&self, source: &str) -> Result<Option<u32>, StoreError> {
        Ok(self.recent_yields(source)?.last().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yields_keep_the_recent_runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // A store written before recent yields were kept holds one count.
        store.yields.insert(b"s", &7u32.to_be_bytes()).unwrap();
        assert_eq!(store.recent_yields("s").unwrap(), vec![7]);
        for n in 0..15 {
            store.save_yield("s", n).unwrap();
        }
        assert_eq!(
            store.recent_yields("s").unwrap(),
            (5..15).collect::<Vec<_>>()
        );
        assert_eq!(store.last_yield("s").unwrap(), Some(14));
    }

    #[test]
    fn events_are_kept_newest_first_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for at in 0..(MAX_EVENTS as i64 + 10) {
            let failure = (at % 2 == 0).then(|| (ErrorKind::Http, "HTTP 500".to_string()));
            assert!(store.take_outcome("s", at, failure).unwrap().is_some());
        }
        let events = store.health_events(usize::MAX).unwrap();
        assert_eq!(events.len(), MAX_EVENTS);
        assert_eq!(events[0].at, MAX_EVENTS as i64 + 9);
        assert!(store.standing("s").unwrap().failing_since.is_none());
    }
}
