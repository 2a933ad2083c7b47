//! The `paperboy` command: parses arguments, calls the library, maps outcomes to exit
//! codes (0 ok, 1 the work failed, 2 bad usage or bad config).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use paperboy::config::{self, Settings};
use paperboy::{daemon, publish, schedule};

#[derive(Parser)]
#[command(
    name = "paperboy",
    version,
    about = "Chinese news in, clean Atom feeds out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon: schedule, fetch, publish, serve.
    Run {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
    },
    /// Fetch now (all sources, or those named), store, exit.
    Fetch {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
        /// Only print what would be stored.
        #[arg(long)]
        dry_run: bool,
        sources: Vec<String>,
    },
    /// Validate the config and feed files.
    Check {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
        /// Also fetch every source once (nothing is stored) and warn about selectors
        /// and pointers that match nothing.
        #[arg(long)]
        fetch: bool,
    },
    /// Print the article extracted from a page (a URL or a saved file) as JSON.
    Extract {
        /// http(s) URL or path of a saved page.
        page: String,
        /// The page's address, for relative links and dates in the URL (with a FILE).
        #[arg(long)]
        url: Option<String>,
        /// Config file, for the time zone and HTTP settings.
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
    },
    /// Write every feed as DIR/<slug>.atom.
    Publish {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Show the stored item an article URL belongs to: its id, feeds and every place it
    /// appeared, with the similarity of each merged reprint.
    Inspect {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
        url: String,
    },
}

const FAILED: u8 = 1;
const BAD_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(BAD_CONFIG)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Check { config, fetch } => check(config, fetch),
        Command::Run { config } => with_settings(config, run),
        Command::Fetch {
            config,
            dry_run,
            sources,
        } => with_settings(config, |s| fetch(s, sources, dry_run)),
        Command::Publish { config, out } => with_settings(config, |s| publish_files(s, out)),
        Command::Extract { page, url, config } => extract(page, url, config),
        Command::Inspect { config, url } => with_settings(config, |s| inspect(s, &url)),
    }
}

fn load(path: Option<PathBuf>) -> Result<Settings, ExitCode> {
    let path = path.unwrap_or_else(config::default_config_path);
    config::load(&path).map_err(|err| {
        eprintln!("{err}");
        ExitCode::from(BAD_CONFIG)
    })
}

fn with_settings(path: Option<PathBuf>, work: impl FnOnce(Settings) -> ExitCode) -> ExitCode {
    match load(path) {
        Ok(settings) => work(settings),
        Err(code) => code,
    }
}

fn check(path: Option<PathBuf>, fetch: bool) -> ExitCode {
    let settings = match load(path) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    println!(
        "ok: {} feeds, {} sources",
        settings.feeds.len(),
        settings.sources().count()
    );
    if !fetch {
        return ExitCode::SUCCESS;
    }
    let ctx = match daemon::context(settings) {
        Ok(ctx) => ctx,
        Err(err) => {
            eprintln!("paperboy: {err}");
            return ExitCode::from(FAILED);
        }
    };
    // Warnings, not errors: a site that is down today does not make the config wrong.
    for_each_source(&ctx, &[], |ctx, source| async move {
        match paperboy::pipeline::preview(&ctx, &source).await {
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
    ExitCode::SUCCESS
}

/// Runs `work` for every source (or those named) at once, and counts the `true`s it
/// returns. Politeness and concurrency limits live in the fetcher.
fn for_each_source<F, Fut>(ctx: &paperboy::pipeline::Context, names: &[String], work: F) -> usize
where
    F: Fn(paperboy::pipeline::Context, paperboy::config::SourceDef) -> Fut,
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

fn run(settings: Settings) -> ExitCode {
    match runtime().block_on(daemon::run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("paperboy: {err}");
            ExitCode::from(FAILED)
        }
    }
}

fn fetch(settings: Settings, names: Vec<String>, dry_run: bool) -> ExitCode {
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| !settings.sources().any(|s| &s.name == *n))
        .collect();
    if !unknown.is_empty() {
        for name in unknown {
            eprintln!("paperboy: no source named `{name}`");
        }
        return ExitCode::from(BAD_CONFIG);
    }
    let ctx = match daemon::context(settings) {
        Ok(ctx) => ctx,
        Err(err) => {
            eprintln!("paperboy: {err}");
            return ExitCode::from(FAILED);
        }
    };
    let failures = for_each_source(&ctx, &names, |ctx, source| async move {
        if dry_run {
            let outcome = paperboy::pipeline::preview(&ctx, &source).await;
            print_preview(&source.name, &outcome);
            outcome.is_err()
        } else {
            let outcome = schedule::run_once(&ctx, &source).await;
            match &outcome {
                Ok(report) => {
                    println!("{}: {report}", source.name);
                    for merge in &report.merges {
                        println!("{}: {merge}", source.name);
                    }
                    for warning in &report.warnings {
                        println!("{}: warning: {warning}", source.name);
                    }
                }
                Err(err) => println!("{}: error: {err}", source.name),
            }
            outcome.is_err()
        }
    });
    if failures > 0 {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

type Preview = Result<
    (Vec<paperboy::store::NewItem>, paperboy::pipeline::Report),
    paperboy::pipeline::RunError,
>;

fn print_preview(name: &str, outcome: &Preview) {
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

fn publish_files(settings: Settings, out: PathBuf) -> ExitCode {
    let result = paperboy::store::Store::open_with_cache(&settings.data_dir, settings.store_cache)
        .map_err(|err| err.to_string())
        .and_then(|store| publish::write_files(&settings, &store, &out));
    match result {
        Ok(count) => {
            println!("wrote {count} feeds to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("paperboy: {err}");
            ExitCode::from(FAILED)
        }
    }
}

/// `paperboy extract`: works without a config (Beijing time, default HTTP settings); uses
/// one when given or found.
fn extract(page: String, url: Option<String>, config: Option<PathBuf>) -> ExitCode {
    let path = config.clone().unwrap_or_else(config::default_config_path);
    let settings = if config.is_some() || path.exists() {
        match load(Some(path)) {
            Ok(settings) => Some(settings),
            Err(code) => return code,
        }
    } else {
        None
    };
    let timezone = settings
        .as_ref()
        .map_or(chrono_tz::Asia::Shanghai, |s| s.timezone);
    let is_url = page.starts_with("http://") || page.starts_with("https://");
    let base = match url
        .as_deref()
        .or(is_url.then_some(page.as_str()))
        .map(url::Url::parse)
        .transpose()
    {
        Ok(base) => base,
        Err(err) => {
            eprintln!("paperboy: --url: {err}");
            return ExitCode::from(BAD_CONFIG);
        }
    };
    let html = if is_url {
        let fetch = settings
            .map(|s| s.fetch)
            .unwrap_or_else(config::FetchSettings::default);
        match runtime().block_on(paperboy::pipeline::fetch_page(
            &fetch,
            base.as_ref().expect("a URL"),
        )) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("paperboy: {err}");
                return ExitCode::from(FAILED);
            }
        }
    } else {
        match std::fs::read(&page) {
            Ok(bytes) => paperboy::charset::decode(&bytes, None).text,
            Err(err) => {
                eprintln!("paperboy: {page}: {err}");
                return ExitCode::from(FAILED);
            }
        }
    };
    let article = paperboy::extract::extract(&html, base.as_ref(), &Default::default(), timezone);
    println!(
        "{}",
        serde_json::to_string_pretty(&article).expect("an article serializes")
    );
    ExitCode::SUCCESS
}

fn inspect(settings: Settings, url: &str) -> ExitCode {
    let url = match url::Url::parse(url) {
        Ok(url) => url,
        Err(err) => {
            eprintln!("paperboy: `{url}` is not a URL: {err}");
            return ExitCode::from(BAD_CONFIG);
        }
    };
    let found = paperboy::store::Store::open_with_cache(&settings.data_dir, settings.store_cache)
        .and_then(|store| store.item_for_url(&paperboy::normalize::url_identity(&url)));
    match found {
        Ok(Some(item)) => {
            let places: Vec<_> = item
                .places
                .iter()
                .map(|p| serde_json::json!({"source": p.source, "url": p.url, "outlet": p.outlet, "merged_with_similarity": p.similarity}))
                .collect();
            let report = serde_json::json!({
                "id": item.key.atom_id(),
                "title": item.title,
                "owner": item.owner,
                "feeds": item.feeds,
                "places": places,
            });
            println!("{}", serde_json::to_string_pretty(&report).expect("json"));
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("paperboy: no stored item has the address {url}");
            ExitCode::from(FAILED)
        }
        Err(err) => {
            eprintln!("paperboy: {err}");
            ExitCode::from(FAILED)
        }
    }
}
