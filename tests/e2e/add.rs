//! `paperboy add URL`: a feed, a page naming its feed, a portal column, and any page of
//! an e-paper of a known family become working sources; a single article is said to be
//! one. Each written file loads, and a fetch of it stores the articles.

use crate::sites::{serve, today};
use crate::support::{Article, Fixture, Install, Reply, entries, rss};

fn add(install: &Install, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["add"];
    all.extend_from_slice(args);
    let output = install.cmd(&all);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn feed_file(install: &Install, slug: &str) -> String {
    std::fs::read_to_string(install.dir.path().join(format!("feeds/{slug}.toml")))
        .unwrap_or_default()
}

/// The written file loads, and fetching it stores what the dry run showed.
fn works(install: &Install, slug: &str, expected: usize) {
    let output = install.cmd(&["check"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(entries(&install.publish()[slug]).len(), expected, "{out}");
}

#[test]
fn a_feed_and_a_page_that_names_its_feed_become_feed_sources() {
    let fixture = Fixture::start();
    let articles = [Article::new(
        "我市召开民生实事推进会",
        "http://news.example.cn/1.html",
        Some("2026-11-20 09:00:00"),
        "<p>会议要求，持续推进民生实事项目落实落地。</p>",
    )];
    fixture.set("/rss.xml", Reply::rss(rss("十堰新闻", &articles)));
    fixture.set(
        "/home.html",
        Reply::ok(
            "text/html",
            "<html><head><title>十堰新闻网</title><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/rss.xml\"></head><body><p>首页</p></body></html>",
        ),
    );
    let install = Install::new(&[]);
    let (code, out, err) = add(&install, &[&fixture.url("/rss.xml"), "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("is a feed at"), "{out}");
    assert!(out.contains("    我市召开民生实事推进会"), "{out}");
    assert!(out.contains("(dry run: nothing written)"), "{out}");
    assert_eq!(
        std::fs::read_dir(install.dir.path().join("feeds"))
            .unwrap()
            .count(),
        0
    );

    let (code, out, err) = add(&install, &[&fixture.url("/home.html"), "--feed", "shiyan"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("is a feed at {}", fixture.url("/rss.xml"))),
        "{out}"
    );
    let file = feed_file(&install, "shiyan");
    assert!(file.contains("title = \"十堰新闻网\""), "{file}");
    assert!(file.contains("kind = \"feed\""), "{file}");
    works(&install, "shiyan", 1);
}

#[test]
fn a_portal_column_becomes_an_html_source_and_an_article_points_to_it() {
    let fixture = Fixture::start();
    serve(&fixture, "shiyan", "", today(), &[]);
    let install = Install::new(&[]);
    let (code, out, err) = add(
        &install,
        &[&fixture.url("/xwdt/syyw/index.shtml"), "--feed", "syyw"],
    );
    assert_eq!(code, 0, "{err}");
    let file = feed_file(&install, "syyw");
    assert!(file.contains("kind  = \"html\""), "{file}");
    assert!(
        file.contains("links = \"a.text-decoration-none\""),
        "{file}"
    );
    assert!(out.contains("a dry run of it yields 3 items"), "{out}");
    works(&install, "syyw", 3);

    let (code, _, err) = add(
        &install,
        &[&fixture.url("/xwdt/syyw/202111/t20211116_3391234.shtml")],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "is a single article, not a list of them; add its column, perhaps: paperboy add {}",
            fixture.url("/xwdt/syyw/")
        )),
        "{err}"
    );
}

#[test]
fn any_page_of_a_known_epaper_family_becomes_an_epaper_source() {
    let fixture = Fixture::start();
    let day = today();
    let ymd = day.format("%Y%m%d").to_string();
    serve(
        &fixture,
        "bzrb/edition1",
        &format!("/bzrb/{ymd}/html"),
        day,
        &[],
    );
    serve(&fixture, "dzrb", &format!("/dzrb/content/{ymd}"), day, &[]);
    serve(&fixture, "qlwb", &format!("/qlwb/content/{ymd}"), day, &[]);
    // The papers' entry pages, which redirect to today's edition.
    let refresh = |to: &str| {
        Reply::ok(
            "text/html",
            format!(
                "<html><head><meta http-equiv=\"refresh\" content=\"0; url={to}\"></head><body></body></html>"
            ),
        )
    };
    fixture.set(
        "/bzrb/index.htm",
        refresh(&format!("{ymd}/html/page_01.htm")),
    );
    fixture.set(
        "/dzrb/content/PaperIndex.htm",
        refresh(&format!("{ymd}/Page01NU.htm")),
    );
    let install = Install::new(&[]);
    // (address, feed, the `url` it writes, articles of today's edition)
    let bz_root = fixture.url("/bzrb");
    let cases = [
        // A page of the edition, and an article of it: the family's template from the root.
        (
            fixture.url(&format!("/bzrb/{ymd}/html/page_02.htm")),
            "bz",
            bz_root.clone(),
            4,
        ),
        (
            fixture.url(&format!("/bzrb/{ymd}/html/content_{ymd}_2_1.htm")),
            "bz2",
            bz_root,
            4,
        ),
        (
            fixture.url("/bzrb/index.htm"),
            "bz3",
            fixture.url("/bzrb"),
            4,
        ),
        // The edition's entry page, which redirects; an article.
        (
            fixture.url(&format!("/qlwb/content/{ymd}/IssueIndex.htm")),
            "ql",
            fixture.url("/qlwb"),
            2,
        ),
        (
            fixture.url(&format!("/qlwb/content/{ymd}/ArticelA06003SA.htm")),
            "ql2",
            fixture.url("/qlwb"),
            2,
        ),
        // The paper's entry page.
        (
            fixture.url("/dzrb/content/PaperIndex.htm"),
            "dz2",
            fixture.url("/dzrb/content/{date:%Y}{date:%m}{date:%d}/Page01NU.htm"),
            2,
        ),
        // A paper whose first page is not the family's: its own page, made a template.
        (
            fixture.url(&format!("/dzrb/content/{ymd}/Page02NU.htm")),
            "dz",
            fixture.url("/dzrb/content/{date:%Y}{date:%m}{date:%d}/Page02NU.htm"),
            2,
        ),
    ];
    for (address, slug, written, count) in &cases {
        let (code, out, err) = add(&install, &[address, "--feed", slug, "--title", slug]);
        assert_eq!(code, 0, "{address}: {err}");
        let file = feed_file(&install, slug);
        assert!(file.contains("kind   = \"epaper\""), "{file}");
        assert!(
            file.contains(&format!("url    = \"{written}\"")),
            "{address}: {file}"
        );
        assert!(
            out.contains(&format!("a dry run of it yields {count} items")),
            "{out}"
        );
    }
    let output = install.cmd(&["check"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let feeds = install.publish();
    for (_, slug, _, count) in &cases {
        assert!(entries(&feeds[*slug]).len() >= *count, "{slug}: {out}");
    }
}

#[test]
fn founder_papers_new_and_classic_from_their_entry_page_a_page_or_an_article() {
    let fixture = Fixture::start();
    let day = today();
    serve(&fixture, "founder-new", "", day, &[]);
    serve(&fixture, "founder-classic", "", day, &[]);
    let ym = day.format("%Y%m").to_string();
    let dd = day.format("%d").to_string();
    let y_m = day.format("%Y-%m").to_string();
    let install = Install::new(&[]);
    let new_root = fixture.url("/jxrb");
    let classic_root = fixture.url("/zjrb");
    let cases = [
        // Entry page that redirects in a meta refresh; a page; an article.
        (fixture.url("/jxrb/index.html"), "jx1", &new_root),
        (
            fixture.url(&format!("/jxrb/pc/layout/{ym}/{dd}/node_02.html")),
            "jx2",
            &new_root,
        ),
        (
            fixture.url(&format!("/jxrb/pc/content/{ym}/{dd}/content_201.html")),
            "jx3",
            &new_root,
        ),
        // GBK, entered through a script redirect.
        (fixture.url("/zjrb/paperindex.htm"), "zj1", &classic_root),
        (
            fixture.url(&format!("/zjrb/html/{y_m}/{dd}/node_2.htm")),
            "zj2",
            &classic_root,
        ),
        (
            fixture.url(&format!("/zjrb/html/{y_m}/{dd}/content_21.htm")),
            "zj3",
            &classic_root,
        ),
    ];
    for (address, slug, root) in &cases {
        let (code, out, err) = add(&install, &[address, "--feed", slug, "--title", slug]);
        assert_eq!(code, 0, "{address}: {out}{err}");
        let file = feed_file(&install, slug);
        let family = if slug.starts_with("jx") {
            "founder-new"
        } else {
            "founder-classic"
        };
        assert!(
            file.contains(&format!("preset = \"{family}\"")),
            "{address}: {file}"
        );
        assert!(
            file.contains(&format!("url    = \"{root}\"")),
            "{address}: {file}"
        );
        assert!(
            out.contains("a dry run of it yields 2 items"),
            "{address}: {out}"
        );
        assert!(out.contains("    66315件实事擦亮民生底色"), "{out}");
    }
    // Source names come from the titles given.
    let (code, out) = install.fetch(&["jx1", "zj1"]);
    assert_eq!(code, 0, "{out}");
    let feeds = install.publish();
    for slug in ["jx1", "zj1"] {
        let items = entries(&feeds[slug]);
        let article = items
            .iter()
            .find(|e| e.title == "解急难愁盼 办民生实事")
            .unwrap();
        assert!(
            article.content.contains("我为群众办实事"),
            "{slug}: {}",
            article.content
        );
        assert!(
            !article.content.contains("版权所有"),
            "{slug}: {}",
            article.content
        );
        assert_eq!(article.categories, ["第01版"], "{slug}");
    }
}
