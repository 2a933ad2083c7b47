//! Page-heavy sources behave: article fetches are spaced per host, an article link to a
//! stub that redirects in HTML gives the page it names, an article listed twice in one
//! run is fetched once, a slow article holds up only its own source, a run that fails
//! half-way keeps what it stored and resumes, and `fetch --dry-run` / `check --fetch`
//! show what a source yields and which selectors match nothing.

use std::time::Duration;

use crate::support::{
    Fixture, Install, Reply, article_page as article, column_page as list, entries, html_source,
};

#[test]
fn article_fetches_to_one_host_are_spaced_by_host_delay() {
    let fixture = Fixture::start();
    let paths = ["/a/1.html", "/a/2.html", "/a/3.html"];
    fixture.set("/list.html", Reply::ok("text/html", list(&paths)));
    for (i, path) in paths.iter().enumerate() {
        fixture.set(
            path,
            Reply::ok("text/html", article(&format!("第{i}篇报道"))),
        );
    }
    let feed = format!(
        "title = \"t\"\n{}",
        html_source("s", &fixture, "/list.html")
    );
    let install = Install::with_fetch(&[("t", &feed)], "", "host_delay = \"300ms\"");
    let (code, out) = install.fetch(&[]);
    assert_eq!((code, out.trim()), (0, "s: 3 new, 0 updated, 0 unchanged"));
    let hits = fixture.all_hits();
    assert_eq!(hits.len(), 4);
    for pair in hits.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(280),
            "{} then {} after {gap:?}",
            pair[0].path,
            pair[1].path
        );
    }
}

#[test]
fn an_article_link_to_a_stub_that_redirects_in_html_gives_the_page_it_names() {
    let fixture = Fixture::start();
    let paths = ["/a/1.html", "/a/2.html", "/a/3.html"];
    fixture.set("/list.html", Reply::ok("text/html", list(&paths)));
    fixture.set(
        "/a/1.html",
        Reply::ok(
            "text/html",
            r#"<html><head><meta http-equiv="refresh" content="0; url=/a/one.html"></head><body>正在跳转</body></html>"#,
        ),
    );
    fixture.set("/a/one.html", Reply::ok("text/html", article("第一篇报道")));
    fixture.set(
        "/a/2.html",
        Reply::ok(
            "text/html",
            "<html><body><script>window.location.href = '/a/two.html';</script></body></html>",
        ),
    );
    fixture.set("/a/two.html", Reply::ok("text/html", article("第二篇报道")));
    // A full page that sends phones elsewhere is read as it is.
    fixture.set(
        "/a/3.html",
        Reply::ok(
            "text/html",
            article("第三篇报道")
                .replace(
                    "<div class=footer>",
                    &format!("<p>{}</p><div class=footer>", "全市累计为群众办实事。".repeat(30)),
                )
                .replace(
                    "</body>",
                    "<script>if (/Mobile/.test(navigator.userAgent)) location.href = '/m/3.html';</script></body>",
                ),
        ),
    );
    let feed = format!(
        "title = \"t\"\n{}",
        html_source("s", &fixture, "/list.html")
    );
    let install = Install::new(&[("t", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!((code, out.trim()), (0, "s: 3 new, 0 updated, 0 unchanged"));
    let published = install.publish();
    let texts: Vec<String> = entries(&published["t"])
        .into_iter()
        .map(|entry| entry.content)
        .collect();
    assert_eq!(texts.len(), 3);
    for title in ["第一篇报道", "第二篇报道", "第三篇报道"] {
        let lead = format!("本报讯 {title}");
        assert!(
            texts.iter().any(|t| t.contains(&lead)),
            "{title}: {texts:?}"
        );
    }
    assert_eq!(fixture.hits("/a/one.html").len(), 1);
    assert_eq!(fixture.hits("/a/two.html").len(), 1);
    assert!(fixture.hits("/m/3.html").is_empty());
}

#[test]
fn an_article_listed_twice_in_one_run_is_fetched_once() {
    let fixture = Fixture::start();
    fixture.set(
        "/list.json",
        Reply::ok(
            "application/json",
            r#"{"data":[{"id":"a1","t":"第一篇"},{"id":"a2","t":"第二篇"},{"id":"a1","t":"第一篇"}]}"#,
        ),
    );
    for (id, text) in [("a1", "第一篇报道的正文。"), ("a2", "第二篇报道的正文。")]
    {
        fixture.set(
            &format!("/detail?id={id}"),
            Reply::ok("application/json", format!(r#"{{"text":"{text}"}}"#)),
        );
    }
    let feed = format!(
        "title = \"t\"\n[[sources]]\nname = \"s\"\nkind = \"json\"\nurl = \"{}\"\nitems = \"/data\"\n\
         id = \"/id\"\ntitle = \"/t\"\ndetail = \"{}?id={{id}}\"\ndetail_content = \"/text\"\n",
        fixture.url("/list.json"),
        fixture.url("/detail"),
    );
    let install = Install::new(&[("t", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!((code, out.trim()), (0, "s: 2 new, 0 updated, 1 unchanged"));
    assert_eq!(fixture.hits("/detail?id=a1").len(), 1);
    assert_eq!(entries(&install.publish()["t"]).len(), 2);
}

#[test]
fn a_slow_article_holds_up_only_its_own_source() {
    let fixture = Fixture::start();
    fixture.set(
        "/slow/list.html",
        Reply::ok("text/html", list(&["/slow/1.html", "/slow/2.html"])),
    );
    fixture.set("/slow/1.html", Reply::Hang);
    fixture.set("/slow/2.html", Reply::ok("text/html", article("慢的报道")));
    fixture.set(
        "/fast/list.html",
        Reply::ok("text/html", list(&["/fast/1.html"])),
    );
    fixture.set("/fast/1.html", Reply::ok("text/html", article("快的报道")));
    let feed = format!(
        "title = \"t\"\n{}{}",
        html_source("slow", &fixture, "/slow/list.html"),
        html_source("fast", &fixture, "/fast/list.html")
    );
    let install = Install::new(&[("t", &feed)]);
    let (code, out) = install.fetch(&[]);
    assert_eq!(code, 0, "a failed article is not a failed source: {out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "fast: 1 new, 0 updated, 0 unchanged",
            "slow: 1 new, 0 updated, 0 unchanged, 1 failed"
        ]
    );

    // When every article it tried failed, the source failed: of the extraction kind.
    fixture.set(
        "/slow/list.html",
        Reply::ok("text/html", list(&["/slow/3.html", "/slow/4.html"])),
    );
    fixture.set("/slow/3.html", Reply::Hang);
    fixture.set("/slow/4.html", Reply::status(404, &[]));
    let (code, out) = install.fetch(&["slow"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("slow: error: all 2 article pages failed; the first:"),
        "{out}"
    );
    let status = install.cmd(&["status"]);
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("slow: failing (extraction)"), "{status}");
}

#[test]
fn a_run_that_fails_half_way_keeps_what_it_stored_and_resumes() {
    let fixture = Fixture::start();
    let paths = ["/a/1.html", "/a/2.html", "/a/3.html"];
    fixture.set(
        "/list.html",
        Reply::ok("text/html", list(&paths)).with_etag("l1"),
    );
    fixture.set(paths[0], Reply::ok("text/html", article("第一篇")));
    fixture.set(paths[1], Reply::status(500, &[]));
    fixture.set(paths[2], Reply::ok("text/html", article("第三篇")));
    let feed = format!(
        "title = \"t\"\n{}",
        html_source("s", &fixture, "/list.html")
    );
    let install = Install::new(&[("t", &feed)]);
    let (_, out) = install.fetch(&[]);
    assert_eq!(out.trim(), "s: 2 new, 0 updated, 0 unchanged, 1 failed");
    assert_eq!(entries(&install.publish()["t"]).len(), 2);

    // The list has not changed (same ETag), but the failed article is retried.
    fixture.set(paths[1], Reply::ok("text/html", article("第二篇")));
    let (_, out) = install.fetch(&[]);
    assert_eq!(out.trim(), "s: 1 new, 0 updated, 2 unchanged");
    let titles: Vec<String> = entries(&install.publish()["t"])
        .into_iter()
        .map(|e| e.title)
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert_eq!(fixture.hits(paths[0]).len(), 1);
    // Now the list's ETag is used.
    let (_, out) = install.fetch(&[]);
    assert_eq!(out.trim(), "s: not modified");
}

#[test]
fn dry_run_and_check_show_what_a_source_yields_and_which_selectors_match_nothing() {
    let fixture = Fixture::start();
    fixture.set("/list.html", Reply::ok("text/html", list(&["/a/1.html"])));
    fixture.set("/a/1.html", Reply::ok("text/html", article("试运行的报道")));
    let good = format!(
        "title = \"t\"\n{}content = \"div.content\"\n",
        html_source("good", &fixture, "/list.html")
    );
    let bad = format!(
        "title = \"u\"\n[[sources]]\nname = \"bad\"\nkind = \"html\"\nurl = \"{}\"\nlinks = \"a.nothing\"\n\
         [[sources]]\nname = \"wrong-body\"\nkind = \"html\"\nurl = \"{}\"\nlinks = \"a.t\"\ncontent = \"#no-such-body\"\n",
        fixture.url("/list.html"),
        fixture.url("/list.html")
    );
    let install = Install::new(&[("t", &good), ("u", &bad)]);

    let output = install.cmd(&["fetch", "--dry-run", "good"]);
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}");
    assert!(
        out.contains("good: 1 items (dry run, nothing stored)"),
        "{out}"
    );
    assert!(
        out.contains("2022-01-25T09:36:00+08:00  试运行的报道  http://"),
        "{out}"
    );
    assert!(
        entries(&install.publish()["t"]).is_empty(),
        "a dry run stores nothing"
    );

    let output = install.cmd(&["check", "--fetch"]);
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "warnings do not fail check: {out}");
    assert!(out.contains("good: ok (1 items)"), "{out}");
    assert!(
        out.contains(&format!(
            "bad: warning: `links` matched no article link on {}",
            fixture.url("/list.html")
        )),
        "{out}"
    );
    assert!(
        out.contains("wrong-body: warning: `content` selector matched nothing on"),
        "{out}"
    );
}

#[test]
fn bad_kind_keys_are_config_errors() {
    let cases = [
        (
            "[[sources]]\nname = \"a\"\nkind = \"html\"\nurl = \"http://x.example/\"\n",
            "`sources[0].links`: kind `html` needs `links`",
        ),
        (
            "[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"http://x.example/\"\nlinks = \"a\"\n",
            "`sources[0].links`: does not apply to kind `feed`",
        ),
        (
            "[[sources]]\nname = \"a\"\nkind = \"html\"\nurl = \"http://x.example/\"\nlinks = \"a[\"\n",
            "`sources[0].links`: `a[` is not a CSS selector",
        ),
        (
            "[[sources]]\nname = \"a\"\nkind = \"json\"\nurl = \"http://x.example/\"\nitems = \"data\"\ntitle = \"/t\"\n",
            "`sources[0].items`: `data` is not a JSON Pointer",
        ),
        (
            "[[sources]]\nname = \"a\"\nkind = \"epaper\"\nurl = \"http://x.example/node_1.htm\"\npages = \"a\"\nlinks = \"a\"\n",
            "needs the issue date in it",
        ),
        (
            "[[sources]]\nname = \"a\"\nkind = \"epaper\"\nurl = \"http://x.example/{date:%Q}/1.htm\"\npages = \"a\"\nlinks = \"a\"\n",
            "`%Q` is not a strftime format",
        ),
    ];
    for (source, expected) in cases {
        let install = Install::new(&[("f", &format!("title = \"t\"\n{source}"))]);
        let output = install.cmd(&["check"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{source}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
        assert!(stderr.contains("feeds/f.toml:"), "{stderr}");
    }
}

#[test]
fn an_article_split_over_two_pages_is_one_entry_with_the_whole_body() {
    let fixture = Fixture::start();
    crate::sites::serve(
        &fixture,
        "paged",
        "/xwdt/syyw/202111",
        crate::sites::today(),
        &[],
    );
    let feed = format!(
        "title = \"十堰要闻\"\n[[sources]]\nname = \"paged\"\nkind = \"html\"\nurl = \"{}\"\nlinks = \"ul.list a\"\n",
        fixture.url("/xwdt/syyw/202111/index.shtml")
    );
    let install = Install::with_fetch(&[("sy", &feed)], "", "host_delay = \"0s\"");
    let (code, out) = install.fetch(&[]);
    assert_eq!(
        (code, out.trim()),
        (0, "paged: 1 new, 0 updated, 0 unchanged")
    );
    assert_eq!(
        fixture
            .hits("/xwdt/syyw/202111/t20211116_3391234_1.shtml")
            .len(),
        1
    );
    let entries = entries(&install.publish()["sy"]);
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry.title, "解急难愁盼 办民生实事");
    assert_eq!(
        entry.link.as_deref(),
        Some(
            fixture
                .url("/xwdt/syyw/202111/t20211116_3391234.shtml")
                .as_str()
        )
    );
    // The first page's opening, the second page's opening and its close, once each.
    for paragraph in [
        "自党史学习教育开展以来",
        "用心用情圆梦群众“微心愿”",
        "一件件办成的实事,一个个落地的项目",
    ] {
        assert_eq!(
            entry.content.matches(paragraph).count(),
            1,
            "{paragraph}: {}",
            entry.content
        );
    }
    for chrome in ["下一页", "上一页", "相关链接", "版权所有"] {
        assert!(
            !entry.content.contains(chrome),
            "{chrome}: {}",
            entry.content
        );
    }
}
