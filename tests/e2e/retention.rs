//! Retention through the binary: items past `keep` leave the feed and the store, the next
//! fetch does not bring them back, and `keep_items` (per feed or for the daemon) keeps
//! the newest.

use std::time::Duration;

use chrono::Utc;

use crate::support::{Article, Fixture, Install, Reply, entries, rss};

fn upstream(fixture: &Fixture) {
    let now = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai);
    let articles: Vec<Article> = (0..5)
        .map(|i| {
            let age = if i < 2 { 1 + i } else { 100 + i };
            let date = (now - chrono::Duration::days(age)).format("%Y-%m-%d %H:%M:%S");
            Article::new(
                &format!("第{i}条消息"),
                &format!("http://news.example.cn/{i}.html"),
                Some(&date.to_string()),
                &format!("<p>第{i}条消息的正文。</p>"),
            )
        })
        .collect();
    fixture.set("/rss.xml", Reply::rss(rss("要闻", &articles)));
}

fn feed(fixture: &Fixture, keys: &str) -> String {
    format!(
        "title = \"要闻\"\n{keys}\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    )
}

#[test]
fn items_past_keep_go_and_stay_gone() {
    let fixture = Fixture::start();
    upstream(&fixture);
    let install = Install::new(&[("t", &feed(&fixture, "keep = \"30d\""))]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("s: 5 new, 0 updated, 0 unchanged"), "{out}");
    assert!(
        out.contains("pruned 3 items from feeds (3 deleted)"),
        "{out}"
    );
    let titles = |install: &Install| -> Vec<String> {
        entries(&install.publish()["t"])
            .into_iter()
            .map(|e| e.title)
            .collect()
    };
    assert_eq!(titles(&install), ["第0条消息", "第1条消息"]);
    // The source still lists them: they are not stored again.
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.trim(),
        "s: 0 new, 0 updated, 2 unchanged, 3 pruned before"
    );
    assert_eq!(titles(&install), ["第0条消息", "第1条消息"]);

    // A running daemon prunes at start (and hourly): `keep_items` added to the feed.
    install.write_feed("t", &feed(&fixture, "keep = \"30d\"\nkeep_items = 1"));
    let daemon = install.daemon();
    daemon.wait_for(Duration::from_secs(10), || {
        entries(&daemon.get("/feeds/t.atom").1).len() == 1
    });
    assert_eq!(
        entries(&daemon.get("/feeds/t.atom").1)[0].title,
        "第0条消息"
    );
    assert_eq!(daemon.terminate(), Some(0));
}

#[test]
fn the_daemon_files_keep_items_applies_to_every_feed() {
    let fixture = Fixture::start();
    upstream(&fixture);
    let install = Install::with_settings(&[("t", &feed(&fixture, ""))], "keep_items = 2");
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("pruned 3 items"), "{out}");
    assert_eq!(entries(&install.publish()["t"]).len(), 2);
}
