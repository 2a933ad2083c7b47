//! Canonical URLs: one article, one address, however a source linked to it.
//!
//! The url crate already lower-cases hosts and drops default ports. Here the fragment and
//! tracking parameters go, and [`url_identity`] also drops the scheme and orders the query
//! so that `http://A/x?b=1&a=2#top` and `https://a/x?a=2&b=1&utm_source=rss` are one
//! article.

use url::Url;

/// Query parameters that only say where a click came from. `from` is the one Chinese
/// portals add to shared links (`?from=timeline`), `spm` Alibaba's tracking code.
const TRACKING_EXACT: &[&str] = &[
    "spm",
    "from",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "isappinstalled",
    "share_token",
    "share_from",
    "scene",
    "srcid",
    "wfr",
];

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING_EXACT.contains(&name.as_str())
}

/// The URL without fragment and tracking parameters: the link published for an item.
pub fn clean_url(url: &Url) -> Url {
    let mut clean = url.clone();
    clean.set_fragment(None);
    if clean.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(name, _)| !is_tracking(name))
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        if kept.is_empty() {
            clean.set_query(None);
        } else {
            clean.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    clean
}

/// The identity of the article at `url`: scheme-insensitive, query in a fixed order.
pub fn url_identity(url: &Url) -> String {
    let clean = clean_url(url);
    let mut pairs: Vec<(String, String)> = clean
        .query_pairs()
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    let mut identity = format!("//{}", clean.host_str().unwrap_or(""));
    if let Some(port) = clean.port() {
        identity.push_str(&format!(":{port}"));
    }
    identity.push_str(clean.path());
    if !pairs.is_empty() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        identity.push('?');
        identity.push_str(&query);
    }
    identity
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(text: &str) -> String {
        url_identity(&Url::parse(text).unwrap())
    }

    #[test]
    fn variants_of_one_article_share_an_identity() {
        let base = identity("https://news.example.com/a/1.html?id=7");
        for variant in [
            "http://news.example.com/a/1.html?id=7",
            "https://NEWS.example.com:443/a/1.html?id=7#comments",
            "http://news.example.com:80/a/1.html?utm_source=rss&id=7&utm_medium=feed",
            "https://news.example.com/a/1.html?spm=a2c4g.1&id=7&from=timeline",
        ] {
            assert_eq!(identity(variant), base, "{variant}");
        }
    }

    #[test]
    fn different_articles_differ() {
        assert_ne!(
            identity("https://a.example/x?id=7"),
            identity("https://a.example/x?id=8")
        );
        assert_ne!(
            identity("https://a.example/x"),
            identity("https://b.example/x")
        );
        assert_ne!(
            identity("https://a.example:8080/x"),
            identity("https://a.example/x")
        );
    }

    #[test]
    fn clean_url_keeps_scheme_and_order() {
        let url = Url::parse("https://a.example/x?b=2&utm_source=x&a=1#top").unwrap();
        assert_eq!(clean_url(&url).as_str(), "https://a.example/x?b=2&a=1");
        let url = Url::parse("https://a.example/x?utm_source=x").unwrap();
        assert_eq!(clean_url(&url).as_str(), "https://a.example/x");
    }
}
