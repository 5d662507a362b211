//! A lean closed-loop load generator: keep-alive HTTP/1.1 connections of
//! hyper's own client, and requests built (and signed) before the clock
//! starts. On two cores the load generator shares the CPU with the server;
//! a general-purpose client (pooling, redirects, URL parsing per request)
//! spent about a quarter of it, which no Slack client costs a real server.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{handshake, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A request ready to send.
pub type Prepared = Request<Full<Bytes>>;

/// Whether an answer (status and body) is the one expected.
pub type Check = fn(StatusCode, &[u8]) -> bool;

async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.expect("connect to the server");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let (sender, connection) = handshake(TokioIo::new(stream)).await.expect("an HTTP/1.1 handshake");
    tokio::spawn(connection);
    sender
}

/// Sends `requests` to `addr` over `connections` keep-alive connections,
/// each sending its share one after the other (closed loop: always
/// `connections` in flight). Returns each request's latency and whether
/// `check` accepted its answer, and the wall time of the whole run.
pub async fn closed_loop(
    addr: SocketAddr,
    requests: Vec<Prepared>,
    connections: usize,
    check: Check,
) -> (Vec<(Duration, bool)>, Duration) {
    let total = requests.len();
    let mut shares: Vec<Vec<Prepared>> =
        (0..connections).map(|_| Vec::with_capacity(total / connections + 1)).collect();
    for (i, request) in requests.into_iter().enumerate() {
        shares[i % connections].push(request);
    }
    let mut senders = Vec::with_capacity(connections);
    for _ in 0..connections {
        senders.push(connect(addr).await);
    }
    let started = Instant::now();
    let tasks: Vec<_> = shares
        .into_iter()
        .zip(senders)
        .map(|(share, mut sender)| {
            tokio::spawn(async move {
                let mut samples = Vec::with_capacity(share.len());
                for request in share {
                    let sent = Instant::now();
                    let ok = match sender.send_request(request).await {
                        Ok(response) => {
                            let status = response.status();
                            let body = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                            check(status, &body)
                        }
                        Err(_) => false,
                    };
                    samples.push((sent.elapsed(), ok));
                    if sender.ready().await.is_err() {
                        break;
                    }
                }
                samples
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(total);
    for task in tasks {
        samples.extend(task.await.expect("a load task"));
    }
    let failed_to_send = total - samples.len();
    samples.extend(std::iter::repeat_n((Duration::ZERO, false), failed_to_send));
    (samples, started.elapsed())
}
