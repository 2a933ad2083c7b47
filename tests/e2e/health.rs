//! Breakage is visible: a source whose selector matches nothing fails with that kind, and
//! shows as failing on the index page, in `status`, in `/metrics` and as an entry of the
//! health feed; when the page is mended it recovers everywhere.

use std::time::Duration;

use crate::support::{Fixture, Install, Reply, article_page, column_page, entries, html_source};

#[test]
fn a_selector_that_matches_nothing_shows_everywhere_and_recovers() {
    let fixture = Fixture::start();
    // A redesign: the column no longer has links the selector finds.
    fixture.set(
        "/list.html",
        Reply::ok(
            "text/html",
            "<html><body><ul class=news><li><a href=/a/1.html>新闻</a></li></ul></body></html>",
        ),
    );
    fixture.set(
        "/a/1.html",
        Reply::ok("text/html", article_page("民生实事推进会召开")),
    );
    let feed = format!(
        "title = \"十堰新闻\"\nschedule = \"* * * * * *\"\n{}",
        html_source("col", &fixture, "/list.html")
    );
    let install = Install::new(&[("shiyan", &feed)]);
    let daemon = install.daemon();
    let status = || String::from_utf8_lossy(&install.cmd(&["status"]).stdout).into_owned();
    daemon.wait_for(Duration::from_secs(15), || {
        status().contains("col: failing (nothing_matched) since")
    });
    let line = status();
    assert!(
        line.contains("last error: `links` matched no article link on"),
        "{line}"
    );

    let (_, index) = daemon.get("/");
    assert!(index.contains("col: failing since"), "{index}");
    assert!(index.contains("nothing_matched"), "{index}");
    let (_, metrics) = daemon.get("/metrics");
    assert!(
        metrics.contains("paperboy_source_failing{source=\"col\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("paperboy_runs_total{source=\"col\",outcome=\"nothing_matched\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("paperboy_fetches_total{outcome=\"ok\",status=\"2xx\"}"));
    assert!(metrics.contains("paperboy_fetch_duration_seconds_bucket"));
    assert!(metrics.contains("paperboy_store_size_bytes"));
    assert!(metrics.contains("paperboy_feed_items{feed=\"shiyan\"} 0"));
    let (code, health) = daemon.get("/feeds/health.atom");
    assert_eq!(code, 200);
    let events = entries(&health);
    assert_eq!(
        events.len(),
        1,
        "one entry while it keeps failing: {health}"
    );
    assert_eq!(events[0].title, "col is failing (nothing_matched)");

    // Mended: the source recovers everywhere.
    fixture.set(
        "/list.html",
        Reply::ok("text/html", column_page(&["/a/1.html"])),
    );
    daemon.wait_for(Duration::from_secs(15), || status().contains("col: ok"));
    daemon.wait_for(Duration::from_secs(5), || {
        entries(&daemon.get("/feeds/health.atom").1).len() == 2
    });
    let events = entries(&daemon.get("/feeds/health.atom").1);
    assert_eq!(events[0].title, "col recovered");
    let (_, index) = daemon.get("/");
    assert!(!index.contains("failing since"), "{index}");
    assert!(index.contains("healthy"), "{index}");
    let (_, metrics) = daemon.get("/metrics");
    assert!(
        metrics.contains("paperboy_source_failing{source=\"col\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("paperboy_items_total{source=\"col\",change=\"new\"} 1"),
        "{metrics}"
    );
    assert!(
        entries(&daemon.get("/feeds/shiyan.atom").1)
            .iter()
            .any(|e| e.title == "民生实事推进会召开")
    );
    assert_eq!(daemon.terminate(), Some(0));
}

#[test]
fn a_source_that_suddenly_lists_a_tenth_of_its_items_fails_and_keeps_what_it_got() {
    use crate::support::{Article, rss};
    let many: Vec<Article> = (0..20)
        .map(|i| {
            Article::new(
                &format!("要闻第{i}条"),
                &format!("http://news.example.cn/a/{i}.html"),
                Some("2026-11-20 08:00:00"),
                "<p>正文。</p>",
            )
        })
        .collect();
    let fixture = Fixture::start();
    fixture.set("/rss.xml", Reply::rss(rss("要闻", &many)));
    let feed = format!(
        "title = \"要闻\"\n[[sources]]\nname = \"news\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::new(&[("news", &feed)]);
    for _ in 0..3 {
        assert_eq!(install.fetch(&[]).0, 0);
    }
    let fresh = Article::new(
        "只剩一条",
        "http://news.example.cn/a/new.html",
        Some("2026-11-21 08:00:00"),
        "<p>正文。</p>",
    );
    fixture.set("/rss.xml", Reply::rss(rss("要闻", &[fresh])));
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("news: error: listed 1 items against about 20 in its recent runs"),
        "{out}"
    );
    let status = String::from_utf8_lossy(&install.cmd(&["status"]).stdout).into_owned();
    assert!(status.contains("news: failing (yield_dropped)"), "{status}");
    // What it listed is stored all the same.
    assert_eq!(entries(&install.publish()["news"]).len(), 21);
}

#[test]
fn each_failure_says_its_kind() {
    let fixture = Fixture::start();
    fixture.set("/slow.xml", Reply::Hang);
    fixture.set("/missing.xml", Reply::status(404, &[]));
    fixture.set(
        "/broken.xml",
        Reply::ok("application/json", "{\"items\": [1, 2"),
    );
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let source = |name: &str, kind: &str, url: &str| {
        format!("[[sources]]\nname = \"{name}\"\nkind = \"{kind}\"\nurl = \"{url}\"\n")
    };
    let feed = [
        "title = \"t\"\n".to_string(),
        source("gone", "feed", "http://no-such-host.invalid/rss.xml"),
        source(
            "closed",
            "feed",
            &format!("http://127.0.0.1:{closed_port}/rss.xml"),
        ),
        source("slow", "feed", &fixture.url("/slow.xml")),
        source("missing", "feed", &fixture.url("/missing.xml")),
        source("broken", "json", &fixture.url("/broken.xml"))
            + "items = \"/items\"\ntitle = \"/t\"\nlink = \"/u\"\n",
    ]
    .concat();
    let install = Install::new(&[("t", &feed)]);
    let (code, _) = install.fetch(&[]);
    assert_eq!(code, 1);
    let status = String::from_utf8_lossy(&install.cmd(&["status"]).stdout).into_owned();
    for (name, kind) in [
        ("gone", "dns"),
        ("closed", "connect"),
        ("slow", "timeout"),
        ("missing", "http"),
        ("broken", "parse"),
    ] {
        assert!(
            status.contains(&format!("{name}: failing ({kind}) since")),
            "{name}: {status}"
        );
    }
}
