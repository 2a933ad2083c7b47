//! Loading whole config directories: paths, defaults and error reports.

use super::load;
use std::fs;

fn write_config(daemon: &str, feeds: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("config")).unwrap();
    fs::create_dir_all(dir.path().join("feeds")).unwrap();
    fs::write(dir.path().join("config/paperboy.toml"), daemon).unwrap();
    for (name, text) in feeds {
        fs::write(dir.path().join("feeds").join(name), text).unwrap();
    }
    dir
}

const FEED: &str = "title = \"t\"\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"https://example.com/rss\"\n";

#[test]
fn relative_paths_resolve_against_the_config_file() {
    let dir = write_config("", &[("news.toml", FEED)]);
    let settings = load(&dir.path().join("config/paperboy.toml")).unwrap();
    assert_eq!(settings.data_dir, dir.path().join("config/../data"));
    assert_eq!(settings.feeds[0].slug, "news");
    assert_eq!(settings.feeds[0].sources[0].feed, "news");
    assert_eq!(settings.entries, 100);
    assert_eq!(settings.base_url.as_str(), "http://127.0.0.1:8080/");
}

#[test]
fn errors_name_file_line_and_key() {
    let bad = "title = \"t\"\nschedule = \"* * *\"\n[[sources]]\nname = \"a\"\nkind = \"feed\"\nurl = \"not a url\"\n";
    let dir = write_config("timezone = \"Mars/Base\"\n", &[("x.toml", bad)]);
    let err = load(&dir.path().join("config/paperboy.toml")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("paperboy.toml:1: `timezone`"), "{text}");
    // The daemon file failed, so feed files were not read yet.
    assert_eq!(err.0.len(), 1);

    let dir = write_config("", &[("x.toml", bad)]);
    let err = load(&dir.path().join("config/paperboy.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.toml:2: `schedule`"), "{err}");
    assert!(err.contains("x.toml:6: `sources[0].url`"), "{err}");
}

#[test]
fn unknown_keys_and_duplicate_names_are_errors() {
    let unknown = format!("{FEED}colour = \"red\"\n");
    let dir = write_config("", &[("x.toml", &unknown)]);
    let err = load(&dir.path().join("config/paperboy.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("x.toml:6") && err.contains("colour"), "{err}");

    let dir = write_config("", &[("x.toml", FEED), ("y.toml", FEED)]);
    let err = load(&dir.path().join("config/paperboy.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("y.toml") && err.contains("`a` is already used in x.toml"),
        "{err}"
    );

    let dir = write_config("[fetch]\nspeed = 3\n", &[("x.toml", FEED)]);
    let err = load(&dir.path().join("config/paperboy.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("paperboy.toml:2") && err.contains("speed"),
        "{err}"
    );
}

#[test]
fn a_preset_supplies_the_edition_template_and_selectors() {
    use super::SourceKind;
    let paper = "title = \"t\"\n[[sources]]\nname = \"p\"\nkind = \"epaper\"\npreset = \"founder-new\"\nurl = \"http://paper.example.cn/jxrb/\"\nlinks = \"#mylist a\"\n";
    let dir = write_config("", &[("p.toml", paper)]);
    let settings = load(&dir.path().join("config/paperboy.toml")).unwrap();
    let SourceKind::Epaper(rules) = &settings.feeds[0].sources[0].kind else {
        panic!("an e-paper");
    };
    assert_eq!(
        rules.edition.as_str(),
        "http://paper.example.cn/jxrb/pc/layout/{date:%Y%m}/{date:%d}/node_01.html"
    );
    // The source's own key wins over the family's.
    let page = scraper::Html::parse_fragment(
        "<div id=mylist><a href=a>a</a></div><div id=articlelist><a href=b>b</a></div>",
    );
    assert_eq!(page.select(&rules.links).count(), 1);
    assert!(
        rules.article.content.is_some(),
        "the family's body selector"
    );

    let unknown = paper.replace("founder-new", "founder-old");
    let dir = write_config("", &[("p.toml", &unknown)]);
    let text = load(&dir.path().join("config/paperboy.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("p.toml:5: `sources[0].preset`: `founder-old` is not an e-paper family (founder-new, founder-classic, paperindex, jinhua)"),
        "{text}"
    );
}
