//! One article, one entry: the same 大众日报 report from a news-app JSON API, the paper's
//! e-paper and a government portal is stored once, carries one Atom id in every feed,
//! links to where else it appeared, and appears once in a topic feed over all feeds.

use crate::sites::{serve, serve_eastmoney, shipped_feed, today};
use crate::support::{Fixture, Install, Reply, entries};

fn mirror_feed(fixture: &Fixture) -> String {
    format!(
        "title = \"东方财富 大众日报\"\n[[sources]]\nname = \"em-dzrb\"\nkind = \"json\"\nurl = \"{}\"\nitems = \"/record\"\n\
         id = \"/infoCode\"\ntitle = \"/title\"\ndate = \"/datetime\"\noutlet = \"/medianame\"\n\
         link = \"{}?infoCode={{infoCode}}\"\ndetail = \"{}?id={{infoCode}}\"\ndetail_content = \"/text\"\n",
        fixture.url("/record.json"),
        fixture.url("/html_News/NewsShare.html"),
        fixture.url("/NewsData/GetNewsText.do")
    )
}

const TOPIC: &str = "title = \"我为群众办实事\"\ndescription = \"各地为民办实事报道\"\n[select]\nfeeds = [\"*\"]\nany = [\"办实事\"]\nnone = [\"广告\"]\n";

#[test]
fn a_report_from_an_app_an_epaper_and_a_portal_is_one_entry() {
    let fixture = Fixture::start();
    let today = today();
    serve(
        &fixture,
        "dzrb",
        &format!("/dzrb/content/{}", today.format("%Y%m%d")),
        today,
        &[],
    );
    serve(&fixture, "shiyan", "", today, &[]);
    serve_eastmoney(&fixture);
    let base = fixture.url("");
    let install = Install::new(&[
        (
            "dazhongribao",
            &shipped_feed("dazhongribao", "http://paper.dzwww.com", &base),
        ),
        (
            "shiyan",
            &shipped_feed("shiyan", "http://www.shiyan.gov.cn", &base),
        ),
        ("eastmoney-dzrb", &mirror_feed(&fixture)),
        ("banshishi", TOPIC),
    ]);
    // The app first, then the others: what comes later joins what is stored.
    let (code, out) = install.fetch(&["em-dzrb"]);
    assert_eq!(
        (code, out.trim()),
        (0, "em-dzrb: 2 new, 0 updated, 0 unchanged")
    );
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "dzrb-epaper: 0 new, 0 updated, 0 unchanged, 2 merged (1 editions not published)"
        ),
        "{out}"
    );
    assert!(
        out.contains("shiyan-syyw: 1 new, 0 updated, 0 unchanged, 2 merged"),
        "{out}"
    );
    let merge_line = out
        .lines()
        .find(|l| l.contains("Articel01002NU.htm merged into urn:uuid:"))
        .expect("merges are reported");
    assert!(merge_line.contains("(similarity "), "{merge_line}");

    let feeds = install.publish();
    let app = entries(&feeds["eastmoney-dzrb"]);
    let paper = entries(&feeds["dazhongribao"]);
    let portal = entries(&feeds["shiyan"]);
    let topic = entries(&feeds["banshishi"]);
    assert_eq!((app.len(), paper.len(), portal.len()), (2, 2, 3));
    let report = |list: &[crate::support::atom::Entry]| {
        list.iter()
            .find(|e| e.content.contains("坐到群众炕头"))
            .cloned()
            .expect("the report is in every feed")
    };
    let (a, p, g, t) = (
        report(&app),
        report(&paper),
        report(&portal),
        report(&topic),
    );
    assert_eq!(a.id, p.id);
    assert_eq!(a.id, g.id);
    assert_eq!(a.id, t.id);
    assert_eq!(t.title, "66315件实事擦亮民生底色");
    // The first stored version (the app's) is the entry; the others are related links.
    assert_eq!(
        a.link.as_deref(),
        Some(format!("{base}/html_News/NewsShare.html?infoCode=NW202201252260222591").as_str())
    );
    assert!(
        t.related.iter().any(|l| l.ends_with("Articel01002NU.htm")),
        "{:?}",
        t.related
    );
    assert!(
        t.related
            .iter()
            .any(|l| l.ends_with("t20220125_3456789.shtml")),
        "{:?}",
        t.related
    );
    assert_eq!(t.published, a.published);

    // The topic feed holds each article once however many sources carried it.
    let mut titles: Vec<&str> = topic.iter().map(|e| e.title.as_str()).collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "66315件实事擦亮民生底色",
            "“我为群众办实事”见深度、升温度、显力度",
            "解急难愁盼 办民生实事"
        ]
    );

    // The store says why they are one entry.
    let portal_url = fixture.url("/xwdt/syyw/202201/t20220125_3456789.shtml");
    let output = install.cmd(&["inspect", &portal_url]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let inspected: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(inspected["id"], t.id.as_str());
    assert_eq!(inspected["owner"], "em-dzrb");
    let places = inspected["places"].as_array().unwrap();
    assert_eq!(places.len(), 3);
    let portal_place = places
        .iter()
        .find(|p| p["source"] == "shiyan-syyw")
        .unwrap();
    assert!(
        portal_place["merged_with_similarity"].as_f64().unwrap() >= 0.6,
        "{portal_place}"
    );

    // Refetching changes nothing and merges nothing again.
    let (_, out) = install.fetch(&[]);
    assert!(!out.contains("merged"), "{out}");
    assert_eq!(entries(&install.publish()["banshishi"]).len(), 3);
}

#[test]
fn topic_feed_keywords_and_config_checks() {
    let fixture = Fixture::start();
    serve(&fixture, "shiyan", "", today(), &[]);
    let base = fixture.url("");
    let only_shiyan = "title = \"十堰\"\n[select]\nfeeds = [\"shiyan\"]\nany = [\"十堰\", \"胡亚波\"]\nnone = [\"滨州\"]\n";
    let install = Install::new(&[
        (
            "shiyan",
            &shipped_feed("shiyan", "http://www.shiyan.gov.cn", &base),
        ),
        ("local", only_shiyan),
    ]);
    assert_eq!(install.fetch(&[]).0, 0);
    let titles: Vec<String> = entries(&install.publish()["local"])
        .into_iter()
        .map(|e| e.title)
        .collect();
    assert_eq!(titles, ["解急难愁盼 办民生实事"]);

    for (topic, expected) in [
        (
            "title = \"t\"\n[select]\nfeeds = [\"nosuch\"]\n",
            "there is no feed `nosuch`",
        ),
        (
            "title = \"t\"\n[select]\nfeeds = [\"local\"]\n",
            "`local` is a topic feed itself",
        ),
        ("title = \"t\"\n[select]\nfeeds = []\n", "names no feed"),
        (
            "title = \"t\"\n",
            "a feed needs [[sources]] tables, or a [select] table",
        ),
    ] {
        install.write_feed("zz", topic);
        let output = install.cmd(&["check"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{topic}");
        assert!(
            stderr.contains(expected) && stderr.contains("zz.toml"),
            "{expected}:\n{stderr}"
        );
    }
}

#[test]
fn the_daemon_shows_a_reprint_as_a_related_link_in_the_first_feed() {
    let fixture = Fixture::start();
    let PaperFirst {
        title,
        portal_path,
        reprint_doc,
        install: _install,
        daemon,
    } = paper_first(&fixture);

    // The portal reprints it under its own URL and headline, with a note above it.
    fixture.set(portal_path, reprint_doc);
    daemon.wait_for(std::time::Duration::from_secs(10), || {
        entries(&daemon.get("/feeds/paper.atom").1)
            .first()
            .is_some_and(|e| !e.related.is_empty())
    });
    let paper_entry = entries(&daemon.get("/feeds/paper.atom").1).remove(0);
    let portal_entry = entries(&daemon.get("/feeds/portal.atom").1).remove(0);
    assert_eq!(paper_entry.id, portal_entry.id);
    // Each outlet's feed shows the article as that outlet published it, under one id.
    assert_eq!(paper_entry.title, title);
    assert_eq!(portal_entry.title, "滨州66315件实事擦亮民生底色");
    assert_eq!(
        portal_entry.link.as_deref(),
        Some("http://www.shiyan.gov.cn/xwdt/t20220125_1.shtml")
    );
    assert_eq!(
        portal_entry.related,
        ["http://paper.dzwww.com/dzrb/Articel01002NU.htm"]
    );
    assert_eq!(
        paper_entry.related,
        ["http://www.shiyan.gov.cn/xwdt/t20220125_1.shtml"]
    );
    assert_eq!(daemon.terminate(), Some(0));
}

#[test]
fn a_stopped_daemon_leaves_its_near_duplicate_index_to_the_next_process() {
    let fixture = Fixture::start();
    let PaperFirst {
        portal_path,
        reprint_doc,
        install,
        daemon,
        ..
    } = paper_first(&fixture);
    let index = install.dir.path().join("data/near-duplicates.index");
    assert!(!index.exists(), "written only when the store closes");
    assert_eq!(daemon.terminate(), Some(0));
    assert!(index.exists(), "saved at a clean stop");

    // Another process reads the reprint: it joins the stored article.
    fixture.set(portal_path, reprint_doc);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let published = install.publish();
    let paper = entries(&published["paper"]);
    let portal = entries(&published["portal"]);
    assert_eq!((paper.len(), portal.len()), (1, 1), "{out}");
    assert_eq!(paper[0].id, portal[0].id);
    assert_eq!(paper[0].related, [portal[0].link.clone().unwrap()]);
    assert!(index.exists(), "saved again when `fetch` closed the store");
}

/// Where the reprint tests with a daemon start: the outlet's article served, the portal's
/// feed still empty, and a daemon polling both every second that has stored the article.
struct PaperFirst {
    title: String,
    portal_path: &'static str,
    reprint_doc: Reply,
    install: Install,
    daemon: crate::support::install::Daemon,
}

fn paper_first(fixture: &Fixture) -> PaperFirst {
    let setup = outlet_and_reprint(fixture);
    let [(paper_path, paper_doc), (portal_path, reprint_doc)] = setup.documents;
    fixture.set(paper_path, paper_doc);
    fixture.set(
        portal_path,
        Reply::rss(crate::support::rss("十堰要闻", &[])),
    );
    let every_second = |feed: &str| feed.replacen('\n', "\nschedule = \"*/1 * * * * *\"\n", 1);
    let install = Install::new(&[
        ("paper", &every_second(&setup.paper_feed)),
        ("portal", &every_second(&setup.portal_feed)),
    ]);
    let daemon = install.daemon();
    daemon.wait_for(std::time::Duration::from_secs(10), || {
        entries(&daemon.get("/feeds/paper.atom").1).len() == 1
    });
    PaperFirst {
        title: setup.title,
        portal_path,
        reprint_doc,
        install,
        daemon,
    }
}

/// The feeds of one install, `<updated>` elements removed (they record when this run
/// stored things) and the install's own address made neutral (each listens on a port of
/// its own).
fn feeds_without_update_times(install: &Install) -> std::collections::BTreeMap<String, String> {
    let updated = regex::Regex::new(r"<updated>[^<]*</updated>").unwrap();
    let base = regex::Regex::new(r"http://127\.0\.0\.1:\d+/").unwrap();
    install
        .publish()
        .into_iter()
        .map(|(slug, xml)| {
            let xml = updated.replace_all(&xml, "");
            (slug, base.replace_all(&xml, "BASE/").into_owned())
        })
        .collect()
}

/// An outlet's article and a portal's retitled reprint of it, published later: the
/// outlet's headline, its feed file and the portal's, and the two documents by path.
struct OutletAndReprint {
    title: String,
    paper_feed: String,
    portal_feed: String,
    documents: [(&'static str, Reply); 2],
}

fn outlet_and_reprint(fixture: &Fixture) -> OutletAndReprint {
    use crate::support::{Article, articles::seed, rss};
    let (title, body) = seed("dzrb-1");
    let paper = [Article::new(
        &title,
        "http://paper.dzwww.com/dzrb/Articel01002NU.htm",
        Some("2022-01-25 09:36:09"),
        &body,
    )];
    let reprint = [Article::new(
        "滨州66315件实事擦亮民生底色",
        "http://www.shiyan.gov.cn/xwdt/t20220125_1.shtml",
        Some("2022-01-25 11:00:00"),
        &format!("<p>（转自大众日报）</p>{body}"),
    )];
    let feed = |title: &str, name: &str, path: &str| {
        format!(
            "title = \"{title}\"\n[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{}\"\n",
            fixture.url(path)
        )
    };
    OutletAndReprint {
        title,
        paper_feed: feed("大众日报", "paper", "/paper.xml"),
        portal_feed: feed("十堰要闻", "portal", "/portal.xml"),
        documents: [
            ("/paper.xml", Reply::rss(rss("大众日报", &paper))),
            ("/portal.xml", Reply::rss(rss("十堰要闻", &reprint))),
        ],
    }
}

#[test]
fn a_merge_comes_out_the_same_whichever_source_finishes_first() {
    let fixture = Fixture::start();
    let mut first: Option<std::collections::BTreeMap<String, String>> = None;
    for round in 0..20 {
        // Alternate which source's document arrives late, so either finishes first.
        let setup = outlet_and_reprint(&fixture);
        let slow = round % 2;
        for (i, (path, reply)) in setup.documents.iter().enumerate() {
            let reply = reply.clone();
            fixture.set(
                path,
                if i == slow {
                    reply.after(std::time::Duration::from_millis(300))
                } else {
                    reply
                },
            );
        }
        let install = Install::with_fetch(
            &[
                ("paper", &setup.paper_feed),
                ("portal", &setup.portal_feed),
                ("banshishi", TOPIC),
            ],
            "",
            "host_delay = \"0s\"",
        );
        let (code, out) = install.fetch(&[]);
        assert_eq!(code, 0, "{out}");
        let published = install.publish();
        let paper = entries(&published["paper"]);
        let portal = entries(&published["portal"]);
        let topic = entries(&published["banshishi"]);
        assert_eq!((paper.len(), portal.len(), topic.len()), (1, 1, 1), "{out}");
        assert_eq!(paper[0].title, setup.title, "round {round}");
        assert_eq!(
            portal[0].title, "滨州66315件实事擦亮民生底色",
            "round {round}"
        );
        assert_eq!(
            topic[0].title, setup.title,
            "a topic feed shows the primary place"
        );
        assert_eq!(paper[0].id, portal[0].id);
        let feeds = feeds_without_update_times(&install);
        match &first {
            None => first = Some(feeds),
            Some(first) => assert_eq!(first, &feeds, "round {round}"),
        }
    }
}

#[test]
fn a_reprint_stored_first_is_reowned_when_its_original_arrives() {
    let fixture = Fixture::start();
    let setup = outlet_and_reprint(&fixture);
    let [(paper_path, paper_doc), (portal_path, portal_doc)] = setup.documents;
    fixture.set(portal_path, portal_doc);
    fixture.set(paper_path, Reply::rss(crate::support::rss("大众日报", &[])));
    let install = Install::new(&[("paper", &setup.paper_feed), ("portal", &setup.portal_feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let reprint_only = entries(&install.publish()["portal"]);
    assert_eq!(reprint_only[0].title, "滨州66315件实事擦亮民生底色");

    // The original, published earlier, arrives in a later run.
    fixture.set(paper_path, paper_doc);
    let (code, out) = install.fetch(&["paper"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("paper: 0 new, 0 updated, 0 unchanged, 1 merged"),
        "{out}"
    );
    let published = install.publish();
    let paper = entries(&published["paper"]);
    let portal = entries(&published["portal"]);
    assert_eq!(paper.len(), 1);
    assert_eq!(paper[0].title, setup.title, "the outlet's own headline");
    assert_eq!(
        paper[0].link.as_deref(),
        Some("http://paper.dzwww.com/dzrb/Articel01002NU.htm")
    );
    assert_eq!(
        paper[0].related,
        ["http://www.shiyan.gov.cn/xwdt/t20220125_1.shtml"]
    );
    assert_eq!(portal[0].title, "滨州66315件实事擦亮民生底色");
    assert_eq!(paper[0].id, portal[0].id);
    // The same id as when the original comes first.
    let fresh = Install::new(&[("paper", &setup.paper_feed), ("portal", &setup.portal_feed)]);
    assert_eq!(fresh.fetch(&["paper"]).0, 0);
    assert_eq!(entries(&fresh.publish()["paper"])[0].id, paper[0].id);
}
