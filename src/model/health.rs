//! How a source's runs are going: the kinds of failure a user tells apart, a source's
//! standing (failing since when, with what), and the events of its breaking and
//! recovering that the health feed shows.

use serde::{Deserialize, Serialize};

/// The subject of the configuration's own standing and events (a reload that failed).
pub const CONFIG_SUBJECT: &str = "(config)";

/// What kind of failure a run had. Stored: append new kinds at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The host name does not resolve.
    Dns,
    /// No connection (refused, reset, TLS).
    Connect,
    Timeout,
    /// The server answered with an error status.
    Http,
    /// The address is private and the source may not fetch it, or too many redirects.
    Refused,
    /// The answer was larger than `max_body`.
    TooLarge,
    /// The document could not be read as its kind (malformed XML/JSON).
    Parse,
    /// The listing's selector or pointer matched nothing.
    NothingMatched,
    /// An e-paper edition was published with no articles.
    EmptyEdition,
    /// The source listed far fewer items than in its recent runs.
    YieldDropped,
    /// Every article page the run tried failed.
    Extraction,
    /// The store could not be read or written.
    Store,
    /// A configuration edit could not be loaded.
    Config,
    Other,
}

impl ErrorKind {
    /// The kind's name in status lines, metrics labels and the health feed.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Dns => "dns",
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Http => "http",
            ErrorKind::Refused => "refused",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Parse => "parse",
            ErrorKind::NothingMatched => "nothing_matched",
            ErrorKind::EmptyEdition => "empty_edition",
            ErrorKind::YieldDropped => "yield_dropped",
            ErrorKind::Extraction => "extraction",
            ErrorKind::Store => "store",
            ErrorKind::Config => "config",
            ErrorKind::Other => "other",
        }
    }
}

/// A source's (or the configuration's) standing, kept between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// When the current run of failures began (UTC milliseconds); `None` while healthy.
    pub failing_since: Option<i64>,
    pub kind: Option<ErrorKind>,
    pub error: Option<String>,
}

/// A source broke or recovered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthEvent {
    /// UTC milliseconds.
    pub at: i64,
    /// The source's name, or `config` for the configuration.
    pub subject: String,
    /// `Some` when it broke: the kind and the error; `None` when it recovered.
    pub failure: Option<(ErrorKind, String)>,
    /// When it broke, for a recovery.
    pub since: Option<i64>,
}

impl Standing {
    /// Takes a run's outcome at `at`; returns the event when the standing changed
    /// (healthy → failing, or failing → healthy). A failure of another kind while failing
    /// updates the error without a new event.
    pub fn take(
        &mut self,
        subject: &str,
        at: i64,
        failure: Option<(ErrorKind, String)>,
    ) -> Option<HealthEvent> {
        match (self.failing_since, failure) {
            (None, Some((kind, error))) => {
                *self = Standing {
                    failing_since: Some(at),
                    kind: Some(kind),
                    error: Some(error.clone()),
                };
                Some(HealthEvent {
                    at,
                    subject: subject.to_string(),
                    failure: Some((kind, error)),
                    since: None,
                })
            }
            (Some(_), Some((kind, error))) => {
                self.kind = Some(kind);
                self.error = Some(error);
                None
            }
            (Some(since), None) => {
                *self = Standing::default();
                Some(HealthEvent {
                    at,
                    subject: subject.to_string(),
                    failure: None,
                    since: Some(since),
                })
            }
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaking_and_recovering_are_events_once() {
        let mut standing = Standing::default();
        assert_eq!(standing.take("s", 1, None), None);
        let broke = standing
            .take("s", 2, Some((ErrorKind::Dns, "no such host".into())))
            .unwrap();
        assert_eq!(broke.failure.as_ref().unwrap().0, ErrorKind::Dns);
        assert_eq!(
            standing.take("s", 3, Some((ErrorKind::Timeout, "slow".into()))),
            None
        );
        assert_eq!(standing.failing_since, Some(2));
        assert_eq!(standing.kind, Some(ErrorKind::Timeout));
        let recovered = standing.take("s", 4, None).unwrap();
        assert_eq!((recovered.failure, recovered.since), (None, Some(2)));
        assert_eq!(standing, Standing::default());
    }
}
