//! Images that load: entries' `<img>` ask for no referrer, and with `[images] proxy`
//! they point to signed `/img/…` addresses that the daemon serves; an unsigned or altered
//! address is refused, and so is anything that is not an image.

use crate::support::{Article, Fixture, Install, Reply, entries, rss};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn srcs(html: &str) -> Vec<String> {
    html.split("src=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .collect()
}

#[test]
fn the_image_proxy_serves_only_signed_images() {
    let fixture = Fixture::start();
    fixture.set("/pic.png", Reply::ok("image/png", PNG));
    // Says it is an image; is a page.
    fixture.set(
        "/fake.jpg",
        Reply::ok("image/jpeg", "<html><body>hi</body></html>"),
    );
    let body = format!(
        "<p>现场图片：</p><p><img src=\"{}\"></p><p><img src=\"{}\"></p>",
        fixture.url("/pic.png?w=640&h=480"),
        fixture.url("/fake.jpg")
    );
    fixture.set(
        "/rss.xml",
        Reply::rss(rss(
            "图",
            &[Article::new(
                "民生实事现场",
                "http://news.example.cn/1.html",
                Some("2026-11-20 08:00:00"),
                &body,
            )],
        )),
    );
    fixture.set("/pic.png?w=640&h=480", Reply::ok("image/png", PNG));
    let feed = format!(
        "title = \"图\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"{}\"\n",
        fixture.url("/rss.xml")
    );

    // Without the proxy: the origin's address, asking for no referrer.
    let plain = Install::new(&[("t", &feed)]);
    assert_eq!(plain.fetch(&[]).0, 0);
    let content = entries(&plain.publish()["t"])[0].content.clone();
    assert!(
        content.contains("referrerpolicy=\"no-referrer\""),
        "{content}"
    );
    assert_eq!(srcs(&content)[0], fixture.url("/pic.png?w=640&h=480"));

    let install = Install::with_settings(&[("t", &feed)], "[images]\nproxy = true");
    assert_eq!(install.fetch(&[]).0, 0);
    let daemon = install.daemon();
    let content = entries(&daemon.get("/feeds/t.atom").1)[0].content.clone();
    let addresses = srcs(&content);
    let base = format!("http://127.0.0.1:{}/img/", install.port);
    assert!(addresses.iter().all(|a| a.starts_with(&base)), "{content}");
    let path = |address: &str| address.trim_start_matches(&daemon.base).to_string();
    let crate::support::install::Got(status, headers, bytes) =
        daemon.get_with(&path(&addresses[0]), &[]);
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(bytes, PNG);
    let etag = headers["etag"].to_str().unwrap().to_string();
    let crate::support::install::Got(status, _, _) =
        daemon.get_with(&path(&addresses[0]), &[("if-none-match", &etag)]);
    assert_eq!(status, 304);
    // Served from the cache the second time.
    assert_eq!(fixture.hits("/pic.png?w=640&h=480").len(), 1);

    // Not an image: refused.
    assert_eq!(daemon.get(&path(&addresses[1])).0, 415);
    // An altered address, an altered signature, no signature: refused.
    let original = path(&addresses[0]);
    let (signature, encoded) = original
        .trim_start_matches("/img/")
        .split_once('/')
        .unwrap();
    let other = path(&addresses[1]);
    let other_encoded = other.trim_start_matches("/img/").split_once('/').unwrap().1;
    assert_eq!(
        daemon.get(&format!("/img/{signature}/{other_encoded}")).0,
        403
    );
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    assert_eq!(
        daemon
            .get(&format!("/img/{flipped}{}/{encoded}", &signature[1..]))
            .0,
        403
    );
    assert_eq!(daemon.get(&format!("/img/x/{encoded}")).0, 403);
    assert_eq!(daemon.terminate(), Some(0));
}
