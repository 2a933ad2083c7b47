//! `paperboy import FILE.opml [--dry-run] [--force]`: writes the feed files an OPML
//! export becomes, and prints what it wrote and what it left out.

use std::path::Path;

use paperboy::import;

use super::{CliError, load, write_feed_file};

pub fn import(
    config: Option<std::path::PathBuf>,
    file: &Path,
    dry_run: bool,
    force: bool,
) -> Result<(), CliError> {
    let settings = load(config)?;
    let text = std::fs::read_to_string(file).map_err(|source| CliError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let plan = import::plan(&text, &name, &settings)
        .map_err(|err| CliError::Usage(format!("{}: {err}", file.display())))?;
    let existing: Vec<String> = plan
        .files
        .iter()
        .filter(|f| f.path.exists())
        .map(|f| f.path.display().to_string())
        .collect();
    if !existing.is_empty() && !force && !dry_run {
        return Err(CliError::Usage(format!(
            "would overwrite {} (nothing written; --force overwrites)",
            existing.join(", ")
        )));
    }
    for file in &plan.files {
        let verb = if dry_run { "would write" } else { "wrote" };
        if !dry_run {
            write_feed_file(&file.path, &file.text)?;
        }
        say!(
            "{verb} {}: {} ({} sources)",
            file.path.display(),
            file.title,
            file.sources
        );
        if dry_run {
            for line in file.text.lines() {
                say!("    {line}");
            }
        }
    }
    for skipped in &plan.skipped {
        say!("skipped {skipped}");
    }
    Ok(())
}
