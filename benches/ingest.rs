//! Ingest CPU against a plain Python pipeline doing the same work (feedparser +
//! trafilatura + SQLite + feedgen, `benches/ingest/pipeline.py`, installed in a venv under
//! `target/bench-venv` on first run).
//!
//! A fixture site on 127.0.0.1 (served from a thread of this process, so its CPU is not
//! counted) has N feed sources of 50 items each and M portal columns of 20 article pages
//! each; every item is a distinct text, so near-duplicate merging cannot make the work
//! smaller. Each side runs in a fresh directory and its CPU (user + system, from the
//! children's rusage) is taken for the feed part and the article part apart, including
//! process start and publishing the feed. paperboy also runs 2N feed sources: the
//! difference is the marginal CPU of one feed item, without start-up.
//!
//! Run with `cargo bench --bench ingest`; `PAPERBOY_BENCH_FEEDS` (20),
//! `PAPERBOY_BENCH_COLUMNS` (10) and `PAPERBOY_BENCH_ROUNDS` (3, the median is shown) set
//! the sizes.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/site.rs"]
mod site;

use site::{ARTICLES_PER_COLUMN, BIN, ITEMS_PER_FEED};

/// CPU seconds (user + system) of the children that ended so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Runs a command to its end and returns its CPU seconds; panics with its output on failure.
fn cpu_of(command: &mut Command) -> f64 {
    let before = children_cpu();
    let output = command.output().expect("start the command");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    children_cpu() - before
}

fn paperboy(base: &str, feeds: usize, columns: usize, dir: &Path) -> f64 {
    let config = site::configure(dir, base, feeds, columns, 1);
    let fetch = cpu_of(Command::new(BIN).arg("fetch").arg("-c").arg(&config));
    let publish = cpu_of(
        Command::new(BIN)
            .arg("publish")
            .arg("-c")
            .arg(&config)
            .arg("--out")
            .arg(dir.join("out")),
    );
    fetch + publish
}

fn venv() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap();
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(&python)
            .args(["-m", "pip", "install", "-q"])
            .args([
                "feedparser==6.0.14",
                "trafilatura==2.3.1",
                "feedgen==1.0.0",
                "lxml[html-clean]",
            ])
            .status()
            .unwrap();
        assert!(installed.success(), "pip install failed");
    }
    python
}

fn python(python: &Path, base: &str, feeds: usize, columns: usize, dir: &Path) -> f64 {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ingest/pipeline.py");
    let (part, urls): (&str, Vec<String>) = if feeds > 0 {
        (
            "feeds",
            (0..feeds).map(|n| format!("{base}/feed{n}.xml")).collect(),
        )
    } else {
        (
            "columns",
            (0..columns)
                .map(|c| format!("{base}/col{c}/index.html"))
                .collect(),
        )
    };
    cpu_of(
        Command::new(python)
            .arg(script)
            .arg(dir.join("items.db"))
            .arg(dir.join("bench.atom"))
            .arg("100")
            .arg(part)
            .args(urls),
    )
}

/// The median; NaN for a part that did not run.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let feeds = env_or("PAPERBOY_BENCH_FEEDS", 20);
    let columns = env_or("PAPERBOY_BENCH_COLUMNS", 10);
    let rounds = env_or("PAPERBOY_BENCH_ROUNDS", 3).max(1);
    let python_bin = venv();
    let base = site::serve(feeds * 2, columns);
    let work = tempfile::tempdir().unwrap();
    let dir = |name: &str| work.path().join(name);

    let (mut ours_feeds, mut ours_double, mut ours_columns) = (vec![], vec![], vec![]);
    let (mut theirs_feeds, mut theirs_columns) = (vec![], vec![]);
    for _ in 0..rounds {
        ours_feeds.push(paperboy(&base, feeds, 0, &dir("p-feeds")));
        theirs_feeds.push(python(&python_bin, &base, feeds, 0, &dir("py-feeds")));
        if columns > 0 {
            ours_columns.push(paperboy(&base, 0, columns, &dir("p-columns")));
            theirs_columns.push(python(&python_bin, &base, 0, columns, &dir("py-columns")));
        }
        ours_double.push(paperboy(&base, feeds * 2, 0, &dir("p-double")));
    }
    let (of, tf) = (median(ours_feeds), median(theirs_feeds));
    let (oc, tc) = (median(ours_columns), median(theirs_columns));
    let double = median(ours_double);
    let items = (feeds * ITEMS_PER_FEED) as f64;
    let articles = (columns * ARTICLES_PER_COLUMN) as f64;
    println!(
        "ingest CPU, median of {rounds} rounds (user + system, process start and publishing included)"
    );
    println!("| part | paperboy CPU-s | Python CPU-s | Python / paperboy |");
    println!("|---|---:|---:|---:|");
    println!(
        "| {feeds} feeds × {ITEMS_PER_FEED} items | {of:.3} | {tf:.3} | {:.1}× |",
        tf / of
    );
    println!(
        "| {columns} columns × {ARTICLES_PER_COLUMN} articles | {oc:.3} | {tc:.3} | {:.1}× |",
        tc / oc
    );
    println!(
        "per feed item: {:.0} µs in all, {:.0} µs marginal ({} feeds: {double:.3} CPU-s); per article: {:.0} µs",
        of / items * 1e6,
        (double - of) / items * 1e6,
        feeds * 2,
        oc / articles * 1e6
    );
}
