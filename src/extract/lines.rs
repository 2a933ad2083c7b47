//! Line filters: chrome that only its words give away — editor lines, share and
//! follow-us prompts, copyright and ICP lines, the date-and-source line under the
//! headline — and the headline itself when the body repeats it.

use std::sync::LazyLock;

use regex::Regex;

use super::render::Line;

/// Lines longer than this are prose, whatever words they contain.
const SHORT: usize = 80;

static CHROME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"责任编辑|责编\s*[:：]|^\s*[(（\[【]?\s*编辑\s*[:：]|审核\s*[:：]|校对\s*[:：]|监制\s*[:：]|",
        r"扫一扫|扫码|二维码|关注(我们|微信|公众号|官方)|微信公众号|公众号[:：]|微信号[:：]|",
        r"分享到|分享至|^\s*分享\s*$|版权所有|版权声明|Copyright|ICP备|ICP证|网安备|",
        r"字号\s*[:：]?\s*[大中小]|【\s*(打印|关闭|收藏|纠错)|打印本页|关闭窗口|",
        r"^\s*上一篇|^\s*下一篇|相关(阅读|新闻|文章|链接|推荐)|返回(首页|顶部|列表)|",
        r"点击(进入|查看|阅读|关注)|免责声明|本文链接|原文链接|转载请注明|未经授权.{0,6}转载|",
        r"当前版\s*[:：]|^\s*标签\s*[:：]|阅读(量|数|次数)\s*[:：]?|浏览(次数|量)\s*[:：]?|",
        r"^\s*(举报|评论|打印|收藏|点赞|更多)\s*$|通版阅读|展开通版|收缩通版|下载.{0,6}客户端|",
        r"^\s*发布于|禁止.{0,4}转载|转载.{0,6}注明|转载申请|侵权行为|资讯请关注|欢迎关注|郑重声明|风险自担|不构成投资建议|",
        r"^\s*[(（]?\s*(?:文章|稿件|新闻)?来源\s*[:：][^，。,]{1,30}[)）]?\s*$|",
        r"^\s*[(（【\[]?\s*原(?:标)?题(?:为|是)?\s*[:：《]|^\s*[(（【\[]?\s*本文(?:来自|来源|转自|转载自)|",
        r"查看更多|字体\s*[:：]?\s*(?:放大|大\s*中)|浏览器不支持|上一页|下一页|上一頁|下一頁|尾页|末页",
    ))
    .expect("valid regex")
});

/// A label with nothing after it (`发布日期:` on a page that leaves it empty).
static EMPTY_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Han}{1,6}\s*[:：]\s*$").expect("valid regex"));

static META_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"来源|來源|作者|时间|日期|发布|编辑|浏览|阅读|字号|點閱|記者").expect("valid regex")
});

static A_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}").expect("valid regex")
});

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Keeps the lines of the article proper.
pub fn keep_article(lines: Vec<Line>, headline: &str) -> Vec<Line> {
    let headline = squeeze(headline);
    lines
        .into_iter()
        .filter(|line| {
            let text = line.text.trim();
            if text.is_empty() {
                return line.html.contains("<img");
            }
            let short = text.chars().count() <= SHORT;
            if short && !headline.is_empty() && squeeze(text) == headline {
                return false;
            }
            if short && (CHROME.is_match(text) || EMPTY_LABEL.is_match(text)) {
                return false;
            }
            // The date-and-source line under a headline, or a date alone.
            let date = A_DATE.find(text);
            let date_only =
                date.is_some() && text.chars().count() <= 24 && !text.contains(['，', '。']);
            !(short && date.is_some() && (META_WORDS.is_match(text) || date_only))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Line {
        Line {
            text: text.into(),
            html: text.into(),
            link_chars: 0,
        }
    }

    #[test]
    fn chrome_lines_go_and_prose_stays() {
        let lines = [
            "解急难愁盼 办民生实事",
            "日期: 2021-11-16 08:15:09 来源: 十堰日报",
            "自党史学习教育开展以来,我市把实践活动作为落脚点。",
            "责任编辑: 王五",
            "扫一扫在手机打开当前页",
            "版权所有:滨州日报 技术支持:大众网",
        ]
        .map(line)
        .to_vec();
        let kept: Vec<String> = keep_article(lines, "解急难愁盼 办民生实事")
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(kept, ["自党史学习教育开展以来,我市把实践活动作为落脚点。"]);
    }
}
