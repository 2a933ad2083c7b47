//! The headline: not the `<title>` with `_十堰市人民政府` or `-新浪网` appended.
//!
//! Candidates come from meta tags (og:title and kin, JSON-LD `headline`, e-paper hidden
//! inputs), `<h1>`/`<h2>` and elements whose class or id says title. Each is scored by its
//! kind, its length, its agreement with the `<title>` (a news page's `<title>` almost
//! always starts with the headline) and its place: the headline stands just above the
//! body, or at the top of the element that holds it, while sidebar boxes' headings stand
//! beside or after it. That is what finds an `<h3>` or `<h5>` headline on a page whose
//! `<h1>` is the site's logo and whose `<title>` is only the site's name.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Selector};

use super::dom::{NodeId, NodeMap, NodeSet, class_and_id, fold_whitespace, text_of};
use super::metadata::Metadata;

/// Separators between a headline and the site name in a `<title>`.
const SEPARATORS: &[&str] = &["_", " - ", "-", "|", "｜", " — ", "—", "–", "--", "·"];

/// What the stripped `<title>` scores against the other candidates.
const TITLE_ITSELF: f64 = 2.5;

/// The chosen headline, and its element when it has one on the page.
pub struct Headline {
    pub text: String,
    pub node: Option<NodeId>,
}

struct Candidate {
    text: String,
    node: Option<NodeId>,
    weight: f64,
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// How far above the body's first paragraph (in characters) a headline may stand.
const ABOVE_BODY: usize = 400;

/// Finds the headline; `chosen` is an override selector from the source's config, `body`
/// the first paragraph of the article found on the page.
pub fn find(
    document: &Html,
    meta: &Metadata,
    chosen: Option<&Selector>,
    body: Option<NodeId>,
) -> Headline {
    if let Some(selector) = chosen {
        if let Some(element) = document.select(selector).next() {
            return Headline {
                text: text_of(element),
                node: Some(element.id()),
            };
        }
    }
    let page_title = meta.page_title.clone().unwrap_or_default();
    let page_title_squeezed = squeeze(&page_title);
    let mut candidates = Vec::new();
    for (text, weight) in &meta.titles {
        candidates.push(Candidate {
            text: strip_site_name(text),
            node: None,
            weight: *weight,
        });
    }
    collect_elements(document, &mut candidates);
    candidates.retain(|c| c.text.chars().count() >= 2);
    demote_containers(document, &mut candidates);
    let places = text_offsets(
        document,
        candidates
            .iter()
            .filter_map(|c| c.node)
            .chain(body)
            .collect(),
    );
    let body_place = body.and_then(|b| places.get(&b).copied());

    let mut best: Option<(f64, &Candidate)> = None;
    for candidate in &candidates {
        let squeezed = squeeze(&candidate.text);
        let length = squeezed.chars().count();
        let mut score = candidate.weight;
        if !page_title_squeezed.is_empty() {
            if page_title_squeezed.starts_with(&squeezed) {
                score += 3.0 + 2.0 * (length as f64 / page_title_squeezed.chars().count() as f64);
            } else if page_title_squeezed.contains(&squeezed) {
                score += 1.0;
            }
        }
        score += match length {
            0..=3 => -3.0,
            4..=7 => 0.0,
            8..=60 => 1.0,
            61..=100 => 0.0,
            _ => -4.0,
        };
        if meta
            .site_name
            .as_deref()
            .is_some_and(|site| squeeze(site) == squeezed)
        {
            score -= 5.0;
        }
        if is_breadcrumb(&squeezed) {
            score -= 4.0;
        }
        if let (Some((body_start, _)), Some((_, end))) = (
            body_place,
            candidate.node.and_then(|n| places.get(&n).copied()),
        ) {
            // Nearest above the first paragraph scores most; below it, a heading is a
            // subheading or another box's.
            if end <= body_start && body_start - end <= ABOVE_BODY {
                score += 3.0 * (1.0 - (body_start - end) as f64 / (2 * ABOVE_BODY) as f64);
            } else if end > body_start {
                score -= 1.0;
            }
        }
        if best.is_none_or(|(top, _)| score > top) {
            best = Some((score, candidate));
        }
    }
    // The `<title>` itself, site name stripped, when no candidate beats a modest score:
    // it gets no agreement bonus, so a real headline element that disagrees with a
    // generic `<title>` still wins, while stray headings and labels do not.
    let stripped = strip_site_name(&page_title);
    if stripped.chars().count() >= 4 && best.is_none_or(|(score, _)| score < TITLE_ITSELF) {
        let node = element_with_text(document, &stripped);
        return Headline {
            text: stripped,
            node,
        };
    }
    match best {
        Some((_, candidate)) => {
            let node = candidate
                .node
                .or_else(|| element_with_text(document, &candidate.text));
            // A heading that holds the whole `<title>` and a little more carries a label
            // (`原创`, `独家`, `视频`) in front of or after the headline.
            let text = if stripped.chars().count() >= 8
                && squeeze(&candidate.text).contains(&squeeze(&stripped))
                && candidate.text.chars().count() <= stripped.chars().count() + 6
            {
                stripped
            } else {
                candidate.text.clone()
            };
            Headline { text, node }
        }
        None => Headline {
            text: strip_site_name(&page_title),
            node: None,
        },
    }
}

/// A candidate that holds another candidate's element and more text (a title box with
/// the headline and its subtitle or meta line) is the box, not the headline.
fn demote_containers(document: &Html, candidates: &mut [Candidate]) {
    let nodes: Vec<(NodeId, usize)> = candidates
        .iter()
        .filter_map(|c| c.node.map(|n| (n, squeeze(&c.text).chars().count())))
        .collect();
    for candidate in candidates.iter_mut() {
        let Some(node) = candidate.node.and_then(|n| document.tree.get(n)) else {
            continue;
        };
        let length = squeeze(&candidate.text).chars().count();
        let holds_smaller = nodes.iter().any(|(inner, inner_length)| {
            *inner != node.id()
                && *inner_length >= 4
                && *inner_length < length
                && document
                    .tree
                    .get(*inner)
                    .is_some_and(|n| n.ancestors().any(|a| a.id() == node.id()))
        });
        if holds_smaller {
            candidate.weight -= 2.0;
        }
    }
}

/// Where each of `nodes` starts and ends in the page's text, in characters.
fn text_offsets(document: &Html, nodes: NodeSet) -> NodeMap<(usize, usize)> {
    let mut places = NodeMap::default();
    let mut offset = 0;
    for edge in super::dom::visible(document.tree.root(), super::dom::nothing_removed()) {
        match edge {
            Edge::Open(node) => {
                if let scraper::Node::Text(text) = node.value() {
                    offset += text.chars().filter(|c| !c.is_whitespace()).count();
                } else if nodes.contains(&node.id()) {
                    places.insert(node.id(), (offset, offset));
                }
            }
            Edge::Close(node) => {
                if let Some(place) = places.get_mut(&node.id()) {
                    place.1 = offset;
                }
            }
        }
    }
    places
}

/// A "you are here" trail (`首页 - 新闻动态`, `当前位置：…`), never a headline.
fn is_breadcrumb(squeezed: &str) -> bool {
    [
        "首页",
        "当前位置",
        "您的位置",
        "你的位置",
        "您现在的位置",
        "所在位置",
    ]
    .iter()
    .any(|mark| squeezed.starts_with(mark))
        || squeezed.contains("当前位置")
}

/// Headline-like elements: `<h1>`, early `<h2>`s, the other headings, and title-classed
/// elements.
fn collect_elements(document: &Html, out: &mut Vec<Candidate>) {
    let headings = Selector::parse("h1, h2").expect("valid selector");
    for (i, element) in document.select(&headings).enumerate().take(12) {
        let weight = if element.value().name() == "h1" {
            3.0
        } else {
            1.0 - i as f64 * 0.05
        };
        push_element(element, weight, out);
    }
    let minor = Selector::parse("h3, h4, h5, h6").expect("valid selector");
    for element in document
        .select(&minor)
        .filter(|e| link_share(*e) < 1.0)
        .take(30)
    {
        push_element(element, 0.5, out);
    }
    let titled = Selector::parse("[class], [id]").expect("valid selector");
    let mut seen = 0;
    for element in document.select(&titled) {
        let name = element.value().name();
        if matches!(
            name,
            "h1" | "h2" | "body" | "html" | "a" | "title" | "meta" | "link" | "script" | "style"
        ) {
            continue;
        }
        let marks = class_and_id(element.value());
        let titled = ["title", "biaoti", "headline", "font01", "bt"]
            .iter()
            .any(|mark| {
                marks.split([' ', '-', '_']).any(|word| {
                    word == *mark || word.ends_with("title") || word.starts_with("title")
                })
            });
        if titled && !marks.contains("sub") && !marks.contains("nav") {
            push_element(element, 2.0, out);
            seen += 1;
            if seen == 20 {
                break;
            }
        }
    }
}

fn push_element(element: ElementRef<'_>, weight: f64, out: &mut Vec<Candidate>) {
    let text = text_of(element);
    let length = text.chars().count();
    if !(2..=120).contains(&length) {
        return;
    }
    // A headline is no menu (mostly links), no logo (a link home), and holds no byline or
    // date line: an element around the headline and its meta line is not the headline.
    let menu = link_share(element) > 0.5 && length > 30;
    let weight = if menu || is_home_link(element) {
        weight - 4.0
    } else if HEADLINE_LABELS.is_match(&text) {
        weight - 3.0
    } else {
        weight
    };
    out.push(Candidate {
        text,
        node: Some(element.id()),
        weight,
    });
}

/// Labels and times of a meta line, which no headline holds.
static HEADLINE_LABELS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?:发布时间|发布日期|来源|來源|作者|责任编辑|浏览次数)\s*[:：]|\d{1,2}[-/月]\d{1,2}日?\s*\d{1,2}:\d{2}",
    )
    .expect("valid regex")
});

/// The share of an element's text inside links.
fn link_share(element: ElementRef<'_>) -> f64 {
    let links = Selector::parse("a").expect("valid selector");
    let linked: usize = element
        .select(&links)
        .map(|a| squeeze(&text_of(a)).chars().count())
        .sum();
    let all = squeeze(&text_of(element)).chars().count();
    if all == 0 {
        0.0
    } else {
        linked as f64 / all as f64
    }
}

/// A site's logo: all of the element's text is one link to the site's front page.
fn is_home_link(element: ElementRef<'_>) -> bool {
    let links = Selector::parse("a[href]").expect("valid selector");
    let mut anchors = element.select(&links);
    let (Some(only), None) = (anchors.next(), anchors.next()) else {
        return false;
    };
    let href = only.value().attr("href").unwrap_or("").trim();
    let home = matches!(
        href,
        "/" | "./" | "../" | "index.html" | "index.htm" | "index.shtml"
    ) || url::Url::parse(href).is_ok_and(|u| u.path() == "/" && u.query().is_none());
    home && link_share(element) >= 0.99
}

/// The element whose whole text is `text`, preferring headings.
fn element_with_text(document: &Html, text: &str) -> Option<NodeId> {
    let target = squeeze(text);
    let headings = Selector::parse("h1, h2, h3, [class], [id]").expect("valid selector");
    document
        .select(&headings)
        .filter(|element| !matches!(element.value().name(), "html" | "body" | "title" | "head"))
        .find(|element| squeeze(&text_of(*element)) == target)
        .map(|element| element.id())
}

/// Drops trailing segments that name the site: `标题_十堰市人民政府` → `标题`.
pub fn strip_site_name(title: &str) -> String {
    let mut title = fold_whitespace(title);
    loop {
        let cut = SEPARATORS
            .iter()
            .filter_map(|sep| title.rfind(sep).map(|at| (at, sep.len())))
            .max_by_key(|(at, _)| *at);
        let Some((at, len)) = cut else { break };
        let (head, tail) = (title[..at].trim(), title[at + len..].trim());
        // Only a short tail is a site or channel name; a long one is part of the headline.
        if head.chars().count() >= 4 && tail.chars().count() <= 16 {
            title = head.to_string();
        } else if head.is_empty() {
            title = tail.to_string();
            break;
        } else {
            break;
        }
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headline(html: &str) -> String {
        let document = Html::parse_document(html);
        find(
            &document,
            &super::super::metadata::read(&document),
            None,
            None,
        )
        .text
    }

    #[test]
    fn the_title_wins_over_stray_headings_but_not_over_a_headline() {
        assert_eq!(
            headline(
                "<title>市政府召开常务会议_某市政府网</title><h2>相关新闻</h2><div class=\"hot-title\">热点</div>"
            ),
            "市政府召开常务会议"
        );
        assert_eq!(
            headline("<title>某市政府网</title><h1>市政府召开常务会议研究部署工作</h1>"),
            "市政府召开常务会议研究部署工作"
        );
        assert_eq!(
            headline(
                "<title>市政府召开常务会议 研究部署工作_某市政府网</title><h1>市政府召开常务会议 研究部署工作</h1>"
            ),
            "市政府召开常务会议 研究部署工作"
        );
    }

    #[test]
    fn logos_menus_and_title_boxes_are_not_headlines() {
        let page = r#"<title>首页</title><h1><a href="/">某某省人民政府网站</a></h1>
            <div class="article-title"><h2>山西品牌丝路行正式启动</h2><h3>成功举办双向经贸投资推介会</h3></div>
            <div class="info">发布时间：2019-09-18 06:23 来源：山西日报</div>
            <div class="content"><p>跨越千山万水，行程近两万公里，山西品牌丝路行首次登陆巴西，刷新“走出去”的最远纪录。当地时间9月16日下午，推介会在圣保罗举行。</p>
            <p>中国驻圣保罗总领馆副总领事在致辞中说，圣保罗是巴西乃至南美最大的经济、贸易、商业、金融中心。</p></div>"#;
        let document = Html::parse_document(page);
        let meta = super::super::metadata::read(&document);
        let body = super::super::body::find(&document, None, &[]);
        let found = find(&document, &meta, None, body.first_prose);
        assert_eq!(found.text, "山西品牌丝路行正式启动");
    }

    #[test]
    fn site_names_are_stripped() {
        assert_eq!(
            strip_site_name("解急难愁盼 办民生实事_十堰市人民政府"),
            "解急难愁盼 办民生实事"
        );
        assert_eq!(
            strip_site_name("悲慟！北市士林年邁母子 住處上吊自殺身亡 - 社會 - 中時"),
            "悲慟！北市士林年邁母子 住處上吊自殺身亡"
        );
        assert_eq!(
            strip_site_name("新华视界｜河北遵化：数字农机服务助力农业生产"),
            "新华视界｜河北遵化：数字农机服务助力农业生产"
        );
        assert_eq!(strip_site_name("-铜雀历史网"), "铜雀历史网");
    }
}
