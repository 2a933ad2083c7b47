//! A real feed reader's parser accepts the output: Python feedparser reads every
//! published feed as Atom 1.0 without a single complaint.

use std::process::Command;

use crate::support::{Article, Fixture, Install, Reply, articles::seed, rss};

const CHECK: &str = r#"
import sys, feedparser
for path in sys.argv[1:]:
    d = feedparser.parse(path)
    assert not d.bozo, (path, d.bozo_exception)
    assert d.version == "atom10", (path, d.version)
    assert d.entries, path
    for e in d.entries:
        assert e.id and e.title and e.link and e.published_parsed and e.updated_parsed, (path, e)
        body = e.content[0] if "content" in e else e.summary_detail
        assert body.type == "text/html", body
    print(path, len(d.entries))
"#;

#[test]
fn feedparser_reads_every_published_feed_as_atom_1_0() {
    let fixture = Fixture::start();
    let (t1, b1) = seed("dzrb-1");
    let (t2, b2) = seed("dzrb-2");
    let mut items = vec![
        Article::new(
            &t1,
            "http://paper.dzwww.com/a/1.htm",
            Some("2022-01-25 09:36:09"),
            &b1,
        ),
        Article::new(&t2, "http://paper.dzwww.com/a/2.htm", None, &b2),
    ];
    // Control characters and markup in a title must not break the XML.
    items.push(Article::new(
        "标题\u{1b}含控制字符 & <符号>",
        "http://paper.dzwww.com/a/3.htm",
        Some("2022-01-25 10:00:00"),
        "<p>x</p>",
    ));
    fixture.set("/rss.xml", Reply::rss(rss("大众日报", &items)));
    let feed = format!(
        "title = \"大众日报 & 齐鲁\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::new(&[
        ("dazhong", &feed),
        (
            "empty",
            "title = \"空\"\n[[sources]]\nname = \"e\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/none\"\n",
        ),
    ]);
    install.fetch(&["s"]);
    install.publish();
    let dir = install.dir.path().join("published");
    let output = Command::new("python3")
        .arg("-c")
        .arg(CHECK)
        .arg(dir.join("dazhong.atom"))
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "feedparser rejected the feed (is it installed? `pip install feedparser`):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("dazhong.atom 3"));
    // An empty feed is valid Atom too.
    let empty = Command::new("python3")
        .args(["-c", "import sys,feedparser; d=feedparser.parse(sys.argv[1]); assert not d.bozo and d.version=='atom10', d"])
        .arg(dir.join("empty.atom"))
        .output()
        .unwrap();
    assert!(
        empty.status.success(),
        "{}",
        String::from_utf8_lossy(&empty.stderr)
    );
}
