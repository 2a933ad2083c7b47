//! A large store: how long `paperboy run` takes from start to serving a feed (a restart,
//! and the first start, which renders every feed for its copy on disk), and how long
//! a feed's re-render after one new item takes, on a store of a million items (10 feeds
//! of 100,000), each against the same on a store of 10,000 items (so the ratios say how
//! the cost grows with the store; flat is the aim).
//!
//! Building the million-item store takes minutes; with `PAPERBOY_BENCH_DIR` it is kept
//! there and reused by the next run. `PAPERBOY_BENCH_ITEMS` (1000000) sets the large size,
//! `PAPERBOY_BENCH_STORE_CACHE` the daemon's `store_cache`.
//!
//! Run with `cargo bench --bench large_store`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use paperboy::store::{NewItem, Origin, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[path = "support/site.rs"]
#[allow(dead_code)] // the installation writer there serves the other benches
mod site;

const FEEDS: usize = 10;
const SMALL: usize = 10_000;
const RENDERS: usize = 20;

/// About 300 distinct characters: unrelated items share shingles only by chance.
fn text(rng: &mut StdRng) -> String {
    (0..300)
        .map(|i| {
            if i % 23 == 22 {
                '，'
            } else {
                char::from_u32(0x4E00 + rng.random_range(0..3000)).unwrap()
            }
        })
        .collect()
}

fn item(rng: &mut StdRng, feed: usize, n: usize) -> NewItem {
    let url = format!("//bench.example/{feed}/{n}.html");
    NewItem {
        guid: Some(url.clone()),
        link: Some(format!("http:{url}")),
        url_identity: Some(url),
        title: format!("第{n}篇"),
        content: Some(format!("<p>{}</p>", text(rng))),
        published: Some((1_700_000_000_000 + n as i64 * 60_000, 28_800)),
        ..NewItem::default()
    }
}

/// Fills `dir` with `size` items over the bench's feeds, unless it holds them already.
fn build(dir: &Path, size: usize) {
    let done = dir.join("built");
    if std::fs::read_to_string(&done).ok() == Some(size.to_string()) {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let started = Instant::now();
    let store = Store::open(dir).unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let per_feed = size / FEEDS;
    for feed in 0..FEEDS {
        let (slug, source) = (format!("bench{feed}"), format!("feed{feed}"));
        let origin = Origin {
            feed: &slug,
            source: &source,
            rank: 0,
        };
        for start in (0..per_feed).step_by(1000) {
            let batch: Vec<NewItem> = (start..(start + 1000).min(per_feed))
                .map(|n| item(&mut rng, feed, n))
                .collect();
            store.upsert_all(&origin, &batch, 0).unwrap();
        }
    }
    store.flush().unwrap();
    drop(store);
    // sled writes its snapshot of the page table when it opens a store, and replays the
    // log written since then at the next open: open once, as a daemon restarted after the
    // store was written would find it.
    drop(Store::open(dir).unwrap());
    eprintln!(
        "built a store of {size} items in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    std::fs::write(done, size.to_string()).unwrap();
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The status line of a GET, or `None` when nothing answers yet.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: bench\r\n\r\n").as_bytes())
        .ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().map(str::to_string)
}

/// Writes the daemon file for the store in `data`; returns its path and port.
fn configure(root: &Path, data: &Path, base: &str) -> (PathBuf, u16) {
    let port = free_port();
    let feeds = root.join("feeds");
    std::fs::create_dir_all(&feeds).unwrap();
    for feed in 0..FEEDS {
        std::fs::write(
            feeds.join(format!("bench{feed}.toml")),
            format!(
                "title = \"bench {feed}\"\nschedule = \"0 0 0 1 1 *\"\n[[sources]]\nname = \"feed{feed}\"\nkind = \"feed\"\nurl = \"{base}/feed{feed}.xml\"\n"
            ),
        )
        .unwrap();
    }
    let config = root.join(format!("paperboy-{port}.toml"));
    // `PAPERBOY_BENCH_STORE_CACHE` ("128MiB"…) sets the daemon's `store_cache`.
    let cache = std::env::var("PAPERBOY_BENCH_STORE_CACHE")
        .map(|size| format!("store_cache = \"{size}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\nfeeds_dir = \"{}\"\n{cache}[fetch]\nallow_private = true\nhost_delay = \"0s\"\n",
            data.display(),
            feeds.display()
        ),
    )
    .unwrap();
    (config, port)
}

/// Seconds from starting `paperboy run` to its first feed answered 200.
fn start_up(config: &Path, port: u16) -> f64 {
    let started = Instant::now();
    let mut daemon = Command::new(site::BIN)
        .arg("run")
        .arg("-c")
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if get(port, "/feeds/bench0.atom").is_some_and(|line| line.contains(" 200 ")) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no feed served"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = started.elapsed().as_secs_f64();
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    took
}

/// Median milliseconds of a feed's render, each after one new item in it.
fn rerender(config: &Path, data: &Path) -> f64 {
    let settings = paperboy::config::load(config).unwrap();
    let store = Store::open(data).unwrap();
    let def = settings.feed("bench0").unwrap();
    let origin = Origin {
        feed: "bench0",
        source: "feed0",
        rank: 0,
    };
    let mut rng = StdRng::seed_from_u64(99);
    let mut times: Vec<f64> = (0..RENDERS)
        .map(|n| {
            store
                .upsert(&origin, &item(&mut rng, 99, 10_000_000 + n), 0)
                .unwrap();
            let started = Instant::now();
            let document = paperboy::publish::render(&settings, def, &store).unwrap();
            std::hint::black_box(document);
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    // As the binary does: this bench runs paperboy's code in its own process.
    paperboy::allocator::tune();
    let size: usize = std::env::var("PAPERBOY_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let work = tempfile::tempdir().unwrap();
    let root = std::env::var_os("PAPERBOY_BENCH_DIR").map_or(work.path().to_path_buf(), Into::into);
    let base = site::serve(FEEDS, 0);
    let mut rows = Vec::new();
    for items in [SMALL, size] {
        let data = root.join(format!("store-{items}"));
        build(&data, items);
        // Each measurement on a copy, so a kept store stays as built.
        let copy = root.join("measured");
        let _ = std::fs::remove_dir_all(&copy);
        let copied = Command::new("cp")
            .arg("-r")
            .arg(&data)
            .arg(&copy)
            .status()
            .unwrap();
        assert!(copied.success());
        let (config, port) = configure(&root, &copy, &base);
        // The first start renders every feed for its copy on disk (a store that has none:
        // an upgrade); a restart finds them.
        let first = start_up(&config, port);
        let started = start_up(&config, port);
        let _ = std::fs::remove_dir_all(&copy);
        Command::new("cp")
            .arg("-r")
            .arg(&data)
            .arg(&copy)
            .status()
            .unwrap();
        let render = rerender(&config, &copy);
        let _ = std::fs::remove_dir_all(&copy);
        rows.push((items, first, started, render));
    }
    let (_, _, small_start, small_render) = rows[0];
    println!("a feed of `entries` (100) items out of {FEEDS} feeds");
    println!(
        "| items stored | start to serving, s | × small | the first start (copies written), s | re-render after one item, ms | × small |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for (items, first, started, render) in rows {
        println!(
            "| {items} | {started:.2} | {:.2} | {first:.2} | {render:.2} | {:.2} |",
            started / small_start,
            render / small_render
        );
    }
}
