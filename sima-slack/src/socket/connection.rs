//! One Socket Mode connection slot: open, connect, wait for `hello`, read
//! envelopes, acknowledge them, and start over until stopped.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::backoff::Backoff;
use super::config::SocketConfig;
use super::envelope::{self, Frame, Reason};
use super::open::{open, OpenError};
use crate::state::SlackState;

/// How long a closing connection keeps sending the acknowledgements of the
/// envelopes it is still handling: Slack's own deadline.
const ACK_DEADLINE: Duration = Duration::from_secs(3);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How one connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The server is shutting down.
    Stopped,
    /// Slack asked for a new connection: open one at once.
    Reconnect,
    /// The attempt failed or the socket dropped: wait, then retry
    /// (after this long, when Slack said).
    Failed(Option<Duration>),
    /// Retrying cannot help (`link_disabled`, a refused token).
    Fatal,
}

/// One slot of [`SocketMode`](super::SocketMode): a connection at a time.
pub(super) struct Link {
    pub(super) slot: usize,
    pub(super) config: SocketConfig,
    pub(super) state: SlackState,
    pub(super) http: reqwest::Client,
    pub(super) stop: watch::Receiver<bool>,
}

impl Link {
    /// Connects and reconnects until stopped or told to stop for good.
    pub(super) async fn run(mut self) {
        let mut backoff = Backoff::new(self.config.min_backoff, self.config.max_backoff);
        loop {
            if *self.stop.borrow() {
                return;
            }
            let wait = match self.once(&mut backoff).await {
                Outcome::Stopped | Outcome::Fatal => return,
                Outcome::Reconnect => continue,
                // Slack's Retry-After is honoured in full, never below the shortest wait.
                Outcome::Failed(Some(wait)) => wait.max(self.config.min_backoff),
                Outcome::Failed(None) => backoff.next_wait(),
            };
            tracing::debug!(slot = self.slot, wait_ms = wait.as_millis() as u64, "Socket Mode reconnecting");
            let mut stop = self.stop.clone();
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stopped(&mut stop) => return,
            }
        }
    }

    /// One connection, from `apps.connections.open` to its end.
    async fn once(&mut self, backoff: &mut Backoff) -> Outcome {
        let slot = self.slot;
        let url = match open(&self.http, &self.config.api_url, self.config.app_token()).await {
            Ok(url) => url,
            Err(OpenError::Refused(code)) => {
                tracing::error!(slot, %code, "Slack refused the app token (SIMA_SLACK_APP_TOKEN); Socket Mode stops");
                return Outcome::Fatal;
            }
            Err(OpenError::RateLimited { retry_after }) => {
                tracing::warn!(slot, ?retry_after, "apps.connections.open rate limited");
                return Outcome::Failed(Some(retry_after.unwrap_or_else(|| backoff.next_wait())));
            }
            Err(error) => {
                tracing::warn!(slot, %error, "could not open a Socket Mode connection");
                return Outcome::Failed(None);
            }
        };
        // The URL carries a one-time ticket: it is never logged.
        let socket =
            match tokio::time::timeout(self.config.connect_timeout, tokio_tungstenite::connect_async(url)).await {
                Ok(Ok((socket, _))) => socket,
                Ok(Err(error)) => {
                    tracing::warn!(slot, %error, "could not connect to the Socket Mode WebSocket");
                    return Outcome::Failed(None);
                }
                Err(_) => {
                    tracing::warn!(slot, "the Socket Mode WebSocket handshake timed out");
                    return Outcome::Failed(None);
                }
            };
        self.serve(socket, backoff).await
    }

    /// Reads frames until the connection ends; envelopes are handled in
    /// their own tasks and acknowledged on this connection.
    async fn serve(&mut self, socket: Socket, backoff: &mut Backoff) -> Outcome {
        let slot = self.slot;
        let (mut sink, mut stream) = socket.split();
        let (acks, mut to_send) = mpsc::unbounded_channel::<String>();
        let mut stop = self.stop.clone();
        let mut ready = false;
        let hello_deadline = tokio::time::sleep(self.config.hello_timeout);
        tokio::pin!(hello_deadline);
        let outcome = loop {
            tokio::select! {
                () = stopped(&mut stop) => break Outcome::Stopped,
                Some(ack) = to_send.recv() => {
                    if let Err(error) = sink.send(Message::Text(ack)).await {
                        tracing::warn!(slot, %error, "could not send a Socket Mode acknowledgement");
                        return Outcome::Failed(None);
                    }
                }
                () = &mut hello_deadline, if !ready => {
                    tracing::warn!(slot, "Slack did not say hello in time; reconnecting");
                    return Outcome::Failed(None);
                }
                message = stream.next() => match message {
                    Some(Ok(Message::Text(text))) => match envelope::read(&text) {
                        Frame::Hello => {
                            ready = true;
                            backoff.reset();
                            tracing::info!(slot, "Slack Socket Mode connected");
                        }
                        Frame::Disconnect(Reason::LinkDisabled) => {
                            tracing::error!(slot, "Slack disabled Socket Mode for this app (link_disabled); not reconnecting");
                            break Outcome::Fatal;
                        }
                        Frame::Disconnect(reason) => {
                            tracing::info!(slot, ?reason, "Slack asked for a new Socket Mode connection");
                            break Outcome::Reconnect;
                        }
                        Frame::Envelope(envelope) => {
                            let (state, acks) = (self.state.clone(), acks.clone());
                            tokio::spawn(async move {
                                if let Some(ack) = envelope::handle(&state, &envelope).await {
                                    let _ = acks.send(ack);
                                }
                            });
                        }
                        Frame::Unknown { envelope_id, detail } => {
                            tracing::warn!(slot, %detail, "unreadable Socket Mode message acknowledged and ignored");
                            if let Some(id) = envelope_id {
                                let _ = acks.send(envelope::ack(&id));
                            }
                        }
                    },
                    Some(Ok(Message::Close(_))) | None => {
                        tracing::warn!(slot, "the Socket Mode connection closed");
                        return Outcome::Failed(None);
                    }
                    Some(Err(error)) => {
                        tracing::warn!(slot, %error, "the Socket Mode connection dropped");
                        return Outcome::Failed(None);
                    }
                    // Pings are answered by the WebSocket layer as reading goes on.
                    Some(Ok(_)) => {}
                },
            }
        };
        // The socket is still up: acknowledge what is being handled, then close.
        drop(acks);
        let deadline = tokio::time::sleep(ACK_DEADLINE);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                ack = to_send.recv() => match ack {
                    Some(ack) => if sink.send(Message::Text(ack)).await.is_err() { break },
                    None => break,
                },
                () = &mut deadline => {
                    tracing::warn!(slot, "closing a Socket Mode connection with envelopes still being handled");
                    break;
                }
            }
        }
        let _ = sink.send(Message::Close(None)).await;
        outcome
    }
}

/// Completes when the server shuts down (or [`SocketMode`](super::SocketMode) is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
