//! Memory of a daemon with many sources: the resident set of `paperboy run` with 1,000
//! configured feed sources 3 s after it starts on an empty store (every source is due
//! then: its first runs are in flight), the same once they all ran (nothing due: idle),
//! 3 s and 60 s after it starts again, and the peak resident
//! set of `paperboy fetch` running all of them against the fixture site (50 distinct items
//! each), beside the peak of the Python pipeline of `benches/ingest` reading the same
//! 1,000 feeds (its venv must exist: run `cargo bench --bench ingest` once first).
//!
//! Run with `cargo bench --bench memory`; `PAPERBOY_BENCH_SOURCES` (1000) sets the count,
//! `PAPERBOY_BENCH_STORE_CACHE` the store's cache.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/site.rs"]
mod site;

/// Runs a command to its end; returns its peak resident set in MiB.
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its rusage
fn peak_of(command: &mut Command) -> f64 {
    let child = command
        .stdout(Stdio::null())
        .spawn()
        .expect("start the command");
    let mut status = 0;
    // SAFETY: wait4 writes only the status and the rusage it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed ({status})"
    );
    usage.ru_maxrss as f64 / 1024.0
}

/// The resident set of a running process in MiB, from /proc.
fn resident(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

/// Bytes of the files under `path`.
fn size_of(path: &Path) -> u64 {
    std::fs::read_dir(path).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|entry| match entry.metadata() {
                Ok(meta) if meta.is_dir() => size_of(&entry.path()),
                Ok(meta) => meta.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `paperboy run` on `config` until it answers: its RSS that many seconds after, for each
/// of `after` (in order).
fn idle<const N: usize>(config: &Path, after: [u64; N]) -> [f64; N] {
    let port = free_port();
    let text = std::fs::read_to_string(config).unwrap();
    std::fs::write(config, format!("listen = \"127.0.0.1:{port}\"\n{text}")).unwrap();
    let mut daemon = Command::new(site::BIN)
        .arg("run")
        .arg("-c")
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let answered = Instant::now();
    let rss = after.map(|seconds| {
        let at = answered + Duration::from_secs(seconds);
        std::thread::sleep(at.saturating_duration_since(Instant::now()));
        resident(daemon.id())
    });
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    std::fs::write(config, text).unwrap();
    rss
}

fn main() {
    let sources: usize = std::env::var("PAPERBOY_BENCH_SOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let base = site::serve(sources, 0);
    // `PAPERBOY_BENCH_DIR` keeps the installation (store included) there, to look into.
    let work = tempfile::tempdir().unwrap();
    let root = std::env::var_os("PAPERBOY_BENCH_DIR").map_or(work.path().to_path_buf(), Into::into);
    let config = site::configure(&root.join("paperboy"), &base, sources, 0, sources / 20);

    let [idle_before] = idle(&config, [3]);
    let fetch_peak = peak_of(Command::new(site::BIN).arg("fetch").arg("-c").arg(&config));
    // Also a minute on: sled cleans the segments the run left behind in the next process
    // that opens the store, and what it reads stays in its cache.
    let [idle_after, idle_later] = idle(&config, [3, 60]);

    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-venv/bin/python");
    let python_peak = python.exists().then(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ingest/pipeline.py");
        peak_of(
            Command::new(&python)
                .arg(script)
                .arg(root.join("items.db"))
                .arg(root.join("bench.atom"))
                .arg("100")
                .arg("feeds")
                .args((0..sources).map(|n| format!("{base}/feed{n}.xml"))),
        )
    });

    let items = sources * site::ITEMS_PER_FEED;
    let stored = size_of(&root.join("paperboy/data")) as f64 / (1 << 20) as f64;
    println!(
        "memory with {sources} feed sources ({items} distinct items; the store is {stored:.0} MiB on disk), MiB"
    );
    println!("| what | paperboy | Python pipeline |");
    println!("|---|---:|---:|");
    println!(
        "| daemon 3 s after start, empty store (its first runs in flight) | {idle_before:.1} | |"
    );
    println!("| idle daemon after the run (nothing due) | {idle_after:.1} | |");
    println!("| the same, 60 s after it answered | {idle_later:.1} | |");
    match python_peak {
        Some(theirs) => println!(
            "| peak of a run of all sources | {fetch_peak:.1} | {theirs:.1} ({:.2}× paperboy's) |",
            theirs / fetch_peak
        ),
        None => println!("| peak of a run of all sources | {fetch_peak:.1} | (no venv) |"),
    }
}
