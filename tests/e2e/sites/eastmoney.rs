//! `json` sources: the shipped East Money column (list API + article pages) and the
//! mirror's list with infoCode ids and JSON details; both name the same articles.

use super::{install_shipped, line, serve, shipped_feed, today};
use crate::support::{Fixture, Install, entries};

const LIST: &str = "/comm/web/getNewsByColumns?client=web&biz=web_news_col&column=297&order=1&needInteractData=0&page_index=1&page_size=50";

/// The East Money fixture site: list API, article pages, the mirror's list and its JSON
/// details.
pub fn serve_eastmoney(fixture: &Fixture) {
    let base = fixture.url("");
    serve(
        fixture,
        "eastmoney",
        "",
        today(),
        &[("http://finance.eastmoney.com", base.as_str())],
    );
    // The list API's real path carries a query string.
    let list = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sites/eastmoney/getNewsByColumns.json"
    ))
    .unwrap();
    fixture.set(
        LIST,
        crate::support::Reply::ok(
            "application/json; charset=utf-8",
            list.replace("http://finance.eastmoney.com", &base),
        ),
    );
    for code in ["NW202201252260222591", "NW202201212256540329"] {
        let detail = std::fs::read(format!(
            "{}/tests/fixtures/sites/eastmoney/NewsData/{code}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        fixture.set(
            &format!("/NewsData/GetNewsText.do?id={code}"),
            crate::support::Reply::ok("application/json", detail),
        );
    }
}

#[test]
fn column_api_with_article_pages() {
    let fixture = Fixture::start();
    serve_eastmoney(&fixture);
    let install = install_shipped("eastmoney", "https://np-listapi.eastmoney.com", &fixture);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        line(&out, "eastmoney-297"),
        "eastmoney-297: 2 new, 0 updated, 0 unchanged"
    );
    let xml = &install.publish()["eastmoney"];
    let feed = entries(xml);
    assert_eq!(feed[0].title, "66315件实事擦亮民生底色");
    assert!(
        xml.contains("<published>2022-01-25T09:36:09+08:00</published>"),
        "zone-less times are Beijing time"
    );
    assert_eq!(feed[0].author.as_deref(), Some("姜斌"));
    assert!(
        feed[0]
            .content
            .contains("坐到群众炕头、想到群众心头、干到群众点头。")
    );
    for chrome in [
        "郑重声明",
        "相关新闻",
        "责任编辑",
        "热门文章",
        "沪指",
        "文章来源",
    ] {
        assert!(!feed[0].content.contains(chrome), "{chrome}");
    }
    let (_, out) = install.fetch(&[]);
    assert_eq!(
        line(&out, "eastmoney-297"),
        "eastmoney-297: 0 new, 0 updated, 2 unchanged"
    );
    assert_eq!(
        fixture.hits("/a/202201252260222591.html").len(),
        1,
        "a stored article's page is not fetched again"
    );
}

#[test]
fn info_codes_with_json_details_are_the_same_articles_as_bare_codes() {
    let fixture = Fixture::start();
    serve_eastmoney(&fixture);
    let mirror = format!(
        "title = \"大众日报\"\n[[sources]]\nname = \"em-mirror\"\nkind = \"json\"\nurl = \"{}\"\nitems = \"/record\"\nid = \"/infoCode\"\n\
         title = \"/title\"\ndate = \"/datetime\"\noutlet = \"/medianame\"\n\
         link = \"https://wap.eastmoney.com/html_News/NewsShare.html?infoCode={{infoCode}}\"\n\
         detail = \"{}?id={{infoCode}}\"\ndetail_content = \"/text\"\n",
        fixture.url("/record.json"),
        fixture.url("/NewsData/GetNewsText.do")
    );
    let column = shipped_feed(
        "eastmoney",
        "https://np-listapi.eastmoney.com",
        &fixture.url(""),
    );
    let install = Install::new(&[("dazhongribao", &mirror), ("eastmoney", &column)]);
    let (code, out) = install.fetch(&["em-mirror"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        line(&out, "em-mirror"),
        "em-mirror: 2 new, 0 updated, 0 unchanged"
    );
    let feeds = install.publish();
    let xml = &feeds["dazhongribao"];
    assert!(xml.contains("<published>2022-01-25T09:36:09+08:00</published>"));
    assert!(!xml.contains("track()"), "HTML from JSON is sanitized");
    let mirror_entries = entries(xml);
    assert!(mirror_entries[0].content.contains("坐到群众炕头"));
    assert_eq!(
        mirror_entries[0].link.as_deref(),
        Some("https://wap.eastmoney.com/html_News/NewsShare.html?infoCode=NW202201252260222591")
    );

    // The column lists the same two articles under their bare codes: they join the stored
    // items instead of becoming new ones, and their pages are never fetched.
    let (_, out) = install.fetch(&["eastmoney-297"]);
    assert_eq!(
        line(&out, "eastmoney-297"),
        "eastmoney-297: 2 new, 0 updated, 0 unchanged"
    );
    assert_eq!(fixture.hits("/a/202201252260222591.html").len(), 0);
    let feeds = install.publish();
    let column_entries = entries(&feeds["eastmoney"]);
    assert_eq!(column_entries.len(), 2);
    let ids = |list: &[crate::support::atom::Entry]| {
        let mut ids: Vec<String> = list.iter().map(|e| e.id.clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(&column_entries),
        ids(&entries(&feeds["dazhongribao"])),
        "one Atom id per article in both feeds"
    );

    let (_, out) = install.fetch(&[]);
    assert_eq!(
        line(&out, "em-mirror"),
        "em-mirror: 0 new, 0 updated, 2 unchanged"
    );
    assert_eq!(
        fixture
            .hits("/NewsData/GetNewsText.do?id=NW202201252260222591")
            .len(),
        1,
        "details are fetched once"
    );
}
