//! A local server that behaves like Slack's Socket Mode end, for tests and
//! benchmarks: it accepts WebSocket connections on 127.0.0.1, says `hello`,
//! and lets the caller send envelopes, `disconnect`s and pings, read the
//! acknowledgements, and drop a connection without closing it.
//!
//! `apps.connections.open` is left to the caller's fake Web API: answer it
//! with `{"ok": true, "url": server.url()}`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// The fake Socket Mode server.
pub struct SocketServer {
    url: String,
    connections: mpsc::UnboundedReceiver<SocketPeer>,
    accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl SocketServer {
    /// Listens on a free port of 127.0.0.1 and says `hello` on every connection.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(true).await
    }

    /// Like [`SocketServer::start`]; `hello: false` never says `hello`.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub async fn start_with(hello: bool) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("ws://{}/link", listener.local_addr()?);
        let (found, connections) = mpsc::unbounded_channel();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(socket) = tokio_tungstenite::accept_async(tcp).await else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let peer = SocketPeer::serve(socket, count.load(Ordering::SeqCst));
                if hello {
                    peer.send(&json!({ "type": "hello", "num_connections": 1, "debug_info": { "host": "local" } }));
                }
                if found.send(peer).is_err() {
                    return;
                }
            }
        });
        Ok(Self { url, connections, accepted, task })
    }

    /// The WebSocket URL for `apps.connections.open` to answer.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// How many connections were accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// The next connection SIMA opens, waiting at most `within`.
    pub async fn next_connection(&mut self, within: Duration) -> Option<SocketPeer> {
        tokio::time::timeout(within, self.connections.recv()).await.ok().flatten()
    }
}

impl Drop for SocketServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One connection SIMA opened.
pub struct SocketPeer {
    /// 1 for the first connection accepted, 2 for the second…
    pub number: usize,
    outgoing: mpsc::UnboundedSender<Message>,
    incoming: mpsc::UnboundedReceiver<Value>,
    pongs: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl SocketPeer {
    fn serve(socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>, number: usize) -> Self {
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<Message>();
        let (received, incoming) = mpsc::unbounded_channel();
        let pongs = Arc::new(AtomicUsize::new(0));
        let pong_count = pongs.clone();
        let task = tokio::spawn(async move {
            let (mut sink, mut stream) = socket.split();
            loop {
                tokio::select! {
                    message = to_send.recv() => match message {
                        Some(message) => if sink.send(message).await.is_err() { return },
                        None => return,
                    },
                    message = stream.next() => match message {
                        Some(Ok(Message::Text(text))) => {
                            let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                            let _ = received.send(value);
                        }
                        Some(Ok(Message::Pong(_))) => {
                            pong_count.fetch_add(1, Ordering::SeqCst);
                        }
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                        Some(Ok(_)) => {}
                    },
                }
            }
        });
        Self { number, outgoing, incoming, pongs, task }
    }

    /// Sends one JSON text frame.
    pub fn send(&self, frame: &Value) {
        self.send_text(&frame.to_string());
    }

    /// Sends one text frame as is.
    pub fn send_text(&self, text: &str) {
        let _ = self.outgoing.send(Message::Text(text.to_owned()));
    }

    /// Sends an envelope as Slack does.
    pub fn envelope(&self, id: &str, kind: &str, payload: &Value, accepts_response_payload: bool, retry: u32) {
        let mut envelope = json!({
            "envelope_id": id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        });
        if kind == "events_api" {
            envelope["retry_attempt"] = json!(retry);
            envelope["retry_reason"] = json!(if retry > 0 { "timeout" } else { "" });
        }
        self.send(&envelope);
    }

    /// Tells SIMA this connection will close (`refresh_requested`, `warning`, `link_disabled`).
    pub fn disconnect(&self, reason: &str) {
        self.send(&json!({ "type": "disconnect", "reason": reason, "debug_info": { "host": "local" } }));
    }

    /// Sends a WebSocket ping.
    pub fn ping(&self) {
        let _ = self.outgoing.send(Message::Ping(b"slack".to_vec()));
    }

    /// How many pongs came back.
    pub fn pongs(&self) -> usize {
        self.pongs.load(Ordering::SeqCst)
    }

    /// The next JSON message SIMA sent, waiting at most `within`; `None` if
    /// none came or the connection ended.
    pub async fn next_message(&mut self, within: Duration) -> Option<Value> {
        tokio::time::timeout(within, self.incoming.recv()).await.ok().flatten()
    }

    /// The acknowledgement of `envelope_id`, waiting at most `within` and
    /// skipping other messages.
    pub async fn ack(&mut self, envelope_id: &str, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self.next_message(left).await?;
            if message["envelope_id"] == envelope_id {
                return Some(message);
            }
        }
    }

    /// Whether SIMA closed this connection within `within`.
    pub async fn closed(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.incoming.recv()).await {
                Ok(Some(_)) => continue,
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    }

    /// Drops the TCP connection without a closing handshake, as a network failure would.
    pub fn drop_connection(self) {
        self.task.abort();
    }
}

impl Drop for SocketPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
