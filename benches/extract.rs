//! Extraction speed: MB of HTML per second on one core, over the eval-dev pages (or the
//! set named by `PAPERBOY_EVAL_DIR`). The baseline in the same run is parsing alone
//! (html5ever through scraper), so the ratio says what extraction adds to a parse.
//!
//! Run with `cargo bench --bench extract`.

use std::time::{Duration, Instant};

fn main() {
    let dir = std::env::var("PAPERBOY_EVAL_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/eval-dev").to_string());
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|err| panic!("{dir}: {err}")) {
        let path = entry.unwrap().path().join("page.html");
        if let Ok(bytes) = std::fs::read(&path) {
            pages.push(bytes);
        }
    }
    let bytes: usize = pages.iter().map(Vec::len).sum();
    println!(
        "{} pages, {:.2} MB of HTML",
        pages.len(),
        bytes as f64 / 1e6
    );

    let decoded: Vec<String> = pages
        .iter()
        .map(|p| paperboy::charset::decode(p, None).text)
        .collect();
    let parse = measure(bytes, || {
        for page in &decoded {
            std::hint::black_box(scraper::Html::parse_document(page));
        }
    });
    let decode = measure(bytes, || {
        for page in &pages {
            std::hint::black_box(paperboy::charset::decode(page, None));
        }
    });
    let extract = measure(bytes, || {
        for page in &pages {
            let text = paperboy::charset::decode(page, None).text;
            std::hint::black_box(paperboy::extract::extract(
                &text,
                None,
                &Default::default(),
                chrono_tz::Asia::Shanghai,
            ));
        }
    });
    println!("parse only (baseline): {parse:>7.2} MB/s");
    println!("charset decode:        {decode:>7.2} MB/s");
    println!(
        "decode + extract:      {extract:>7.2} MB/s  ({:.2}x the parse time)",
        parse / extract
    );
}

/// MB/s of `work` over `bytes`, repeated for at least two seconds after a warm-up.
fn measure(bytes: usize, mut work: impl FnMut()) -> f64 {
    work();
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < Duration::from_secs(2) {
        work();
        rounds += 1;
    }
    (bytes * rounds) as f64 / 1e6 / start.elapsed().as_secs_f64()
}
