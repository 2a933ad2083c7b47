//! `feeds/shiyan.toml`: the 十堰 government portal's news column (`html` kind).

use super::{install_shipped, line, serve, today};
use crate::support::{Fixture, entries};

const ARTICLES: [&str; 3] = [
    "/xwdt/syyw/202201/t20220125_3456789.shtml",
    "/xwdt/syyw/202201/t20220121_3455555.shtml",
    "/xwdt/syyw/202111/t20211116_3391234.shtml",
];

#[test]
fn portal_column_gives_clean_articles_and_a_rerun_fetches_none_again() {
    let fixture = Fixture::start();
    serve(&fixture, "shiyan", "", today(), &[]);
    let install = install_shipped("shiyan", "http://www.shiyan.gov.cn", &fixture);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        line(&out, "shiyan-syyw"),
        "shiyan-syyw: 3 new, 0 updated, 0 unchanged"
    );

    let xml = &install.publish()["shiyan"];
    let feed = entries(xml);
    let titles: Vec<&str> = feed.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "66315件实事擦亮民生底色",
            "“我为群众办实事”见深度、升温度、显力度",
            "解急难愁盼 办民生实事"
        ]
    );
    assert!(
        xml.contains("<published>2021-11-16T08:15:09+08:00</published>"),
        "Beijing time kept"
    );
    assert!(xml.contains("<published>2022-01-25T10:20:00+08:00</published>"));
    let shiyan = &feed[2];
    assert_eq!(shiyan.author.as_deref(), Some("况蓉 张明坤"));
    assert_eq!(
        shiyan.link.as_deref(),
        Some(fixture.url(ARTICLES[2]).as_str())
    );
    assert!(
        shiyan
            .content
            .contains("市委书记胡亚波领办“神定河流域污水处理能力不足”")
    );
    assert_eq!(feed[0].author.as_deref(), Some("姜斌"));
    assert!(
        feed[0]
            .content
            .contains("坐到群众炕头、想到群众心头、干到群众点头。")
    );
    for entry in &feed {
        for chrome in [
            "责任编辑",
            "十堰发布",
            "扫一扫",
            "相关链接",
            "版权所有",
            "字体",
            "当前位置",
            "日期:",
        ] {
            assert!(
                !entry.content.contains(chrome),
                "{chrome} in {}",
                entry.title
            );
        }
    }

    // A rerun stores nothing and fetches no article again.
    let (_, out) = install.fetch(&[]);
    assert_eq!(
        line(&out, "shiyan-syyw"),
        "shiyan-syyw: 0 new, 0 updated, 3 unchanged"
    );
    for path in ARTICLES {
        assert_eq!(fixture.hits(path).len(), 1, "{path} fetched again");
    }
    assert_eq!(fixture.hits("/xwdt/syyw/index.shtml").len(), 2);
}
