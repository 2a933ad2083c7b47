//! Durability: what `paperboy fetch` and the daemon stored survives `kill -9`, and a
//! restart never doubles an entry.

use std::io::Read;
use std::time::Duration;

use crate::support::install::Got;
use crate::support::{Article, Fixture, Install, Reply, entries, numbered, rss};

fn articles(count: usize) -> Vec<Article> {
    (0..count)
        .map(|i| {
            Article::new(
                &format!("滨州聚焦群众急难愁盼 第{i}篇"),
                &format!("http://epaper.bzrb.net/bzrb/20211116/html/content_{i}.htm"),
                Some(&format!("2021-11-16 08:{:02}:00", i % 60)),
                "<p>把实事办实办好。</p>",
            )
        })
        .collect()
}

#[test]
fn kill_9_loses_nothing_and_doubles_nothing() {
    let fixture = Fixture::start();
    fixture.set("/rss.xml", Reply::rss(rss("滨州日报", &articles(20))));
    let feed = format!(
        "title = \"滨州日报\"\nschedule = \"*/1 * * * * *\"\n[[sources]]\nname = \"bz\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::new(&[("binzhou", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(
        (code, out.trim()),
        (0, "bz: 20 new, 0 updated, 0 unchanged")
    );

    // The daemon stores an addition, and is killed without warning right after.
    let daemon = install.daemon();
    fixture.set("/rss.xml", Reply::rss(rss("滨州日报", &articles(25))));
    daemon.wait_for(Duration::from_secs(15), || {
        entries(&daemon.get("/feeds/binzhou.atom").1).len() == 25
    });
    let before = entries(&daemon.get("/feeds/binzhou.atom").1);
    daemon.kill9();

    let daemon = install.daemon();
    let after = entries(&daemon.get("/feeds/binzhou.atom").1);
    assert_eq!(
        after, before,
        "same entries, ids and times after kill -9 and restart"
    );
    // More runs after the restart add nothing.
    std::thread::sleep(Duration::from_secs(3));
    let later = entries(&daemon.get("/feeds/binzhou.atom").1);
    assert_eq!(later, before);
    let mut ids: Vec<&str> = later.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25, "no entry doubled");
    daemon.kill9();
    // And the one-shot commands read the same store afterwards.
    assert_eq!(entries(&install.publish()["binzhou"]), before);
}

#[test]
fn systemd_hears_ready_watchdog_pings_and_stopping() {
    use std::os::unix::net::UnixDatagram;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let install = Install::new(&[("t", "title = \"t\"\n[select]\nfeeds = [\"*\"]\n")]);
    let daemon = install.daemon_with_env(&[
        ("NOTIFY_SOCKET", path.to_str().unwrap()),
        ("WATCHDOG_USEC", "200000"),
    ]);
    let mut heard = Vec::new();
    let mut buffer = [0u8; 256];
    while !(heard.iter().any(|m: &String| m.contains("READY=1"))
        && heard.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 2)
    {
        let n = socket
            .recv(&mut buffer)
            .expect("a notification within 10 s");
        heard.push(String::from_utf8_lossy(&buffer[..n]).into_owned());
    }
    assert_eq!(daemon.terminate(), Some(0));
    loop {
        let n = socket.recv(&mut buffer).expect("STOPPING before the end");
        if String::from_utf8_lossy(&buffer[..n]).contains("STOPPING=1") {
            break;
        }
    }
}

/// `kill -9` at random moments while many sources ingest, a restart after each: in the
/// end every upstream item is stored exactly once and the feeds validate.
/// `PAPERBOY_CRASH_KILLS` sets the number of kills (25 by default).
#[test]
fn random_kill_9_during_ingest_loses_nothing_and_doubles_nothing() {
    const SOURCES: usize = 8;
    const ADDED_PER_ROUND: usize = 20;
    let kills: usize = std::env::var("PAPERBOY_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(25);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill moments from seed {seed}");
    let mut state = seed;
    let mut random_ms = |limit: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % limit
    };
    let fixture = Fixture::start();
    let upstream = |count: usize| {
        for source in 0..SOURCES {
            let items: Vec<Article> = (0..count)
                .map(|i| numbered(&format!("第{source}路 "), i))
                .collect();
            fixture.set(
                &format!("/{source}.xml"),
                Reply::rss(rss(&format!("第{source}路"), &items)),
            );
        }
    };
    let feed: String =
        std::iter::once("title = \"多路\"\nschedule = \"* * * * * *\"\n".to_string())
            .chain((0..SOURCES).map(|s| {
                format!(
                    "[[sources]]\nname = \"s{s}\"\nkind = \"feed\"\nurl = \"{}\"\n",
                    fixture.url(&format!("/{s}.xml"))
                )
            }))
            .collect();
    let install = Install::with_settings(&[("all", &feed)], "entries = 100000");
    let mut count = 0;
    // Kills that came before every source had finished its run.
    let mut mid_ingest = 0;
    for _ in 0..kills {
        count += ADDED_PER_ROUND;
        upstream(count);
        let daemon = install.daemon();
        std::thread::sleep(Duration::from_millis(random_ms(300)));
        daemon.kill9();
        let finished = install.daemon_log().matches("fetched").count();
        mid_ingest += usize::from(finished < SOURCES);
    }
    // After the last restart the sources catch up; then count what is stored.
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let feeds = install.publish();
    let stored = entries(&feeds["all"]);
    let mut titles: Vec<&str> = stored.iter().map(|e| e.title.as_str()).collect();
    titles.sort_unstable();
    let mut expected: Vec<String> = (0..SOURCES)
        .flat_map(|s| (0..count).map(move |i| format!("第{s}路 第{i}条")))
        .collect();
    expected.sort_unstable();
    let lost: Vec<&String> = expected
        .iter()
        .filter(|t| titles.binary_search(&t.as_str()).is_err())
        .collect();
    let mut ids: Vec<&str> = stored.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert!(
        lost.is_empty(),
        "{} lost after {kills} kills: {lost:?}",
        lost.len()
    );
    assert_eq!(
        stored.len(),
        expected.len(),
        "duplicated after {kills} kills"
    );
    assert_eq!(ids.len(), stored.len(), "an id twice after {kills} kills");
    let dir = install.dir.path().join("published");
    let output = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/atom_check.py"))
        .arg(dir.join("all.atom"))
        .arg(dir.join("health.atom"))
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "{kills} kills ({mid_ingest} before every source had finished): {} items upstream, {} stored, 0 lost, 0 duplicated",
        expected.len(),
        stored.len()
    );
}

/// The feed `t` of one source at the fixture's `/rss.xml` (see [`upstream`]), run on
/// `schedule`, with `count` items stored by `fetch` before a daemon starts.
fn stored_feed(fixture: &Fixture, schedule: &str, count: usize) -> Install {
    upstream(fixture, count);
    let feed = format!(
        "title = \"要闻\"\nschedule = \"{schedule}\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::with_settings(&[("t", &feed)], "entries = 100000");
    assert_eq!(install.fetch(&[]).0, 0);
    install
}

/// `count` numbered items upstream.
fn upstream(fixture: &Fixture, count: usize) {
    let items: Vec<Article> = (0..count).map(|i| numbered("", i)).collect();
    fixture.set("/rss.xml", Reply::rss(rss("要闻", &items)));
}

/// A run asked for with `paperboy fetch` that fills the disk (the daemon stores it): the
/// command says why, and the daemon serves its feed from the copy from then on.
#[test]
fn a_fetch_through_the_daemon_that_fills_the_disk_leaves_the_feed_served() {
    let fixture = Fixture::start();
    let install = stored_feed(&fixture, "0 0 0 1 1 *", 40);
    let daemon = install.daemon_with_file_limit(1024);
    daemon.wait_for(Duration::from_secs(10), || daemon.get("/healthz").0 == 200);
    upstream(&fixture, 3000);

    let (code, said) = install.fetch(&[]);
    assert_ne!(code, 0, "{said}");
    assert!(said.contains("is the disk full"), "{said}");
    let (code, served) = daemon.get("/feeds/t.atom");
    assert_eq!(code, 200, "{served}");
    assert_eq!(entries(&served).len(), 40);
    // Not rendered from the store that failed: the copy is served because the daemon
    // knows the store failed, not because a read happened to fail too.
    let log = install.daemon_log();
    assert!(log.contains("serving its last copy"), "{log}");
    assert!(
        log.contains("no feed is rendered from the store until paperboy restarts"),
        "{log}"
    );
}

/// A full disk (here a file-size limit): the error says so, the daemon keeps serving what
/// it stored, and once there is space again nothing is lost.
#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing() {
    let fixture = Fixture::start();
    let install = stored_feed(&fixture, "* * * * * *", 50);

    // 1 MiB per file: the store opens, then fills up with the next run.
    let daemon = install.daemon_with_file_limit(1024);
    upstream(&fixture, 3000);
    daemon.wait_for(Duration::from_secs(20), || daemon.get("/healthz").0 == 503);
    let (_, health) = daemon.get("/healthz");
    assert!(health.contains("is the disk full"), "{health}");
    daemon.wait_for(Duration::from_secs(20), || {
        install.daemon_log().contains("cannot store this run")
    });
    // What it had is still served: nobody asked for the feed before, and a daemon renders
    // nothing from a store that failed, so this is the copy it wrote at start (the feed
    // had none), plain and gzip.
    let (code, served) = daemon.get("/feeds/t.atom");
    assert_eq!(code, 200, "{served}");
    assert_eq!(entries(&served).len(), 50);
    let Got(code, headers, gzip) = daemon.get_with("/feeds/t.atom", &[("Accept-Encoding", "gzip")]);
    assert_eq!(code, 200);
    assert_eq!(headers["content-encoding"], "gzip");
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, served);
    assert_eq!(daemon.get("/feeds/other.atom").0, 404);
    std::thread::sleep(Duration::from_secs(2));
    let log = install.daemon_log();
    // Said once, however often the feed is asked for.
    assert_eq!(log.matches("serving its last copy").count(), 1, "{log}");
    assert!(
        log.contains("no feed is rendered from the store until paperboy restarts"),
        "{log}"
    );
    assert!(
        log.contains("cannot store this run; serving what is stored"),
        "{log}"
    );
    // Failed runs back off instead of spinning.
    assert!(log.matches("cannot store this run").count() < 10, "{log}");
    daemon.kill9();

    // Space again: everything upstream is stored, once.
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let stored = entries(&install.publish()["t"]);
    let mut ids: Vec<&str> = stored.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((stored.len(), ids.len()), (3000, 3000));
}
