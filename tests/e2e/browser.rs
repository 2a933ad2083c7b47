//! The pages people open, in a real browser: headless Chromium loads the index page and a
//! feed page of a running daemon; the rendered DOM shows the feeds, their health and the
//! entries, and the browser logs no console message (no script error). Screenshots, phone
//! and desktop, land in `target/screenshots/`.
//!
//! Chromium comes from Debian's `chromium` package (`.ci/run` installs it); without it
//! this test fails, unless `PAPERBOY_NO_BROWSER=1` says to skip it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Article, Fixture, Install, Reply, column_page, html_source, rss};

/// What the browser rendered and logged.
struct Visit {
    dom: String,
    console: Vec<String>,
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

fn browse(browser: &Path, url: &str, extra: &[&str], profile: &Path) -> Visit {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Visit {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        console: String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter(|line| line.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
    }
}

#[test]
fn the_index_and_a_feed_page_render_in_a_browser() {
    let Some(browser) = chromium() else {
        if std::env::var_os("PAPERBOY_NO_BROWSER").is_some() {
            return;
        }
        panic!("no Chromium: install Debian's `chromium` (or set PAPERBOY_NO_BROWSER=1)");
    };
    let fixture = Fixture::start();
    let articles = [
        Article::new(
            "我市召开民生实事推进会",
            "http://www.shiyan.gov.cn/xwdt/1.shtml",
            Some("2026-11-20 09:00:00"),
            "<p>会议要求，持续推进民生实事项目落实落地。</p><p>截至目前，全市累计为群众办实事66315件。</p>",
        ),
        Article::new(
            "城乡道路改造完工",
            "http://www.shiyan.gov.cn/xwdt/2.shtml",
            Some("2026-11-19 08:00:00"),
            "<p>道路改造全面完工，群众出行更方便。</p>",
        ),
    ];
    fixture.set("/rss.xml", Reply::rss(rss("十堰", &articles)));
    // A column whose links are gone: a failing source the index page must show.
    fixture.set(
        "/list.html",
        Reply::ok("text/html", column_page(&[]).replace("a.t", "a.x")),
    );
    let news = format!(
        "title = \"十堰新闻\"\ndescription = \"市政府要闻\"\n[[sources]]\nname = \"shiyan\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let column = format!(
        "title = \"专栏\"\n{}",
        html_source("column", &fixture, "/list.html")
    );
    let install = Install::new(&[("shiyan", &news), ("column", &column)]);
    install.fetch(&[]);
    let daemon = install.daemon();
    let profile = tempfile::tempdir().unwrap();
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    let index = browse(
        &browser,
        &format!("{}/", daemon.base),
        &["--dump-dom"],
        profile.path(),
    );
    assert!(index.console.is_empty(), "console: {:?}", index.console);
    for shown in [
        "十堰新闻",
        "市政府要闻",
        "我市召开民生实事推进会",
        "城乡道路改造完工",
        "healthy",
        "column: failing since",
        "nothing_matched",
        "复制订阅地址",
        "OPML",
    ] {
        assert!(
            index.dom.contains(shown),
            "{shown} not on the index page:\n{}",
            index.dom
        );
    }

    let page = browse(
        &browser,
        &format!("{}/feeds/shiyan", daemon.base),
        &["--dump-dom"],
        profile.path(),
    );
    assert!(page.console.is_empty(), "console: {:?}", page.console);
    for shown in [
        "十堰新闻",
        "我市召开民生实事推进会",
        "全市累计为群众办实事66315件",
        "<time",
    ] {
        assert!(
            page.dom.contains(shown),
            "{shown} not on the feed page:\n{}",
            page.dom
        );
    }

    let index_url = format!("{}/", daemon.base);
    let feed_url = format!("{}/feeds/shiyan", daemon.base);
    for (name, size, url, dark) in [
        ("index-phone.png", "412,915", &index_url, false),
        ("index-desktop.png", "1280,900", &index_url, false),
        ("feed-phone.png", "412,915", &feed_url, false),
        ("feed-phone-dark.png", "412,915", &feed_url, true),
    ] {
        let path = shots.join(name);
        let _ = std::fs::remove_file(&path);
        let mut flags = vec![
            format!("--screenshot={}", path.display()),
            format!("--window-size={size}"),
        ];
        if dark {
            flags.push("--force-dark-mode".to_string());
        }
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        browse(&browser, url, &flags, profile.path());
        assert!(
            std::fs::metadata(&path)
                .map(|m| m.len() > 1000)
                .unwrap_or(false),
            "{name}"
        );
    }
    assert_eq!(daemon.terminate(), Some(0));
}
