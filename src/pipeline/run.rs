//! A run of one source: what every source kind fetches through and stores into.
//!
//! Items are stored one by one as the kind produces them, so a run that fails half-way
//! keeps what it stored; `finish` flushes. In preview (`fetch --dry-run`) nothing is
//! stored and only a few article pages are fetched.

use url::Url;

use super::{Context, Report, RunError, blocking};
use crate::config::SourceDef;
use crate::fetch::{FetchError, Fetched, Page, Validators};
use crate::normalize::{new_item, url_identity};
use crate::source::RawItem;
use crate::store::{NewItem, Origin, Upserted};

/// Article pages a preview fetches at most.
const PREVIEW_ARTICLES: usize = 5;

enum Mode {
    Store,
    Preview {
        items: Vec<NewItem>,
        articles: usize,
    },
}

pub struct Run<'a> {
    pub ctx: &'a Context,
    pub source: &'a SourceDef,
    mode: Mode,
    /// Validators for the source's own URL from its last run.
    validators: Option<Validators>,
    pub report: Report,
}

impl<'a> Run<'a> {
    pub fn storing(
        ctx: &'a Context,
        source: &'a SourceDef,
        validators: Option<Validators>,
    ) -> Run<'a> {
        Run {
            ctx,
            source,
            mode: Mode::Store,
            validators,
            report: Report::default(),
        }
    }

    pub fn previewing(ctx: &'a Context, source: &'a SourceDef) -> Run<'a> {
        let mode = Mode::Preview {
            items: Vec::new(),
            articles: 0,
        };
        Run {
            ctx,
            source,
            mode,
            validators: None,
            report: Report::default(),
        }
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.ctx.settings.timezone
    }

    /// GET the source's own URL, conditionally: `None` when the server says it has not
    /// changed since the last run.
    pub async fn get_listing(&mut self, url: &Url) -> Result<Option<Page>, FetchError> {
        match self.ctx.fetcher.get(url, self.validators.as_ref()).await? {
            Fetched::NotModified => {
                self.report.not_modified = true;
                Ok(None)
            }
            Fetched::Page(page) => {
                self.report.validators = Some(page.validators.clone());
                Ok(Some(page))
            }
        }
    }

    /// GET any other page (e-paper pages, articles, details).
    pub async fn get(&self, url: &Url) -> Result<Page, FetchError> {
        match self.ctx.fetcher.get(url, None).await? {
            Fetched::Page(page) => Ok(page),
            // Without validators a 304 is the server's mistake: treat it as an empty page.
            Fetched::NotModified => Ok(Page {
                url: url.clone(),
                content_type: None,
                validators: Validators::default(),
                body: Vec::new(),
            }),
        }
    }

    /// Whether an article page still needs fetching: not stored yet (by its URL or its
    /// declared id), and within a preview's budget. A stored one is recorded as carried by
    /// this source too (it joins this source's feed) without being fetched again.
    pub async fn wants(
        &mut self,
        declared_id: Option<&str>,
        url: Option<&Url>,
    ) -> Result<bool, RunError> {
        if let Mode::Preview { articles, .. } = &mut self.mode {
            *articles += 1;
            return Ok(*articles <= PREVIEW_ARTICLES);
        }
        let store = self.ctx.store.clone();
        let (feed, name, rank) = (
            self.source.feed.clone(),
            self.source.name.clone(),
            self.source.rank,
        );
        let id = declared_id.map(crate::normalize::declared_id);
        let identity = url.map(url_identity);
        let link = url.map(|u| crate::normalize::clean_url(u).to_string());
        let attached = blocking(move || {
            let origin = Origin {
                feed: &feed,
                source: &name,
                rank,
            };
            Ok(store.attach(&origin, id.as_deref(), identity.as_deref(), link.as_deref())?)
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

    fn count(&mut self, outcome: Upserted, link: Option<&str>) {
        match outcome {
            Upserted::Merged { into, similarity } => {
                let link = link.unwrap_or("(no link)");
                tracing::info!(source = %self.source.name, link, into = %into.atom_id(), similarity, "merged a near-duplicate");
                self.report.merged += 1;
                self.report.merges.push(format!(
                    "{link} merged into {} (similarity {similarity:.2})",
                    into.atom_id()
                ));
            }
            Upserted::New => self.report.new += 1,
            Upserted::Updated => self.report.updated += 1,
            Upserted::Unchanged => self.report.unchanged += 1,
        }
    }

    /// Normalizes and stores one item (or keeps it, in a preview).
    pub async fn store(&mut self, raw: RawItem, base: &Url) -> Result<(), RunError> {
        let item = new_item(raw, base);
        match &mut self.mode {
            Mode::Preview { items, .. } => {
                items.push(item);
                Ok(())
            }
            Mode::Store => {
                let store = self.ctx.store.clone();
                let (feed, name, rank) = (
                    self.source.feed.clone(),
                    self.source.name.clone(),
                    self.source.rank,
                );
                let link = item.link.clone();
                let outcome = blocking(move || {
                    let now = chrono::Utc::now().timestamp_millis();
                    let origin = Origin {
                        feed: &feed,
                        source: &name,
                        rank,
                    };
                    Ok(store.upsert(&origin, &item, now)?)
                })
                .await?;
                self.count(outcome, link.as_deref());
                Ok(())
            }
        }
    }

    /// An article that could not be fetched or read: counted, logged, retried next run.
    pub fn failed(&mut self, url: &Url, err: &RunError) {
        tracing::warn!(source = %self.source.name, %url, error = %err, "article failed");
        self.report.failed += 1;
    }

    /// Something the user should look at, such as a selector that matched nothing.
    pub fn warn(&mut self, message: String) {
        if !self.report.warnings.contains(&message) {
            tracing::warn!(source = %self.source.name, "{message}");
            self.report.warnings.push(message);
        }
    }

    /// Flushes what was stored.
    pub async fn finish(self) -> Result<Report, RunError> {
        let store = self.ctx.store.clone();
        blocking(move || Ok(store.flush()?)).await?;
        Ok(self.report)
    }

    pub fn into_preview(self) -> (Vec<NewItem>, Report) {
        match self.mode {
            Mode::Preview { items, .. } => (items, self.report),
            Mode::Store => (Vec::new(), self.report),
        }
    }
}
