//! A running daemon can be asked: `fetch`, `inspect` and `status` go through its admin
//! socket while it holds the store, and work directly when no daemon runs.

use crate::support::{Article, Fixture, Install, Reply, rss};

#[test]
fn fetch_inspect_and_status_against_a_running_daemon() {
    let fixture = Fixture::start();
    let article = Article::new(
        "解急难愁盼 办民生实事",
        "http://www.shiyan.gov.cn/xwdt/t20211116_1.shtml",
        Some("2021-11-16 08:15:09"),
        "<p>自党史学习教育开展以来，我市把实践活动作为落脚点。</p>",
    );
    fixture.set("/good.xml", Reply::rss(rss("十堰", &[article])));
    fixture.set(
        "/broken.xml",
        Reply::ok("application/rss+xml", "<rss><channel><item>"),
    );
    // Sources the daemon runs only when asked (once a year), so every run here is ours.
    let feed = format!(
        "title = \"t\"\nschedule = \"0 0 0 1 1 *\"\n[[sources]]\nname = \"good\"\nkind = \"feed\"\nurl = \"{}\"\n\
         [[sources]]\nname = \"broken\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/good.xml"),
        fixture.url("/broken.xml")
    );
    let install = Install::new(&[("t", &feed)]);
    // Without a daemon, status reads the store.
    let output = install.cmd(&["status"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("good: never run"), "{stdout}");

    let daemon = install.daemon();
    // The daemon runs never-fetched sources at start; `status` asks it how that went.
    let status = || String::from_utf8_lossy(&install.cmd(&["status"]).stdout).into_owned();
    daemon.wait_for(std::time::Duration::from_secs(10), || {
        status().contains("good: ok") && status().contains("broken: failing")
    });
    // A second article upstream; `fetch` runs the source in the daemon, which holds the
    // store, and the daemon's feed shows the result at once.
    let second = Article::new(
        "我市召开民生实事推进会",
        "http://www.shiyan.gov.cn/xwdt/t20211117_2.shtml",
        Some("2021-11-17 09:00:00"),
        "<p>会议要求，持续推进民生实事项目落实落地。</p>",
    );
    let first = Article::new(
        "解急难愁盼 办民生实事",
        "http://www.shiyan.gov.cn/xwdt/t20211116_1.shtml",
        Some("2021-11-16 08:15:09"),
        "<p>自党史学习教育开展以来，我市把实践活动作为落脚点。</p>",
    );
    fixture.set("/good.xml", Reply::rss(rss("十堰", &[second, first])));
    let (code, out) = install.fetch(&["good"]);
    assert_eq!(
        (code, out.trim()),
        (0, "good: 1 new, 0 updated, 1 unchanged")
    );
    assert!(
        daemon
            .get("/feeds/t.atom")
            .1
            .contains("我市召开民生实事推进会")
    );
    let (code, out) = install.fetch(&["broken"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("broken: error: "), "{out}");

    let output = install.cmd(&["inspect", "http://www.shiyan.gov.cn/xwdt/t20211116_1.shtml"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("解急难愁盼 办民生实事") && stdout.contains("urn:uuid:"),
        "{stdout}"
    );

    let output = install.cmd(&["status"]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    let good = stdout.lines().find(|l| l.starts_with("good: ")).unwrap();
    assert!(
        good.contains("good: ok") && good.contains("items last run 2"),
        "{good}"
    );
    let broken = stdout.lines().find(|l| l.starts_with("broken: ")).unwrap();
    assert!(
        broken.contains("failing")
            && broken.contains("2 consecutive failures")
            && broken.contains("last error:"),
        "{broken}"
    );
    // The feed the daemon serves has the article fetched through it.
    assert!(daemon.get("/feeds/t.atom").1.contains("解急难愁盼"));
    assert_eq!(daemon.terminate(), Some(0));
}
