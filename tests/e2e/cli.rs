//! The command line: `check` and exit codes on bad config, and output into a pipe whose
//! reader has gone.

use std::process::{Command, Stdio};

use crate::support::{Fixture, Install, Reply, entries, numbered, rss};

#[test]
fn check_accepts_a_good_config_and_names_file_line_and_key_of_errors() {
    let good = "title = \"t\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"https://news.example/rss\"\n";
    let install = Install::new(&[("good", good)]);
    let output = install.cmd(&["check"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "ok: 1 feeds, 1 sources"
    );

    let bad = "title = \"t\"\n[[sources]]\nname = \"t\"\nkind = \"feed\"\nurl = \"https://news.example/rss\"\nschedule = \"*/5 * *\"\n\
               [[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"https://news.example/other\"\n";
    install.write_feed("bad", bad);
    for command in ["check", "run", "fetch"] {
        let output = install.cmd(&[command]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("feeds/bad.toml:6: `sources[0].schedule`: `*/5 * *` has 3 fields"),
            "{stderr}"
        );
        assert!(
            stderr
                .contains("good.toml: `sources.name`: source name `s` is already used in bad.toml"),
            "{stderr}"
        );
    }
}

#[test]
fn unknown_source_names_and_bad_usage_exit_2() {
    let good = "title = \"t\"\n[[sources]]\nname = \"s\"\nkind = \"feed\"\nurl = \"https://news.example/rss\"\n";
    let install = Install::new(&[("good", good)]);
    let output = install.cmd(&["fetch", "nosuch"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no source named `nosuch`"));
    assert_eq!(install.cmd(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn fetch_into_a_pipe_whose_reader_has_gone_still_stores_every_source() {
    let fixture = Fixture::start();
    let mut feed = "title = \"t\"\n".to_string();
    for name in ["a", "b", "c"] {
        let path = format!("/{name}.xml");
        let articles: Vec<_> = (0..3).map(|i| numbered(name, i)).collect();
        fixture.set(&path, Reply::rss(rss(name, &articles)));
        feed.push_str(&format!(
            "[[sources]]\nname = \"{name}\"\nkind = \"feed\"\nurl = \"{}\"\n",
            fixture.url(&path)
        ));
    }
    let install = Install::new(&[("t", &feed)]);
    // As `paperboy fetch | head -0` would: the reading end is closed before anything is
    // written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(["fetch", "-c"])
        .arg(install.config())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(entries(&install.publish()["t"]).len(), 9);
}
