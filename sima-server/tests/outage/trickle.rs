//! A steady trickle of API declarations and status updates, every answer
//! recorded with when it was sent and how long it took.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How often the trickle declares one incident and updates another.
pub(crate) const EVERY: Duration = Duration::from_millis(200);

/// What a request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `POST /api/v1/incidents`.
    Declare,
    /// `POST /api/v1/incidents/{id}/status`.
    Update,
}

/// One answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) kind: Kind,
    pub(crate) sent: Instant,
    pub(crate) took: Duration,
    /// 0 when the server did not answer at all.
    pub(crate) status: u16,
    pub(crate) retry_after: Option<String>,
    /// `error.code` of an error answer.
    pub(crate) error_code: Option<String>,
}

impl Answer {
    /// Whether the request was sent at or after `from` and answered by `to`.
    pub(crate) fn within(&self, from: Instant, to: Instant) -> bool {
        self.sent >= from && self.sent + self.took <= to
    }
}

/// Everything the trickle was told.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub(crate) answers: Vec<Answer>,
    /// `(id, summary)` of every declaration answered 2xx.
    pub(crate) declared: Vec<(String, String)>,
    /// The message of every status update answered 2xx.
    pub(crate) updates: Vec<String>,
}

/// The running trickle.
pub(crate) struct Trickle {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Record>,
}

impl Trickle {
    /// Starts declaring incidents on `address`, and moving `target` between
    /// `investigating` and `identified`, each with a numbered message.
    pub(crate) fn start(address: &str, target: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(run(address.to_owned(), target.to_owned(), stop.clone()));
        Self { stop, task }
    }

    /// Stops after the request in flight and returns what was answered.
    pub(crate) async fn finish(self) -> Record {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.expect("the trickle task")
    }
}

async fn send(kind: Kind, request: reqwest::RequestBuilder) -> (Answer, Option<Value>) {
    let sent = Instant::now();
    let response = request.send().await;
    let took = sent.elapsed();
    let Ok(response) = response else {
        return (Answer { kind, sent, took, status: 0, retry_after: None, error_code: None }, None);
    };
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Option<Value> = response.json().await.ok();
    let error_code = body.as_ref().and_then(|b| b["error"]["code"].as_str()).map(str::to_owned);
    (Answer { kind, sent, took, status, retry_after, error_code }, body)
}

async fn run(address: String, target: String, stop: Arc<AtomicBool>) -> Record {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("an HTTP client");
    let mut record = Record::default();
    let mut next = "investigating";
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let tick = tokio::time::sleep(EVERY);
        let summary = format!("Checkout errors, report {n}");
        let declare = http
            .post(format!("{address}/api/v1/incidents"))
            .json(&json!({ "domain": "checkout", "summary": summary, "severity": "sev1" }));
        let (answer, body) = send(Kind::Declare, declare).await;
        if (200..300).contains(&answer.status) {
            let id = body.as_ref().and_then(|b| b["id"].as_str()).expect("a declared incident has an id");
            record.declared.push((id.to_owned(), summary));
        }
        record.answers.push(answer);

        let message = format!("Trickle update {n}");
        let update = http
            .post(format!("{address}/api/v1/incidents/{target}/status"))
            .json(&json!({ "status": next, "message": message }));
        let (answer, _) = send(Kind::Update, update).await;
        // `refused` means an earlier update answered 503 was committed after all.
        if (200..300).contains(&answer.status) || answer.error_code.as_deref() == Some("refused") {
            next = if next == "investigating" { "identified" } else { "investigating" };
        }
        if (200..300).contains(&answer.status) {
            record.updates.push(message);
        }
        record.answers.push(answer);
        tick.await;
    }
    record
}
