//! Finding the article body: the element whose text units add up to the most prose.
//!
//! Every text unit is worth its characters when it reads as prose (Chinese punctuation,
//! little link text) and costs them when it is navigation (mostly links) or a label (short,
//! no punctuation); units under chrome-named elements (comments, share bars, related
//! lists) cost too. The body is the element with the highest total — so it takes in every
//! paragraph and stops where the chrome around them would cost more than it adds.
//! Written here because the readability ports score English commas and class names and
//! know nothing of Chinese page chrome.

use std::sync::LazyLock;

use ego_tree::NodeRef;
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use super::dom::{self, NodeId, NodeMap, NodeSet, Unit};
use super::marks::{self, Mark};

/// Headings of the lists that follow articles: the section under one is chrome.
static CHROME_HEADINGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\W*(?:(?:相关|相關)(?:阅读|閱讀|新闻|新聞|文章|推荐|推薦|链接|報導|报道)|推荐(?:阅读|新闻|文章)|猜你喜欢|",
        r"你可能(?:还|還)?(?:想看|喜欢|喜歡|感兴趣|也想看)|大家都在看|热门(?:推荐|文章|新闻|排行)|熱門|",
        r"更多(?:新闻|精彩|推荐|文章)|延伸(?:阅读|閱讀)|精彩推荐|为你推荐|今日推荐|排行榜|往期(?:回顾|精选))",
    ))
    .expect("valid regex")
});

/// The chosen body, and the nodes inside it that are left out.
pub struct Body {
    pub roots: Vec<NodeId>,
    pub removed: NodeSet,
    /// The first paragraph of prose in the body, where the headline stands just above.
    pub first_prose: Option<NodeId>,
}

/// Finds the body; `content` and `exclude` are override selectors from a source's config.
pub fn find(document: &Html, content: Option<&Selector>, exclude: &[Selector]) -> Body {
    let mut removed: NodeSet = exclude
        .iter()
        .flat_map(|s| document.select(s).map(|e| e.id()))
        .collect();
    if let Some(selector) = content {
        let roots: Vec<NodeId> = document.select(selector).map(|e| e.id()).collect();
        if !roots.is_empty() {
            return Body {
                roots,
                removed,
                first_prose: None,
            };
        }
    }
    let body = dom::body(document);
    let units = dom::units(*body);
    let totals = totals(&document.tree, &units);
    let regions = headed_chrome(&document.tree, &units, &totals);
    let (root, first_prose, sums) = best_root(*body, &units, &totals, &regions);
    let (root, siblings_left_out) = with_sibling_parts(&document.tree, root, &sums, &totals);
    removed.extend(siblings_left_out);
    let root_ref = document.tree.get(root).expect("a node of this document");
    remove_chrome(root_ref, &units, &totals, &mut removed);
    removed.extend(regions);
    Body {
        roots: vec![root],
        removed,
        first_prose,
    }
}

/// How far up from its text a unit's value is carried. An article body sits a few
/// levels above its paragraphs; the cap keeps pathological nesting linear.
const MAX_LIFT: usize = 48;

/// A node and its ancestors, nearest first, at most `MAX_LIFT` of them.
fn lineage<'a>(node: NodeRef<'a, Node>) -> impl Iterator<Item = NodeRef<'a, Node>> {
    std::iter::once(node).chain(node.ancestors()).take(MAX_LIFT)
}

/// The value of one unit of text to the element that holds it.
fn value(unit: &Unit, under_chrome: bool) -> f64 {
    let chars = unit.chars as f64;
    let own = (unit.chars - unit.link_chars) as f64;
    let value = if unit.link_density() > 0.5 {
        -chars
    } else if (unit.punctuation == 0 && unit.chars < 20) || unit.letters * 2 < unit.chars {
        // A label, or figures (quotes, scores, dates).
        -0.5 * chars
    } else {
        own
    };
    if under_chrome {
        -value.abs() * 0.5
    } else {
        value
    }
}

/// Whether the block or one of its near ancestors is named like chrome: strong chrome
/// always, weak chrome where that element holds little text or mostly links. `seen`
/// keeps each element's mark, read once for all the blocks below it.
fn under_chrome(
    node: NodeRef<'_, Node>,
    totals: &NodeMap<Totals>,
    seen: &mut NodeMap<Mark>,
) -> bool {
    lineage(node)
        .take(5)
        .filter_map(ElementRef::wrap)
        .any(
            |el| match *seen.entry(el.id()).or_insert_with(|| marks::of(el.value())) {
                Mark::Strong => true,
                Mark::Weak => totals.get(&el.id()).copied().unwrap_or_default().is_minor(),
                Mark::Content | Mark::None => false,
            },
        )
}

/// Characters (and link characters) below each node, counted once for the page.
#[derive(Default, Clone, Copy)]
struct Totals {
    chars: usize,
    link_chars: usize,
}

impl Totals {
    /// Little text, or mostly links: what a weakly chrome-named element must be to count
    /// as chrome.
    fn is_minor(&self) -> bool {
        self.chars < 300 || self.link_chars * 2 > self.chars
    }
}

fn totals(tree: &ego_tree::Tree<Node>, units: &dom::Units) -> NodeMap<Totals> {
    let mut totals: NodeMap<Totals> = NodeMap::default();
    for (block, unit) in &units.by_block {
        let node = tree.get(*block).expect("a node of this document");
        for ancestor in lineage(node) {
            let total = totals.entry(ancestor.id()).or_default();
            total.chars += unit.chars;
            total.link_chars += unit.link_chars;
        }
    }
    totals
}

/// Sections headed "相关阅读", "你可能还想看" and the like: in the smallest element around
/// such a heading that holds more than it, the part from the heading on (what comes
/// before a heading is never its list).
fn headed_chrome(
    tree: &ego_tree::Tree<Node>,
    units: &dom::Units,
    totals: &NodeMap<Totals>,
) -> NodeSet {
    let mut regions = NodeSet::default();
    for block in &units.order {
        let unit = &units.by_block[block];
        if unit.chars > 12 || !CHROME_HEADINGS.is_match(&unit.text) {
            continue;
        }
        let node = tree.get(*block).expect("a node of this document");
        let mut child = node;
        for ancestor in lineage(node).skip(1) {
            if totals.get(&ancestor.id()).map_or(0, |t| t.chars) > unit.chars + 20 {
                regions.insert(child.id());
                regions.extend(child.next_siblings().map(|s| s.id()));
                break;
            }
            child = ancestor;
        }
    }
    regions
}

fn best_root(
    body: NodeRef<'_, Node>,
    units: &dom::Units,
    totals: &NodeMap<Totals>,
    regions: &NodeSet,
) -> (NodeId, Option<NodeId>, NodeMap<(f64, usize)>) {
    let tree = body.tree();
    let mut sums: NodeMap<(f64, usize)> = NodeMap::default();
    let mut values = Vec::with_capacity(units.order.len());
    let mut marks = NodeMap::default();
    for block in &units.order {
        let unit = &units.by_block[block];
        let node = tree.get(*block).expect("a node of this document");
        let in_region = lineage(node).any(|a| regions.contains(&a.id()));
        // Headings are labels of what follows, never prose: the headline above an
        // article must not pull the body's element up to the page header around it,
        // while a heading that reads as a label or a link still costs.
        let heading = lineage(node).take(3).any(|a| {
            a.value()
                .as_element()
                .is_some_and(|el| matches!(el.name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
        });
        let value = value(unit, in_region || under_chrome(node, totals, &mut marks));
        let value = if heading { value.min(0.0) } else { value };
        values.push(value);
        for (level, ancestor) in lineage(node).enumerate() {
            let entry = sums.entry(ancestor.id()).or_insert((0.0, 0));
            entry.0 += value;
            // Deeper nodes win ties: remember how far below the body this one is.
            entry.1 = entry.1.max(MAX_LIFT - level);
            if ancestor.id() == body.id() {
                break;
            }
        }
    }
    let best = sums
        .iter()
        .filter(|(id, _)| tree.get(**id).is_some_and(|n| n.value().is_element()))
        .max_by(|a, b| {
            (a.1)
                .0
                .partial_cmp(&(b.1).0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| (a.1).1.cmp(&(b.1).1))
        })
        .map(|(id, (sum, _))| (*id, *sum));
    let root = match best {
        Some((id, sum)) if sum > 10.0 => id,
        _ => body.id(),
    };
    let first_prose = units
        .order
        .iter()
        .zip(&values)
        .find(|(block, value)| {
            **value >= 10.0
                && tree
                    .get(**block)
                    .is_some_and(|n| lineage(n).any(|a| a.id() == root))
        })
        .map(|(block, _)| *block);
    (root, first_prose, sums)
}

/// A sibling part of the body is worth at least this share of the chosen element.
const SIBLING_SHARE: f64 = 0.2;
/// ...and this much prose at least.
const SIBLING_MIN: f64 = 40.0;

/// An article split into sibling blocks — wrappers per paragraph group, separated by
/// inline ads — has its best part chosen alone. When siblings of the chosen element that
/// are built like it (same element, same class) hold prose of their own (worth a share of
/// it, with few links), their parent is the body, without the siblings that are not.
fn with_sibling_parts(
    tree: &ego_tree::Tree<Node>,
    root: NodeId,
    sums: &NodeMap<(f64, usize)>,
    totals: &NodeMap<Totals>,
) -> (NodeId, Vec<NodeId>) {
    let Some(node) = tree.get(root) else {
        return (root, Vec::new());
    };
    let Some(parent) = node.parent().filter(|p| {
        p.value()
            .as_element()
            .is_some_and(|el| !matches!(el.name(), "body" | "html"))
    }) else {
        return (root, Vec::new());
    };
    let own = sums.get(&root).map_or(0.0, |(sum, _)| *sum);
    let shape = |id: NodeId| {
        tree.get(id)
            .and_then(|n| n.value().as_element())
            .map(|el| (el.name().to_string(), el.attr("class").map(str::to_string)))
    };
    let root_shape = shape(root);
    let is_part = |id: NodeId| {
        let sum = sums.get(&id).map_or(0.0, |(sum, _)| *sum);
        let total = totals.get(&id).copied().unwrap_or_default();
        id == root
            || (shape(id) == root_shape
                && sum >= SIBLING_MIN.max(own * SIBLING_SHARE)
                && total.link_chars * 3 < total.chars)
    };
    let children: Vec<NodeId> = parent
        .children()
        .filter(|c| c.value().is_element())
        .map(|c| c.id())
        .collect();
    let parts = children.iter().filter(|id| is_part(**id)).count();
    if parts < 2 {
        return (root, Vec::new());
    }
    let left_out = children.into_iter().filter(|id| !is_part(*id)).collect();
    (parent.id(), left_out)
}

/// Marks chrome inside the chosen body: chrome-named elements that are short or mostly
/// links, and lines of links.
fn remove_chrome(
    root: NodeRef<'_, Node>,
    units: &dom::Units,
    totals: &NodeMap<Totals>,
    removed: &mut NodeSet,
) {
    for node in root.descendants().skip(1) {
        let Some(element) = ElementRef::wrap(node) else {
            continue;
        };
        let minor = totals
            .get(&node.id())
            .copied()
            .unwrap_or_default()
            .is_minor();
        if minor && marks::is_chrome(element.value()) {
            removed.insert(node.id());
        }
    }
    for (block, unit) in &units.by_block {
        if unit.link_density() > 0.6 && unit.chars < 100 {
            let inside = root
                .tree()
                .get(*block)
                .is_some_and(|n| lineage(n).any(|a| a.id() == root.id()));
            if inside {
                removed.insert(*block);
            }
        }
    }
}
