//! `POST /webhooks/alertmanager`: Prometheus Alertmanager's v4 payload.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::helpers::{count_kind, kinds, Options, TestApp};

fn notification(status: &str, starts_at: &str) -> Value {
    let labels = json!({ "alertname": "HighErrorRate", "service": "Payments API", "severity": "critical" });
    json!({
        "version": "4",
        "groupKey": "{}:{alertname=\"HighErrorRate\"}",
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "sima",
        "groupLabels": { "alertname": "HighErrorRate" },
        "commonLabels": labels,
        "commonAnnotations": { "summary": "5xx above 5% on the payments API" },
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": [{
            "status": status,
            "labels": labels,
            "annotations": { "summary": "5xx above 5% on the payments API", "description": "Error ratio 7.2%" },
            "startsAt": starts_at,
            "endsAt": if status == "resolved" { starts_at } else { "0001-01-01T00:00:00Z" },
            "generatorURL": "http://prometheus.example.com/graph?g0.expr=errors",
            "fingerprint": "c4f6d1b2a3e4f5a6"
        }]
    })
}

#[tokio::test]
async fn a_firing_then_resolved_group_is_one_incident_with_a_note() {
    let app = TestApp::spawn(Options::default()).await;
    let starts_at = (Utc::now() - Duration::minutes(5)).to_rfc3339_opts(SecondsFormat::Secs, true);

    let first = app.webhook("/webhooks/alertmanager", &notification("firing", &starts_at)).await;
    assert_eq!(first.status(), 201);
    let again = app.webhook("/webhooks/alertmanager", &notification("firing", &starts_at)).await;
    assert_eq!(again.status(), 200, "a repeated notification finds the same incident");
    let again: Value = again.json().await.expect("a JSON answer");
    assert_eq!(again["created"], false);

    let incidents = app.incidents().await;
    assert_eq!(incidents.len(), 1);
    let incident = &incidents[0];
    assert_eq!(incident["domain"], "payments-api", "from the `service` label");
    assert_eq!(incident["severity"], "sev1", "from the `severity` label");
    assert_eq!(incident["summary"], "5xx above 5% on the payments API");
    assert_eq!(incident["reporter"], "monitor:alertmanager");
    assert_eq!(incident["started_at"], starts_at.as_str());
    let id = incident["id"].as_str().expect("an id").to_owned();
    assert_eq!(count_kind(&app.timeline(&id).await, "note_added"), 0);

    let resolved = app.webhook("/webhooks/alertmanager", &notification("resolved", &starts_at)).await;
    assert_eq!(resolved.status(), 200);
    let events = app.timeline(&id).await;
    assert_eq!(count_kind(&events, "note_added"), 1, "{:?}", kinds(&events));
    let note = events.iter().rev().find(|e| e["kind"] == "note_added").expect("the note");
    assert_eq!(note["actor"], "monitor:alertmanager");
    assert!(note["text"].as_str().is_some_and(|t| t.contains("resolved")), "{note}");

    // A repeated "resolved" adds nothing; the incident stays for people to close.
    app.webhook("/webhooks/alertmanager", &notification("resolved", &starts_at)).await;
    assert_eq!(count_kind(&app.timeline(&id).await, "note_added"), 1);
    assert_eq!(app.incidents().await.len(), 1);
    assert_eq!(app.incident(&id).await["status"], "open");
    app.stop().await;
}
