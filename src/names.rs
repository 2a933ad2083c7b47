//! Slugs and source names made from titles: `a-z0-9-`, Chinese in pinyin, unique.

use std::collections::HashSet;

use pinyin::ToPinyin;

/// Longest slug or source name made from a title.
const MAX_NAME: usize = 40;

/// `a-z0-9-` from a title: Chinese characters in pinyin, other letters and digits kept,
/// the rest a dash; `fallback` when nothing is left.
pub fn slug_of(title: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if let Some(pinyin) = c.to_pinyin() {
            if !out.is_empty() && !out.ends_with('-') && out.ends_with(|c: char| c.is_ascii_digit())
            {
                out.push('-');
            }
            out.push_str(pinyin.plain());
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut slug: String = out.trim_matches('-').chars().take(MAX_NAME).collect();
    slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

/// `base`, or `base-2`, `base-3`… whichever is not taken yet; marks it taken.
pub fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_make_slugs() {
        assert_eq!(slug_of("人民日报", "x"), "renminribao");
        assert_eq!(slug_of("新闻 / 国内", "x"), "xinwen-guonei");
        assert_eq!(slug_of("36氪 Tech!", "x"), "36-ke-tech");
        assert_eq!(slug_of("★★", "feed"), "feed");
        let mut taken = HashSet::from(["a".to_string()]);
        assert_eq!(unique("a".into(), &mut taken), "a-2");
        assert_eq!(unique("a".into(), &mut taken), "a-3");
    }
}
