//! The command line: `check` and exit codes on bad config.

use crate::support::Install;

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
