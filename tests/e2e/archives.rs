//! Full history (RFC 5005): from the subscription document, `prev-archive` links reach
//! every stored item of a feed exactly once; archive pages say they are archives, link
//! back to the current document, keep their bytes and ETag when new items arrive, and may
//! be cached forever.

use std::collections::HashMap;

use crate::support::install::{Daemon, Got};
use crate::support::{Article, Fixture, Install, Reply, entries, feed_link, numbered, rss};

fn upstream(fixture: &Fixture, count: usize) {
    let items: Vec<Article> = (0..count).map(|i| numbered("", i)).collect();
    fixture.set("/rss.xml", Reply::rss(rss("要闻", &items)));
}

/// Each archive page's bytes and ETag, by path.
type Pages = HashMap<String, (Vec<u8>, String)>;

/// Every entry id met walking `prev-archive` from the subscription document, with how
/// often; and the archive pages met.
fn walk(daemon: &Daemon) -> (HashMap<String, usize>, Pages) {
    let mut seen = HashMap::new();
    let mut pages = HashMap::new();
    let mut path = "/feeds/t.atom".to_string();
    loop {
        let Got(status, headers, body) = daemon.get_with(&path, &[]);
        assert_eq!(status, 200, "{path}");
        let xml = String::from_utf8(body.clone()).unwrap();
        for entry in entries(&xml) {
            *seen.entry(entry.id).or_insert(0) += 1;
        }
        if path.contains("/archive/") {
            assert!(xml.contains("<fh:archive"), "{xml}");
            assert_eq!(
                headers["cache-control"],
                "public, max-age=31536000, immutable"
            );
            assert!(
                feed_link(&xml, "current")
                    .unwrap()
                    .ends_with("/feeds/t.atom")
            );
            let etag = headers["etag"].to_str().unwrap().to_string();
            pages.insert(path.clone(), (body, etag));
        }
        match feed_link(&xml, "prev-archive") {
            Some(href) => path = href.trim_start_matches(&daemon.base).to_string(),
            None => return (seen, pages),
        }
    }
}

#[test]
fn prev_archive_reaches_every_item_once_and_archive_pages_never_change() {
    let fixture = Fixture::start();
    upstream(&fixture, 10);
    let feed = format!(
        "title = \"要闻\"\nentries = 3\nschedule = \"0 0 0 1 1 *\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::new(&[("t", &feed)]);
    assert_eq!(install.fetch(&[]).0, 0);
    let daemon = install.daemon();
    let (seen, pages) = walk(&daemon);
    assert_eq!(seen.len(), 10, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    // Pages of 3, oldest first; the subscription document holds the other 4.
    assert_eq!(pages.len(), 2);
    assert_eq!(entries(&daemon.get("/feeds/t.atom").1).len(), 4);
    let first = String::from_utf8(pages["/feeds/t/archive/0.atom"].0.clone()).unwrap();
    let mut titles: Vec<String> = entries(&first).into_iter().map(|e| e.title).collect();
    titles.sort();
    assert_eq!(titles, ["第0条", "第1条", "第2条"]);
    assert!(feed_link(&first, "prev-archive").is_none());
    assert!(
        feed_link(&first, "next-archive").is_none(),
        "it would change later"
    );
    let (_, etag) = &pages["/feeds/t/archive/0.atom"];
    let Got(status, _, _) = daemon.get_with("/feeds/t/archive/0.atom", &[("if-none-match", etag)]);
    assert_eq!(status, 304);
    assert_eq!(daemon.get("/feeds/t/archive/2.atom").0, 404);
    assert_eq!(daemon.get("/feeds/nosuch/archive/0.atom").0, 404);

    // Two more items: a third page appears, the first two keep their bytes and ETags.
    upstream(&fixture, 12);
    assert_eq!(install.fetch(&[]).0, 0);
    let (seen, later) = walk(&daemon);
    assert_eq!(seen.len(), 12);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
    assert_eq!(later.len(), 3);
    for (path, page) in &pages {
        assert_eq!(&later[path], page, "{path} changed");
    }

    // They are valid Atom too.
    let dir = install.dir.path().join("archive");
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = std::process::Command::new("python3");
    command.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/atom_check.py"));
    for (i, (path, (body, _))) in later.iter().enumerate() {
        let file = dir.join(format!("{i}.atom"));
        std::fs::write(&file, body).unwrap();
        command.arg(&file);
        assert!(path.contains("/archive/"));
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(daemon.terminate(), Some(0));
}
