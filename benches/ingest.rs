//! Ingest CPU against a plain Python pipeline doing the same work (feedparser +
//! trafilatura + SQLite + feedgen, `benches/ingest/pipeline.py`, installed in a venv under
//! `target/bench-venv` on first run).
//!
//! A fixture site on 127.0.0.1 (served from a thread of this process, so its CPU is not
//! counted) has N feed sources of 50 items each and M portal columns of 20 article pages
//! each; every item is a distinct text, so near-duplicate merging cannot make the work
//! smaller. Each side runs in a fresh directory and its CPU (user + system, from the
//! children's rusage) is taken for the feed part and the article part apart, including
//! process start and publishing the feed. Both also run 2N feed sources: the difference
//! is the marginal CPU of one feed item, without start-up (Python's interpreter and
//! imports, paperboy's process and store opening).
//!
//! Two baselines show what storing alone costs, measured in this process on items like
//! the fixture's (same text sizes, guid, link, author, date): the store's own
//! `Store::upsert_all`, one call and one flush per source run as the pipeline does; and
//! sled by itself writing, per item, the keys an item takes (its record, URL, guid,
//! time-index entry and fingerprint record, with the feed's count) in one transaction per
//! source run, with the three identity lookups before. Both are taken for N and 2N runs;
//! the difference is the marginal cost of one item.
//!
//! Last, the least the feed part could cost with the crates it is built on, measured in
//! this process: sled creating a store and opening it again, and per item feed-rs parsing
//! the same documents, ammonia sanitizing its HTML and sled writing one key for it, nothing
//! else; then with paperboy's own plain text and fingerprint of each item; beside them,
//! paperboy's `fetch` + `publish` with no source configured.
//!
//! Run with `cargo bench --bench ingest`; `PAPERBOY_BENCH_FEEDS` (20),
//! `PAPERBOY_BENCH_COLUMNS` (10) and `PAPERBOY_BENCH_ROUNDS` (3, the median is shown) set
//! the sizes.

use std::path::{Path, PathBuf};
use std::process::Command;

use paperboy::normalize::{self, near_dup::Fingerprint};
use paperboy::store::{NewItem, Origin, Store};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

#[path = "support/site.rs"]
mod site;

use site::{ARTICLES_PER_COLUMN, BIN, ITEMS_PER_FEED};

/// CPU seconds (user + system) so far of `who`: `RUSAGE_CHILDREN` (the children that
/// ended) or `RUSAGE_SELF` (this process's threads).
fn cpu(who: libc::c_int) -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// The items of `runs` source runs, as the pipeline hands the fixture's feed items to the
/// store: texts of the same sizes, drawn the same way.
fn runs_of_items(runs: usize) -> Vec<Vec<NewItem>> {
    let mut rng = StdRng::seed_from_u64(11);
    (0..runs)
        .map(|n| {
            (0..ITEMS_PER_FEED)
                .map(|i| {
                    let url = format!("http://127.0.0.1/feed{n}/{i}.html");
                    NewItem {
                        guid: Some(url.clone()),
                        url_identity: Some(url.trim_start_matches("http:").to_string()),
                        link: Some(url),
                        title: site::paragraph(&mut rng, 1),
                        content: Some(
                            (0..3)
                                .map(|_| format!("<p>{}</p>", site::paragraph(&mut rng, 5)))
                                .collect(),
                        ),
                        author: Some(format!("记者{n}")),
                        published: Some((1_790_000_000_000 + (n * 100 + i) as i64 * 60_000, 480)),
                        ..NewItem::default()
                    }
                })
                .collect()
        })
        .collect()
}

/// CPU seconds of storing `runs` through `Store::upsert_all` in a fresh store, a flush
/// after each run.
fn store_alone(runs: &[Vec<NewItem>], dir: &Path) -> f64 {
    let _ = std::fs::remove_dir_all(dir);
    let before = cpu(libc::RUSAGE_SELF);
    let store = Store::open(dir).unwrap();
    for (n, items) in runs.iter().enumerate() {
        let source = format!("feed{n}");
        let origin = Origin {
            feed: &source,
            source: &source,
            rank: 0,
        };
        store.upsert_all(&origin, items, 1_800_000_000_000).unwrap();
        store.flush().unwrap();
    }
    drop(store);
    cpu(libc::RUSAGE_SELF) - before
}

/// sled by itself on `dir`, with the cache paperboy gives its store by default.
fn open_sled(dir: &Path) -> sled::Db {
    sled::Config::new()
        .path(dir)
        .cache_capacity(paperboy::config::DEFAULT_STORE_CACHE)
        .open()
        .unwrap()
}

/// feed-rs as the feed source calls it: content not sanitized (paperboy sanitizes it).
fn feed_parser() -> feed_rs::parser::Parser {
    feed_rs::parser::Builder::new()
        .sanitize_content(false)
        .build()
}

/// Each item's key and a record like the store's: the item's texts and about as much
/// again of fields.
fn records(items: &[NewItem]) -> Vec<([u8; 16], Vec<u8>)> {
    items
        .iter()
        .map(|item| {
            let key = xxhash_rust::xxh3::xxh3_128(item.link.as_deref().unwrap().as_bytes());
            let mut record = Vec::new();
            for text in [&item.title, item.content.as_ref().unwrap()] {
                record.extend_from_slice(text.as_bytes());
            }
            record.extend_from_slice(&[0; 160]);
            (key.to_be_bytes(), record)
        })
        .collect()
}

/// CPU seconds of sled writing one key per item, its record, and nothing else: one batch
/// and one flush per run: the least a store that keeps each item under a key of its own
/// writes.
fn sled_one_key(runs: &[Vec<NewItem>], dir: &Path) -> f64 {
    let _ = std::fs::remove_dir_all(dir);
    let before = cpu(libc::RUSAGE_SELF);
    let db = open_sled(dir);
    let items = db.open_tree("items").unwrap();
    for run in runs {
        let mut batch = sled::Batch::default();
        for (key, record) in records(run) {
            batch.insert(&key[..], record);
        }
        items.apply_batch(batch).unwrap();
        db.flush().unwrap();
    }
    drop(items);
    drop(db);
    cpu(libc::RUSAGE_SELF) - before
}

/// CPU seconds of sled opening the store in `dir` (a new one when there is none) and
/// closing it, nothing written: what a `fetch` and a `publish` cost sled before any item.
fn sled_open_close(dir: &Path) -> f64 {
    let before = cpu(libc::RUSAGE_SELF);
    let db = open_sled(dir);
    db.open_tree("items").unwrap();
    db.flush().unwrap();
    drop(db);
    cpu(libc::RUSAGE_SELF) - before
}

/// Passes over the documents in [`feed_rs_alone`]: one pass takes a few milliseconds,
/// near the resolution of the CPU clock.
const PARSE_PASSES: usize = 10;

/// CPU seconds of feed-rs alone parsing `documents` once, as the feed source calls it
/// (content not sanitized), in this process; the mean of [`PARSE_PASSES`] passes.
fn feed_rs_alone(documents: &[&[u8]]) -> f64 {
    let parser = feed_parser();
    let before = cpu(libc::RUSAGE_SELF);
    let mut entries = 0;
    for _ in 0..PARSE_PASSES {
        for document in documents {
            entries += parser.parse(*document).unwrap().entries.len();
        }
    }
    let spent = cpu(libc::RUSAGE_SELF) - before;
    assert_eq!(entries, PARSE_PASSES * documents.len() * ITEMS_PER_FEED);
    spent / PARSE_PASSES as f64
}

/// CPU seconds of what paperboy does to every feed item whatever the store, over the
/// items of `documents` (the mean of [`PARSE_PASSES`] passes): its HTML sanitized by
/// ammonia (as `normalize::sanitize_html` configures it), then, apart, its plain text
/// taken and fingerprinted for near-duplicates (paperboy's own code).
fn item_steps_alone(documents: &[&[u8]]) -> (f64, f64) {
    let parser = feed_parser();
    let base = url::Url::parse("http://127.0.0.1/").unwrap();
    let bodies: Vec<String> = documents
        .iter()
        .flat_map(|document| parser.parse(*document).unwrap().entries)
        .map(|entry| entry.summary.unwrap().content)
        .collect();
    let before = cpu(libc::RUSAGE_SELF);
    let mut clean = Vec::new();
    for _ in 0..PARSE_PASSES {
        clean = bodies
            .iter()
            .map(|body| normalize::sanitize_html(body, Some(&base)))
            .collect();
    }
    let sanitizing = cpu(libc::RUSAGE_SELF) - before;
    let before = cpu(libc::RUSAGE_SELF);
    let mut fingerprinted = 0;
    for _ in 0..PARSE_PASSES {
        for html in &clean {
            let text = normalize::plain_text(html);
            fingerprinted += usize::from(Fingerprint::of(&text).is_some());
        }
    }
    let fingerprinting = cpu(libc::RUSAGE_SELF) - before;
    assert_eq!(fingerprinted, PARSE_PASSES * bodies.len());
    let passes = PARSE_PASSES as f64;
    (sanitizing / passes, fingerprinting / passes)
}

/// CPU seconds of sled alone writing the keys `runs`' items take, one transaction and one
/// flush per run, after the identity lookups.
fn sled_alone(runs: &[Vec<NewItem>], dir: &Path) -> f64 {
    let _ = std::fs::remove_dir_all(dir);
    let before = cpu(libc::RUSAGE_SELF);
    let db = open_sled(dir);
    let open = |name: &str| db.open_tree(name).unwrap();
    let trees = (
        open("items"),
        open("urls"),
        open("guids"),
        open("feed_time"),
        open("feed_counts"),
        open("fingerprints"),
    );
    for (n, items) in runs.iter().enumerate() {
        let feed = format!("feed{n}");
        let keyed = records(items);
        for (key, _) in &keyed {
            trees.2.get(key).unwrap();
            trees.1.get(key).unwrap();
            trees.0.get(key).unwrap();
        }
        (&trees.0, &trees.1, &trees.2, &trees.3, &trees.4, &trees.5)
            .transaction(|(items, urls, guids, times, counts, prints)| {
                for ((key, record), item) in keyed.iter().zip(runs[n].iter()) {
                    guids.get(item.guid.as_deref().unwrap())?;
                    urls.get(item.url_identity.as_deref().unwrap())?;
                    items.get(key)?;
                    guids.insert(item.guid.as_deref().unwrap(), &key[..])?;
                    urls.insert(item.url_identity.as_deref().unwrap(), &key[..])?;
                    let mut entry = feed.as_bytes().to_vec();
                    entry.extend_from_slice(&item.published.unwrap().0.to_be_bytes());
                    entry.extend_from_slice(key);
                    times.insert(entry, &[])?;
                    let count = counts
                        .get(&feed)?
                        .map_or(0, |v| u64::from_be_bytes(v.as_ref().try_into().unwrap()));
                    counts.insert(feed.as_bytes(), &(count + 1).to_be_bytes())?;
                    items.insert(&key[..], &record[..])?;
                    prints.insert(&key[..], &[0u8; 64][..])?;
                }
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .unwrap();
        db.flush().unwrap();
    }
    drop(trees);
    drop(db);
    cpu(libc::RUSAGE_SELF) - before
}

/// Runs a command to its end and returns its CPU seconds and what it printed; panics with
/// its output on failure.
fn cpu_of(command: &mut Command) -> (f64, String) {
    let before = cpu(libc::RUSAGE_CHILDREN);
    let output = command.output().expect("start the command");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (cpu(libc::RUSAGE_CHILDREN) - before, stdout)
}

/// The items a part of the site holds: what each pipeline must have stored, or its CPU
/// figure is not for the same work.
fn expected_items(feeds: usize, columns: usize) -> usize {
    feeds * ITEMS_PER_FEED + columns * ARTICLES_PER_COLUMN
}

fn paperboy(base: &str, feeds: usize, columns: usize, dir: &Path) -> f64 {
    let config = site::configure(dir, base, feeds, columns, 1);
    let (fetch, said) = cpu_of(Command::new(BIN).arg("fetch").arg("-c").arg(&config));
    // Every source says `<name>: <n> new, …`.
    let new: usize = said
        .lines()
        .filter_map(|line| {
            line.split_once(": ")?
                .1
                .split_once(" new")?
                .0
                .parse::<usize>()
                .ok()
        })
        .sum();
    assert_eq!(
        new,
        expected_items(feeds, columns),
        "paperboy fetch stored another number of items:\n{said}"
    );
    let (publish, _) = cpu_of(
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
    let (seconds, said) = cpu_of(
        Command::new(python)
            .arg(script)
            .arg(dir.join("items.db"))
            .arg(dir.join("bench.atom"))
            .arg("100")
            .arg(part)
            .args(urls),
    );
    // It prints the number of items it stored.
    assert_eq!(
        said.trim().parse::<usize>().ok(),
        Some(expected_items(feeds, columns)),
        "the Python pipeline stored another number of items: {said}"
    );
    seconds
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
    // Both sides also run twice the feeds: the difference is an item's marginal CPU.
    let doubled = feeds * 2;
    let python_bin = venv();
    let base = site::serve(doubled, columns);
    let work = tempfile::tempdir().unwrap();
    let dir = |name: &str| work.path().join(name);

    let (mut ours_feeds, mut ours_double, mut ours_columns, mut ours_fixed) =
        (vec![], vec![], vec![], vec![]);
    let (mut theirs_feeds, mut theirs_double, mut theirs_columns) = (vec![], vec![], vec![]);
    for _ in 0..rounds {
        ours_feeds.push(paperboy(&base, feeds, 0, &dir("p-feeds")));
        theirs_feeds.push(python(&python_bin, &base, feeds, 0, &dir("py-feeds")));
        if columns > 0 {
            ours_columns.push(paperboy(&base, 0, columns, &dir("p-columns")));
            theirs_columns.push(python(&python_bin, &base, 0, columns, &dir("py-columns")));
        }
        ours_double.push(paperboy(&base, doubled, 0, &dir("p-double")));
        theirs_double.push(python(&python_bin, &base, doubled, 0, &dir("py-double")));
        ours_fixed.push(paperboy(&base, 0, 0, &dir("p-none")));
    }
    let (of, tf) = (median(ours_feeds), median(theirs_feeds));
    let (oc, tc) = (median(ours_columns), median(theirs_columns));
    let double = median(ours_double);
    let theirs_double = median(theirs_double);
    let fixed = median(ours_fixed);

    let (single_runs, double_runs) = (runs_of_items(feeds), runs_of_items(doubled));
    let (mut store_single, mut store_double, mut sled_single, mut sled_double) =
        (vec![], vec![], vec![], vec![]);
    let (mut one_key_single, mut one_key_double, mut parsing, mut opening) =
        (vec![], vec![], vec![], vec![]);
    let (mut sanitizing, mut fingerprinting) = (vec![], vec![]);
    let fixture = site::site(&base, feeds, 0);
    let documents: Vec<&[u8]> = (0..feeds)
        .map(|n| fixture[&format!("feed{n}.xml")].1.as_slice())
        .collect();
    for _ in 0..rounds {
        store_single.push(store_alone(&single_runs, &dir("store")));
        store_double.push(store_alone(&double_runs, &dir("store")));
        sled_single.push(sled_alone(&single_runs, &dir("sled")));
        sled_double.push(sled_alone(&double_runs, &dir("sled")));
        one_key_single.push(sled_one_key(&single_runs, &dir("sled")));
        one_key_double.push(sled_one_key(&double_runs, &dir("sled")));
        parsing.push(feed_rs_alone(&documents));
        let (sanitized, fingerprinted) = item_steps_alone(&documents);
        sanitizing.push(sanitized);
        fingerprinting.push(fingerprinted);
        let _ = std::fs::remove_dir_all(dir("sled"));
        opening.push(sled_open_close(&dir("sled")) + sled_open_close(&dir("sled")));
    }
    let store_marginal = median(store_double) - median(store_single);
    let sled_marginal = median(sled_double) - median(sled_single);
    let one_key_marginal = median(one_key_double) - median(one_key_single);
    let parsing = median(parsing);
    let opening = median(opening);
    let (sanitizing, fingerprinting) = (median(sanitizing), median(fingerprinting));
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
    let marginal = (double - of) / items * 1e6;
    let theirs_marginal = (theirs_double - tf) / items * 1e6;
    println!(
        "per feed item: {:.0} µs in all, {marginal:.0} µs marginal ({doubled} feeds: {double:.3} CPU-s); per article: {:.0} µs",
        of / items * 1e6,
        oc / articles * 1e6
    );
    println!(
        "marginal per feed item ({doubled} feeds less {feeds}): paperboy {marginal:.0} µs, Python \
         {theirs_marginal:.0} µs ({doubled} feeds: {theirs_double:.3} CPU-s), {:.1}× less",
        theirs_marginal / marginal
    );
    println!(
        "storing alone, marginal per feed item: Store::upsert_all {:.0} µs ({:.0} % of the item's {marginal:.0}); \
         sled alone writing the same keys {:.0} µs ({:.0} %)",
        store_marginal / items * 1e6,
        store_marginal / items * 1e6 / marginal * 100.0,
        sled_marginal / items * 1e6,
        sled_marginal / items * 1e6 / marginal * 100.0,
    );
    // The least CPU a `fetch` + `publish` of the feed part could take with these crates:
    // sled creating the store and opening it again, and per item feed-rs parsing it,
    // ammonia sanitizing it and sled writing one key for it, with nothing else done; then
    // with paperboy's own text and fingerprint of each item; beside them, what paperboy
    // spends with no source at all.
    let floor = opening + parsing + sanitizing + one_key_marginal;
    let with_fingerprints = floor + fingerprinting;
    let per_item = |cpu: f64| cpu / items * 1e6;
    println!(
        "the least the feed part could take: sled creating a store and opening it again \
         {opening:.3} CPU-s; per feed item feed-rs parsing {:.1} µs, ammonia sanitizing {:.1} \
         µs, sled writing one key {:.1} µs; in all {floor:.3} CPU-s, {:.1}× less than Python \
         (30× leaves {:.3}); with paperboy's plain text and fingerprint ({:.1} µs an item) \
         {with_fingerprints:.3}, {:.1}×; paperboy with no source configured {fixed:.3} CPU-s",
        per_item(parsing),
        per_item(sanitizing),
        per_item(one_key_marginal),
        tf / floor,
        tf / 30.0,
        per_item(fingerprinting),
        tf / with_fingerprints,
    );
}
