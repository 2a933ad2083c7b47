//! `paperboy fetch` and `paperboy check`: sources run now, stored or previewed, one line
//! of outcome each.

use std::path::PathBuf;

use paperboy::config::SourceDef;
use paperboy::pipeline::{Context, Report, RunError};
use paperboy::store::NewItem;
use paperboy::{daemon, pipeline, schedule};

use super::{CliError, load, runtime};

pub fn check(config: Option<PathBuf>, fetch: bool) -> Result<(), CliError> {
    let settings = load(config)?;
    println!(
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
                println!("{}: ok ({} items)", source.name, items.len());
            }
            Ok((items, report)) => {
                if items.is_empty() {
                    println!(
                        "{}: warning: nothing found at {}",
                        source.name,
                        source.address()
                    );
                }
                for warning in report.warnings {
                    println!("{}: warning: {warning}", source.name);
                }
            }
            Err(err) => println!("{}: warning: {err}", source.name),
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
    let ctx = daemon::context(settings)?;
    let failures = for_each_source(&ctx, &names, |ctx, source| async move {
        if dry_run {
            let outcome = pipeline::preview(&ctx, &source).await;
            print_preview(&source.name, &outcome);
            outcome.is_err()
        } else {
            let outcome = schedule::run_once(&ctx, &source).await;
            match &outcome {
                Ok(report) => print_report(&source.name, report),
                Err(err) => println!("{}: error: {err}", source.name),
            }
            outcome.is_err()
        }
    });
    match failures {
        0 => Ok(()),
        n => Err(CliError::SourcesFailed(n)),
    }
}

fn print_report(name: &str, report: &Report) {
    println!("{name}: {report}");
    for merge in &report.merges {
        println!("{name}: {merge}");
    }
    for warning in &report.warnings {
        println!("{name}: warning: {warning}");
    }
}

/// Runs `work` for every source (or those named) at once, and counts the `true`s it
/// returns. Politeness and concurrency limits live in the fetcher.
fn for_each_source<F, Fut>(ctx: &Context, names: &[String], work: F) -> usize
where
    F: Fn(Context, SourceDef) -> Fut,
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

fn print_preview(name: &str, outcome: &Result<(Vec<NewItem>, Report), RunError>) {
    match outcome {
        Ok((items, report)) => {
            println!("{name}: {} items (dry run, nothing stored)", items.len());
            for warning in &report.warnings {
                println!("  warning: {warning}");
            }
            for item in items {
                let published = item
                    .published
                    .and_then(|(ms, offset)| {
                        let zone = chrono::FixedOffset::east_opt(offset)?;
                        Some(chrono::DateTime::from_timestamp_millis(ms)?.with_timezone(&zone))
                    })
                    .map_or("-".to_string(), |t| t.to_rfc3339());
                println!(
                    "  {published}  {}  {}",
                    item.title,
                    item.link.as_deref().unwrap_or("-")
                );
            }
        }
        Err(err) => println!("{name}: error: {err}"),
    }
}
