//! Extraction quality on real Chinese news pages: `../shared/eval-dev/` (or the set named
//! by `PAPERBOY_EVAL_DIR`), scored as that folder's README defines, with the targets the
//! extractor must meet there.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::FixedOffset;
use paperboy::extract::{Overrides, extract};
use unicode_normalization::UnicodeNormalization;

const TITLE_TARGET: f64 = 0.95;
const DATE_TARGET: f64 = 0.95;
const AUTHOR_TARGET: f64 = 0.80;
const F1_TARGET: f64 = 0.96;
/// No single page may fall below this body F1.
const PAGE_F1_FLOOR: f64 = 0.60;
/// Share of `content_not` snippets kept out of the body.
const CHROME_TARGET: f64 = 0.95;

fn normalize(text: &str) -> String {
    text.nfkc().filter(|c| !c.is_whitespace()).collect()
}

fn bag_f1(predicted: &str, expected: &str) -> (f64, f64, f64) {
    let count = |text: &str| {
        let mut bag: HashMap<char, usize> = HashMap::new();
        for c in normalize(text).chars() {
            *bag.entry(c).or_default() += 1;
        }
        bag
    };
    let (p, e) = (count(predicted), count(expected));
    let overlap: usize = p
        .iter()
        .map(|(c, n)| (*n).min(*e.get(c).unwrap_or(&0)))
        .sum();
    let (p_total, e_total): (usize, usize) = (p.values().sum(), e.values().sum());
    if overlap == 0 || p_total == 0 || e_total == 0 {
        return (0.0, 0.0, 0.0);
    }
    let precision = overlap as f64 / p_total as f64;
    let recall = overlap as f64 / e_total as f64;
    (
        precision,
        recall,
        2.0 * precision * recall / (precision + recall),
    )
}

fn eval_dir() -> PathBuf {
    std::env::var_os("PAPERBOY_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/eval-dev"))
        })
}

#[derive(Default)]
struct Mean {
    sum: f64,
    n: usize,
}

impl Mean {
    fn add(&mut self, value: f64) {
        self.sum += value;
        self.n += 1;
    }
    fn value(&self) -> f64 {
        if self.n == 0 {
            1.0
        } else {
            self.sum / self.n as f64
        }
    }
}

#[test]
fn extraction_meets_its_targets_on_real_pages() {
    let dir = eval_dir();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "no pages in {}", dir.display());
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
    let (mut title, mut date, mut author, mut f1, mut snippet, mut chrome_kept) = (
        Mean::default(),
        Mean::default(),
        Mean::default(),
        Mean::default(),
        Mean::default(),
        Mean::default(),
    );
    let (mut weak_pages, mut leaks) = (Vec::new(), Vec::new());
    for page in &pages {
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(page.join("expected.json")).unwrap())
                .unwrap();
        let bytes = std::fs::read(page.join("page.html")).unwrap();
        let html = paperboy::charset::decode(&bytes, None).text;
        let url = expected["url"]
            .as_str()
            .and_then(|u| url::Url::parse(u).ok());
        let article = extract(
            &html,
            url.as_ref(),
            &Overrides::default(),
            chrono_tz::Asia::Shanghai,
        );

        let title_ok = normalize(&article.title) == normalize(expected["title"].as_str().unwrap());
        title.add(f64::from(u8::from(title_ok)));

        // A page that shows no time at all has `publish_time: null`: its date is not scored.
        let days: Vec<String> = std::iter::once(&expected["publish_time"])
            .chain(
                expected["publish_time_alternatives"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            )
            .filter_map(|t| t.as_str().and_then(|t| t.get(..10)).map(str::to_string))
            .collect();
        let predicted_day = article
            .published
            .map(|t| t.with_timezone(&beijing).date_naive().to_string());
        let date_ok = predicted_day.as_ref().is_some_and(|d| days.contains(d));
        if !days.is_empty() {
            date.add(f64::from(u8::from(date_ok)));
        }

        let wanted: Vec<String> = ["author", "source"]
            .iter()
            .filter_map(|k| expected[*k].as_str().map(normalize))
            .collect();
        let got = normalize(&format!(
            "{}{}",
            article.author.clone().unwrap_or_default(),
            article.source.clone().unwrap_or_default()
        ));
        let author_ok = wanted.iter().any(|w| got.contains(w.as_str()));
        if !wanted.is_empty() {
            author.add(f64::from(u8::from(author_ok)));
        }

        let mut body = String::from("-");
        if let Some(content) = expected["content"].as_str() {
            let (p, r, f) = bag_f1(&article.text, content);
            f1.add(f);
            if f < PAGE_F1_FLOOR {
                weak_pages.push(format!("{} ({f:.3})", page.display()));
            }
            body = format!("f1={f:.3} p={p:.3} r={r:.3}");
        }
        // `content_not`: page chrome next to the body that must not be returned as body.
        let text = normalize(&article.text);
        for chrome in expected["content_not"].as_array().into_iter().flatten() {
            let chrome = normalize(chrome.as_str().unwrap());
            let leaked = text.contains(&chrome);
            chrome_kept.add(f64::from(u8::from(!leaked)));
            if leaked {
                leaks.push(format!("{}: {chrome}", page.display()));
            }
        }
        if let Some(snippets) = expected["content_contains"].as_array() {
            let text = normalize(&article.text);
            let ok = snippets
                .iter()
                .all(|s| text.contains(&normalize(s.as_str().unwrap())));
            snippet.add(f64::from(u8::from(ok)));
            body = format!("snippets={ok}");
        }
        println!(
            "{:<28} title={} date={} author={} {body}\n    title: {}\n    time:  {:?}\n    by:    {:?} / {:?}",
            page.file_name().unwrap().to_string_lossy(),
            u8::from(title_ok),
            u8::from(date_ok),
            if wanted.is_empty() {
                "-".to_string()
            } else {
                u8::from(author_ok).to_string()
            },
            article.title,
            article.published.map(|t| t.to_rfc3339()),
            article.author,
            article.source,
        );
    }
    let summary = format!(
        "title={:.3} date={:.3} author={:.3} f1={:.3} n={} (snippets={:.3}, chrome left out={:.3})",
        title.value(),
        date.value(),
        author.value(),
        f1.value(),
        pages.len(),
        snippet.value(),
        chrome_kept.value()
    );
    for leak in &leaks {
        println!("chrome kept: {leak}");
    }
    println!("{summary}");
    assert!(
        title.value() >= TITLE_TARGET
            && date.value() >= DATE_TARGET
            && author.value() >= AUTHOR_TARGET
            && f1.value() >= F1_TARGET,
        "below target (title {TITLE_TARGET}, date {DATE_TARGET}, author {AUTHOR_TARGET}, f1 {F1_TARGET}): {summary}"
    );
    assert!(
        weak_pages.is_empty(),
        "pages with body F1 below {PAGE_F1_FLOOR}: {weak_pages:?}"
    );
    assert!(
        snippet.value() == 1.0,
        "a page misses a snippet its body must contain: {summary}"
    );
    assert!(
        chrome_kept.value() >= CHROME_TARGET,
        "page chrome returned as body: {leaks:?}"
    );
}
