//! `paperboy run` and `paperboy publish`: the daemon, and the feeds written to files.

use std::path::{Path, PathBuf};

use paperboy::store::Store;
use paperboy::{daemon, publish};

use super::{CliError, load, runtime};

pub fn run(config: Option<PathBuf>) -> Result<(), CliError> {
    let settings = load(config)?;
    Ok(runtime().block_on(daemon::run(settings))?)
}

pub fn publish(config: Option<PathBuf>, out: &Path) -> Result<(), CliError> {
    let settings = load(config)?;
    let store = Store::open_with_cache(&settings.data_dir, settings.store_cache)?;
    let count = publish::write_files(&settings, &store, out)?;
    say!("wrote {count} feeds to {}", out.display());
    Ok(())
}
