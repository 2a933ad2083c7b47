//! The daemon's source tasks: one loop per configured source, all replaced together
//! when a reload changes the configuration, and never two runs of one source at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::pipeline::Context;
use crate::publish::Catalog;
use crate::schedule::run_source;

/// The running source loops.
pub struct Runner {
    catalog: Catalog,
    shutdown: CancellationToken,
    /// Cancels the loops of the current configuration.
    generation: CancellationToken,
    tasks: JoinSet<()>,
    /// Held while a source runs, by source name; kept across reloads.
    running: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

impl Runner {
    pub fn new(catalog: Catalog, shutdown: CancellationToken) -> Runner {
        Runner {
            catalog,
            generation: shutdown.child_token(),
            shutdown,
            tasks: JoinSet::new(),
            running: HashMap::new(),
        }
    }

    /// Starts a loop for every source of `ctx`, in place of the loops running now. A run
    /// in progress finishes; its source's new loop waits for it.
    pub fn start(&mut self, ctx: &Context) {
        self.generation.cancel();
        self.generation = self.shutdown.child_token();
        while self.tasks.try_join_next().is_some() {}
        for source in ctx.settings.sources() {
            let running = self.running.entry(source.name.clone()).or_default().clone();
            self.tasks.spawn(run_source(
                ctx.clone(),
                source.clone(),
                self.catalog.clone(),
                running,
                self.generation.clone(),
            ));
        }
        self.running
            .retain(|name, _| ctx.settings.sources().any(|s| &s.name == name));
    }

    /// Waits up to `grace` for runs in progress after shutdown; abandons the rest (each
    /// item is written in one transaction, so an abandoned run loses nothing stored).
    pub async fn finish(mut self, grace: Duration) {
        let finished = tokio::time::timeout(grace, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!("runs still in progress after {grace:?} were abandoned");
            self.tasks.abort_all();
        }
    }
}
