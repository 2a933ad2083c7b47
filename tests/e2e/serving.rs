//! The daemon's HTTP side and its schedule: conditional GET both ways, gzip, 404, the
//! index page, OPML and health; upstream changes picked up on schedule.

use std::io::Read;
use std::time::Duration;

use crate::support::install::Got;
use crate::support::{Article, Fixture, Install, Reply, articles::seed, entries, rss};

fn one_source(fixture: &Fixture, schedule: &str) -> Install {
    let (title, body) = seed("dzrb-1");
    let items = [Article::new(
        &title,
        "http://paper.dzwww.com/a/1.htm",
        Some("2022-01-25 09:36:09"),
        &body,
    )];
    fixture.set(
        "/rss.xml",
        Reply::rss(rss("大众日报", &items)).with_etag("v1"),
    );
    let feed = format!(
        "title = \"大众日报\"\ndescription = \"山东省委机关报\"\nschedule = \"{schedule}\"\n[[sources]]\nname = \"dz\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    Install::new(&[("dazhong", &feed)])
}

#[test]
fn feeds_are_served_with_validators_gzip_and_404() {
    let fixture = Fixture::start();
    let install = one_source(&fixture, "0 0 1 1 *");
    assert_eq!(install.fetch(&[]).0, 0);
    let daemon = install.daemon();

    let mut etags = Vec::new();
    for (extension, content_type) in [
        ("atom", "application/atom+xml; charset=utf-8"),
        ("rss", "application/rss+xml; charset=utf-8"),
        ("json", "application/feed+json; charset=utf-8"),
    ] {
        let path = format!("/feeds/dazhong.{extension}");
        let Got(status, headers, body) = daemon.get_with(&path, &[]);
        assert_eq!(status, 200, "{path}");
        assert_eq!(headers["content-type"], content_type);
        let etag = headers["etag"].to_str().unwrap().to_string();
        assert!(
            etag.starts_with('"') && !etag.starts_with("W/"),
            "strong ETag: {etag}"
        );
        etags.push(etag.clone());
        let last_modified = headers["last-modified"].to_str().unwrap().to_string();
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("66315件实事擦亮民生底色"), "{path}: {text}");
        if extension == "atom" {
            assert_eq!(entries(&text).len(), 1);
        }

        let Got(status, _, body) = daemon.get_with(&path, &[("if-none-match", &etag)]);
        assert_eq!((status, body.len()), (304, 0), "{path}");
        let Got(status, _, _) = daemon.get_with(&path, &[("if-modified-since", &last_modified)]);
        assert_eq!(status, 304, "{path}");
        let Got(status, _, _) = daemon.get_with(&path, &[("if-none-match", "\"other\"")]);
        assert_eq!(status, 200, "{path}");

        let Got(status, headers, body) = daemon.get_with(&path, &[("accept-encoding", "gzip")]);
        assert_eq!(status, 200);
        assert_eq!(headers["content-encoding"], "gzip");
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, text);
        let gz_etag = headers["etag"].to_str().unwrap().to_string();
        assert_ne!(gz_etag, etag, "each encoding has its own strong validator");
        let Got(status, _, _) = daemon.get_with(
            &path,
            &[("accept-encoding", "gzip"), ("if-none-match", &gz_etag)],
        );
        assert_eq!(status, 304, "{path}");
    }
    etags.dedup();
    assert_eq!(etags.len(), 3, "each format has its own validator");

    assert_eq!(daemon.get("/feeds/nosuch.atom").0, 404);
    assert_eq!(daemon.get("/feeds/dazhong.xml").0, 404);
    assert_eq!(daemon.get("/feeds/nosuch").0, 404);

    let (status, index) = daemon.get("/");
    assert_eq!(status, 200);
    let base = format!("http://127.0.0.1:{}/feeds/dazhong", install.port);
    for (mime, extension) in [
        ("application/atom+xml", "atom"),
        ("application/rss+xml", "rss"),
        ("application/feed+json", "json"),
    ] {
        assert!(index.contains(&format!("<link rel=\"alternate\" type=\"{mime}\" title=\"大众日报\" href=\"{base}.{extension}\">")), "{index}");
    }
    assert!(index.contains("1 条"), "entry count shown: {index}");
    let (status, opml) = daemon.get("/opml");
    assert_eq!(status, 200);
    assert!(opml.contains(&format!("xmlUrl=\"{base}.atom\"")), "{opml}");
    assert_eq!(daemon.get("/healthz"), (200, "ok\n".to_string()));
    let (_, metrics) = daemon.get("/metrics");
    assert!(
        metrics.contains("paperboy_feed_items{feed=\"dazhong\"} 1"),
        "{metrics}"
    );
}

#[test]
fn upstream_etag_gives_a_conditional_get_and_a_304_is_not_an_error() {
    let fixture = Fixture::start();
    let install = one_source(&fixture, "*/30 * * * *");
    assert_eq!(install.fetch(&[]).0, 0);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.trim(), "dz: not modified");
    let hits = fixture.hits("/rss.xml");
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[1].headers["if-none-match"], "\"v1\"");
    assert!(
        hits[0].headers["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("Mozilla/5.0")
    );
    assert_eq!(entries(&install.publish()["dazhong"]).len(), 1);
}

#[test]
fn gzip_encoded_upstream_feeds_are_read() {
    let fixture = Fixture::start();
    let (title, body) = seed("dzrb-2");
    let xml = rss(
        "大众日报",
        &[Article::new(
            &title,
            "http://paper.dzwww.com/a/2.htm",
            None,
            &body,
        )],
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, xml.as_bytes()).unwrap();
    fixture.set(
        "/rss.xml",
        Reply::rss(encoder.finish().unwrap()).with_header("content-encoding", "gzip"),
    );
    let feed = format!(
        "title = \"t\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::new(&[("t", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(entries(&install.publish()["t"])[0].title, title);
}

#[test]
fn the_daemon_runs_sources_on_schedule_and_publishes_additions() {
    let fixture = Fixture::start();
    // Every two seconds (6 fields: seconds first).
    let install = one_source(&fixture, "*/2 * * * * *");
    let daemon = install.daemon();
    // Never fetched: it runs at once.
    daemon.wait_for(Duration::from_secs(10), || {
        entries(&daemon.get("/feeds/dazhong.atom").1).len() == 1
    });
    let (title, body) = seed("dzrb-2");
    let (t1, b1) = seed("dzrb-1");
    let items = [
        Article::new(
            &t1,
            "http://paper.dzwww.com/a/1.htm",
            Some("2022-01-25 09:36:09"),
            &b1,
        ),
        Article::new(
            &title,
            "http://paper.dzwww.com/a/2.htm",
            Some("2022-01-25 10:00:00"),
            &body,
        ),
    ];
    fixture.set(
        "/rss.xml",
        Reply::rss(rss("大众日报", &items)).with_etag("v2"),
    );
    daemon.wait_for(Duration::from_secs(15), || {
        entries(&daemon.get("/feeds/dazhong.atom").1).len() == 2
    });
    assert_eq!(
        entries(&daemon.get("/feeds/dazhong.atom").1)[0].title,
        title
    );
    // SIGTERM stops it cleanly.
    assert_eq!(daemon.terminate(), Some(0), "{}", install.daemon_log());
}

/// Feeds whose documents together outgrow what the daemon keeps rendered: each is
/// rendered again when asked for, with the same bytes, so its validators still hold.
#[test]
fn feeds_let_go_from_memory_are_served_the_same_again() {
    // Distinct texts of 2,500 characters (7.5 KB), so none merge as reprints; 12 feeds of
    // 100 make about 45 MB of documents.
    let mut state = 11u64;
    let mut text = move |chars: usize| -> String {
        (0..chars)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from_u32(0x4E00 + (state >> 33) as u32 % 3000).unwrap()
            })
            .collect()
    };
    let fixture = Fixture::start();
    let mut feeds = Vec::new();
    for f in 0..12 {
        let items: Vec<Article> = (0..100)
            .map(|i| {
                Article::new(
                    &format!("第{f}栏 第{i}条"),
                    &format!("http://news.example.cn/{f}/{i}.html"),
                    Some(&format!("2026-11-{:02} 08:{:02}:00", 1 + i % 28, i % 60)),
                    &format!("<p>{}</p>", text(2500)),
                )
            })
            .collect();
        fixture.set(&format!("/{f}.xml"), Reply::rss(rss("栏目", &items)));
        feeds.push((
            format!("lanmu{f}"),
            format!(
                "title = \"栏目{f}\"\nschedule = \"0 0 1 1 *\"\n[[sources]]\nname = \"s{f}\"\nkind = \"feed\"\nurl = \"{}\"\n",
                fixture.url(&format!("/{f}.xml"))
            ),
        ));
    }
    let files: Vec<(&str, &str)> = feeds
        .iter()
        .map(|(s, t)| (s.as_str(), t.as_str()))
        .collect();
    let install = Install::new(&files);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let daemon = install.daemon();
    let mut first = Vec::new();
    for round in 0..2 {
        for (f, (slug, _)) in feeds.iter().enumerate() {
            let Got(status, headers, body) = daemon.get_with(&format!("/feeds/{slug}.atom"), &[]);
            assert_eq!(status, 200, "{slug}");
            let etag = headers["etag"].to_str().unwrap().to_string();
            let text = String::from_utf8(body).unwrap();
            assert_eq!(entries(&text).len(), 100, "{slug}");
            if round == 0 {
                first.push((etag, text.len()));
            } else {
                assert_eq!(
                    (etag.clone(), text.len()),
                    first[f],
                    "{slug}: the same document again"
                );
                let Got(status, _, _) =
                    daemon.get_with(&format!("/feeds/{slug}.atom"), &[("if-none-match", &etag)]);
                assert_eq!(status, 304, "{slug}");
            }
        }
    }
}
