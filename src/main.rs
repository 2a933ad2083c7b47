//! The `paperboy` command: parses arguments, calls the library through one `cli` module
//! per command group, and maps the one error type they return to an exit code (0 ok,
//! 1 the work failed, 2 bad usage or bad config).

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// A line per source: state, last success, last error, consecutive failures, items
    /// last run, next run.
    Status {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
    },
    /// Find what an address is (a feed, a page naming one, an e-paper of a known family,
    /// a list of articles) and write a source that reads it.
    Add {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
        url: String,
        /// The feed file to add it to (created when it does not exist).
        #[arg(long)]
        feed: Option<String>,
        /// The feed's title (default: the page's).
        #[arg(long)]
        title: Option<String>,
        /// Print what it would write; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Turn a feed reader's OPML export into feed files (one per folder).
    Import {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
        /// The OPML file.
        file: PathBuf,
        /// Print the files it would write; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite feed files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Show the stored item an article URL belongs to: its id, feeds and every place it
    /// appeared, with the similarity of each merged reprint.
    Inspect {
        #[arg(short = 'c', long = "config")]
        config: Option<PathBuf>,
        url: String,
    },
}

fn main() -> ExitCode {
    paperboy::allocator::tune();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(cli::BAD_USAGE)
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
    let outcome = match cli.command {
        Command::Check { config, fetch } => cli::fetch::check(config, fetch),
        Command::Run { config } => cli::serve::run(config),
        Command::Fetch {
            config,
            dry_run,
            sources,
        } => cli::fetch::fetch(config, sources, dry_run),
        Command::Publish { config, out } => cli::serve::publish(config, &out),
        Command::Extract { page, url, config } => cli::show::extract(&page, url, config),
        Command::Inspect { config, url } => cli::show::inspect(config, &url),
        Command::Status { config } => cli::fetch::status(config),
        Command::Add {
            config,
            url,
            feed,
            title,
            dry_run,
        } => cli::add::add(config, &url, feed, title, dry_run),
        Command::Import {
            config,
            file,
            dry_run,
            force,
        } => cli::import::import(config, &file, dry_run, force),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            err.report();
            ExitCode::from(err.exit_code())
        }
    }
}
