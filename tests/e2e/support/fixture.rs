//! A fixture HTTP server on 127.0.0.1 whose answers a test sets per path, and which
//! records every request it gets.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

/// What the server answers on one path.
#[derive(Clone)]
pub enum Reply {
    /// A body with a status and headers; answers 304 when the request's If-None-Match is
    /// the given ETag.
    Body {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        etag: Option<String>,
    },
    /// A redirect to another path.
    Redirect(String),
    /// Accept the request and never answer.
    Hang,
    /// Answer as the inner reply, after a pause.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Body {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            etag: None,
        }
    }

    pub fn rss(body: impl Into<Vec<u8>>) -> Reply {
        Reply::ok("application/rss+xml; charset=utf-8", body)
    }

    pub fn status(status: u16, headers: &[(&str, &str)]) -> Reply {
        Reply::Body {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: format!("status {status}").into_bytes(),
            etag: None,
        }
    }

    pub fn with_etag(self, tag: &str) -> Reply {
        match self {
            Reply::Body {
                status,
                headers,
                body,
                ..
            } => Reply::Body {
                status,
                headers,
                body,
                etag: Some(format!("\"{tag}\"")),
            },
            other => other,
        }
    }

    /// This reply, sent after `pause`.
    pub fn after(self, pause: Duration) -> Reply {
        Reply::Delayed(pause, Box::new(self))
    }

    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Body {
                status,
                mut headers,
                body,
                etag,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Body {
                    status,
                    headers,
                    body,
                    etag,
                }
            }
            other => other,
        }
    }
}

/// One request the server got.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub headers: HeaderMap,
    pub at: std::time::Instant,
}

#[derive(Default)]
struct Shared {
    replies: Mutex<HashMap<String, Reply>>,
    hits: Mutex<Vec<Hit>>,
}

/// The running server; it stops with the test process.
pub struct Fixture {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Fixture {
    pub fn start() -> Fixture {
        let shared = Arc::new(Shared::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let state = shared.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(answer).with_state(state);
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("fixture server starts");
        Fixture { addr, shared }
    }

    /// `http://127.0.0.1:PORT/path`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn set(&self, path: &str, reply: Reply) {
        self.shared
            .replies
            .lock()
            .unwrap()
            .insert(path.to_string(), reply);
    }

    /// Every request so far, in arrival order.
    pub fn all_hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Requests made to `path` so far.
    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.shared
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|hit| hit.path == path)
            .cloned()
            .collect()
    }
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or("/".to_string(), |p| p.to_string());
    shared.hits.lock().unwrap().push(Hit {
        path: path.clone(),
        headers: request.headers().clone(),
        at: std::time::Instant::now(),
    });
    let mut reply = shared.replies.lock().unwrap().get(&path).cloned();
    while let Some(Reply::Delayed(pause, inner)) = reply {
        tokio::time::sleep(pause).await;
        reply = Some(*inner);
    }
    match reply {
        None => Response::builder()
            .status(404)
            .body(Body::from("not found"))
            .unwrap(),
        Some(Reply::Hang) => {
            std::future::pending::<()>().await;
            unreachable!()
        }
        Some(Reply::Delayed(..)) => unreachable!("unwrapped above"),
        Some(Reply::Redirect(to)) => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .unwrap(),
        Some(Reply::Body {
            status,
            headers,
            body,
            etag,
        }) => {
            if let Some(tag) = &etag {
                let asked = request
                    .headers()
                    .get(header::IF_NONE_MATCH)
                    .and_then(|v| v.to_str().ok());
                if asked == Some(tag.as_str()) {
                    return Response::builder()
                        .status(304)
                        .header(header::ETAG, tag)
                        .body(Body::empty())
                        .unwrap();
                }
            }
            let mut builder = Response::builder().status(status);
            for (name, value) in headers {
                builder = builder.header(name, value);
            }
            if let Some(tag) = etag {
                builder = builder.header(header::ETAG, tag);
            }
            builder.body(Body::from(body)).unwrap()
        }
    }
}
