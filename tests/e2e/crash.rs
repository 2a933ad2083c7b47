//! Durability: what `paperboy fetch` and the daemon stored survives `kill -9`, and a
//! restart never doubles an entry.

use std::time::Duration;

use crate::support::{Article, Fixture, Install, Reply, entries, rss};

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
