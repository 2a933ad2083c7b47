//! The charset detector and the extractor never panic: on arbitrary bytes, on real pages
//! cut anywhere, and on adversarial markup. Bounded case counts keep CI fast.

use paperboy::charset::decode;
use paperboy::extract::{Overrides, extract};
use proptest::prelude::*;

fn run(bytes: &[u8]) {
    let text = decode(bytes, Some("text/html; charset=utf-8")).text;
    let url = url::Url::parse("http://news.example/2024/0517/a.html").unwrap();
    let _ = extract(
        &text,
        Some(&url),
        &Overrides::default(),
        chrono_tz::Asia::Shanghai,
    );
}

fn pages() -> Vec<Vec<u8>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pages");
    std::fs::read_dir(fixtures)
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        run(&bytes);
    }

    #[test]
    fn markup_soup(parts in proptest::collection::vec(prop_oneof![
        Just("<div class=\"content\">"), Just("</div>"), Just("<p>"), Just("</p>"), Just("<a href=\"x\">"),
        Just("</a>"), Just("<br>"), Just("日期: 2021-11-16 08:15"), Just("来源："), Just("记者"),
        Just("相关阅读"), Just("<h1>"), Just("</h1>"), Just("<script>"), Just("正文，内容。"),
        Just("<meta charset=gbk>"), Just("<title>标题_网站</title>"), Just("\u{0}"), Just("&#xD800;"),
    ], 0..200)) {
        run(parts.concat().as_bytes());
    }

    #[test]
    fn real_pages_cut_anywhere(page in 0usize..3, cut in any::<prop::sample::Index>()) {
        let pages = pages();
        let bytes = &pages[page % pages.len()];
        run(&bytes[..cut.index(bytes.len() + 1)]);
    }
}

#[test]
fn deep_nesting_and_huge_lines() {
    let deep = format!(
        "{}正文，内容。{}",
        "<div>".repeat(20_000),
        "</div>".repeat(20_000)
    );
    run(deep.as_bytes());
    let wide = format!("<p>{}</p>", "很长的一段话，".repeat(100_000));
    run(wide.as_bytes());
    let many = "<p>短句。</p>".repeat(50_000);
    run(many.as_bytes());
}

/// The feed path on arbitrary input: parse errors are fine, panics are not.
fn run_feed(bytes: &[u8]) {
    let page = paperboy::fetch::Page::new(
        url::Url::parse("http://news.example/feed.xml").unwrap(),
        None,
        Default::default(),
        bytes.to_vec(),
    );
    let _ = paperboy::source::feed::parse(&page, chrono_tz::Asia::Shanghai);
}

fn feeds() -> Vec<Vec<u8>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/feeds");
    let mut all: Vec<_> = std::fs::read_dir(fixtures)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    all.sort();
    all.into_iter().map(|p| std::fs::read(p).unwrap()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    /// Real feeds of every shape, cut anywhere and with bytes flipped, spliced or dropped.
    #[test]
    fn mutated_real_feeds(
        feed in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..24),
    ) {
        let feeds = feeds();
        let mut bytes = feeds[feed.index(feeds.len())].clone();
        for (at, byte, how) in edits {
            let at = at.index(bytes.len() + 1);
            match how {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => { bytes.remove(at); }
                _ => {}
            }
        }
        let end = cut.index(bytes.len() + 1);
        run_feed(&bytes[..end]);
        run_feed(&bytes);
    }

    #[test]
    fn feed_markup_soup(parts in proptest::collection::vec(prop_oneof![
        Just("<rss version=\"2.0\">"), Just("<channel>"), Just("<item>"), Just("</item>"),
        Just("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"),
        Just("</rdf:RDF>"), Just("<dc:title xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"), Just("</dc:title>"),
        Just("<title>"), Just("</title>"), Just("标题&amp;"), Just("&#0;"), Just("&bogus;"), Just("<![CDATA[x"),
        Just("]]>"), Just("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":["), Just("{\"id\":1}"),
        Just("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), Just("<entry><id>tag:x</id>"), Just("</entry>"),
    ], 0..120)) {
        run_feed(parts.concat().as_bytes());
    }
}
