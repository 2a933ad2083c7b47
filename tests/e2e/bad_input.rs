//! Bad upstreams: each is a clear error for its source alone; other sources in the same
//! run succeed, the daemon keeps serving, and nothing stored is lost.

use std::time::Duration;

use crate::support::{Article, Fixture, Install, Reply, entries, rss};

const SOURCES: [&str; 8] = [
    "good",
    "malformed",
    "big",
    "bomb",
    "loop",
    "e500",
    "e429",
    "hang",
];

fn good_feed(name: &str) -> Reply {
    let article = Article::new(
        &format!("{name} 来源的报道"),
        &format!("http://news.example/{name}/1.htm"),
        Some("2022-01-25 09:36:09"),
        "<p>坐到群众炕头、想到群众心头、干到群众点头。</p>",
    );
    Reply::rss(rss(name, &[article]))
}

fn gzip_bomb() -> Vec<u8> {
    // 64 MiB of zeros compress to about 64 KiB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        std::io::Write::write_all(&mut encoder, &zeros).unwrap();
    }
    encoder.finish().unwrap()
}

fn install(fixture: &Fixture, schedule: &str) -> Install {
    let mut feed = format!("title = \"混合来源\"\nschedule = \"{schedule}\"\n");
    for name in SOURCES {
        fixture.set(&format!("/{name}.xml"), good_feed(name));
        feed.push_str(&format!(
            "[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{}\"\n",
            fixture.url(&format!("/{name}.xml"))
        ));
    }
    Install::new(&[("mixed", &feed)])
}

fn break_sources(fixture: &Fixture) {
    fixture.set(
        "/malformed.xml",
        Reply::rss("<rss version=\"2.0\"><channel><item><title>A & B</title></item>"),
    );
    let big = format!(
        "<rss version=\"2.0\"><channel>{}</channel></rss>",
        "<item><title>x</title></item>".repeat(60_000)
    );
    fixture.set("/big.xml", Reply::rss(big));
    fixture.set(
        "/bomb.xml",
        Reply::rss(gzip_bomb()).with_header("content-encoding", "gzip"),
    );
    fixture.set("/loop.xml", Reply::Redirect("/loop.xml".into()));
    fixture.set("/e500.xml", Reply::status(500, &[]));
    fixture.set("/e429.xml", Reply::status(429, &[("retry-after", "120")]));
    fixture.set("/hang.xml", Reply::Hang);
}

#[test]
fn each_bad_upstream_is_a_clear_error_of_its_own_source() {
    let fixture = Fixture::start();
    let install = install(&fixture, "0 0 1 1 *");
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(entries(&install.publish()["mixed"]).len(), SOURCES.len());

    break_sources(&fixture);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 1, "a failed source fails the command: {out}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"))
            .to_string()
    };
    assert_eq!(line("good"), "good: 0 new, 0 updated, 1 unchanged");
    let url = |name: &str| fixture.url(&format!("/{name}.xml"));
    for (name, expected) in [
        ("malformed", "not a readable RSS/Atom/JSON feed".to_string()),
        (
            "big",
            "body larger than the 1048576-byte limit (max_body)".to_string(),
        ),
        (
            "bomb",
            "body larger than the 1048576-byte limit (max_body)".to_string(),
        ),
        ("loop", "more than 5 redirects".to_string()),
        ("e500", "HTTP 500 Internal Server Error".to_string()),
        (
            "e429",
            "HTTP 429 Too Many Requests (retry after 120s)".to_string(),
        ),
        ("hang", "no answer within 2s".to_string()),
    ] {
        let line = line(name);
        assert!(
            line.starts_with(&format!("{name}: error: {}", url(name))),
            "{line}"
        );
        assert!(line.contains(&expected), "{name}: {line}");
    }
    // Nothing stored was lost.
    assert_eq!(entries(&install.publish()["mixed"]).len(), SOURCES.len());
}

#[test]
fn the_daemon_keeps_serving_and_retrying_and_honours_retry_after() {
    let fixture = Fixture::start();
    let install = install(&fixture, "*/1 * * * * *");
    assert_eq!(install.fetch(&[]).0, 0);
    break_sources(&fixture);
    // This run records the 429's Retry-After: 120 s.
    assert_eq!(install.fetch(&["e429", "e500"]).0, 1);
    let e429_before = fixture.hits("/e429.xml").len();
    let e500_before = fixture.hits("/e500.xml").len();

    let daemon = install.daemon();
    std::thread::sleep(Duration::from_secs(5));
    let (status, xml) = daemon.get("/feeds/mixed.atom");
    assert_eq!(status, 200);
    assert_eq!(
        entries(&xml).len(),
        SOURCES.len(),
        "nothing stored is lost while sources fail"
    );
    assert_eq!(daemon.get("/healthz").0, 200);
    // The failing source keeps being retried (backoff from 1 s for a per-second schedule)...
    assert!(
        fixture.hits("/e500.xml").len() >= e500_before + 2,
        "500 retried"
    );
    // ...the one that asked for two minutes is left alone...
    assert_eq!(
        fixture.hits("/e429.xml").len(),
        e429_before,
        "Retry-After honoured"
    );
    // ...and the good one keeps running on its schedule.
    assert!(fixture.hits("/good.xml").len() >= 3);
    assert_eq!(
        daemon.terminate(),
        Some(0),
        "a hanging request does not block shutdown: {}",
        install.daemon_log()
    );
}

#[test]
fn sources_on_loopback_and_private_networks_are_refused_unless_allowed() {
    let fixture = Fixture::start();
    fixture.set("/feed.xml", Reply::rss(crate::support::rss("t", &[])));
    let source = |name: &str, url: &str, extra: &str| {
        format!("[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{url}\"\n{extra}")
    };
    let feed = format!(
        "title = \"t\"\n{}{}{}{}",
        source("loopback", &fixture.url("/feed.xml"), ""),
        source("lan", "http://10.0.0.1/feed.xml", ""),
        source("named", "http://localhost:9/feed.xml", ""),
        source(
            "allowed",
            &fixture.url("/feed.xml"),
            "allow_private = true\n"
        ),
    );
    let install = Install::new(&[("t", &feed)]);
    // This install's daemon config without the test harness's `allow_private = true`.
    let config = std::fs::read_to_string(install.config()).unwrap();
    std::fs::write(
        install.config(),
        config.replace("allow_private = true\n", ""),
    )
    .unwrap();
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 1, "{out}");
    for (name, host) in [
        ("loopback", "127.0.0.1"),
        ("lan", "10.0.0.1"),
        ("named", "localhost"),
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no line for {name}:\n{out}"));
        assert!(
            line.contains("error")
                && line.contains("refused")
                && line.contains(host)
                && line.contains("allow_private"),
            "{line}"
        );
    }
    assert!(out.contains("allowed: 0 new"), "{out}");
    // Only the allowed source reached the fixture.
    assert_eq!(fixture.hits("/feed.xml").len(), 1);
}
