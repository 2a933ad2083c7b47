//! Where the article ends inside its container: the lines of the chosen element are cut
//! to the run that reads as the article.
//!
//! The body finder picks the element with the most prose, but on many pages that element
//! also holds what follows the article — an editor line and then another story's teaser, a
//! related list, a comment box. Two cuts, both on the lines alone:
//! - an end-of-article mark (`责任编辑：`, `编辑 X 校对 Y`, `（完）`) after most of the prose
//!   ends the article there;
//! - a stream of teasers after the article (a linked headline, then its summary, at least
//!   twice — what portals and aggregator apps append) ends it where the stream starts;
//! - of what remains, the contiguous run of lines with the largest prose value is kept
//!   (maximum-sum subarray), so link lists and labels before or after the article go while
//!   a short label or an inline ad inside it, outweighed by prose on both sides, stays.

use std::sync::LazyLock;

use regex::Regex;

use super::dom::{Tally, tally};
use super::render::Line;

/// Lines that close an article on Chinese news pages.
static END_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*[(（\[【]?\s*(?:责任编辑|責任編輯|责编|責編|编辑|編輯|校对|校對|审核|審核|监制|監製)",
        r"(?:\s*[:：]|\s+\p{Han}{2,4}(?:\s|$))|",
        r"^\s*[(（【\[—-]*\s*(?:完|全文完|END|end)\s*[)）】\]—-]*\s*$",
    ))
    .expect("valid regex")
});

/// An end mark may stand at most this far into a line.
const END_MARK_LINE: usize = 40;

/// Headings of what pages put after an article — comments, the author's other posts,
/// related and recommended lists — and the notices that close opinion pieces.
static AFTER_ARTICLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:热门|最新|全部|精彩|网友|观察员|读者)?(?:评论|留言|跟帖)(?:区|列表)?\s*(?:[\d,]+\s*条?)?\s*$|",
        r"^\s*(?:热门|最新|全部|精彩|网友|观察员|读者)?(?:评论|留言|跟帖)\s*[\d,]+|",
        r"^\s*(?:作者|TA的)(?:最近|最新|其他|更多)?(?:文章|作品|发布)|^\s*(?:更多文章|相关(?:阅读|新闻|文章|推荐)|推荐阅读|猜你喜欢|热门推荐|大家都在看)\s*$|",
        r"^\s*[(（]?\s*本文(?:仅代表|系|为)作者(?:个人)?观点|文明上网|理性发言|发表评论|^\s*请先登录",
    ))
    .expect("valid regex")
});

/// The value of a line as article text: its characters outside links when it reads as
/// prose, a cost when it is mostly links. Labels, figures and pictures are worth nothing
/// either way: short unpunctuated lines are verse, captions and bylines as often as chrome,
/// and the line filters judge those by their words.
fn value(line: &Line) -> f64 {
    let Tally {
        chars,
        punctuation,
        letters,
    } = tally(&line.text);
    if chars == 0 {
        return 0.0;
    }
    let own = chars.saturating_sub(line.link_chars) as f64;
    if line.link_chars * 2 > chars {
        -(chars as f64)
    } else if (punctuation == 0 && chars < 20) || letters * 2 < chars {
        0.0
    } else {
        own
    }
}

/// Keeps the lines of the article proper.
pub fn article_lines(lines: Vec<Line>) -> Vec<Line> {
    if lines.len() < 3 {
        return lines;
    }
    let values: Vec<f64> = lines.iter().map(value).collect();
    let end = end_mark(&lines, &values)
        .into_iter()
        .chain(teasers(&lines, &values))
        .min()
        .unwrap_or(lines.len());
    let (start, stop) = best_run(&values[..end]);
    lines
        .into_iter()
        .enumerate()
        .filter(|(i, _)| (start..stop).contains(i))
        .map(|(_, line)| line)
        .collect()
}

/// The first end-of-article mark with more prose before it than after it, or the first
/// heading of what follows articles (comments, related lists) after some prose.
fn end_mark(lines: &[Line], values: &[f64]) -> Option<usize> {
    let prose = |range: &[f64]| range.iter().filter(|v| **v > 0.0).sum::<f64>();
    lines.iter().enumerate().position(|(i, line)| {
        let short = line.text.chars().count() <= END_MARK_LINE;
        let before = prose(&values[..i]);
        (short
            && END_MARK.is_match(&line.text)
            && before >= 100.0
            && before > prose(&values[i + 1..]))
            || (short && AFTER_ARTICLE.is_match(&line.text) && before >= 100.0)
    })
}

/// Characters a linked headline of a teaser has.
const TEASER_HEADLINE: std::ops::RangeInclusive<usize> = 8..=60;
/// Prose the article must have before a teaser stream can start.
const PROSE_BEFORE_TEASERS: f64 = 40.0;

/// Where a stream of at least two teasers (a line that is one link of headline length,
/// followed within two lines by prose) starts after the article's first prose.
fn teasers(lines: &[Line], values: &[f64]) -> Option<usize> {
    let is_headline_link = |line: &Line| {
        let chars = line.text.chars().filter(|c| !c.is_whitespace()).count();
        TEASER_HEADLINE.contains(&chars) && line.link_chars * 10 >= chars * 9
    };
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            is_headline_link(&lines[i])
                && values[i + 1..].iter().take(2).any(|v| *v >= 20.0)
                && values[..i].iter().filter(|v| **v > 0.0).sum::<f64>() >= PROSE_BEFORE_TEASERS
        })
        .collect();
    (starts.len() >= 2).then(|| starts[0])
}

/// The contiguous run with the largest total, widened over the worthless lines (labels,
/// pictures) at its edges. An empty or all-negative input keeps everything: there is no better cut.
fn best_run(values: &[f64]) -> (usize, usize) {
    let (mut best, mut best_range) = (0.0, None);
    let (mut sum, mut from) = (0.0, 0);
    for (i, value) in values.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            from = i;
        }
        sum += value;
        if sum > best {
            best = sum;
            best_range = Some((from, i + 1));
        }
    }
    let Some((mut start, mut stop)) = best_range else {
        return (0, values.len());
    };
    while start > 0 && values[start - 1] == 0.0 {
        start -= 1;
    }
    while stop < values.len() && values[stop] == 0.0 {
        stop += 1;
    }
    (start, stop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, linked: bool) -> Line {
        Line {
            text: text.into(),
            html: text.into(),
            link_chars: if linked {
                text.chars().filter(|c| !c.is_whitespace()).count()
            } else {
                0
            },
        }
    }

    fn kept(lines: Vec<Line>) -> Vec<String> {
        article_lines(lines).into_iter().map(|l| l.text).collect()
    }

    const PROSE: &str =
        "自党史学习教育开展以来，我市把“我为群众办实事”实践活动作为落脚点，办成了一批民生实事。";

    #[test]
    fn another_story_after_the_editor_line_is_cut() {
        let lines = vec![
            line(PROSE, false),
            line(PROSE, false),
            line(PROSE, false),
            line("责任编辑：王五", false),
            line("香港警方：示威行动未发生致命事件", false),
            line(PROSE, false),
        ];
        assert_eq!(kept(lines), [PROSE, PROSE, PROSE]);
    }

    #[test]
    fn a_related_list_after_the_article_is_cut_and_an_inline_ad_stays() {
        let lines = vec![
            line(PROSE, false),
            line("广告", false),
            line(PROSE, false),
            line("相关新闻标题一号很长很长", true),
            line("相关新闻标题二号很长很长", true),
            line("相关新闻标题三号很长很长", true),
        ];
        assert_eq!(kept(lines), [PROSE, "广告", PROSE]);
    }

    #[test]
    fn a_stream_of_teasers_after_the_article_is_cut() {
        let lines = vec![
            line(PROSE, false),
            line(PROSE, false),
            line("日本央行维持利率不变 日圆续跌", true),
            line(
                "路透报道，日本央行周二维持利率不变，符合市场预期，日圆兑美元续跌至34年低位。",
                false,
            ),
            line("3小时前", false),
            line("港股收市 恒指跌逾百点", true),
            line(
                "恒生指数今日收市下跌120点，成交额约900亿元，科技股普遍走弱，内房股逆市上扬。",
                false,
            ),
        ];
        assert_eq!(kept(lines), [PROSE, PROSE]);
    }

    #[test]
    fn one_linked_headline_inside_an_article_is_not_a_stream() {
        let lines = vec![
            line(PROSE, false),
            line("十堰召开民生实事推进会部署下阶段工作", true),
            line(PROSE, false),
        ];
        assert_eq!(kept(lines).len(), 3);
    }

    #[test]
    fn comments_after_the_article_are_cut_however_long() {
        let mut lines = vec![line(PROSE, false), line(PROSE, false), line(PROSE, false)];
        lines.push(line("热门评论 7条", false));
        for _ in 0..6 {
            lines.push(line(PROSE, false));
            lines.push(line("13小时前", false));
        }
        assert_eq!(kept(lines), [PROSE, PROSE, PROSE]);
    }

    #[test]
    fn an_editor_line_at_the_top_cuts_nothing() {
        let lines = vec![
            line("编辑：王五", false),
            line(PROSE, false),
            line(PROSE, false),
        ];
        assert_eq!(kept(lines), ["编辑：王五", PROSE, PROSE]);
    }
}
