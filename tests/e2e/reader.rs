//! What paperboy publishes is valid RFC 4287 Atom (RELAX NG schema) and a real feed
//! reader's parser (Python feedparser) reads it as Atom 1.0 without complaint. The checks
//! live in `tests/atom_check.py`.

use std::process::Command;

use crate::support::{Article, Fixture, Install, Reply, articles::seed, rss};

#[test]
fn published_feeds_are_valid_atom_that_feedparser_reads() {
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
    install.fetch(&[]);
    install.publish();
    let dir = install.dir.path().join("published");
    let output = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/atom_check.py"))
        .arg(dir.join("dazhong.atom"))
        .arg(dir.join("empty.atom"))
        .arg(dir.join("health.atom"))
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the published feeds were rejected (are tests/requirements.txt installed?):\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("dazhong.atom 3"), "{stdout}");
    assert!(stdout.contains("empty.atom 0"), "{stdout}");
    // The failing source is the health feed's one entry.
    assert!(stdout.contains("health.atom 1"), "{stdout}");

    // The same feeds as RSS 2.0 and JSON Feed 1.1.
    let mut command = Command::new("python3");
    command.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/formats_check.py"
    ));
    for slug in ["dazhong", "empty", "health"] {
        command.arg(dir.join(format!("{slug}.rss")));
        command.arg(dir.join(format!("{slug}.json")));
    }
    let output = command.output().expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "RSS or JSON Feed rejected:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "dazhong.rss 3",
        "dazhong.json 3",
        "empty.rss 0",
        "health.json 1",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    // The three formats say the same: titles in the same order.
    let rss = std::fs::read_to_string(dir.join("dazhong.rss")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("dazhong.json")).unwrap()).unwrap();
    let atom = crate::support::entries(&std::fs::read_to_string(dir.join("dazhong.atom")).unwrap());
    let json_titles: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect();
    let atom_titles: Vec<&str> = atom.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(json_titles, atom_titles);
    assert!(
        rss.contains("<guid isPermaLink=\"false\">urn:uuid:"),
        "{rss}"
    );
}
