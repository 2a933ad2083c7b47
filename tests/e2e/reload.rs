//! Reloading while serving: edits of the feed files add, remove and change sources and
//! feeds without a restart and without losing items; a changed schedule is planned from
//! now; a bad edit keeps the running configuration and shows in health; SIGHUP reloads.

use std::time::{Duration, Instant};

use crate::support::{Article, Fixture, Install, Reply, entries, numbered, rss};

fn items(series: &str, count: usize) -> Vec<Article> {
    (0..count).map(|i| numbered(series, i)).collect()
}

fn feed_file(title: &str, schedule: &str, name: &str, url: &str) -> String {
    format!(
        "title = \"{title}\"\nschedule = \"{schedule}\"\n[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{url}\"\n"
    )
}

#[test]
fn edits_take_effect_while_serving_and_a_bad_one_keeps_the_running_config() {
    let fixture = Fixture::start();
    fixture.set("/a.xml", Reply::rss(rss("甲", &items("甲", 2))));
    fixture.set("/b.xml", Reply::rss(rss("乙", &items("乙", 3))));
    let t = |schedule: &str| feed_file("甲报", schedule, "a", &fixture.url("/a.xml"));
    let install = Install::new(&[("t", &t("*/30 * * * *"))]);
    let daemon = install.daemon();
    let count = |slug: &str| match daemon.get(&format!("/feeds/{slug}.atom")) {
        (200, xml) => entries(&xml).len(),
        _ => 0,
    };
    daemon.wait_for(Duration::from_secs(10), || count("t") == 2);

    // A new feed file: its feed is served and its source runs, no restart.
    install.write_feed(
        "u",
        &feed_file("乙报", "*/30 * * * *", "b", &fixture.url("/b.xml")),
    );
    daemon.wait_for(Duration::from_secs(10), || count("u") == 3);

    // Every 30 minutes → every 3 seconds: the next run comes within 5 s of the edit.
    let hits = fixture.hits("/a.xml").len();
    let edited = Instant::now();
    install.write_feed("t", &t("*/3 * * * * *"));
    while fixture.hits("/a.xml").len() == hits {
        assert!(
            edited.elapsed() < Duration::from_secs(5),
            "no run within 5 s of the edit:\n{}",
            install.daemon_log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A bad edit: the running configuration stays, and health says what is wrong where.
    install.write_feed(
        "u",
        "title = \"乙报\"\n[[sources]]\nname = \"b\"\nkind = \"rss\"\n",
    );
    daemon.wait_for(Duration::from_secs(5), || {
        daemon.get("/").1.contains("id=\"config-problem\"")
    });
    let (_, index) = daemon.get("/");
    assert!(index.contains("u.toml"), "names the file: {index}");
    let health = entries(&daemon.get("/feeds/health.atom").1);
    assert_eq!(health[0].title, "The configuration could not be reloaded");
    assert!(
        health[0].content.contains("u.toml"),
        "{}",
        health[0].content
    );
    assert_eq!(count("u"), 3, "the running feed stays");
    assert!(daemon.get("/").1.contains(">乙报</a></h2>"));

    // Removing the file mends the configuration: the feed goes, nothing else is lost.
    std::fs::remove_file(install.dir.path().join("feeds/u.toml")).unwrap();
    daemon.wait_for(Duration::from_secs(5), || {
        daemon.get("/feeds/u.atom").0 == 404
    });
    daemon.wait_for(Duration::from_secs(5), || {
        entries(&daemon.get("/feeds/health.atom").1)[0].title == "The configuration loads again"
    });
    assert!(!daemon.get("/").1.contains("id=\"config-problem\""));
    assert_eq!(count("t"), 2);

    // SIGHUP reloads as well.
    let reloads = |log: &str| log.matches("configuration reloaded").count();
    let before = reloads(&install.daemon_log());
    daemon.signal("HUP");
    daemon.wait_for(Duration::from_secs(5), || {
        reloads(&install.daemon_log()) > before
    });
    assert_eq!(daemon.terminate(), Some(0));
    // The removed feed's items are still stored: a feed file that names it again shows them.
    install.write_feed(
        "u",
        &feed_file("乙报", "0 0 0 1 1 *", "b", &fixture.url("/b.xml")),
    );
    assert_eq!(entries(&install.publish()["u"]).len(), 3);
}

#[test]
fn the_systemd_unit_checks_the_config_before_it_sends_sighup() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/paperboy.service"
    ))
    .unwrap();
    let reloads: Vec<&str> = unit
        .lines()
        .filter_map(|line| line.strip_prefix("ExecReload="))
        .collect();
    assert_eq!(
        reloads,
        ["/usr/bin/paperboy check", "/bin/kill -HUP $MAINPID"],
        "systemd runs ExecReload= lines in order and stops at the first that fails"
    );
}
