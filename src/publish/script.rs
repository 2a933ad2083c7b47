//! Traditional ↔ Simplified conversion of what a feed shows (`convert`), with OpenCC's
//! dictionaries and phrase rules (ferrous-opencc). Markup passes through unchanged: the
//! dictionaries hold only Chinese text.

use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

use super::post::Post;
use crate::config::Conversion;

/// Each converter is built once, when first used.
static TO_SIMPLIFIED: LazyLock<Option<OpenCC>> = LazyLock::new(|| build(BuiltinConfig::T2s));
static TO_TRADITIONAL: LazyLock<Option<OpenCC>> = LazyLock::new(|| build(BuiltinConfig::S2t));

fn build(config: BuiltinConfig) -> Option<OpenCC> {
    OpenCC::from_config(config)
        .inspect_err(|err| tracing::error!(error = %err, "the script converter did not load"))
        .ok()
}

/// Converts the titles, bylines, categories and text of `posts`.
pub fn convert(posts: &mut [Post], conversion: Conversion) {
    let converter = match conversion {
        Conversion::ToSimplified => &*TO_SIMPLIFIED,
        Conversion::ToTraditional => &*TO_TRADITIONAL,
    };
    let Some(converter) = converter else { return };
    for post in posts {
        post.title = converter.convert(&post.title);
        for text in [&mut post.author, &mut post.summary, &mut post.content]
            .into_iter()
            .flatten()
        {
            *text = converter.convert(text);
        }
        for category in &mut post.categories {
            *category = converter.convert(category);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::post::local_time;

    #[test]
    fn hong_kong_text_reads_as_simplified_and_back() {
        let at = local_time(0, chrono_tz::Asia::Hong_Kong);
        let mut posts = vec![Post {
            id: "x".into(),
            title: "香港特區政府發表施政報告".into(),
            link: None,
            related: Vec::new(),
            published: at,
            updated: at,
            author: Some("記者 陳大文".into()),
            summary: None,
            content: Some("<p class=\"lead\">這個計劃會幫助更多長者。</p>".into()),
            categories: vec!["港聞".into()],
            enclosure: None,
        }];
        convert(&mut posts, Conversion::ToSimplified);
        assert_eq!(posts[0].title, "香港特区政府发表施政报告");
        assert_eq!(posts[0].author.as_deref(), Some("记者 陈大文"));
        assert_eq!(
            posts[0].content.as_deref(),
            Some("<p class=\"lead\">这个计划会帮助更多长者。</p>")
        );
        assert_eq!(posts[0].categories, ["港闻"]);
        convert(&mut posts, Conversion::ToTraditional);
        assert_eq!(posts[0].title, "香港特區政府發表施政報告");
    }
}
