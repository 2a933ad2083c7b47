//! The charset detector and the extractor never panic: on arbitrary bytes, on real pages
//! cut anywhere, and on adversarial markup. Bounded case counts keep CI fast.

use paperboy::charset::decode;
use paperboy::extract::{Overrides, extract};
use proptest::prelude::*;

fn run(bytes: &[u8]) {
    let text = decode(bytes, Some("text/html; charset=utf-8")).text;
    let url = url::Url::parse("http://news.example/2024/0517/a.html").unwrap();
    let _ = extract(
        &text,
        Some(&url),
        &Overrides::default(),
        chrono_tz::Asia::Shanghai,
    );
}

fn pages() -> Vec<Vec<u8>> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pages");
    std::fs::read_dir(fixtures)
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        run(&bytes);
    }

    #[test]
    fn markup_soup(parts in proptest::collection::vec(prop_oneof![
        Just("<div class=\"content\">"), Just("</div>"), Just("<p>"), Just("</p>"), Just("<a href=\"x\">"),
        Just("</a>"), Just("<br>"), Just("日期: 2021-11-16 08:15"), Just("来源："), Just("记者"),
        Just("相关阅读"), Just("<h1>"), Just("</h1>"), Just("<script>"), Just("正文，内容。"),
        Just("<meta charset=gbk>"), Just("<title>标题_网站</title>"), Just("\u{0}"), Just("&#xD800;"),
    ], 0..200)) {
        run(parts.concat().as_bytes());
    }

    #[test]
    fn real_pages_cut_anywhere(page in 0usize..3, cut in any::<prop::sample::Index>()) {
        let pages = pages();
        let bytes = &pages[page % pages.len()];
        run(&bytes[..cut.index(bytes.len() + 1)]);
    }
}

#[test]
fn deep_nesting_and_huge_lines() {
    let deep = format!(
        "{}正文，内容。{}",
        "<div>".repeat(20_000),
        "</div>".repeat(20_000)
    );
    run(deep.as_bytes());
    let wide = format!("<p>{}</p>", "很长的一段话，".repeat(100_000));
    run(wide.as_bytes());
    let many = "<p>短句。</p>".repeat(50_000);
    run(many.as_bytes());
}
