//! HTTP: the feeds in three formats (with ETag/Last-Modified/304 and gzip), their archive
//! pages, the HTML pages, OPML, health, metrics and the image proxy. Feed documents come
//! from the catalog, ready-made (or rendered there when it let them go, or its copy on disk
//! when the store cannot be read); archive pages (rarely asked for, then cached by clients)
//! and the HTML pages are rendered per request.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};

use metrics_exporter_prometheus::PrometheusHandle;

use crate::image_proxy::{Proxy, ProxyError, Signer};
use crate::pipeline::Live;
use crate::publish::{Catalog, Format};
use crate::telemetry;

/// What the handlers share.
#[derive(Clone)]
pub struct ServerState {
    /// The settings and store as they are now (a reload replaces them).
    pub live: Live,
    pub catalog: Catalog,
    /// Renders `/metrics`; without it only the gauges read from state are served.
    pub metrics: Option<PrometheusHandle>,
    /// The image proxy's cache.
    pub images: Proxy,
}

pub fn router(state: ServerState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/opml", get(opml))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        // A path parameter must be a whole segment: match the file, split the extension.
        .route("/feeds/{file}", get(feed))
        .route("/feeds/{slug}/archive/{file}", get(archive))
        .route("/img/{signature}/{address}", get(image))
        .with_state(state)
}

async fn feed(
    State(state): State<ServerState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, format!("no feed named {file}\n")).into_response();
    if !file.contains('.') {
        // `/feeds/<slug>`: the feed as a page (it may render the feed: off the async threads).
        let (ctx, catalog, slug) = (state.live.get(), state.catalog.clone(), file.clone());
        return match crate::blocking::run(move || crate::pages::feed(&ctx, &catalog, &slug)).await {
            Ok(Ok(Some(page))) => Html(page).into_response(),
            Ok(Ok(None)) => not_found(),
            Ok(Err(err)) => cannot_render(&file, &err),
            Err(err) => cannot_render(&file, &err),
        };
    }
    let Some((slug, format)) = file
        .rsplit_once('.')
        .and_then(|(slug, extension)| Some((slug, Format::of_extension(extension)?)))
    else {
        return not_found();
    };
    let document = match state.catalog.kept(slug) {
        Some(document) => document,
        None => {
            let ctx = state.live.get();
            match state.catalog.get(&ctx, slug).await {
                Ok(Some(document)) => document,
                Ok(None) => return not_found(),
                // The store cannot be read (a full disk): the feed as it was last rendered.
                Err(err) => {
                    return match state.catalog.copy(&ctx, slug, format, &err).await {
                        Some((body, updated)) => send(&headers, &body, format, Some(updated), None),
                        None => cannot_render(slug, &err),
                    };
                }
            }
        }
    };
    send(
        &headers,
        document.body(format),
        format,
        Some(document.updated),
        None,
    )
}

/// A feed that could not be rendered: logged, and said.
fn cannot_render(slug: &str, err: &dyn std::fmt::Display) -> Response {
    tracing::error!(feed = slug, error = %err, "cannot render feed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("cannot render the feed {slug}: {err}\n"),
    )
        .into_response()
}

/// A document's bytes as the client asks for them: gzipped when it takes gzip, each
/// encoding with its own strong ETag, `304` to a matching `If-None-Match` (or to
/// `If-Modified-Since` when the document has a time).
fn send(
    headers: &HeaderMap,
    body: &crate::publish::Body,
    format: Format,
    updated: Option<DateTime<Utc>>,
    cache_control: Option<&'static str>,
) -> Response {
    let gzip = accepts_gzip(headers);
    let etag = if gzip {
        format!("{}-gz\"", body.etag.trim_end_matches('"'))
    } else {
        body.etag.clone()
    };
    let mut response = if not_modified(headers, &body.etag, updated) {
        Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
    } else {
        let bytes = if gzip {
            body.gzip.clone()
        } else {
            body.bytes.clone()
        };
        let mut builder = Response::builder().header(header::CONTENT_TYPE, format.content_type());
        if gzip {
            builder = builder.header(header::CONTENT_ENCODING, "gzip");
        }
        builder.body(Body::from(bytes))
    }
    .expect("static headers are valid");
    let out = response.headers_mut();
    out.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex etag"),
    );
    if let Some(updated) = updated {
        let last_modified = httpdate::fmt_http_date(updated.into());
        out.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_str(&last_modified).expect("http date"),
        );
    }
    if let Some(value) = cache_control {
        out.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    response
}

/// RFC 9110 §13.1.2: If-None-Match (weak comparison) wins over If-Modified-Since.
fn not_modified(headers: &HeaderMap, etag: &str, updated: Option<DateTime<Utc>>) -> bool {
    if let Some(value) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        let ours = etag.trim_matches('"');
        return value.split(',').map(|tag| tag.trim()).any(|tag| {
            let tag = tag.trim_start_matches("W/").trim_matches('"');
            tag == "*" || tag == ours || tag.strip_suffix("-gz") == Some(ours)
        });
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    match (since, updated) {
        (Some(since), Some(updated)) => {
            DateTime::<Utc>::from(since).timestamp() >= updated.timestamp()
        }
        _ => false,
    }
}

/// `/feeds/<slug>/archive/<n>.atom`: an archive page (RFC 5005), rendered from the store;
/// it never changes, so caches may keep it.
async fn archive(
    State(state): State<ServerState>,
    Path((slug, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            format!("no archive page {slug}/{file}\n"),
        )
            .into_response()
    };
    let Some(n) = file
        .strip_suffix(".atom")
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return not_found();
    };
    let ctx = state.live.get();
    let (settings, store) = (ctx.settings.clone(), ctx.store.clone());
    let feed_slug = slug.clone();
    let rendered = crate::blocking::run(move || {
        let Some(def) = settings.feed(&feed_slug) else {
            return Ok(None);
        };
        crate::publish::archive(&settings, def, &store, n)
    })
    .await;
    let body = match rendered {
        Ok(Ok(Some(body))) => body,
        Ok(Ok(None)) => return not_found(),
        Ok(Err(err)) => {
            return (StatusCode::SERVICE_UNAVAILABLE, format!("{err}\n")).into_response();
        }
        Err(err) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{err}\n")).into_response(),
    };
    send(
        &headers,
        &body,
        Format::Atom,
        None,
        Some("public, max-age=31536000, immutable"),
    )
}

/// `/img/<signature>/<address>`: an image of an entry, through the proxy.
async fn image(
    State(state): State<ServerState>,
    Path((signature, address)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = state.live.get();
    if !ctx.settings.images.proxy {
        return (StatusCode::NOT_FOUND, "the image proxy is off\n").into_response();
    }
    let store = ctx.store.clone();
    let key = match crate::blocking::run(move || store.image_key()).await {
        Ok(Ok(key)) => key,
        Ok(Err(err)) => {
            return (StatusCode::SERVICE_UNAVAILABLE, format!("{err}\n")).into_response();
        }
        Err(err) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{err}\n")).into_response(),
    };
    let Some(url) = Signer::new(key).verify(&signature, &address) else {
        return (
            StatusCode::FORBIDDEN,
            "not an image address this server signed\n",
        )
            .into_response();
    };
    let image = match state
        .images
        .get(&ctx.fetcher, &url, ctx.settings.images.max_size)
        .await
    {
        Ok(image) => image,
        Err(err) => {
            let status = match err {
                ProxyError::NotAnImage(..) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProxyError::TooLarge(..) => StatusCode::PAYLOAD_TOO_LARGE,
                ProxyError::Fetch(_) => StatusCode::BAD_GATEWAY,
            };
            tracing::warn!(%url, error = %err, "image not passed on");
            return (status, format!("{err}\n")).into_response();
        }
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == image.etag));
    let builder = Response::builder()
        .header(header::ETAG, &image.etag)
        .header(header::CACHE_CONTROL, "public, max-age=604800")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CONTENT_SECURITY_POLICY, "default-src 'none'");
    let response = if fresh {
        builder.status(StatusCode::NOT_MODIFIED).body(Body::empty())
    } else {
        builder
            .header(header::CONTENT_TYPE, &image.content_type)
            .body(Body::from(image.bytes.clone()))
    };
    response.expect("valid headers")
}

/// Whether the client takes gzip (a `q=0` refuses it).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|coding| {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or("").trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                == Some(0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

/// Escapes text for HTML and XML attributes and content.
fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

async fn index(State(state): State<ServerState>) -> Html<String> {
    let ctx = state.live.get();
    let catalog = state.catalog.clone();
    // A few store reads per feed (health): off the async threads.
    let page = crate::blocking::run(move || crate::pages::index(&ctx, &catalog)).await;
    Html(page.unwrap_or_else(|err| format!("cannot render the index page: {err}")))
}

async fn opml(State(state): State<ServerState>) -> impl IntoResponse {
    let settings = state.live.get().settings;
    let mut outlines = String::new();
    for def in &settings.feeds {
        let title = escape(&def.title);
        outlines.push_str(&format!(
            "    <outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\" htmlUrl=\"{}\"/>\n",
            escape(settings.feed_url(&def.slug).as_str()),
            escape(settings.base_url.as_str())
        ));
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>paperboy</title></head>\n  <body>\n{outlines}  </body>\n</opml>\n"
    );
    ([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], body)
}

async fn healthz(State(state): State<ServerState>) -> Response {
    let store = state.live.get().store;
    match tokio::task::spawn_blocking(move || store.check_writable()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(err)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store not writable: {err}\n"),
        )
            .into_response(),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("health check failed: {err}\n"),
        )
            .into_response(),
    }
}

/// Prometheus text format: the counters and histogram recorded as sources run, and
/// gauges read from state now.
async fn metrics(State(state): State<ServerState>) -> Response {
    let ctx = state.live.get();
    for def in &ctx.settings.feeds {
        // From the kept document, else counted (a topic feed not kept keeps its last).
        let stored = match state.catalog.kept(&def.slug) {
            Some(document) => document.stored,
            None if def.select.is_none() => ctx.store.feed_len(&def.slug),
            None => continue,
        };
        telemetry::feed_gauge(&def.slug, stored);
    }
    for source in ctx.settings.sources() {
        if let Ok(s) = ctx.store.source_state(&source.name) {
            telemetry::source_gauges(&source.name, s.consecutive_failures, s.last_success);
        }
    }
    if let Ok(bytes) = ctx.store.size_on_disk() {
        telemetry::store_gauge(bytes);
    }
    let body = state
        .metrics
        .as_ref()
        .map(PrometheusHandle::render)
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_negotiation() {
        let mut headers = HeaderMap::new();
        assert!(!accepts_gzip(&headers));
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br"),
        );
        assert!(accepts_gzip(&headers));
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0"),
        );
        assert!(!accepts_gzip(&headers));
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        assert!(!accepts_gzip(&headers));
    }
}
