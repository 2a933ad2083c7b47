//! `paperboy fetch` and `paperboy check`: sources run now, stored or previewed, one line
//! of outcome each.

use std::path::PathBuf;
use std::sync::Arc;

use paperboy::config::SourceDef;
use paperboy::pipeline::Context;
use paperboy::status::SourceStatus;
use paperboy::store::Store;
use paperboy::{daemon, pipeline, prune, schedule};

use super::{CliError, admin, load, runtime};

pub fn check(config: Option<PathBuf>, fetch: bool) -> Result<(), CliError> {
    let settings = load(config)?;
    say!(
        "ok: {} feeds, {} sources",
        settings.feeds.len(),
        settings.sources().count()
    );
    if !fetch {
        return Ok(());
    }
    let ctx = daemon::context(settings)?;
    // Warnings, not errors: a site that is down today does not make the config wrong.
    for_each_source(&ctx, &[], |ctx, source| async move {
        match pipeline::preview(&ctx, &source).await {
            Ok((items, report)) if report.warnings.is_empty() && !items.is_empty() => {
                say!("{}: ok ({} items)", source.name, items.len());
            }
            Ok((items, report)) => {
                if items.is_empty() {
                    say!(
                        "{}: warning: nothing found at {}",
                        source.name,
                        source.address()
                    );
                }
                for warning in report.warnings {
                    say!("{}: warning: {warning}", source.name);
                }
            }
            Err(err) => say!("{}: warning: {err}", source.name),
        }
        false
    });
    Ok(())
}

pub fn fetch(config: Option<PathBuf>, names: Vec<String>, dry_run: bool) -> Result<(), CliError> {
    let settings = load(config)?;
    let unknown: Vec<String> = names
        .iter()
        .filter(|n| !settings.sources().any(|s| &s.name == *n))
        .map(|n| format!("no source named `{n}`"))
        .collect();
    if !unknown.is_empty() {
        return Err(CliError::Usage(unknown.join("\npaperboy: ")));
    }
    // A running daemon holds the store: it runs the sources and says how it went.
    let path = format!(
        "/fetch?{}",
        admin::query(&[
            ("sources", &names.join(",")),
            ("dry_run", if dry_run { "true" } else { "false" }),
        ])
    );
    if let Some(answer) = admin::ask(&settings, "POST", &path) {
        let answer = answer?;
        let outcome: paperboy::admin::FetchOutcome = serde_json::from_slice(&answer.body)
            .map_err(|err| CliError::Admin(format!("the daemon's answer: {err}")))?;
        for line in outcome.lines {
            say!("{line}");
        }
        return match outcome.failures {
            0 => Ok(()),
            n => Err(CliError::SourcesFailed(n)),
        };
    }
    let ctx = daemon::context(settings)?;
    let failures = for_each_source(&ctx, &names, |ctx, source| async move {
        let done = schedule::on_request(&ctx, &source, dry_run).await;
        for line in done.lines {
            say!("{line}");
        }
        done.failed
    });
    if !dry_run {
        let pruned = prune::prune(
            &ctx.settings,
            &ctx.store,
            chrono::Utc::now().timestamp_millis(),
        )?;
        if pruned.from_feeds > 0 {
            say!(
                "pruned {} items from feeds ({} deleted), as `keep`/`keep_items` say",
                pruned.from_feeds,
                pruned.deleted
            );
        }
    }
    ctx.store.close()?;
    match failures {
        0 => Ok(()),
        n => Err(CliError::SourcesFailed(n)),
    }
}

/// `paperboy status`: a line per source, from the running daemon or from the store.
pub fn status(config: Option<PathBuf>) -> Result<(), CliError> {
    let settings = load(config)?;
    let list: Vec<SourceStatus> = match admin::ask(&settings, "GET", "/status") {
        Some(answer) => serde_json::from_slice(&answer?.body)
            .map_err(|err| CliError::Admin(format!("the daemon's answer: {err}")))?,
        None => {
            let store = Store::open_with_cache(&settings.data_dir, settings.store_cache)?;
            paperboy::status::of_sources(&settings, &store)?
        }
    };
    for source in list {
        say!("{source}");
    }
    Ok(())
}

/// Runs `work` for every source (or those named) at once, and counts the `true`s it
/// returns. Politeness and concurrency limits live in the fetcher.
fn for_each_source<F, Fut>(ctx: &Context, names: &[String], work: F) -> usize
where
    F: Fn(Context, Arc<SourceDef>) -> Fut,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let sources: Vec<_> = ctx
        .settings
        .sources()
        .filter(|s| names.is_empty() || names.contains(&s.name))
        .cloned()
        .collect();
    runtime().block_on(async {
        let mut runs = tokio::task::JoinSet::new();
        for source in sources {
            runs.spawn(work(ctx.clone(), source));
        }
        let mut count = 0;
        while let Some(result) = runs.join_next().await {
            count += usize::from(result.unwrap_or(true));
        }
        count
    })
}
