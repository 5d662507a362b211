//! The compiled `sima-server` binary as a child process: several replicas on
//! one database, or a server killed with SIGKILL and started again.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;

/// A running `sima-server` process and the log lines it has printed.
pub(crate) struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub(crate) address: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts the binary with `env` on a free port and waits until it listens.
    pub(crate) fn spawn(env: HashMap<String, String>) -> Self {
        Self::spawn_logging(env, "info,sqlx=warn")
    }

    /// Like [`ServerProcess::spawn`], with this `RUST_LOG` filter.
    pub(crate) fn spawn_logging(env: HashMap<String, String>, filter: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sima-server"))
            .envs(env)
            .env("SIMA_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", filter)
            .env("NO_COLOR", "1")
            .env_remove("SIMA_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sima-server binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = log.clone();
        // Reads the log until the end, so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let line = without_colours(&line);
                let port = listening_port(&line);
                // The line is logged before its port is sent, so a caller that
                // got the port finds the line in `log_lines`.
                lines.lock().unwrap_or_else(PoisonError::into_inner).push(line);
                if let Some(port) = port {
                    let _ = port_tx.send(port);
                }
            }
        });
        let port = port_rx.recv_timeout(Duration::from_secs(20)).expect("the server logs its port");
        Self { child, address: format!("http://127.0.0.1:{port}"), log }
    }

    /// The log lines printed so far that contain `needle`.
    pub(crate) fn log_lines(&self, needle: &str) -> Vec<String> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter().filter(|line| line.contains(needle)).cloned().collect()
    }

    /// Whether the process has exited (it is reaped if so).
    pub(crate) fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the process (SIGKILL: no graceful shutdown) and reaps it.
    pub(crate) fn kill(mut self) {
        self.child.kill().expect("the server is killed");
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A log line without its ANSI colour codes.
fn without_colours(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(char::is_ascii_alphabetic);
        } else {
            plain.push(c);
        }
    }
    plain
}

/// The port in the `SIMA is listening port=…` log line (text or JSON).
fn listening_port(line: &str) -> Option<u16> {
    if !line.contains("SIMA is listening") {
        return None;
    }
    if let Ok(json) = serde_json::from_str::<Value>(line) {
        return json["port"].as_u64().and_then(|port| u16::try_from(port).ok());
    }
    let digits: String = line.split("port=").nth(1)?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `GET url` as JSON, if the server answers.
pub(crate) async fn get_json(http: &reqwest::Client, url: &str) -> Option<Value> {
    http.get(url).send().await.ok()?.json().await.ok()
}
