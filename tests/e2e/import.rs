//! `paperboy import`: a reader's OPML export (folders, nested folders, duplicates) becomes
//! feed files that load, one per folder; a dry run writes nothing; nothing is overwritten
//! without `--force`.

use crate::support::Install;

const EXPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/opml/export.opml"
);

fn run(install: &Install, args: &[&str]) -> (i32, String, String) {
    let output = install.cmd(args);
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_export_becomes_one_feed_file_per_folder() {
    // One configured source already has a feed of the export.
    let install = Install::new(&[(
        "mine",
        "title = \"mine\"\n[[sources]]\nname = \"xinhua\"\nkind = \"feed\"\nurl = \"http://www.xinhuanet.com/politics/news_politics.xml\"\n",
    )]);
    let feeds = install.dir.path().join("feeds").canonicalize().unwrap();
    let (code, out, err) = run(&install, &["import", EXPORT, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("would write"), "{out}");
    assert_eq!(
        std::fs::read_dir(&feeds).unwrap().count(),
        1,
        "a dry run writes nothing"
    );

    let (code, out, err) = run(&install, &["import", EXPORT]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let path = |slug: &str| feeds.join(format!("{slug}.toml")).display().to_string();
    assert_eq!(
        lines,
        [
            format!("wrote {}: 我的订阅 (1 sources)", path("wodedingyue")),
            format!("wrote {}: 新闻 (1 sources)", path("xinwen")),
            format!("wrote {}: 新闻 / 国内 (1 sources)", path("xinwen-guonei")),
            format!("wrote {}: 科技 (1 sources)", path("keji")),
            "skipped 中国新闻网（重复） (https://www.chinanews.com.cn/rss/scroll-news.xml#dup): listed before under 新闻".to_string(),
            "skipped 新华网 (http://www.xinhuanet.com/politics/news_politics.xml): already the source `xinhua`".to_string(),
            "skipped 少数派 (https://sspai.com/feed?utm_source=reader): listed before under 我的订阅".to_string(),
            "skipped 本地文件 (file:///home/me/feed.xml): not an http(s) address".to_string(),
        ]
    );
    let keji = std::fs::read_to_string(feeds.join("keji.toml")).unwrap();
    assert_eq!(
        keji,
        format!(
            "# Imported from export.opml\ntitle = \"科技\"\n\n[[sources]]\nname = \"36-ke\"\nkind = \"feed\"\nurl = \"https://36kr.com/feed\"\n"
        )
    );
    let guonei = std::fs::read_to_string(feeds.join("xinwen-guonei.toml")).unwrap();
    assert!(
        guonei.contains("name = \"renminwang-shizheng\""),
        "{guonei}"
    );
    // What it wrote loads.
    let (code, _, err) = run(&install, &["check"]);
    assert_eq!(code, 0, "{err}");

    // Again: the files exist, so nothing is written without --force.
    let before = std::fs::read_to_string(feeds.join("keji.toml")).unwrap();
    std::fs::write(
        feeds.join("keji.toml"),
        "title = \"科技\"\n[select]\nfeeds = [\"*\"]\n",
    )
    .unwrap();
    let (code, _, err) = run(&install, &["import", EXPORT]);
    assert_eq!(code, 2);
    assert!(
        err.contains("would overwrite") && err.contains("keji.toml"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(feeds.join("keji.toml"))
            .unwrap()
            .contains("[select]")
    );
    let (code, _, err) = run(&install, &["import", EXPORT, "--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(feeds.join("keji.toml")).unwrap(),
        before
    );
    let (code, _, err) = run(&install, &["check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_file_that_is_not_opml_says_so() {
    let install = Install::new(&[]);
    let bad = install.dir.path().join("bad.opml");
    std::fs::write(&bad, "<rss><channel></channel></rss>").unwrap();
    let (code, _, err) = run(&install, &["import", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.opml: not an OPML document"), "{err}");
}
