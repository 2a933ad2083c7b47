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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ITEMS_PER_FEED: usize = 50;
const ARTICLES_PER_COLUMN: usize = 20;
const BIN: &str = env!("CARGO_BIN_EXE_paperboy");

/// Sentences of common Han characters with punctuation: distinct texts that share shingles
/// only by chance.
fn paragraph(rng: &mut StdRng, sentences: usize) -> String {
    let mut text = String::with_capacity(sentences * 80);
    for _ in 0..sentences {
        for _ in 0..rng.random_range(12..30) {
            text.push(char::from_u32(0x4E00 + rng.random_range(0..3000)).unwrap());
            if rng.random_range(0..12) == 0 {
                text.push('，');
            }
        }
        text.push('。');
    }
    text
}

type Site = HashMap<String, (&'static str, Vec<u8>)>;

fn feed(rng: &mut StdRng, base: &str, n: usize) -> Vec<u8> {
    let mut items = String::new();
    for i in 0..ITEMS_PER_FEED {
        let body: String = (0..3)
            .map(|_| format!("&lt;p&gt;{}&lt;/p&gt;", paragraph(rng, 5)))
            .collect();
        items.push_str(&format!(
            "<item><title>{}</title><link>{base}/feed{n}/{i}.html</link>\
             <guid>{base}/feed{n}/{i}.html</guid><author>记者{n}</author>\
             <pubDate>Mon, {:02} Nov 2026 {:02}:{:02}:00 +0800</pubDate>\
             <description>{body}</description></item>",
            paragraph(rng, 1),
            1 + i % 28,
            n % 24,
            i % 60
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>\
         <title>频道{n}</title><link>{base}/</link><description>频道</description>{items}</channel></rss>"
    )
    .into_bytes()
}

fn article(rng: &mut StdRng, title: &str, day: usize) -> Vec<u8> {
    let body: String = (0..6)
        .map(|_| format!("<p>{}</p>", paragraph(rng, 4)))
        .collect();
    let nav: String = (0..30)
        .map(|i| format!("<li><a href=\"/nav/{i}.html\">栏目{i}</a></li>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}_示例网</title>\
         <link rel=\"stylesheet\" href=\"/site.css\"><script>var page = 1;</script></head><body>\
         <div class=\"header\"><ul class=\"nav\">{nav}</ul></div>\
         <div class=\"main\"><div class=\"crumb\"><a href=\"/\">首页</a> &gt; <a href=\"/news/\">新闻</a></div>\
         <h1>{title}</h1><div class=\"info\">发布时间：2026-11-{day:02} 09:36 来源：示例日报 作者：记者</div>\
         <div class=\"content\">{body}</div>\
         <div class=\"share\">分享到：微信 微博</div></div>\
         <div class=\"side\"><h3>热点</h3><ul>{nav}</ul></div>\
         <div class=\"footer\">版权所有 示例网 备案号 123456</div></body></html>"
    )
    .into_bytes()
}

fn site(base: &str, feeds: usize, columns: usize) -> Site {
    let mut rng = StdRng::seed_from_u64(14);
    let mut site = Site::new();
    for n in 0..feeds {
        let body = feed(&mut rng, base, n);
        site.insert(format!("feed{n}.xml"), ("application/rss+xml", body));
    }
    for c in 0..columns {
        let mut links = String::new();
        for a in 0..ARTICLES_PER_COLUMN {
            let title = paragraph(&mut rng, 1);
            let path = format!("col{c}/2026-11/{a}.html");
            links.push_str(&format!(
                "<li><a class=\"t\" href=\"/{path}\">{title}</a></li>"
            ));
            let page = article(&mut rng, title.trim_end_matches('。'), 1 + a % 28);
            site.insert(path, ("text/html; charset=utf-8", page));
        }
        let column = format!(
            "<html><head><meta charset=\"utf-8\"><title>栏目{c}</title></head><body>\
             <ul class=\"list\">{links}</ul><div class=\"footer\"><a href=\"/about\">关于</a></div></body></html>"
        );
        site.insert(
            format!("col{c}/index.html"),
            ("text/html; charset=utf-8", column.into_bytes()),
        );
    }
    site
}

async fn answer(
    State(site): State<Arc<Site>>,
    UrlPath(path): UrlPath<String>,
) -> axum::response::Response {
    match site.get(&path) {
        Some((kind, body)) => ([(header::CONTENT_TYPE, *kind)], body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Serves the site on a thread of its own; returns the base address.
fn serve(feeds: usize, columns: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let site = Arc::new(site(&base, feeds, columns));
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new()
                .route("/{*path}", axum::routing::get(answer))
                .with_state(site);
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    base
}

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
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("feeds")).unwrap();
    std::fs::write(
        dir.join("paperboy.toml"),
        "data_dir = \"data\"\nfeeds_dir = \"feeds\"\nentries = 100\n\
         [fetch]\nallow_private = true\nhost_delay = \"0s\"\n",
    )
    .unwrap();
    let mut file = String::from("title = \"bench\"\nschedule = \"0 0 0 1 1 *\"\n");
    for n in 0..feeds {
        file.push_str(&format!(
            "[[sources]]\nname = \"feed{n}\"\nkind = \"feed\"\nurl = \"{base}/feed{n}.xml\"\n"
        ));
    }
    for c in 0..columns {
        file.push_str(&format!(
            "[[sources]]\nname = \"col{c}\"\nkind = \"html\"\nurl = \"{base}/col{c}/index.html\"\nlinks = \"a.t\"\n"
        ));
    }
    std::fs::write(dir.join("feeds/bench.toml"), file).unwrap();
    let config = dir.join("paperboy.toml");
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
    let base = serve(feeds * 2, columns);
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
