//! The command groups of the `paperboy` binary, and the one error they return: each
//! variant knows its exit code and how it is shown.

/// `println!` for the commands' output: a reader that has gone (`paperboy show … | head`)
/// ends the printing, not the command, which finishes its work (see [`say`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::say(format_args!($($arg)*))
    };
}

pub mod add;
pub mod admin;
pub mod fetch;
pub mod import;
pub mod serve;
pub mod show;

use std::path::PathBuf;

use paperboy::config::{self, ConfigError, Settings};

/// The work failed (a source, the store, a page).
pub const FAILED: u8 = 1;
/// Bad usage or a bad config.
pub const BAD_USAGE: u8 = 2;

/// Why a command did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Arguments that name nothing usable.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Daemon(#[from] paperboy::daemon::DaemonError),
    #[error(transparent)]
    Store(#[from] paperboy::store::StoreError),
    #[error(transparent)]
    Run(Box<paperboy::pipeline::RunError>),
    #[error(transparent)]
    Publish(#[from] paperboy::publish::PublishError),
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    NotFound(String),
    /// The running daemon answered with an error, or not at all.
    #[error("{0}")]
    Admin(String),
    /// Sources that failed; each was reported on its own line already.
    #[error("{0} sources failed")]
    SourcesFailed(usize),
}

impl From<paperboy::pipeline::RunError> for CliError {
    fn from(err: paperboy::pipeline::RunError) -> CliError {
        CliError::Run(Box::new(err))
    }
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Config(_) | CliError::Usage(_) => BAD_USAGE,
            _ => FAILED,
        }
    }

    /// Prints the error on stderr: config errors as they are (they name file, line and
    /// key), others behind the program's name, failed sources not again.
    pub fn report(&self) {
        match self {
            CliError::SourcesFailed(_) => {}
            CliError::Config(err) => eprintln!("{err}"),
            err => eprintln!("paperboy: {err}"),
        }
    }
}

/// The settings at `path`, `$PAPERBOY_CONFIG` or the default places.
pub fn load(path: Option<PathBuf>) -> Result<Settings, CliError> {
    let path = path.unwrap_or_else(config::default_config_path);
    Ok(config::load(&path)?)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Writes a feed file beside, synced, then renames it into place: a daemon watching the
/// feeds directory never reads half a file (`add`, `import`).
pub fn write_feed_file(path: &std::path::Path, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let failed = |source| CliError::Read {
        path: path.to_path_buf(),
        source,
    };
    let temp = path.with_extension("toml.tmp");
    let mut out = std::fs::File::create(&temp).map_err(failed)?;
    out.write_all(text.as_bytes()).map_err(failed)?;
    out.sync_all().map_err(failed)?;
    std::fs::rename(&temp, path).map_err(failed)
}

/// Writes a line to standard output. A closed pipe is no error of the command's: what
/// it would have printed is dropped and it goes on (a `fetch` still stores its runs);
/// any other failure to write is said on standard error.
pub fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(err) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")) {
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("paperboy: cannot write to standard output: {err}");
        }
    }
}
