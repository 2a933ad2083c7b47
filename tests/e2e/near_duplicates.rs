//! Near-duplicate detection on a labelled pair set built from the seed articles and the
//! eval-dev bodies: reprints (retitled, byline dropped, paragraphs cut, cut to 70 %,
//! paragraphs swapped, punctuation width changed, an editor's note added, page chrome
//! around it) must merge; different articles, above all the five seed reports on one
//! campaign, must not.

use paperboy::normalize::near_dup::{normalize, same_article, similarity};

fn shared(path: &str) -> std::path::PathBuf {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")).join(path)
}

/// The body texts the pairs are built from, a paragraph a line.
fn bases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seeds: Vec<_> = std::fs::read_dir(shared("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    for path in seeds {
        let text = std::fs::read_to_string(&path).unwrap();
        let body = text.rsplit("---").next().unwrap();
        let plain =
            paperboy::normalize::plain_text(&body.replace("</p>", "\n").replace('\n', "<br>"));
        let lines: Vec<&str> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let paragraphs: Vec<String> = lines
            .iter()
            .map(|l| {
                paperboy::normalize::plain_text(l)
                    .trim_start_matches('#')
                    .trim()
                    .to_string()
            })
            .filter(|l| !l.is_empty())
            .collect();
        assert!(!plain.is_empty());
        out.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            paragraphs.join("\n"),
        ));
    }
    let mut pages: Vec<_> = std::fs::read_dir(shared("eval-dev"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    for page in pages {
        let Ok(text) = std::fs::read_to_string(page.join("expected.json")) else {
            continue;
        };
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        if let Some(content) = expected["content"].as_str() {
            if normalize(content).len() >= 300 {
                out.push((
                    page.file_name().unwrap().to_string_lossy().into_owned(),
                    content.to_string(),
                ));
            }
        }
    }
    out
}

fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '，' => ',',
            '。' => '.',
            '：' => ':',
            '；' => ';',
            '！' => '!',
            '？' => '?',
            '（' => '(',
            '）' => ')',
            '“' | '”' => '"',
            other => other,
        })
        .collect()
}

/// The reprints of a text, each with a name.
fn variants(text: &str) -> Vec<(&'static str, String)> {
    let p = paragraphs(text);
    let join = |list: &[String]| list.join("\n");
    let is_byline = |l: &String| {
        l.contains("记者") || l.contains("通讯员") || l.contains("作者") || l.starts_with('□')
    };
    let no_byline: Vec<String> = p.iter().filter(|l| !is_byline(l)).cloned().collect();
    let no_byline = if no_byline.len() == p.len() {
        p[1..].to_vec()
    } else {
        no_byline
    };
    let seventy: String = text.chars().take(text.chars().count() * 7 / 10).collect();
    let mut swapped = p.clone();
    for pair in swapped.chunks_mut(2) {
        pair.reverse();
    }
    let last = p.len().saturating_sub(1).max(1);
    vec![
        ("retitled", format!("（本网转载）\n{text}")),
        ("byline dropped", join(&no_byline)),
        ("first paragraph cut", join(&p[1..])),
        ("last paragraph cut", join(&p[..last])),
        ("first and last cut", join(&p[1.min(last)..last])),
        ("cut to 70%", seventy.clone()),
        ("paragraphs swapped", join(&swapped)),
        ("punctuation width", half_width(text)),
        (
            "editor's note",
            format!("编者按：为深入学习贯彻会议精神，本报今起推出系列报道，敬请关注。\n{text}"),
        ),
        (
            "page chrome",
            format!(
                "首页 > 新闻中心 > 正文\n{text}\n责任编辑：张三\n扫一扫，关注微信公众号\n版权所有 © 2022 某某网 鲁ICP备12345678号"
            ),
        ),
        (
            "70% without byline, half-width",
            half_width(
                &join(&no_byline)
                    .chars()
                    .take(join(&no_byline).chars().count() * 7 / 10)
                    .collect::<String>(),
            ),
        ),
    ]
}

#[test]
fn reprints_merge_and_different_articles_never_do() {
    let bases = bases();
    assert!(bases.len() >= 19, "{} bases", bases.len());
    let (mut true_pos, mut false_neg, mut false_pos, mut true_neg) = (0, 0, 0, 0);
    let mut lowest_positive = 1.0f64;
    let mut highest_negative = 0.0f64;
    for (name, text) in &bases {
        for (kind, variant) in variants(text) {
            let sim = similarity(text, &variant);
            lowest_positive = lowest_positive.min(sim);
            if same_article(text, &variant).is_some() {
                true_pos += 1;
            } else {
                false_neg += 1;
                println!("missed: {name} / {kind} (similarity {sim:.3})");
            }
        }
    }
    // Different articles: every pair of bases, and every reprint of one base against the
    // others.
    for (i, (a_name, a)) in bases.iter().enumerate() {
        for (b_name, b) in bases.iter().skip(i + 1) {
            let mut pairs = vec![("base", b.clone())];
            if a_name.ends_with(".txt") && b_name.ends_with(".txt") {
                pairs.extend(variants(b));
            }
            for (kind, other) in pairs {
                highest_negative = highest_negative.max(similarity(a, &other));
                if same_article(a, &other).is_some() {
                    false_pos += 1;
                    println!("merged different articles: {a_name} / {b_name} {kind}");
                } else {
                    true_neg += 1;
                }
            }
        }
    }
    let positives = true_pos + false_neg;
    let negatives = false_pos + true_neg;
    let precision = true_pos as f64 / (true_pos + false_pos).max(1) as f64;
    let recall = true_pos as f64 / positives as f64;
    println!(
        "pairs: {positives} positive, {negatives} negative; precision {precision:.3}, recall {recall:.3}; \
         lowest positive similarity {lowest_positive:.3}, highest negative {highest_negative:.3}"
    );
    assert!(
        positives >= 200 && negatives >= 200,
        "{positives} / {negatives}"
    );
    assert_eq!(false_pos, 0, "precision must be 1.00");
    // The near-duplicate index must keep what it found (0.990 with 32 bands of k-hash
    // MinHash; 0.995 with one-permutation MinHash in 16 bands of 3).
    assert!(recall >= 0.99, "recall {recall:.3}");
}
