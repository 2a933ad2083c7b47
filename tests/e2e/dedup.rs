//! One article, one entry: overlap between sources and feeds, refetches, edits, additions.

use crate::support::{Article, Fixture, Install, Reply, articles::seed, entries, rss};

const A1: &str = "http://paper.dzwww.com/dzrb/content/20220125/Articel02002MT.htm";
const A2: &str = "http://paper.dzwww.com/dzrb/content/20220125/Articel05003MT.htm";

fn app_articles() -> Vec<Article> {
    let (t1, b1) = seed("dzrb-1");
    let (t2, b2) = seed("dzrb-2");
    vec![
        Article::new(&t1, A1, Some("2022-01-25 09:36:09"), &b1),
        Article::new(&t2, A2, Some("Tue, 25 Jan 2022 09:40:00 +0800"), &b2),
    ]
}

/// Two feed files; the same two articles reach them through three sources under
/// http/https, with `utm_*` parameters, a default port and fragments.
fn overlapping() -> (Fixture, Install) {
    let fixture = Fixture::start();
    let app = app_articles();
    let mut paper = app.clone();
    paper[0].link = format!(
        "{}?utm_source=rss&utm_medium=feed",
        A1.replace("http:", "https:")
    );
    paper[0].guid = Some("paper-1".into());
    paper[1].link = A2.replace("paper.dzwww.com", "PAPER.dzwww.com:80") + "#content";
    paper[1].guid = Some("paper-2".into());
    let mut shandong = vec![app[0].clone()];
    shandong[0].link = format!("{}#top", A1.replace("http:", "https:"));
    shandong[0].guid = None;
    fixture.set("/app.xml", Reply::rss(rss("大众日报客户端", &app)));
    fixture.set("/paper.xml", Reply::rss(rss("大众日报数字报", &paper)));
    fixture.set("/sd.xml", Reply::rss(rss("山东新闻", &shandong)));
    let dazhong = format!(
        "title = \"大众日报\"\n[[sources]]\nname = \"dz-app\"\nkind = \"feed\"\nurl = \"{}\"\n\
         [[sources]]\nname = \"dz-paper\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/app.xml"),
        fixture.url("/paper.xml")
    );
    let shandong = format!(
        "title = \"山东新闻\"\n[[sources]]\nname = \"sd\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/sd.xml")
    );
    let install = Install::new(&[("dazhong", &dazhong), ("shandong", &shandong)]);
    (fixture, install)
}

#[test]
fn overlapping_sources_give_each_article_once_per_feed_with_one_id() {
    let (_fixture, install) = overlapping();
    // The source that stores an article first owns its title and link.
    assert_eq!(install.fetch(&["dz-app"]).0, 0);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let feeds = install.publish();
    let dazhong = entries(&feeds["dazhong"]);
    let shandong = entries(&feeds["shandong"]);
    assert_eq!(dazhong.len(), 2, "{dazhong:#?}");
    assert_eq!(shandong.len(), 1);
    let first = dazhong
        .iter()
        .find(|e| e.title == "66315件实事擦亮民生底色")
        .unwrap();
    assert_eq!(
        shandong[0].id, first.id,
        "the same article has the same Atom id in both feeds"
    );
    assert_eq!(first.link.as_deref(), Some(A1));
    // A zone-less time is Beijing time, and published as such.
    assert!(feeds["dazhong"].contains("<published>2022-01-25T09:36:09+08:00</published>"));
    assert!(
        first
            .content
            .contains("坐到群众炕头、想到群众心头、干到群众点头")
    );
    // Newest first.
    assert_eq!(dazhong[0].title, "“我为群众办实事”见深度、升温度、显力度");
}

#[test]
fn refetching_changes_nothing_and_an_edit_updates_in_place() {
    let (fixture, install) = overlapping();
    assert_eq!(install.fetch(&["dz-app"]).0, 0);
    assert_eq!(install.fetch(&[]).0, 0);
    let before = entries(&install.publish()["dazhong"]);

    // A refetch (a new process each time: a restart) stores nothing new.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0);
    assert!(
        out.contains("dz-app: 0 new, 0 updated, 2 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("dz-paper: 0 new, 0 updated, 2 unchanged"),
        "{out}"
    );
    assert_eq!(entries(&install.publish()["dazhong"]), before);

    // The upstream edits a title and adds an article.
    let mut app = app_articles();
    app[0].title = "66315件实事擦亮民生底色（更正）".into();
    app.push(Article::new(
        "新增的一篇报道",
        "http://paper.dzwww.com/dzrb/content/20220126/Articel01001MT.htm",
        Some("2022-01-26 07:00:00"),
        "<p>今天，新的报道。</p>",
    ));
    fixture.set("/app.xml", Reply::rss(rss("大众日报客户端", &app)));
    let (_, out) = install.fetch(&["dz-app"]);
    assert!(
        out.contains("dz-app: 1 new, 1 updated, 1 unchanged"),
        "{out}"
    );
    let feeds = install.publish();
    let after = entries(&feeds["dazhong"]);
    assert_eq!(after.len(), 3);
    assert_eq!(after[0].title, "新增的一篇报道");
    let old = before
        .iter()
        .find(|e| e.title == "66315件实事擦亮民生底色")
        .unwrap();
    let edited = after
        .iter()
        .find(|e| e.id == old.id)
        .expect("the edited entry keeps its id");
    assert_eq!(edited.title, "66315件实事擦亮民生底色（更正）");
    assert!(
        edited.updated > old.updated,
        "{} vs {}",
        edited.updated,
        old.updated
    );
    assert_eq!(edited.published, old.published);
    // The other feed carries the same item, so it shows the edit too.
    assert_eq!(entries(&feeds["shandong"])[0].title, edited.title);
}

#[test]
fn unsafe_markup_never_reaches_the_feed_and_relative_urls_become_absolute() {
    let fixture = Fixture::start();
    let body = r#"<p onclick="steal()">正文第一段。<script>alert(1)</script></p>
        <p><img src="/images/2022/pic.jpg" onerror="alert(2)"> <a href="javascript:alert(3)">点此</a>
        <a href="../20220124/Articel01.htm">上一篇</a></p><iframe src="http://ads.example/"></iframe>
        <style>p{color:red}</style>"#;
    let items = [Article::new(
        "带图片的报道",
        A1,
        Some("2022-01-25 09:36:09"),
        body,
    )];
    fixture.set("/rss.xml", Reply::rss(rss("大众日报", &items)));
    let feed = format!(
        "title = \"t\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::new(&[("t", &feed)]);
    assert_eq!(install.fetch(&[]).0, 0);
    let xml = &install.publish()["t"];
    for bad in [
        "script",
        "alert(",
        "onerror",
        "onclick",
        "javascript:",
        "iframe",
        "color:red",
    ] {
        assert!(!xml.contains(bad), "`{bad}` reached the feed:\n{xml}");
    }
    let entry = &entries(xml)[0];
    assert!(
        entry
            .content
            .contains(r#"src="http://paper.dzwww.com/images/2022/pic.jpg""#),
        "{}",
        entry.content
    );
    assert!(
        entry
            .content
            .contains(r#"href="http://paper.dzwww.com/dzrb/content/20220124/Articel01.htm""#),
        "{}",
        entry.content
    );
    assert!(entry.content.contains("正文第一段。"));
}

#[test]
fn a_dateless_item_keeps_its_first_seen_time_across_restarts() {
    let fixture = Fixture::start();
    let (title, body) = seed("dzrb-2");
    let mut item = Article::new(&title, A2, None, &body);
    item.guid = None;
    fixture.set("/rss.xml", Reply::rss(rss("大众日报", &[item])));
    let feed = format!(
        "title = \"t\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );
    let install = Install::new(&[("t", &feed)]);
    assert_eq!(install.fetch(&[]).0, 0);
    let first = entries(&install.publish()["t"]);
    assert!(first[0].published.is_some());
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(install.fetch(&[]).0, 0);
    let daemon = install.daemon();
    let (_, xml) = daemon.get("/feeds/t.atom");
    assert_eq!(
        entries(&xml),
        first,
        "nothing about a date-less item moves on refetch or restart"
    );
}
