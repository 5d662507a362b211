//! The Linear adapter against a fake Linear: the requests it sends and the
//! `PortError` each answer becomes.

mod contract;
mod helpers;
mod states;
mod webhooks;

use std::time::Duration;

use serde_json::{json, Value};
use sima_core::domain::TicketState;
use sima_core::ports::{PortError, TrackerPort};
use sima_linear::{issue_id, LinearConfig, LinearTracker, Secret};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use helpers::{
    answering, config, draft, key, not_authenticated, rate_limited, refused, FakeLinear, TestLinear, ANA_ID, API_KEY,
    TEAM,
};

#[tokio::test]
async fn creates_the_issue_linear_expects_under_the_derived_id() {
    let linear = TestLinear::start().await;
    let expected_id = issue_id(TEAM, key());
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(header("authorization", API_KEY))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({ "variables": { "input": { "id": expected_id, "teamId": TEAM } } })))
        .respond_with(linear.fake.clone())
        .expect(1)
        .with_priority(1)
        .named("issueCreate with the derived id")
        .mount(&linear.server)
        .await;
    let mut draft = draft();
    draft.incident_summary = "Queue [full](https://evil.example) <b>".into();

    let ticket = linear.tracker.create(&draft).await.unwrap();

    assert_eq!(ticket.id, expected_id);
    assert_eq!(ticket.key, "ENG-101");
    assert_eq!(ticket.url, "https://linear.app/acme/issue/ENG-101/rotate-the-smtp-keys");
    assert_eq!((ticket.status.as_str(), ticket.state), ("Todo", TicketState::Open));
    let creates = linear.sent("issueCreate").await;
    assert_eq!(creates.len(), 1);
    assert!(creates[0]["query"].as_str().unwrap().starts_with("mutation SimaIssueCreate($input: IssueCreateInput!)"));
    assert_eq!(
        creates[0]["variables"],
        json!({ "input": {
            "id": expected_id,
            "teamId": TEAM,
            "title": "Rotate the SMTP keys",
            "description": "Follow-up of incident **INC-7**: Queue \\[full\\](https\\://evil\\.example) \\<b\\>\n\n\
                            [Open incident INC-7](<https://sima.acme.example/incidents/7>)\n\n\
                            SIMA action item `INC-7-2`\n",
            "dueDate": "2025-03-20",
            "assigneeId": ANA_ID,
        } })
    );
    let lookups = linear.sent("users").await;
    assert_eq!(lookups[0]["variables"], json!({ "email": "ana@example.com" }));
    let received = linear.server.received_requests().await.unwrap();
    assert!(received.iter().all(|r| r.headers.get("authorization").unwrap() == API_KEY), "no Bearer prefix");
}

#[tokio::test]
async fn find_looks_the_derived_id_up() {
    let linear = TestLinear::start().await;
    assert_eq!(linear.tracker.find(key()).await, Ok(None), "Entity not found is no ticket");
    let created = linear.tracker.create(&draft()).await.unwrap();

    let found = linear.tracker.find(key()).await.unwrap();

    assert_eq!(found, Some(created));
    let lookups = linear.sent("issue").await;
    assert_eq!(lookups.len(), 2);
    assert!(lookups.iter().all(|body| body["variables"] == json!({ "id": issue_id(TEAM, key()) })));
    let other = sima_core::domain::FollowUpKey::new("INC-7".parse().unwrap(), 3);
    assert_eq!(linear.tracker.find(other).await, Ok(None));
}

#[tokio::test]
async fn a_create_lost_after_linear_made_it_makes_no_second_issue() {
    let fake = FakeLinear::new();
    fake.after_commit.lock().unwrap().push(ResponseTemplate::new(500).set_body_string("upstream error"));
    let linear = TestLinear::with(fake).await;

    let first = linear.tracker.create(&draft()).await.unwrap_err();
    assert!(matches!(first, PortError::Transient(_)), "{first:?}");
    assert!(first.is_retryable());

    // The caller's retry: find first, as the port asks.
    let found = linear.tracker.find(key()).await.unwrap().expect("the first attempt made the issue");
    assert_eq!(found.key, "ENG-101");
    // A caller that creates again anyway gets the same issue, not a second one.
    let again = linear.tracker.create(&draft()).await.unwrap();
    assert_eq!(again, found);
    assert_eq!(linear.fake.issues.lock().unwrap().len(), 1, "exactly one issue in Linear");
    assert_eq!(linear.sent("issueCreate").await.len(), 2);
}

#[tokio::test]
async fn an_owner_without_a_linear_user_is_named_in_the_description() {
    let linear = TestLinear::start().await;
    let mut draft = draft();
    draft.owner_email = Some("bob@elsewhere.example".into());
    draft.owner_name = Some("Bob [ops]".into());

    linear.tracker.create(&draft).await.unwrap();

    let input = &linear.sent("issueCreate").await[0]["variables"]["input"];
    assert_eq!(input["assigneeId"], Value::Null);
    let description = input["description"].as_str().unwrap();
    assert!(description.contains("\nOwner: Bob \\[ops\\]\n"), "{description}");
    assert_eq!(linear.sent("users").await[0]["variables"]["email"], "bob@elsewhere.example");
}

#[tokio::test]
async fn an_owner_found_by_email_is_assigned_and_not_repeated() {
    let linear = TestLinear::start().await;
    linear.tracker.create(&draft()).await.unwrap();
    let input = &linear.sent("issueCreate").await[0]["variables"]["input"];
    assert_eq!(input["assigneeId"], ANA_ID);
    assert!(!input["description"].as_str().unwrap().contains("Owner:"));

    let mut unowned = draft();
    unowned.owner_email = None;
    unowned.owner_name = None;
    unowned.key = sima_core::domain::FollowUpKey::new("INC-7".parse().unwrap(), 3);
    linear.tracker.create(&unowned).await.unwrap();
    assert_eq!(linear.sent("users").await.len(), 1, "no lookup without an e-mail");
}

#[tokio::test]
async fn update_rewrites_title_owner_and_due_date() {
    let linear = TestLinear::start().await;
    let ticket = linear.tracker.create(&draft()).await.unwrap();
    let mut draft = draft();
    draft.title = "Rotate the keys\nand the certs".into();
    draft.owner_email = None;
    draft.due = None;

    linear.tracker.update(&ticket, &draft).await.unwrap();

    let updates = linear.sent("issueUpdate").await;
    assert_eq!(
        updates[0]["variables"],
        json!({ "id": ticket.id, "input": { "title": "Rotate the keys and the certs", "dueDate": null, "assigneeId": null } })
    );
    let stored = linear.fake.issues.lock().unwrap()[0].clone();
    assert_eq!(
        (stored["title"].as_str(), stored["assigneeId"].is_null()),
        (Some("Rotate the keys and the certs"), true)
    );

    let mut gone = ticket.clone();
    gone.id = "00000000-0000-4000-8000-000000000000".into();
    assert!(matches!(linear.tracker.update(&gone, &draft).await, Err(PortError::NotFound(_))));
    assert!(matches!(linear.tracker.read(&gone).await, Err(PortError::NotFound(_))));
}

#[tokio::test]
async fn a_429_is_rate_limited_with_its_retry_after() {
    let (server, tracker) = answering(ResponseTemplate::new(429).insert_header("retry-after", "30")).await;

    let error = tracker.find(key()).await.unwrap_err();

    assert_eq!(error, PortError::RateLimited { retry_after: Some(Duration::from_secs(30)) });
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "30 s is longer than the policy sleeps");
}

#[tokio::test]
async fn a_ratelimited_graphql_error_waits_for_the_reset_linear_names() {
    let reset_ms = chrono::Utc::now().timestamp_millis() + 120_000;
    let answer = rate_limited()
        .insert_header("x-ratelimit-requests-limit", "5000")
        .insert_header("x-ratelimit-requests-remaining", "0")
        .insert_header("x-ratelimit-requests-reset", reset_ms.to_string().as_str());
    let (server, tracker) = answering(answer).await;

    let error = tracker.create(&draft()).await.unwrap_err();

    let PortError::RateLimited { retry_after: Some(wait) } = error else { panic!("{error:?}") };
    assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120), "{wait:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_short_rate_limit_is_waited_out_in_process() {
    let linear = TestLinear::start().await;
    Mock::given(method("POST"))
        .respond_with(rate_limited().insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&linear.server)
        .await;

    assert_eq!(linear.tracker.find(key()).await, Ok(None));
    assert_eq!(linear.server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_ratelimited_error_without_a_wait_is_retried_then_returned() {
    let (server, tracker) = answering(rate_limited()).await;
    assert_eq!(tracker.find(key()).await, Err(PortError::RateLimited { retry_after: None }));
    assert_eq!(server.received_requests().await.unwrap().len(), 3, "the policy's three attempts");
}

#[tokio::test]
async fn a_bad_api_key_is_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(FakeLinear::new()).mount(&server).await;
    let mut wrong = config(&server);
    wrong.api_key = Secret::new("lin_api_revoked");
    let tracker = LinearTracker::new(wrong).unwrap();

    let error = tracker.create(&draft()).await.unwrap_err();

    let PortError::Unauthorized(message) = &error else { panic!("{error:?}") };
    assert!(message.contains("Authentication required"), "{message}");
    assert!(!error.is_retryable());
    let (_server, tracker) = answering(not_authenticated().set_body_json(json!({
        "errors": [{ "message": "Forbidden", "extensions": { "code": "FORBIDDEN", "type": "forbidden" } }]
    })))
    .await;
    let forbidden = tracker.find(key()).await;
    assert!(matches!(forbidden, Err(PortError::Unauthorized(_))), "{forbidden:?}");
    let (_server, tracker) = answering(ResponseTemplate::new(401).set_body_string("Unauthorized")).await;
    assert!(matches!(tracker.find(key()).await, Err(PortError::Unauthorized(_))));
}

#[tokio::test]
async fn server_errors_are_transient() {
    for answer in [
        ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"),
        ResponseTemplate::new(503).insert_header("retry-after", "5"),
        ResponseTemplate::new(500).set_body_json(json!({ "errors": [{ "message": "Something went wrong" }] })),
        ResponseTemplate::new(200).set_body_json(json!({
            "data": null, "errors": [{ "message": "lock timeout", "extensions": { "type": "lock timeout" } }]
        })),
    ] {
        let (server, tracker) = answering(answer).await;
        let error = tracker.find(key()).await.unwrap_err();
        assert!(matches!(error, PortError::Transient(_)), "{error:?}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "not retried in process");
    }
}

#[tokio::test]
async fn garbage_is_invalid() {
    for answer in [
        ResponseTemplate::new(200).set_body_string("<html>captive portal</html>"),
        ResponseTemplate::new(200).set_body_json(json!({ "data": null })),
        ResponseTemplate::new(200).set_body_json(json!([1, 2, 3])),
        ResponseTemplate::new(200).set_body_json(json!({ "data": { "issue": { "id": 7 } } })),
    ] {
        let (_server, tracker) = answering(answer).await;
        let error = tracker.find(key()).await.unwrap_err();
        assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
    }
}

#[tokio::test]
async fn a_refused_create_is_invalid_with_linears_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(FakeLinear::new()).mount(&server).await;
    let mut other_team = config(&server);
    other_team.team_id = "no-such-team".into();
    let tracker = LinearTracker::new(other_team).unwrap();

    let error = tracker.create(&draft()).await.unwrap_err();

    let PortError::Invalid(message) = &error else { panic!("{error:?}") };
    assert!(message.contains("Entity not found: Team"), "{message}");
    let (_server, tracker) = answering(refused("title must be shorter than or equal to 255 characters")).await;
    assert!(matches!(tracker.find(key()).await, Err(PortError::Invalid(_))));
}

#[tokio::test]
async fn the_adapter_is_named_linear_and_refuses_an_unusable_url() {
    let linear = TestLinear::start().await;
    assert_eq!(linear.tracker.name(), "linear");
    let bad = LinearConfig::new(Secret::new(API_KEY), TEAM).with_api_url("linear.app graphql");
    assert!(LinearTracker::new(bad).is_err());
}
