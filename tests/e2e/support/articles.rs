//! Feed fixtures built from the seed articles in `tests/fixtures/`.

use super::fixture::Fixture;

/// One item of a fixture feed.
#[derive(Clone, Debug)]
pub struct Article {
    pub title: String,
    pub link: String,
    pub guid: Option<String>,
    /// RFC 2822 or a zone-less form, as the fixture's site writes it.
    pub date: Option<String>,
    /// HTML body (escaped into the feed's `<description>`).
    pub body: String,
}

/// The seed article `name` (`dzrb-1`, `dzrb-2`): its headline and body paragraphs.
pub fn seed(name: &str) -> (String, String) {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}.html",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("seed fixture exists");
    let (head, body) = text.split_once("</h1>").expect("seed has a headline");
    (
        head.trim_start_matches("<h1>").to_string(),
        body.trim().to_string(),
    )
}

impl Article {
    pub fn new(title: &str, link: &str, date: Option<&str>, body: &str) -> Article {
        Article {
            title: title.into(),
            link: link.into(),
            guid: Some(link.into()),
            date: date.map(str::to_string),
            body: body.into(),
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An RSS 2.0 document with the channel chrome a news site's feed has.
pub fn rss(channel: &str, articles: &[Article]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n\
         <title>{channel}</title>\n<link>http://www.dzwww.com/</link>\n<description>{channel} 最新新闻</description>\n\
         <language>zh-cn</language>\n<copyright>Copyright 大众网 All Rights Reserved</copyright>\n\
         <image><url>http://www.dzwww.com/logo.png</url><title>{channel}</title><link>http://www.dzwww.com/</link></image>\n"
    );
    for article in articles {
        out.push_str("<item>\n");
        out.push_str(&format!(
            "<title>{}</title>\n<link>{}</link>\n",
            escape(&article.title),
            escape(&article.link)
        ));
        if let Some(guid) = &article.guid {
            out.push_str(&format!(
                "<guid isPermaLink=\"false\">{}</guid>\n",
                escape(guid)
            ));
        }
        if let Some(date) = &article.date {
            out.push_str(&format!("<pubDate>{date}</pubDate>\n"));
        }
        out.push_str(&format!(
            "<description>{}</description>\n</item>\n",
            escape(&article.body)
        ));
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// Article `i` of a numbered series: titled `{series}第{i}条`, with an address of its
/// own and a text of its own, dated a day apart from 2026-11-01 (then minutes apart).
pub fn numbered(series: &str, i: usize) -> Article {
    let path: String = url::form_urlencoded::byte_serialize(series.as_bytes()).collect();
    Article::new(
        &format!("{series}第{i}条"),
        &format!("http://news.example.cn/{path}/{i}.html"),
        Some(&format!(
            "2026-11-{:02} {:02}:{:02}:00",
            1 + i % 28,
            i / 60 % 24,
            i % 60
        )),
        &format!("<p>{series}第{i}条消息，内容各不相同：{}。</p>", i * 7919),
    )
}

/// An article page of a portal: headline, time and source line, two paragraphs.
pub fn article_page(title: &str) -> String {
    format!(
        "<html><head><meta charset=utf-8><title>{title}_示例网</title></head><body><div class=nav><a href=/>首页</a></div>\
         <h1>{title}</h1><div class=info>发布时间：2022-01-25 09:36 来源：大众日报</div>\
         <div class=content><p>本报讯 {title}。坐到群众炕头、想到群众心头、干到群众点头，把实事办实办好。</p>\
         <p>截至目前，全市累计为群众办实事66315件，各级出台办实事制度1044项。</p></div>\
         <div class=footer>版权所有 示例网</div></body></html>"
    )
}

/// A column page linking to `paths` as `a.t`.
pub fn column_page(paths: &[&str]) -> String {
    let items: String = paths
        .iter()
        .map(|p| format!("<li><a class=\"t\" href=\"{p}\">{p}</a></li>"))
        .collect();
    format!(
        "<html><body><ul class=list>{items}</ul><div class=footer><a href=/about>关于</a></div></body></html>"
    )
}

/// An `html` source reading the column page at `list_path`.
pub fn html_source(name: &str, fixture: &Fixture, list_path: &str) -> String {
    format!(
        "[[sources]]\nname = \"{name}\"\nkind = \"html\"\nurl = \"{}\"\nlinks = \"a.t\"\n",
        fixture.url(list_path)
    )
}
