//! The one HTTP client: timeouts, redirects, body cap, conditional GET and politeness.
//!
//! Only this module talks HTTP. It hands back bytes, never decoded text: decoding is the
//! charset module's job, because reqwest's `.text()` ignores `<meta charset>` and garbles
//! GBK pages.

mod guard;
mod politeness;

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use crate::config::FetchSettings;
use crate::model::health::ErrorKind;
use crate::telemetry;
use politeness::Politeness;

/// Redirects followed before a request fails.
const MAX_REDIRECTS: usize = 5;

pub use crate::model::Validators;

/// What a successful request gave.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing changed since the validators were given.
    NotModified,
    Page(Box<Page>),
}

/// A response body with what is needed to read it.
#[derive(Debug)]
pub struct Page {
    /// Address after redirects.
    pub url: Url,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub body: Vec<u8>,
    /// `body` decoded, once: the check for an HTML redirect and the adapter that reads
    /// the page both want the text.
    text: OnceLock<String>,
}

impl Page {
    pub fn new(
        url: Url,
        content_type: Option<String>,
        validators: Validators,
        body: Vec<u8>,
    ) -> Page {
        Page {
            url,
            content_type,
            validators,
            body,
            text: OnceLock::new(),
        }
    }

    /// The body as text, decoded by the charset rules the first time it is asked for and
    /// kept (a `body` changed after that is not decoded again).
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| self.decode())
    }

    /// The body as text, taken from the page.
    pub fn into_text(mut self) -> String {
        self.text.take().unwrap_or_else(|| self.decode())
    }

    fn decode(&self) -> String {
        crate::charset::decode(&self.body, self.content_type.as_deref()).text
    }
}

/// The HTTP client could not be built (a bad `user_agent`, no TLS roots).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(String);

/// Why a request failed; each names the URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: no answer within {after:?}")]
    Timeout { url: Url, after: Duration },
    #[error("{url}: body larger than the {limit}-byte limit (max_body)")]
    TooLarge { url: Url, limit: u64 },
    #[error("{url}: {source}")]
    Refused {
        url: Url,
        source: guard::PrivateAddress,
    },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: Url },
    #[error("{url}: HTTP {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        url: Url,
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    #[error("{url}: {message}")]
    Transport { url: Url, message: String },
}

impl FetchError {
    /// How long the server asked us to wait (429/503 with `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What kind of failure this is, for health and metrics.
    pub fn kind(&self) -> ErrorKind {
        match self {
            FetchError::Timeout { .. } => ErrorKind::Timeout,
            FetchError::TooLarge { .. } => ErrorKind::TooLarge,
            FetchError::Refused { .. } => ErrorKind::Refused,
            FetchError::TooManyRedirects { .. } | FetchError::Status { .. } => ErrorKind::Http,
            FetchError::Transport { message, .. } => {
                let message = message.to_ascii_lowercase();
                if ["dns error", "lookup address", "name or service not known"]
                    .iter()
                    .any(|mark| message.contains(mark))
                {
                    ErrorKind::Dns
                } else {
                    ErrorKind::Connect
                }
            }
        }
    }

    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The process's HTTP client.
pub struct Fetcher {
    /// Refuses private addresses (see [`guard`]).
    client: OnceLock<reqwest::Client>,
    /// For sources that set `allow_private`.
    open_client: OnceLock<reqwest::Client>,
    /// The `[fetch]` table: the clients are built from it, and requests bounded by it.
    settings: FetchSettings,
    politeness: Politeness,
}

impl Fetcher {
    /// The client most sources use (the `[fetch]` table's `allow_private` says which) is
    /// built now, so that a bad `user_agent` or missing TLS roots fail at start; the other
    /// one when a source first needs it. Each build reads the system's TLS roots, a few
    /// milliseconds of CPU.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, ClientError> {
        let fetcher = Fetcher {
            client: OnceLock::new(),
            open_client: OnceLock::new(),
            settings: settings.clone(),
            politeness: Politeness::new(settings.concurrency, settings.host_delay),
        };
        fetcher.client_for(settings.allow_private)?;
        Ok(fetcher)
    }

    /// The client for sources with or without `allow_private`, built on first use.
    fn client_for(&self, allow_private: bool) -> Result<&reqwest::Client, ClientError> {
        let cell = if allow_private {
            &self.open_client
        } else {
            &self.client
        };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        // Two requests may both build it; the first one stored is kept.
        let built = self.build(allow_private)?;
        Ok(cell.get_or_init(|| built))
    }

    fn build(&self, allow_private: bool) -> Result<reqwest::Client, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml,application/xml;q=0.9,application/atom+xml,application/rss+xml,application/json;q=0.8,*/*;q=0.5"),
        );
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("zh-CN,zh;q=0.9,en;q=0.5"),
        );
        let builder = reqwest::Client::builder()
            .user_agent(self.settings.user_agent.clone())
            .default_headers(headers)
            .connect_timeout(self.settings.connect_timeout)
            .timeout(self.settings.timeout);
        let builder = if allow_private {
            builder.redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        } else {
            let guarded_redirects = reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() > MAX_REDIRECTS {
                    attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
                } else if let Err(refused) = guard::check_url(attempt.url()) {
                    attempt.error(refused)
                } else {
                    attempt.follow()
                }
            });
            builder
                .dns_resolver(guard::PublicOnly)
                .redirect(guarded_redirects)
        };
        builder.build().map_err(|err| ClientError(err.to_string()))
    }

    /// GET `url`, conditionally when validators are given, under the `[fetch]` table's
    /// `allow_private`.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        self.get_for(url, validators, self.settings.allow_private)
            .await
    }

    /// GET `url` for a source whose `allow_private` is given.
    pub async fn get_for(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        allow_private: bool,
    ) -> Result<Fetched, FetchError> {
        if !allow_private {
            guard::check_url(url).map_err(|source| FetchError::Refused {
                url: url.clone(),
                source,
            })?;
        }
        let client = self
            .client_for(allow_private)
            .map_err(|err| FetchError::Transport {
                url: url.clone(),
                message: err.to_string(),
            })?;
        let _slot = self.politeness.acquire(url.host_str().unwrap_or("")).await;
        let started = std::time::Instant::now();
        let result = self.send(client, url, validators).await;
        let (outcome, status, bytes) = match &result {
            Ok(Fetched::Page(page)) => ("ok", Some(200), page.body.len()),
            Ok(Fetched::NotModified) => ("not_modified", Some(304), 0),
            Err(err) => (err.kind().label(), err.status().map(|s| s.as_u16()), 0),
        };
        telemetry::fetched(outcome, status, bytes, started.elapsed());
        result
    }

    /// One GET, once its politeness slot is held.
    async fn send(
        &self,
        client: &reqwest::Client,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchError> {
        let mut request = client.get(url.clone());
        if let Some(validators) = validators {
            if let Some(etag) = &validators.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = &validators.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, date);
            }
        }
        let mut response = request
            .send()
            .await
            .map_err(|err| self.describe(url, err))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(parse_retry_after);
            return Err(FetchError::Status {
                url: url.clone(),
                status,
                retry_after,
            });
        }
        let final_url = response.url().clone();
        let text_header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = text_header(header::CONTENT_TYPE);
        let validators = Validators {
            etag: text_header(header::ETAG),
            last_modified: text_header(header::LAST_MODIFIED),
        };
        // With decompression on, Content-Length is the compressed size (or absent): count
        // the bytes actually read, so a gzip bomb stops at the cap too.
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| self.describe(url, err))?
        {
            if body.len() as u64 + chunk.len() as u64 > self.settings.max_body {
                return Err(FetchError::TooLarge {
                    url: url.clone(),
                    limit: self.settings.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Page(Box::new(Page::new(
            final_url,
            content_type,
            validators,
            body,
        ))))
    }

    fn describe(&self, url: &Url, err: reqwest::Error) -> FetchError {
        let url = url.clone();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<guard::PrivateAddress>() {
                return FetchError::Refused {
                    url,
                    source: refused.clone(),
                };
            }
            source = cause.source();
        }
        if err.is_timeout() {
            return FetchError::Timeout {
                url,
                after: self.settings.timeout,
            };
        }
        if err.is_redirect() {
            return FetchError::TooManyRedirects { url };
        }
        // reqwest's own message ("error sending request for url (…)") repeats the URL and
        // says little: the causes below it say what went wrong.
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        let message = if causes.is_empty() {
            err.to_string()
        } else {
            causes.join(": ")
        };
        FetchError::Transport { url, message }
    }
}

/// `Retry-After` as seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_decoded_by_its_charset_once() {
        let (gbk, _, _) = encoding_rs::GBK.encode("十堰新闻");
        let page = || {
            Page::new(
                Url::parse("http://news.example/a.html").unwrap(),
                Some("text/html; charset=gbk".into()),
                Validators::default(),
                gbk.to_vec(),
            )
        };
        let read = page();
        assert_eq!(read.text(), "十堰新闻");
        // The second reader gets the same text, not another decode.
        assert!(std::ptr::eq(read.text(), read.text()));
        assert_eq!(read.into_text(), "十堰新闻");
        assert_eq!(page().into_text(), "十堰新闻");
    }

    #[test]
    fn retry_after_in_seconds_and_dates() {
        assert_eq!(
            parse_retry_after(&HeaderValue::from_static("120")),
            Some(Duration::from_secs(120))
        );
        let later =
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(600));
        let parsed = parse_retry_after(&HeaderValue::from_str(&later).unwrap()).unwrap();
        assert!(parsed > Duration::from_secs(590) && parsed <= Duration::from_secs(600));
        assert_eq!(parse_retry_after(&HeaderValue::from_static("soon")), None);
    }

    #[test]
    fn a_bad_user_agent_fails_at_start_whichever_client_is_built_first() {
        for allow_private in [false, true] {
            let settings = FetchSettings {
                user_agent: "paperboy\n".into(),
                allow_private,
                ..FetchSettings::default()
            };
            let err = Fetcher::new(&settings).err().expect("a bad user agent");
            assert!(err.to_string().contains("HTTP client"), "{err}");
            let fine = FetchSettings {
                allow_private,
                ..FetchSettings::default()
            };
            assert!(Fetcher::new(&fine).is_ok());
        }
    }
}
