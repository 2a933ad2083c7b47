//! Near-duplicate detection cost as the store grows: synthetic articles are stored through
//! the real `Store::upsert` up to each size (default 10k, 100k and 1M; set
//! `PAPERBOY_BENCH_SIZES=10000,100000`), and at each size 1,000 probes — half reprints of
//! stored articles, half new ones — are timed through the detection step alone and through
//! a whole upsert. The per-item cost should stay flat; the ratios to the first size say
//! whether it does. The store's size on disk is reported too. The store cache is 1GiB
//! unless `PAPERBOY_BENCH_CACHE` says otherwise: the band index is in memory, but the
//! items read to confirm candidates and the identities looked up are read at random, and
//! once they outgrow the cache the upsert's cost climbs with the store.
//!
//! Run with `cargo bench --bench dedup`.

use std::time::Instant;

use paperboy::store::{NewItem, Origin, Store, Upserted};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const PROBES: usize = 1000;

/// A synthetic article: about 300 characters drawn from 3,000 common Han characters, with
/// punctuation, so that unrelated articles share shingles only by chance.
fn article(rng: &mut StdRng) -> String {
    let mut text = String::with_capacity(1024);
    for i in 0..300 {
        text.push(char::from_u32(0x4E00 + rng.random_range(0..3000)).unwrap());
        if i % 23 == 22 {
            text.push('，');
        }
    }
    text.push('。');
    text
}

fn item(n: u64, text: &str) -> NewItem {
    NewItem {
        url_identity: Some(format!("//bench.example/{n}.html")),
        link: Some(format!("http://bench.example/{n}.html")),
        title: format!("第{n}篇"),
        content: Some(format!("<p>{text}</p>")),
        ..NewItem::default()
    }
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let meta = e.metadata().unwrap();
                    if meta.is_dir() {
                        dir_size(&e.path())
                    } else {
                        meta.len()
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    // As the binary does: this bench runs paperboy's code in its own process.
    paperboy::allocator::tune();
    let sizes: Vec<u64> = std::env::var("PAPERBOY_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("sizes are numbers"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    // The cache a deployment would give a large store (`store_cache`); the default 32MiB
    // is measured too by setting PAPERBOY_BENCH_CACHE=32MiB.
    let cache = std::env::var("PAPERBOY_BENCH_CACHE").unwrap_or_else(|_| "1GiB".into());
    let cache = paperboy::config::parse_size(&cache).expect("a size");
    println!("store cache: {} MiB", cache >> 20);
    let store = Store::open_with_cache(dir.path(), cache).unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let mut texts: Vec<String> = Vec::new();
    let mut stored = 0u64;
    let mut baseline: Option<(f64, f64)> = None;
    println!(
        "{:>9} {:>14} {:>14} {:>12} {:>10} {:>10}",
        "items", "detect µs/item", "upsert µs/item", "store MiB", "detect ×", "upsert ×"
    );
    for size in sizes {
        let fill = Instant::now();
        while stored < size {
            let text = article(&mut rng);
            store
                .upsert(
                    &Origin {
                        feed: "bench",
                        source: "bench",
                        rank: 0,
                    },
                    &item(stored, &text),
                    0,
                )
                .unwrap();
            // Keep a sample of texts to reprint later.
            if texts.len() < 10_000 {
                texts.push(text);
            }
            stored += 1;
        }
        store.flush().unwrap();
        let fill_secs = fill.elapsed().as_secs_f64();

        let probes: Vec<NewItem> = (0..PROBES)
            .map(|i| {
                let n = 10_000_000 + stored + i as u64;
                if i % 2 == 0 {
                    // A reprint: 80 % of a stored article.
                    let text = &texts[rng.random_range(0..texts.len())];
                    item(
                        n,
                        &text
                            .chars()
                            .take(text.chars().count() * 8 / 10)
                            .collect::<String>(),
                    )
                } else {
                    item(n, &article(&mut rng))
                }
            })
            .collect();
        let start = Instant::now();
        let mut found = 0;
        for probe in &probes {
            found += usize::from(store.near_duplicate_of(probe).unwrap().is_some());
        }
        let detect = start.elapsed().as_secs_f64() * 1e6 / PROBES as f64;
        let start = Instant::now();
        let mut merged = 0;
        for probe in &probes {
            merged += usize::from(matches!(
                store
                    .upsert(
                        &Origin {
                            feed: "bench",
                            source: "probe",
                            rank: 0
                        },
                        probe,
                        0
                    )
                    .unwrap(),
                Upserted::Merged { .. }
            ));
        }
        let upsert = start.elapsed().as_secs_f64() * 1e6 / PROBES as f64;
        stored += PROBES as u64 - merged as u64;
        store.flush().unwrap();
        let size_mib = dir_size(dir.path()) as f64 / (1 << 20) as f64;
        let (d0, u0) = *baseline.get_or_insert((detect, upsert));
        println!(
            "{size:>9} {detect:>14.1} {upsert:>14.1} {size_mib:>12.1} {:>10.2} {:>10.2}   (reprints found {found}/{}, merged {merged}; filled in {fill_secs:.0} s)",
            detect / d0,
            upsert / u0,
            PROBES / 2
        );
    }
}
