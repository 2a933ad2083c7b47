//! The shipped e-paper feeds: 滨州日报 (page_NN system, GBK), 大众日报 and 齐鲁晚报
//! (PaperIndex system).

use super::{install_shipped, line, serve, today};
use crate::support::{Fixture, entries};

#[test]
fn binzhou_gbk_epaper_two_editions_eight_pages_and_a_missing_third() {
    let fixture = Fixture::start();
    let today = today();
    let yesterday = today.pred_opt().unwrap();
    serve(
        &fixture,
        "bzrb/edition1",
        &format!("/bzrb/{}/html", today.format("%Y%m%d")),
        today,
        &[],
    );
    serve(
        &fixture,
        "bzrb/edition2",
        &format!("/bzrb/{}/html", yesterday.format("%Y%m%d")),
        yesterday,
        &[],
    );
    // The edition of the day before yesterday is not there: a 404, as on a weekend.
    let install = install_shipped("binzhouribao", "http://epaper.bzrb.net", &fixture);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        line(&out, "bzrb-epaper"),
        "bzrb-epaper: 8 new, 0 updated, 0 unchanged (1 editions not published)"
    );

    let xml = &install.publish()["binzhouribao"];
    let feed = entries(xml);
    assert_eq!(
        feed.len(),
        8,
        "one entry per article; the one linked from two pages once"
    );
    assert!(!xml.contains('\u{FFFD}'), "no mojibake");
    let main = feed
        .iter()
        .find(|e| e.title == "多措并举惠民生 实干担当聚民心")
        .expect("the seed article");
    assert_eq!(main.categories, ["第08版"]);
    assert_eq!(main.author.as_deref(), Some("刘志勇田中岳"));
    assert!(
        main.content
            .contains("今年以来,滨城区市西街道高站位谋划、高标准组织、高质量落实")
    );
    assert!(
        main.content
            .contains("强问效。街道设立“我为群众办实事”实践活动督导专班")
    );
    for chrome in [
        "当前版",
        "通版",
        "版权所有",
        "技术支持",
        "本版其他文章",
        "发布日期",
        "往期回顾",
    ] {
        assert!(!main.content.contains(chrome), "{chrome}");
    }
    // Articles without their own time carry their issue's date.
    let issue = |date: chrono::NaiveDate| {
        format!(
            "<published>{}T00:00:00+08:00</published>",
            date.format("%Y-%m-%d")
        )
    };
    assert_eq!(xml.matches(&issue(today)).count(), 4, "{xml}");
    assert_eq!(xml.matches(&issue(yesterday)).count(), 4);
    let front = feed
        .iter()
        .find(|e| e.title == "滨州全市累计为群众办实事66315件")
        .unwrap();
    assert_eq!(front.categories, ["第01版"]);

    let (_, out) = install.fetch(&[]);
    assert_eq!(
        line(&out, "bzrb-epaper"),
        "bzrb-epaper: 0 new, 0 updated, 8 unchanged (1 editions not published)"
    );
    for date in [today, yesterday] {
        for name in [
            "content_{}_1_1.htm",
            "content_{}_2_1.htm",
            "content_{}_3_1.htm",
        ] {
            let path = format!(
                "/bzrb/{}/html/{}",
                date.format("%Y%m%d"),
                name.replace("{}", &date.format("%Y%m%d").to_string())
            );
            assert_eq!(fixture.hits(&path).len(), 1, "{path} fetched again");
        }
    }
    let linked_twice = format!("/bzrb/{0}/html/content_{0}_8_1.htm", today.format("%Y%m%d"));
    assert_eq!(fixture.hits(&linked_twice).len(), 1);
}

#[test]
fn dazhong_paperindex_epaper() {
    let fixture = Fixture::start();
    let today = today();
    serve(
        &fixture,
        "dzrb",
        &format!("/dzrb/content/{}", today.format("%Y%m%d")),
        today,
        &[],
    );
    let install = install_shipped("dazhongribao", "http://paper.dzwww.com", &fixture);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        line(&out, "dzrb-epaper"),
        "dzrb-epaper: 2 new, 0 updated, 0 unchanged (1 editions not published)"
    );
    let feed = entries(&install.publish()["dazhongribao"]);
    let first = feed
        .iter()
        .find(|e| e.title == "66315件实事擦亮民生底色")
        .unwrap();
    // Linked from page 2 too ("见第01版"), but it is on page 1.
    assert_eq!(first.categories, ["第01版"]);
    assert_eq!(first.author.as_deref(), Some("姜斌"));
    assert!(
        first
            .content
            .contains("截至2021年12月9日，市级两批40项124小项重点民生项目清单全部完成")
    );
    let second = feed
        .iter()
        .find(|e| e.title == "“我为群众办实事”见深度、升温度、显力度")
        .unwrap();
    assert_eq!(second.categories, ["第02版"]);
    assert_eq!(second.author.as_deref(), Some("赵洁 张丽"));
    for entry in &feed {
        assert!(!entry.content.contains("版权所有") && !entry.content.contains("返回版面"));
    }
}

#[test]
fn qilu_epaper_entered_through_a_meta_refresh() {
    let fixture = Fixture::start();
    let today = today();
    serve(
        &fixture,
        "qlwb",
        &format!("/qlwb/content/{}", today.format("%Y%m%d")),
        today,
        &[],
    );
    let install = install_shipped("qiluwanbao", "http://epaper.qlwb.com.cn", &fixture);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        line(&out, "qlwb-epaper"),
        "qlwb-epaper: 2 new, 0 updated, 0 unchanged (1 editions not published)"
    );
    let feed = entries(&install.publish()["qiluwanbao"]);
    let article = feed
        .iter()
        .find(|e| e.title == "兖州区办好微实事服务大民生")
        .expect("the seed article");
    assert_eq!(article.categories, ["第A06版"]);
    assert_eq!(article.author.as_deref(), Some("康岩"));
    assert!(
        article
            .content
            .contains("民生无小事，枝叶总关情。在推进“我为群众办实事”实践活动中")
    );
    assert!(!article.content.contains("扫码下载齐鲁壹点"));
    assert!(!article.content.contains("分享到"));
}

#[test]
fn an_edition_published_without_articles_is_a_failure_of_its_own_kind() {
    let fixture = Fixture::start();
    let today = today();
    // Page 01 is up, but lists no article (the upload is under way, or the layout
    // changed): not a quiet empty success.
    fixture.set(
        &format!("/e/{}/page_01.htm", today.format("%Y%m%d")),
        crate::support::Reply::ok(
            "text/html",
            "<html><body><div id=pages><a href=page_01.htm>第01版：要闻</a></div><div id=list></div></body></html>",
        ),
    );
    let feed = format!(
        "title = \"晨报\"\n[[sources]]\nname = \"paper\"\nkind = \"epaper\"\nurl = \"{}\"\npages = \"#pages a\"\nlinks = \"#list a\"\n",
        fixture.url("/e/{date:%Y%m%d}/page_01.htm")
    );
    let install = crate::support::Install::new(&[("paper", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "paper: error: the {today} edition lists no article (`links` matched nothing on"
        )),
        "{out}"
    );
    let status = String::from_utf8_lossy(&install.cmd(&["status"]).stdout).into_owned();
    assert!(
        status.contains("paper: failing (empty_edition)"),
        "{status}"
    );
}

/// The feed file of the Founder-new fixture paper (嘉兴日报), with `extra` source keys.
fn jiaxing(fixture: &Fixture, extra: &str) -> String {
    format!(
        "title = \"嘉兴日报\"\n[[sources]]\nname = \"jx\"\nkind = \"epaper\"\npreset = \"founder-new\"\nurl = \"{}\"\n{extra}",
        fixture.url("/jxrb")
    )
}

#[test]
fn an_edition_still_being_uploaded_is_read_again_at_the_next_run() {
    use crate::support::{Install, Reply};
    let fixture = Fixture::start();
    let day = today();
    serve(&fixture, "founder-new", "", day, &[]);
    let page2 = format!("/jxrb/pc/layout/{}/node_02.html", day.format("%Y%m/%d"));
    let article1 = format!(
        "/jxrb/pc/content/{}/content_101.html",
        day.format("%Y%m/%d")
    );
    // Page 01 is up, page 02 and one article of page 01 are not yet.
    fixture.set(&page2, Reply::status(404, &[]));
    fixture.set(&article1, Reply::status(404, &[]));
    let feed = jiaxing(&fixture, "");
    let install = Install::new(&[("jx", &feed)]);
    let (code, out) = install.fetch(&[]);
    // Nothing of the edition could be stored yet: the run failed, and is retried.
    assert_eq!(code, 1, "{out}");
    assert!(entries(&install.publish()["jx"]).is_empty());
    // The upload completes: the next run reads the whole edition.
    serve(&fixture, "founder-new", "", day, &[]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(line(&out, "jx"), "jx: 2 new, 0 updated, 0 unchanged");
    assert_eq!(entries(&install.publish()["jx"]).len(), 2);
}

#[test]
fn with_pdf_each_article_carries_its_pages_pdf() {
    use crate::support::Install;
    let fixture = Fixture::start();
    let day = today();
    serve(&fixture, "founder-new", "", day, &[]);
    let feed = jiaxing(&fixture, "pdf = true\n");
    let install = Install::new(&[("jx", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    let feeds = install.publish();
    let xml = &feeds["jx"];
    let dated = day.format("%Y%m/%d");
    for (title, page) in [("解急难愁盼 办民生实事", 1), ("66315件实事擦亮民生底色", 2)]
    {
        let pdf = fixture.url(&format!("/jxrb/pc/attachement/{dated}/page0{page}.pdf"));
        let entry = xml
            .split("<entry>")
            .find(|e| e.contains(&format!("<title>{title}</title>")))
            .unwrap();
        assert!(
            entry.contains(&format!(
                "<link href=\"{pdf}\" rel=\"enclosure\" type=\"application/pdf\"/>"
            )),
            "{entry}"
        );
    }
    let dir = install.dir.path().join("published");
    let rss = std::fs::read_to_string(dir.join("jx.rss")).unwrap();
    assert!(rss.contains("<enclosure url=\""), "{rss}");
    let json = std::fs::read_to_string(dir.join("jx.json")).unwrap();
    assert!(
        json.contains("\"mime_type\": \"application/pdf\""),
        "{json}"
    );
    // Without `pdf = true`, none.
    let plain = Install::new(&[("jx", &jiaxing(&fixture, ""))]);
    assert_eq!(plain.fetch(&[]).0, 0);
    assert!(!plain.publish()["jx"].contains("rel=\"enclosure\""));
    let output = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/atom_check.py"))
        .arg(dir.join("jx.atom"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/formats_check.py"
        ))
        .arg(dir.join("jx.rss"))
        .arg(dir.join("jx.json"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
