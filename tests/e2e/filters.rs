//! What a feed shows: `[filter]` of a feed file and `[sources.filter]` of one source
//! decide which stored items, by words and by pattern; `convert` turns Traditional
//! Chinese into Simplified (or back) in titles and text.

use crate::support::{Article, Fixture, Install, Reply, entries, rss};

fn article(title: &str, n: usize, body: &str) -> Article {
    Article::new(
        title,
        &format!("http://news.example.cn/{n}.html"),
        Some(&format!("2026-11-2{n} 08:00:00")),
        body,
    )
}

#[test]
fn feed_and_source_filters_choose_what_a_feed_shows() {
    let fixture = Fixture::start();
    fixture.set(
        "/a.xml",
        Reply::rss(rss(
            "甲",
            &[
                article("要闻：民生实事推进会召开", 1, "<p>会议部署民生实事。</p>"),
                article("商品推广", 2, "<p>本文为广告，点击购买。</p>"),
                article("要闻：城乡道路改造", 3, "<p>道路改造完工。</p>"),
            ],
        )),
    );
    fixture.set(
        "/b.xml",
        Reply::rss(rss(
            "乙",
            &[
                article("体育新闻", 4, "<p>比赛结果。</p>"),
                article("Policy 解读", 5, "<p>政策解读。</p>"),
            ],
        )),
    );
    let feed = format!(
        "title = \"t\"\n[filter]\nnone = [\"广告\"]\n\
         [[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"{}\"\n[sources.filter]\nregex = \"^要闻\"\n\
         [[sources]]\nname = \"b\"\nkind = \"feed\"\nurl = \"{}\"\n[sources.filter]\nany = [\"policy\"]\n",
        fixture.url("/a.xml"),
        fixture.url("/b.xml")
    );
    let install = Install::new(&[("t", &feed)]);
    assert_eq!(install.fetch(&[]).0, 0);
    let mut titles: Vec<String> = entries(&install.publish()["t"])
        .into_iter()
        .map(|e| e.title)
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Policy 解读",
            "要闻：城乡道路改造",
            "要闻：民生实事推进会召开"
        ]
    );

    // Filters change what is shown, not what is stored.
    let unfiltered = format!(
        "title = \"t\"\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"{}\"\n\
         [[sources]]\nname = \"b\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/a.xml"),
        fixture.url("/b.xml")
    );
    install.write_feed("t", &unfiltered);
    assert_eq!(entries(&install.publish()["t"]).len(), 5);
}

#[test]
fn a_pattern_that_does_not_compile_is_a_config_error() {
    let install = Install::new(&[(
        "t",
        "title = \"t\"\n[filter]\nregex = \"(未闭合\"\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/a.xml\"\n",
    )]);
    let output = install.cmd(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("t.toml:2: `filter.regex`: `(未闭合` is not a regular expression"),
        "{stderr}"
    );
}

#[test]
fn a_hong_kong_source_reads_in_simplified_chinese() {
    let fixture = Fixture::start();
    fixture.set(
        "/hk.xml",
        Reply::rss(rss(
            "港聞",
            &[article(
                "香港特區政府發表施政報告",
                1,
                "<p>行政長官表示，這個計劃會幫助更多長者。</p>",
            )],
        )),
    );
    let feed = format!(
        "title = \"港闻\"\nconvert = \"t2s\"\n[[sources]]\nname = \"hk\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/hk.xml")
    );
    let install = Install::new(&[("hk", &feed)]);
    assert_eq!(install.fetch(&[]).0, 0);
    let feeds = install.publish();
    let entry = &entries(&feeds["hk"])[0];
    assert_eq!(entry.title, "香港特区政府发表施政报告");
    assert!(
        entry
            .content
            .contains("行政长官表示，这个计划会帮助更多长者。"),
        "{}",
        entry.content
    );
    let json = std::fs::read_to_string(install.dir.path().join("published/hk.json")).unwrap();
    assert!(json.contains("香港特区政府发表施政报告"), "{json}");

    install.write_feed("hk", &feed.replace("t2s", "s2t-hk"));
    let output = install.cmd(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("`convert`: `s2t-hk` is not a conversion (\"t2s\" or \"s2t\")")
    );
}
