//! Images as readers load them: every `<img>` asks for no referrer (hosts that refuse
//! hotlinking look at it), and with the image proxy on, its address becomes the proxy's
//! signed one. Rewritten with lol_html, a streaming HTML rewriter.

use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use url::Url;

use crate::image_proxy::Signer;

/// `html` with its images made loadable by readers; through the proxy at `base` when a
/// signer is given.
pub fn for_readers(html: &str, proxy: Option<(&Signer, &Url)>) -> String {
    let settings = RewriteStrSettings {
        element_content_handlers: vec![element!("img", |img| {
            rewrite(img, proxy);
            Ok(())
        })],
        ..RewriteStrSettings::new()
    };
    // The HTML was sanitized before it was stored; should the rewriter still refuse it,
    // it goes out as it is.
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

fn rewrite(img: &mut Element<'_, '_>, proxy: Option<(&Signer, &Url)>) {
    let _ = img.set_attribute("referrerpolicy", "no-referrer");
    let Some((signer, base)) = proxy else { return };
    let Some(src) = img.get_attribute("src") else {
        return;
    };
    // Attribute values come as written: `&amp;` and the like still escaped.
    let src = quick_xml::escape::unescape(&src).map_or(src.clone(), |s| s.into_owned());
    if !(src.starts_with("http://") || src.starts_with("https://")) {
        return;
    }
    if let Ok(proxied) = base.join(&signer.path(&src)) {
        let _ = img.set_attribute("src", proxied.as_str());
        // Other sizes would load from the origin.
        img.remove_attribute("srcset");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_ask_for_no_referrer_and_go_through_the_proxy() {
        let html = r#"<p>图：<img src="https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&amp;tp=webp" srcset="https://mmbiz.qpic.cn/a/1280 2x" alt="现场"></p>"#;
        let plain = for_readers(html, None);
        assert!(plain.contains(r#"referrerpolicy="no-referrer""#), "{plain}");
        assert!(plain.contains("srcset"), "{plain}");
        let signer = Signer::new(vec![1; 32]);
        let base = Url::parse("http://news.local/").unwrap();
        let proxied = for_readers(html, Some((&signer, &base)));
        let path = signer.path("https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&tp=webp");
        assert!(
            proxied.contains(&format!(r#"src="http://news.local/{path}""#)),
            "{proxied}"
        );
        assert!(!proxied.contains("srcset"), "{proxied}");
        assert!(proxied.contains(r#"alt="现场""#), "{proxied}");
    }
}
