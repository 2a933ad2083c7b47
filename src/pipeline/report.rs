//! What a run did, as `paperboy fetch` prints it and the scheduler records it.

use std::fmt;

use url::Url;

use crate::fetch::Validators;
use crate::source::Listing;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Items the listing held (the source's yield, watched for sudden drops).
    pub listed: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Items retention pruned that the source still lists (not stored again).
    pub pruned: usize,
    /// Near-duplicates of stored items (reprints) that joined them.
    pub merged: usize,
    /// What each merge joined, for the report.
    pub merges: Vec<String>,
    /// Article pages that could not be fetched or read (retried next run).
    pub failed: usize,
    /// E-paper editions not published (yet): normal on weekends and early mornings.
    pub missing_editions: usize,
    /// The server answered 304.
    pub not_modified: bool,
    /// Validators of the source's own URL, to send next time.
    pub validators: Option<Validators>,
    /// Selectors that matched nothing, and similar things a user should look at.
    pub warnings: Vec<String>,
}

impl Report {
    /// Whether a published feed could look different after this run.
    pub fn changed(&self) -> bool {
        self.new + self.updated + self.merged > 0
    }

    /// Items the run saw: new, updated, unchanged, merged or pruned before.
    pub fn items(&self) -> usize {
        self.new + self.updated + self.unchanged + self.merged + self.pruned
    }

    /// This report with what a sink counted.
    pub fn with(mut self, stored: Report) -> Report {
        self.new += stored.new;
        self.updated += stored.updated;
        self.unchanged += stored.unchanged;
        self.pruned += stored.pruned;
        self.merged += stored.merged;
        self.merges.extend(stored.merges);
        self
    }

    /// How `paperboy fetch` shows a source's run: its outcome, its merges, its warnings.
    pub fn lines(&self, source: &str) -> Vec<String> {
        let mut lines = vec![format!("{source}: {self}")];
        lines.extend(self.merges.iter().map(|m| format!("{source}: {m}")));
        lines.extend(
            self.warnings
                .iter()
                .map(|w| format!("{source}: warning: {w}")),
        );
        lines
    }

    /// What the adapter noticed while reading the listing.
    pub(super) fn note(&mut self, listing: &Listing, source: &str) {
        for warning in &listing.warnings {
            self.warn(warning.clone(), source);
        }
        self.missing_editions += listing.missing_editions;
        for (url, error) in &listing.failed {
            tracing::warn!(source, %url, error, "page failed");
            self.failed += 1;
        }
    }

    /// An article that could not be fetched or read: counted, logged, retried next run.
    pub(super) fn failed(&mut self, url: &Url, err: &dyn std::error::Error, source: &str) {
        tracing::warn!(source, %url, error = %err, "article failed");
        self.failed += 1;
    }

    /// Override selectors that matched nothing on an article page.
    pub(super) fn warn_unmatched(&mut self, keys: &[&str], url: &Url, source: &str) {
        for key in keys {
            self.warn(
                format!("`{key}` selector matched nothing on {url}; extracted automatically"),
                source,
            );
        }
    }

    /// Something the user should look at, such as a selector that matched nothing.
    pub(super) fn warn(&mut self, message: String, source: &str) {
        if !self.warnings.contains(&message) {
            tracing::warn!(source, "{message}");
            self.warnings.push(message);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.not_modified {
            return write!(f, "not modified");
        }
        write!(
            f,
            "{} new, {} updated, {} unchanged",
            self.new, self.updated, self.unchanged
        )?;
        if self.merged > 0 {
            write!(f, ", {} merged", self.merged)?;
        }
        if self.pruned > 0 {
            write!(f, ", {} pruned before", self.pruned)?;
        }
        if self.failed > 0 {
            write!(f, ", {} failed", self.failed)?;
        }
        if self.missing_editions > 0 {
            write!(f, " ({} editions not published)", self.missing_editions)?;
        }
        Ok(())
    }
}
