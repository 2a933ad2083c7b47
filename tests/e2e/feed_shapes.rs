//! Feeds in every shape a tolerant reader reads, in the spirit of the public test suites
//! of feedparser, feed-rs and Miniflux: RSS 0.90 and 1.0 with Dublin Core under any prefix,
//! entries known only by their id or guid, titles in HTML or XHTML, JSON Feed items
//! without a `url`, a legacy charset its declaration gets wrong, and a long podcast feed.
//! Each is fetched through the binary and read back from the published feed.

use crate::support::{Entry, Fixture, Install, Reply, entries};

fn fixture_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/feeds/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Serves `body` as the one source of a feed, fetches it and returns the published entries.
fn published(content_type: &str, body: Vec<u8>) -> (String, Vec<Entry>) {
    let fixture = Fixture::start();
    fixture.set("/feed", Reply::ok(content_type, body));
    let feed = format!(
        "title = \"t\"\nentries = 1000\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/feed")
    );
    let install = Install::new(&[("t", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    (out, entries(&install.publish()["t"]))
}

fn titles(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.title.as_str()).collect()
}

fn sorted(mut list: Vec<&str>) -> Vec<&str> {
    list.sort_unstable();
    list
}

#[test]
fn rss_090_items_outside_the_channel() {
    let (_, entries) = published("application/xml", fixture_file("rss090.xml"));
    assert_eq!(
        sorted(titles(&entries)),
        ["我市召开民生实事推进会", "解急难愁盼 办民生实事"]
    );
    assert!(entries.iter().all(|e| {
        e.link
            .as_deref()
            .is_some_and(|l| l.starts_with("http://www.shiyan.gov.cn/xwdt/syyw/202111/"))
    }));
}

#[test]
fn rss_10_with_dublin_core_titles_and_dates() {
    let (_, entries) = published("application/rdf+xml", fixture_file("rss10-dc.xml"));
    assert_eq!(entries.len(), 2);
    let by_title = |t: &str| entries.iter().find(|e| e.title == t).unwrap().clone();
    let first = by_title("66315件实事擦亮民生底色");
    assert_eq!(
        first.published.as_deref(),
        Some("2022-01-25T01:36:09+00:00")
    );
    assert_eq!(first.author.as_deref(), Some("姜斌"));
    let second = by_title("滨州：小切口办成大民生");
    // A date alone is that day in Beijing.
    assert_eq!(
        second.published.as_deref(),
        Some("2022-01-24T16:00:00+00:00")
    );
    assert!(second.content.contains("滨州聚焦群众"));
}

#[test]
fn rss_10_with_other_namespace_prefixes() {
    let (_, entries) = published("application/xml", fixture_file("rss10-dc-prefix.xml"));
    assert_eq!(titles(&entries), ["第一篇报道"]);
    assert_eq!(
        entries[0].published.as_deref(),
        Some("2021-11-16T00:15:09+00:00")
    );
    assert_eq!(
        entries[0].link.as_deref(),
        Some("http://news.example/a/1.html")
    );
}

#[test]
fn atom_entries_known_by_id_with_html_and_xhtml_titles() {
    let (_, entries) = published("application/atom+xml", fixture_file("atom-id-only.xml"));
    assert_eq!(
        sorted(titles(&entries)),
        [
            "XHTML 标题",
            "加粗 & 实体",
            "只有标签标识的条目",
            "没有标题的条目正文。"
        ]
    );
    let xhtml = entries.iter().find(|e| e.title == "XHTML 标题").unwrap();
    assert_eq!(xhtml.link.as_deref(), Some("http://news.example/a/3.html"));
}

#[test]
fn rss_items_with_only_a_guid_a_title_or_a_description() {
    let (_, entries) = published("application/rss+xml", fixture_file("rss-guid-only.xml"));
    assert_eq!(
        sorted(titles(&entries)),
        [
            "只有描述的条目，没有标题也没有链接。",
            "只有标题的条目",
            "标题含有 实体 和标记",
            "永久链接的 guid",
            "非链接的 guid"
        ]
    );
    let permalink = entries
        .iter()
        .find(|e| e.title == "永久链接的 guid")
        .unwrap();
    assert_eq!(
        permalink.link.as_deref(),
        Some("http://news.example/a/1.html")
    );
    assert!(entries.iter().all(|e| !e.title.contains('<')));
}

#[test]
fn json_feed_items_without_urls_and_with_numeric_ids() {
    let (_, entries) = published("application/feed+json", fixture_file("jsonfeed.json"));
    assert_eq!(entries.len(), 5, "{entries:#?}");
    assert!(
        entries
            .iter()
            .any(|e| e.content.contains("只有 id 和 content_html 的条目一"))
    );
    assert!(
        entries
            .iter()
            .any(|e| e.content.contains("只有 id 和 content_html 的条目二"))
    );
    let external = entries.iter().find(|e| e.title == "只有外部链接").unwrap();
    assert_eq!(
        external.link.as_deref(),
        Some("http://other.example/a/3.html")
    );
    let (_, old) = published("application/json", fixture_file("jsonfeed10.json"));
    assert_eq!(sorted(titles(&old)), ["第一条", "第二条"]);
}

#[test]
fn a_legacy_charset_that_its_declaration_gets_wrong() {
    // UTF-8 bytes declared ISO-8859-1, and GBK bytes declared ISO-8859-1: both common.
    let utf8 = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>t</title>\
        <item><title>Café naïve 咖啡</title><link>http://news.example/a/1.html</link></item></channel></rss>";
    let (_, entries) = published("text/xml", utf8.as_bytes().to_vec());
    assert_eq!(titles(&entries), ["Café naïve 咖啡"]);
    let gbk_text = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>t</title>\
        <item><title>大众日报：为群众办实事</title><link>http://news.example/a/2.html</link></item></channel></rss>";
    let gbk = encoding_rs::GBK.encode(gbk_text).0.into_owned();
    let (_, entries) = published("text/xml", gbk);
    assert_eq!(titles(&entries), ["大众日报：为群众办实事"]);
    // A real Latin-1 feed stays Latin-1.
    let latin1 = encoding_rs::WINDOWS_1252
        .encode("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>t</title>\
            <item><title>Crème brûlée à Paris</title><link>http://news.example/a/3.html</link></item></channel></rss>")
        .0
        .into_owned();
    let (_, entries) = published("text/xml", latin1);
    assert_eq!(titles(&entries), ["Crème brûlée à Paris"]);
}

#[test]
fn every_item_of_a_long_podcast_feed_is_stored() {
    let items: String = (0..730)
        .map(|i| {
            format!(
                "<item><title>第{i}期</title><guid isPermaLink=\"false\">ep-{i}</guid>\
                 <enclosure url=\"http://pod.example/{i}.mp3\" length=\"1\" type=\"audio/mpeg\"/>\
                 <pubDate>Mon, 01 Jan 2024 00:00:00 +0800</pubDate></item>"
            )
        })
        .collect();
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>播客</title>{items}</channel></rss>"
    );
    let (out, entries) = published("application/rss+xml", rss.into_bytes());
    assert!(out.contains("s: 730 new"), "{out}");
    assert_eq!(entries.len(), 730);
}

#[test]
fn atom_03_and_netscape_rss_091_with_html_entities() {
    let (_, entries) = published("application/atom+xml", fixture_file("atom03.xml"));
    assert_eq!(titles(&entries), ["旧格式的条目"]);
    assert_eq!(
        entries[0].link.as_deref(),
        Some("http://news.example/a/1.html")
    );
    let (_, entries) = published("application/rss+xml", fixture_file("rss091-entities.xml"));
    assert_eq!(titles(&entries), ["Café & crème"]);
}
