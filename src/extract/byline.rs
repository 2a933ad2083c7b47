//! Who wrote it and where it first appeared: `记者 X`, `本报记者X`, `作者：`, `文/`,
//! `通讯员` lines give the author; `来源：X`, `（文章来源：X）` the outlet. Meta tags,
//! JSON-LD and author-classed elements come next; the site's own name is the outlet of
//! last resort. `责任编辑：X` is metadata: it names an editor, never body text, and is
//! the author only when nothing else names anyone.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};

use super::dom::{class_and_id, text_of};
use super::metadata::Metadata;

/// Characters that end a name or an outlet.
const STOP: &str = r"[^\s|｜，。,;；:：【】\[\]()（）<>《》“”\u{a0}\u{3000}/／]";

/// What may follow a name: it must end there, not run on into a sentence.
const END: &str = r"(?:$|[\s|｜，。,;；)）】\]])";

static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:文章来源|新闻来源|信息来源|稿件来源|来源|来自|稿源|出处|原创|來源|來自)\s*[:：|｜]\s*(?P<v>(?:《?{STOP}{{2,30}}》?)+){END}")).expect("valid regex")
});
static AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:作者|撰文|撰稿|文字|記者)\s*[:：]\s*(?P<v>{STOP}{{2,20}}){END}"
    ))
    .expect("valid regex")
});
static REPORTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<outlet>[\p{Han}·/]{2,16})?(?:特约|实习|首席|特約|實習)?(?:记者|記者)\s*[:：]?\s*(?P<v>[\p{Han}·\s、和及]{2,24})")
        .expect("valid regex")
});
static CORRESPONDENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:通讯员|通訊員)\s*[:：]?\s*(?P<v>[\p{Han}·\s、和及]{2,24})")
        .expect("valid regex")
});
static WRITTEN_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s□■])(?:文|执笔|執筆|撰文|采写|採寫|图文|圖文)\s*[/／|｜:：]\s*(?P<v>[\p{Han}·]{2,4}(?:\s*[\s、&＆和][\p{Han}·]{2,4}){0,3})")
        .expect("valid regex")
});
static EDITOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:责任编辑|責任編輯|责编|編輯|编辑)\s*[:：]\s*(?P<v>{STOP}{{2,12}}){END}"
    ))
    .expect("valid regex")
});

/// Words that end a captured name (`刘志勇 通讯员`, `王帆 摄`), or show that what
/// follows `记者` is a sentence (`记者从市教育局获悉`).
const NAME_ENDS: &[&str] = &[
    "通讯",
    "本报",
    "记者",
    "从",
    "获悉",
    "了解",
    "注意到",
    "采访",
    "近日",
    "日前",
    "昨日",
    "今天",
    "今日",
    "走进",
    "来到",
    "在",
    "对",
    "向",
    "表示",
    "报道",
    "摄影",
    "摄",
    "实习生",
    "编辑",
    "发自",
    "综合",
    "整理",
    "时间",
    "日期",
    "发布",
    "浏览",
    "点击",
    "字号",
    "来源",
    "责任",
    "作者",
];

/// Byline and outlet of a page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Byline {
    pub author: Option<String>,
    pub source: Option<String>,
}

/// The text a byline is looked for in.
pub struct Around<'a> {
    /// Text around the headline.
    pub header: &'a str,
    /// Text right after the headline.
    pub under_headline: &'a str,
    /// The headline itself.
    pub headline: &'a str,
    /// The first and last lines of the body.
    pub lead: &'a str,
    pub tail: &'a str,
}

pub fn find(document: &Html, meta: &Metadata, around: &Around<'_>) -> Byline {
    let Around {
        header, lead, tail, ..
    } = *around;
    let beside_date = name_beside_date(around.under_headline, around.headline);
    let author = author_in(header)
        .or_else(|| author_in(lead))
        .or_else(|| author_element(document))
        .or_else(|| meta.authors.first().cloned())
        .or_else(|| author_in(tail))
        .or_else(|| capture(&EDITOR, tail).or_else(|| capture(&EDITOR, header)))
        // Platform pages name only the posting account, beside the time.
        .or_else(|| beside_date.clone());
    let source = outlet(header)
        .or_else(|| meta.sources.first().cloned())
        .or_else(|| outlet(lead))
        .or_else(|| outlet(tail))
        .or_else(|| reporter_outlet(header).or_else(|| reporter_outlet(lead)))
        .or_else(|| meta.accounts.first().cloned())
        .or_else(|| meta.script_sources.first().cloned())
        .or(beside_date)
        .or_else(|| meta.site_name.clone());
    Byline { author, source }
}

fn author_in(text: &str) -> Option<String> {
    capture(&AUTHOR, text)
        .or_else(|| capture(&REPORTER, text))
        .or_else(|| capture(&WRITTEN_BY, text))
        .or_else(|| capture(&CORRESPONDENT, text))
}

/// A date anywhere in a line under a headline, with or without its year.
static A_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(?:19|20)\d{2}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s+\d{1,2}:\d{2}|(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
        .expect("valid regex")
});

/// Words of the line under a headline that name no one.
const HEADER_WORDS: &[&str] = &[
    "原创", "原創", "发布", "發布", "时间", "時間", "日期", "来源", "來源", "作者", "编辑", "分享",
    "评论", "字号", "举报", "关注", "收藏", "打印", "阅读", "浏览", "首页", "新闻", "正文", "返回",
    "置顶", "转载", "独家", "专栏", "今天", "昨天",
];

/// How far under the headline the date line may start, in bytes.
const DATE_LINE: usize = 120;

/// The bare name standing right before (or else right after) the date under a headline
/// (`新华社 2020-01-03 18:13`, `2019年10月23日 09:05 环球网`): the outlet or account of
/// platform and portal pages. Words of the headline itself are no name.
fn name_beside_date(under_headline: &str, headline: &str) -> Option<String> {
    let date = A_DATE
        .find(under_headline)
        .filter(|d| d.start() <= DATE_LINE)?;
    let before = under_headline[..date.start()]
        .trim_end()
        .rsplit(char::is_whitespace)
        .next();
    let after = under_headline[date.end()..].split_whitespace().next();
    let squeezed_headline: String = headline.chars().filter(|c| !c.is_whitespace()).collect();
    [before, after]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find_map(|name| {
            let length = name.chars().count();
            ((2..=12).contains(&length)
                && name.chars().all(|c| c.is_alphabetic() || c == '·')
                && !name.ends_with(['于', '於', '在', '至', '为', '的', '了'])
                && !squeezed_headline.contains(name)
                && !HEADER_WORDS.iter().any(|w| name.contains(w)))
            .then(|| name.to_string())
        })
}

/// The outlet a reporter's byline names: `新华社记者 X`, `滨州日报/滨州网记者 X`.
fn reporter_outlet(text: &str) -> Option<String> {
    REPORTER.captures_iter(text).find_map(|caps| {
        let outlet = caps.name("outlet")?.as_str();
        let outlet = outlet
            .trim_start_matches(['□', '■'])
            .split('/')
            .next()?
            .trim();
        let own = ["本报", "本台", "本刊", "本网", "本站"];
        (outlet.chars().count() >= 2 && !own.iter().any(|o| outlet.ends_with(o)))
            .then(|| outlet.to_string())
    })
}

fn capture(pattern: &Regex, text: &str) -> Option<String> {
    pattern.captures_iter(text).find_map(|caps| {
        // `记者 X 摄` credits a photographer, not the article.
        let after = text[caps.get(0)?.end()..].trim_start();
        if after.starts_with(['摄', '攝']) || caps["v"].contains(['摄', '攝']) {
            return None;
        }
        // `记者会`, `记者站`: a press conference or bureau, not a byline.
        if caps["v"].starts_with([
            '会', '會', '站', '节', '節', '证', '證', '协', '協', '们', '們', '团', '團',
        ]) {
            return None;
        }
        clean(&caps["v"]).filter(|v| super::metadata::is_name(v))
    })
}

/// The outlet after a `来源：` label, cut before a date that runs on after it.
fn outlet(text: &str) -> Option<String> {
    SOURCE.captures_iter(text).find_map(|caps| {
        // `图片来源：` credits a picture, not the article.
        let before = &text[..caps.get(0)?.start()];
        if ["图片", "圖片", "图", "圖", "照片", "视频", "視頻", "封面"]
            .iter()
            .any(|w| before.ends_with(w))
        {
            return None;
        }
        let mut value = caps["v"].trim().to_string();
        if let Some(at) = value.find(|c: char| c.is_ascii_digit()).filter(|at| {
            value[*at..].starts_with(|_| true)
                && value[*at..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .count()
                    >= 4
        }) {
            value.truncate(at);
        }
        let value = value
            .trim_matches(|c: char| c.is_whitespace() || "-—".contains(c))
            .to_string();
        (value.chars().count() >= 2).then_some(value)
    })
}

/// Cuts a captured value at the first word that cannot belong to it.
fn clean(value: &str) -> Option<String> {
    let mut value = value.trim().to_string();
    for end in NAME_ENDS {
        if let Some(at) = value.find(end) {
            value.truncate(at);
        }
    }
    let value = value
        .trim_matches(|c: char| c.is_whitespace() || "、,，-—".contains(c))
        .to_string();
    (value.chars().count() >= 2).then_some(value)
}

/// A short element classed `author` (`<div class="author"><a>謝明俊</a></div>`).
fn author_element(document: &Html) -> Option<String> {
    let selector = Selector::parse("[class*=author], [itemprop=author], [rel=author]")
        .expect("valid selector");
    document
        .select(&selector)
        .filter(|el| {
            let marks = class_and_id(el.value());
            let in_chrome = el
                .ancestors()
                .filter_map(ElementRef::wrap)
                .take(6)
                .any(|a| super::marks::is_chrome(a.value()));
            !marks.contains("avatar")
                && !marks.contains("img")
                && !marks.contains("info")
                && !in_chrome
        })
        .map(text_of)
        .find(|text| {
            (2..=12).contains(&text.chars().count())
                && !text.contains(['：', ':'])
                && super::metadata::is_name(text)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn byline(header: &str) -> Byline {
        find(
            &Html::parse_document("<p></p>"),
            &Metadata::default(),
            &Around {
                header,
                under_headline: header,
                headline: "",
                lead: "",
                tail: "",
            },
        )
    }

    #[test]
    fn placeholders_notices_and_press_conferences_name_no_one() {
        assert_eq!(
            byline("医院管理局经理在记者会上表示，伤者已出院").author,
            None
        );
        assert!(!super::super::metadata::is_name("name, email@gmail.com"));
        assert!(!super::super::metadata::is_name("我已授权"));
        assert_eq!(
            byline("执笔/叨叨姐、胡一刀&李小飞刀").author.as_deref(),
            Some("叨叨姐、胡一刀&李小飞刀")
        );
    }

    #[test]
    fn the_name_beside_the_time_is_the_account() {
        let b = byline("华夏人文 2020-03-09 18:14:21");
        assert_eq!(b.author.as_deref(), Some("华夏人文"));
        assert_eq!(b.source.as_deref(), Some("华夏人文"));
        assert_eq!(byline("最新推荐文章于 2024-05-06 15:47:53").source, None);
        assert_eq!(
            byline("2019年10月23日 09:05 环球网 分享").source.as_deref(),
            Some("环球网")
        );
    }

    #[test]
    fn bylines_and_outlets() {
        let b = byline("日期: 2021-11-16 08:15:09 来源: 十堰日报");
        assert_eq!(b.source.as_deref(), Some("十堰日报"));
        assert_eq!(
            byline("□ 本报记者姜斌 本报通讯员清春玥群红山")
                .author
                .as_deref(),
            Some("姜斌")
        );
        let b = byline("滨州日报/滨州网记者刘志勇田中岳通讯员潘妍君董高峰张姗姗");
        assert_eq!(b.author.as_deref(), Some("刘志勇田中岳"));
        assert_eq!(b.source.as_deref(), Some("滨州日报"));
        assert_eq!(
            byline("(通讯员 况蓉 张明坤)").author.as_deref(),
            Some("况蓉 张明坤")
        );
        assert_eq!(byline("新华社记者 李梦馨 摄").author, None);
        assert_eq!(byline("本报讯 记者从市教育局获悉，今年起").author, None);
        assert_eq!(
            byline("新华社记者 王帆 报道").source.as_deref(),
            Some("新华社")
        );
        assert_eq!(
            byline("作者：南帆 来源：光明日报").author.as_deref(),
            Some("南帆")
        );
        assert_eq!(byline("文/张三 图/李四").author.as_deref(), Some("张三"));
        assert_eq!(
            byline("2024-05-13 来源：光明网-《光明日报》")
                .source
                .as_deref(),
            Some("光明网-《光明日报》")
        );
        assert_eq!(
            byline("（文章来源：大众日报）").source.as_deref(),
            Some("大众日报")
        );
        assert_eq!(byline("责任编辑：刘林源").author.as_deref(), Some("刘林源"));
    }

    #[test]
    fn traditional_reporters_and_every_mark_after_a_writer_label() {
        // Traditional `記者`, and each mark `文` may be followed by.
        let b = byline("中央社記者 王小明 台北電");
        assert_eq!(b.author.as_deref(), Some("王小明 台北電"));
        assert_eq!(b.source.as_deref(), Some("中央社"));
        for mark in ['/', '／', '|', '｜', ':', '：'] {
            let text = format!("图文{mark}张三 编辑 李四");
            assert_eq!(byline(&text).author.as_deref(), Some("张三"), "{text}");
        }
        // Neither: no byline.
        assert_eq!(byline("本文介绍了张三的生平").author, None);
    }
}
