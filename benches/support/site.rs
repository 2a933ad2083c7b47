//! The fixture site the benches read: feeds of distinct items and portal columns of
//! distinct article pages, generated from a fixed seed and served on 127.0.0.1 from a
//! thread of the bench's own process (so its CPU is never counted as paperboy's), and
//! the paperboy configuration that reads it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const ITEMS_PER_FEED: usize = 50;
pub const ARTICLES_PER_COLUMN: usize = 20;
pub const BIN: &str = env!("CARGO_BIN_EXE_paperboy");

/// Sentences of common Han characters with punctuation: distinct texts that share shingles
/// only by chance.
pub fn paragraph(rng: &mut StdRng, sentences: usize) -> String {
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

/// Path → (content type, body).
pub type Site = HashMap<String, (&'static str, Vec<u8>)>;

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

/// The site's documents: the same bytes for the same `base` whatever the sizes, feed `n`
/// being drawn before anything after it.
pub fn site(base: &str, feeds: usize, columns: usize) -> Site {
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
pub fn serve(feeds: usize, columns: usize) -> String {
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

/// Writes a paperboy installation in a fresh `dir` reading `feeds` feeds and `columns`
/// columns of the site at `base`, in `files` feed files (never run by schedule); returns
/// the daemon file's path.
pub fn configure(
    dir: &Path,
    base: &str,
    feeds: usize,
    columns: usize,
    files: usize,
) -> std::path::PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("feeds")).unwrap();
    // `PAPERBOY_BENCH_STORE_CACHE` ("16MiB"…) sets `store_cache`; the default otherwise.
    let cache = std::env::var("PAPERBOY_BENCH_STORE_CACHE")
        .map(|size| format!("store_cache = \"{size}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        dir.join("paperboy.toml"),
        format!(
            "data_dir = \"data\"\nfeeds_dir = \"feeds\"\nentries = 100\n{cache}\
             [fetch]\nallow_private = true\nhost_delay = \"0s\"\n"
        ),
    )
    .unwrap();
    let mut sources: Vec<String> = (0..feeds)
        .map(|n| {
            format!(
                "[[sources]]\nname = \"feed{n}\"\nkind = \"feed\"\nurl = \"{base}/feed{n}.xml\"\n"
            )
        })
        .collect();
    sources.extend((0..columns).map(|c| {
        format!("[[sources]]\nname = \"col{c}\"\nkind = \"html\"\nurl = \"{base}/col{c}/index.html\"\nlinks = \"a.t\"\n")
    }));
    let per_file = sources.len().div_ceil(files.max(1)).max(1);
    for (f, chunk) in sources.chunks(per_file).enumerate() {
        let file = format!(
            "title = \"bench {f}\"\nschedule = \"0 0 0 1 1 *\"\n{}",
            chunk.concat()
        );
        std::fs::write(dir.join(format!("feeds/bench{f}.toml")), file).unwrap();
    }
    dir.join("paperboy.toml")
}
