//! `paperboy extract` on pages built from the seed articles, each wrapped in the chrome
//! its kind of site adds: the exact headline, time, byline and outlet, the whole body,
//! and none of the page around it.

use std::process::Command;

struct Expected<'a> {
    file: &'a str,
    url: &'a str,
    title: &'a str,
    published: &'a str,
    author: &'a str,
    source: &'a str,
    body: &'a [&'a str],
    chrome: &'a [&'a str],
}

fn extract(file: &str, url: &str) -> serde_json::Value {
    let path = format!("{}/tests/fixtures/pages/{file}", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args([
            "extract",
            &path,
            "--url",
            url,
            "-c",
            "/nonexistent/paperboy.toml",
        ])
        .output()
        .unwrap();
    // With -c naming a missing file the command must fail: the config is explicit.
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .current_dir(std::env::temp_dir())
        .args(["extract", &path, "--url", url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn check(expected: &Expected<'_>) {
    let article = extract(expected.file, expected.url);
    assert_eq!(article["title"], expected.title, "{}", expected.file);
    assert_eq!(
        article["published"], expected.published,
        "{}",
        expected.file
    );
    assert_eq!(article["author"], expected.author, "{}", expected.file);
    assert_eq!(article["source"], expected.source, "{}", expected.file);
    let text = article["text"].as_str().unwrap();
    let html = article["html"].as_str().unwrap();
    assert!(!text.contains('\u{FFFD}'), "mojibake in {}", expected.file);
    for paragraph in expected.body {
        assert!(
            text.contains(paragraph),
            "{}: body lacks {paragraph:?}:\n{text}",
            expected.file
        );
        assert!(
            html.contains(paragraph),
            "{}: html lacks {paragraph:?}",
            expected.file
        );
    }
    for chrome in expected.chrome {
        assert!(
            !text.contains(chrome),
            "{}: chrome {chrome:?} in body:\n{text}",
            expected.file
        );
    }
    for bad in ["<script", "<style", "onclick", "javascript:"] {
        assert!(!html.contains(bad), "{}: {bad} in html", expected.file);
    }
}

#[test]
fn government_portal_article() {
    check(&Expected {
        file: "shiyan-article.html",
        url: "http://www.shiyan.gov.cn/xwdt/syyw/202111/t20211116_3391234.shtml",
        title: "解急难愁盼 办民生实事",
        published: "2021-11-16T08:15:09+08:00",
        author: "况蓉 张明坤",
        source: "十堰日报",
        body: &[
            "自党史学习教育开展以来,我市把“我为群众办实事”实践活动作为党史学习教育的落脚点",
            "市县领导带头领办民生实事",
            "市长公开电话办公室整合优化政务服务热线",
            "一件件办成的实事,一个个落地的项目",
        ],
        chrome: &[
            "当前位置",
            "首页",
            "字体",
            "打印",
            "关闭",
            "分享到",
            "责任编辑",
            "段凌霄",
            "十堰发布",
            "扫一扫",
            "欢迎关注",
            "相关链接",
            "推进会",
            "版权所有",
            "ICP",
            "日期:",
            "网站地图",
            "搜索",
        ],
    });
}

#[test]
fn gbk_epaper_article_with_charset_only_in_meta() {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/pages/bzrb-content.html",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture really is GBK"
    );
    check(&Expected {
        file: "bzrb-content.html",
        url: "http://epaper.bzrb.net/bzrb/20211116/html/content_20211116_8_1.htm",
        title: "多措并举惠民生 实干担当聚民心",
        published: "2021-11-16T00:00:00+08:00",
        author: "刘志勇田中岳",
        source: "滨州日报",
        body: &[
            "今年以来,滨城区市西街道高站位谋划、高标准组织、高质量落实",
            "“三聚”:把群众期盼作为工作的着力点",
            "强问效。街道设立“我为群众办实事”实践活动督导专班",
        ],
        chrome: &[
            "当前版",
            "08版",
            "通版",
            "版权所有",
            "技术支持",
            "锦华科技",
            "本版其他文章",
            "城乡环境综合整治",
            "发布日期",
            "第01版",
            "上一期",
            "往期回顾",
        ],
    });
}

#[test]
fn news_app_share_page() {
    check(&Expected {
        file: "dzrb-newsshare.html",
        url: "https://wap.eastmoney.com/a/202201252260222591.html",
        title: "66315件实事擦亮民生底色",
        published: "2022-01-25T09:36:09+08:00",
        author: "姜斌",
        source: "大众日报",
        body: &[
            "坐到群众炕头、想到群众心头、干到群众点头。",
            "滨州全市累计为群众办实事66315件",
            "一个个看似不起眼的“小举措”，实实在在解决了群众的“大问题”。",
        ],
        chrome: &[
            "打开APP",
            "东方财富APP",
            "郑重声明",
            "扫码下载",
            "热门推荐",
            "沪指震荡",
            "文章来源",
            "来源：大众日报",
        ],
    });
}

#[test]
fn wechat_article_whose_body_a_script_reveals() {
    let page = std::fs::read_to_string(format!(
        "{}/tests/fixtures/pages/wechat-article.html",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(page.contains(r#"id="js_content" style="visibility: hidden;""#));
    check(&Expected {
        file: "wechat-article.html",
        url: "https://mp.weixin.qq.com/s/Xq3lB6c2yQ7dPZ4l0Zr5kQ",
        title: "66315件实事擦亮民生底色",
        published: "2022-01-25T09:36:09+08:00",
        author: "姜斌",
        source: "滨州发布",
        body: &[
            "坐到群众炕头、想到群众心头、干到群众点头。",
            "滨州全市累计为群众办实事66315件",
            "一个个看似不起眼的“小举措”，实实在在解决了群众的“大问题”。",
        ],
        chrome: &[
            "阅读原文",
            "在看",
            "微信扫一扫",
            "喜欢此内容的人还喜欢",
            "功能介绍",
            "微信公众平台",
        ],
    });
    let article = extract(
        "wechat-article.html",
        "https://mp.weixin.qq.com/s/Xq3lB6c2yQ7dPZ4l0Zr5kQ",
    );
    let html = article["html"].as_str().unwrap();
    assert!(
        html.contains(r#"src="https://mmbiz.qpic.cn/mmbiz_jpg/abc123/640?wx_fmt=jpeg""#),
        "{html}"
    );
    assert!(!html.contains("data:image"), "{html}");
}

#[test]
fn portal_article_with_an_inline_ad_related_list_and_comments_in_its_container() {
    check(&Expected {
        file: "portal-inline-ad.html",
        url: "http://www.syxw.example/xw/202111/t20211116_3391234.html",
        title: "解急难愁盼 办民生实事",
        published: "2021-11-16T08:15:00+08:00",
        author: "况蓉 张明坤",
        source: "十堰日报",
        body: &[
            "自党史学习教育开展以来,我市把“我为群众办实事”实践活动作为党史学习教育的落脚点",
            // Either side of the inline ad.
            "关怀“一老一小”,让安全感更有保证。",
            "干部多跑腿,群众少跑路。",
            "一件件办成的实事,一个个落地的项目",
        ],
        chrome: &[
            "广告",
            "楼盘",
            "责任编辑",
            "相关新闻",
            "推进会",
            "十堰持续推进老旧小区改造",
            "网友评论",
            "点赞！",
            "感谢政府",
            "email",
            "我已授权",
            "版权所有",
            "当前位置",
        ],
    });
}
