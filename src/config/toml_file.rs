//! Reading one TOML config file, and recording its problems with file, line and key.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::ConfigIssue;

/// Collects the problems of one file.
pub(super) struct FileIssues<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub issues: &'a mut Vec<ConfigIssue>,
}

impl FileIssues<'_> {
    pub fn at<T>(&mut self, spanned: Option<&Spanned<T>>, key: &str, message: String) {
        let line = spanned.map(|s| line_at(self.text, s.span().start));
        self.issues.push(ConfigIssue {
            path: self.path.to_path_buf(),
            line,
            key: Some(key.to_string()),
            message,
        });
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Reads a TOML file into `T`, recording a read or syntax error.
pub(super) fn read_toml<T: for<'de> Deserialize<'de>>(
    path: &Path,
    issues: &mut Vec<ConfigIssue>,
) -> Option<(T, String)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            issues.push(ConfigIssue {
                path: path.to_path_buf(),
                line: None,
                key: None,
                message: format!("cannot read: {err}"),
            });
            return None;
        }
    };
    match toml::from_str::<T>(&text) {
        Ok(value) => Some((value, text)),
        Err(err) => {
            issues.push(ConfigIssue {
                path: path.to_path_buf(),
                line: err.span().map(|span| line_at(&text, span.start)),
                key: None,
                message: err.message().trim().to_string(),
            });
            None
        }
    }
}

pub(super) fn resolve(base_dir: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base_dir.join(path)
    }
}
