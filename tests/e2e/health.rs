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
