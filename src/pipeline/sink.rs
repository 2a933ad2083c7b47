//! Where a run's items go: the store ([`Storing`]), or a preview that keeps them for
//! `fetch --dry-run` and `check --fetch` ([`Preview`]). The pipeline's line is the same for
//! both; only the sink differs.

use url::Url;

use super::{Context, Report, RunError};
use crate::blocking;
use crate::config::SourceDef;
use crate::normalize::{clean_url, declared_id, url_identity};
use crate::store::{ITEMS_PER_TRANSACTION, NewItem, Origin, Store, Upserted};

/// Article pages a preview fetches at most.
const PREVIEW_ARTICLES: usize = 5;

/// Text a run holds unwritten before it writes what it has, whatever the count: a few
/// dozen long articles in each of the runs in flight would be tens of MB.
const PENDING_BYTES: usize = 256 * 1024;

/// Whether the items a run holds unwritten are to be written now.
fn write_due(pending: &[NewItem]) -> bool {
    let text = |item: &NewItem| {
        item.title.len()
            + item.summary.as_ref().map_or(0, String::len)
            + item.content.as_ref().map_or(0, String::len)
    };
    pending.len() >= ITEMS_PER_TRANSACTION
        || pending.iter().map(text).sum::<usize>() >= PENDING_BYTES
}

/// The end of a run's line.
pub trait Sink {
    /// Whether an article still needs fetching. A sink that has it already may record
    /// that this source carries it too (so it joins the source's feed).
    fn wants(
        &mut self,
        declared: Option<&str>,
        url: Option<&Url>,
    ) -> impl Future<Output = Result<bool, RunError>> + Send;

    /// Takes normalized items, in listing order.
    fn put(&mut self, items: Vec<NewItem>) -> impl Future<Output = Result<(), RunError>> + Send;
}

/// Stores items a transaction's worth at a time ([`ITEMS_PER_TRANSACTION`], or
/// [`PENDING_BYTES`] of text): sled writes its log out and waits for the disk at every
/// transaction (BENCHMARKS.md, Ingest), so writing each fetched article alone cost it
/// syncs of its own. What a run put is written by [`Storing::finish`] whatever the run's
/// outcome, so a run that fails half-way keeps what it read.
pub struct Storing {
    store: Store,
    feed: String,
    name: String,
    rank: u32,
    report: Report,
    /// Items put and not written yet, in order.
    pending: Vec<NewItem>,
}

impl Storing {
    pub fn new(ctx: &Context, source: &SourceDef) -> Storing {
        Storing {
            store: ctx.store.clone(),
            feed: source.feed.clone(),
            name: source.name.clone(),
            rank: source.rank,
            report: Report::default(),
            pending: Vec::new(),
        }
    }

    /// Writes what is pending; returns what was counted. Durable once the store is
    /// flushed, which the caller does with the run's state.
    pub async fn finish(mut self) -> Result<Report, RunError> {
        self.write().await?;
        Ok(self.report)
    }

    /// Writes the pending items.
    async fn write(&mut self) -> Result<(), RunError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let items = std::mem::take(&mut self.pending);
        let links: Vec<Option<String>> = items.iter().map(|item| item.link.clone()).collect();
        let outcomes = self
            .as_source(move |store, origin| {
                let now = chrono::Utc::now().timestamp_millis();
                let outcomes = store.upsert_all(origin, &items, now)?;
                for item in &items {
                    if let (Some(identity), Some(file)) = (&item.url_identity, &item.enclosure) {
                        store.set_enclosure(identity, file)?;
                    }
                }
                Ok(outcomes)
            })
            .await?;
        for (outcome, link) in outcomes.into_iter().zip(links) {
            self.count(outcome, link.as_deref());
        }
        Ok(())
    }

    /// Whether a pending item has this declared id or URL identity.
    fn pending_has(&self, id: Option<&str>, identity: Option<&str>) -> bool {
        self.pending.iter().any(|item| {
            (id.is_some() && item.declared_id.as_deref() == id)
                || (identity.is_some() && item.url_identity.as_deref() == identity)
        })
    }

    fn count(&mut self, outcome: Upserted, link: Option<&str>) {
        match outcome {
            Upserted::Merged { into, similarity } => {
                let link = link.unwrap_or("(no link)");
                tracing::info!(source = %self.name, link, into = %into.atom_id(), similarity, "merged a near-duplicate");
                self.report.merged += 1;
                self.report.merges.push(format!(
                    "{link} merged into {} (similarity {similarity:.2})",
                    into.atom_id()
                ));
            }
            Upserted::New => self.report.new += 1,
            Upserted::Updated => self.report.updated += 1,
            Upserted::Unchanged => self.report.unchanged += 1,
            Upserted::Pruned => self.report.pruned += 1,
        }
    }

    /// Runs `work` on the store as this source, off the async threads.
    async fn as_source<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store, &Origin<'_>) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, RunError> {
        let store = self.store.clone();
        let (feed, name, rank) = (self.feed.clone(), self.name.clone(), self.rank);
        let outcome = blocking::run(move || {
            let origin = Origin {
                feed: &feed,
                source: &name,
                rank,
            };
            work(&store, &origin)
        })
        .await??;
        Ok(outcome)
    }
}

impl Sink for Storing {
    async fn wants(&mut self, declared: Option<&str>, url: Option<&Url>) -> Result<bool, RunError> {
        let id = declared.map(declared_id);
        let identity = url.map(url_identity);
        // An item of this run with the same identity is written first, so that the
        // article is found stored as it would be had it been written at once.
        if self.pending_has(id.as_deref(), identity.as_deref()) {
            self.write().await?;
        }
        let link = url.map(|u| clean_url(u).to_string());
        let attached = self
            .as_source(move |store, origin| {
                let now = chrono::Utc::now().timestamp_millis();
                store.attach(
                    origin,
                    id.as_deref(),
                    identity.as_deref(),
                    link.as_deref(),
                    now,
                )
            })
            .await?;
        match attached {
            None => Ok(true),
            Some(outcome) => {
                self.count(outcome, None);
                Ok(false)
            }
        }
    }

    async fn put(&mut self, items: Vec<NewItem>) -> Result<(), RunError> {
        self.pending.extend(items);
        if write_due(&self.pending) {
            self.write().await?;
        }
        Ok(())
    }
}

/// Keeps items instead of storing them, and fetches only a few article pages.
#[derive(Default)]
pub struct Preview {
    items: Vec<NewItem>,
    articles: usize,
}

impl Preview {
    pub fn finish(self) -> (Vec<NewItem>, Report) {
        (self.items, Report::default())
    }
}

impl Sink for Preview {
    async fn wants(&mut self, _: Option<&str>, _: Option<&Url>) -> Result<bool, RunError> {
        self.articles += 1;
        Ok(self.articles <= PREVIEW_ARTICLES)
    }

    async fn put(&mut self, items: Vec<NewItem>) -> Result<(), RunError> {
        self.items.extend(items);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(content: usize) -> NewItem {
        NewItem {
            title: "标题".into(),
            content: Some("字".repeat(content / 3)),
            ..NewItem::default()
        }
    }

    #[test]
    fn a_transaction_s_worth_of_items_or_of_text_is_written() {
        assert!(!write_due(&[]));
        assert!(!write_due(&vec![item(2_000); ITEMS_PER_TRANSACTION - 1]));
        assert!(write_due(&vec![item(2_000); ITEMS_PER_TRANSACTION]));
        assert!(!write_due(&[item(100_000), item(100_000)]));
        assert!(write_due(&[item(100_000), item(100_000), item(100_000)]));
    }
}
