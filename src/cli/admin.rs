//! Talking to a running daemon over its admin socket (see `paperboy::admin`): the
//! commands that need the store ask the daemon that holds it, and work directly when no
//! daemon answers.
//!
//! The request is written with hyper's client over the Unix socket: reqwest speaks TCP only.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use paperboy::config::Settings;

use super::{CliError, runtime};

/// An answer of the daemon: status and body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Sends `method path` to the daemon of these settings; `None` when no daemon listens.
pub fn ask(settings: &Settings, method: &str, path: &str) -> Option<Result<Answer, CliError>> {
    let socket = paperboy::admin::socket_path(settings);
    runtime().block_on(async {
        let stream = tokio::net::UnixStream::connect(&socket).await.ok()?;
        Some(send(stream, method, path).await.map_err(|err| {
            CliError::Admin(format!(
                "the daemon at {} did not answer: {err}",
                socket.display()
            ))
        }))
    })
}

async fn send(
    stream: tokio::net::UnixStream,
    method: &str,
    path: &str,
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, "paperboy")
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    Ok(Answer { status, body })
}

/// A query string of `pairs`.
pub fn query(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
