//! The shipped feed files against fixture sites that reproduce their sites' structure
//! (built from the seed articles): the real selectors, the real pages' charsets, today's
//! editions.

mod eastmoney;

pub use eastmoney::serve_eastmoney;
mod epaper;
mod portal;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::support::{Fixture, Install, Reply};

/// Today in Beijing, as e-papers date their editions.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// Serves the files below `tests/fixtures/sites/<dir>` at `prefix` + their relative path.
/// `YYYYMMDD` in paths and `{{YYYYMMDD}}`-style placeholders in contents become `date`;
/// `rewrites` replace text in contents (links to the real hosts).
pub fn serve(
    fixture: &Fixture,
    dir: &str,
    prefix: &str,
    date: NaiveDate,
    rewrites: &[(&str, &str)],
) {
    let root =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sites")).join(dir);
    for path in files(&root) {
        let relative = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .split('/')
            .map(|segment| match segment {
                "YYYY-MM" => date.format("%Y-%m").to_string(),
                "YYYYMM" => date.format("%Y%m").to_string(),
                "DD" => date.format("%d").to_string(),
                other => other.replace("YYYYMMDD", &date.format("%Y%m%d").to_string()),
            })
            .collect::<Vec<_>>()
            .join("/");
        let mut body = std::fs::read(&path).unwrap();
        for (from, to) in placeholders(date)
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .chain(rewrites.iter().copied())
        {
            body = replace(&body, from.as_bytes(), to.as_bytes());
        }
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => "application/json",
            // No charset: pages that declare theirs only in <meta>.
            _ => "text/html",
        };
        fixture.set(
            &format!("{prefix}/{relative}"),
            Reply::ok(content_type, body),
        );
    }
}

fn placeholders(date: NaiveDate) -> Vec<(String, String)> {
    // The sites' own formats, ASCII placeholders so that GBK files can hold them too.
    vec![
        ("{{YYYYMMDD}}".into(), date.format("%Y%m%d").to_string()),
        ("{{YYYY-MM-DD}}".into(), date.format("%Y-%m-%d").to_string()),
        ("{{YYYY-MM}}".into(), date.format("%Y-%m").to_string()),
        ("{{YYYYMM}}".into(), date.format("%Y%m").to_string()),
        ("{{DD}}".into(), date.format("%d").to_string()),
    ]
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut at = 0;
    while at < haystack.len() {
        if haystack[at..].starts_with(from) {
            out.extend_from_slice(to);
            at += from.len();
        } else {
            out.push(haystack[at]);
            at += 1;
        }
    }
    out
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A shipped `feeds/<name>.toml` with its real address prefix pointed at the fixture.
pub fn shipped_feed(name: &str, real: &str, fixture: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/feeds/{name}.toml", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    assert!(
        text.contains(real),
        "feeds/{name}.toml no longer fetches from {real}"
    );
    text.replace(real, fixture)
}

/// `paperboy fetch` output line of one source.
pub fn line<'a>(out: &'a str, source: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{source}: ")))
        .unwrap_or_else(|| panic!("no line for {source}:\n{out}"))
}

/// An installation with one shipped feed file.
pub fn install_shipped(name: &str, real: &str, fixture: &Fixture) -> Install {
    Install::new(&[(name, &shipped_feed(name, real, &fixture.url("")))])
}
