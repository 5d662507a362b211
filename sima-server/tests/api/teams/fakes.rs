//! Fakes of what a Teams deployment talks to, each answering as the real
//! service does: Microsoft Graph (a team whose channels are kept, people's
//! names, archiving), the Bot Framework Connector (threads and activities
//! with fresh ids, the team's details), and the Microsoft login endpoints
//! (client-credentials tokens, the Bot Framework's OpenID metadata and its
//! signing keys). Inbound activities are signed with the test key whose
//! public half the fake publishes, as the Bot Framework signs them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::TestApp;

pub(crate) const TENANT: &str = "8d3c1f2a-5b6e-4c7d-9e0f-1a2b3c4d5e6f";
pub(crate) const APP_ID: &str = "a1b2c3d4-0000-4000-8000-00000000b07";
pub(crate) const BOT_ID: &str = "28:a1b2c3d4-0000-4000-8000-00000000b07";
pub(crate) const APP_PASSWORD: &str = "teams-app-password-never-shown";
/// The team whose channels are incident rooms (its group id).
pub(crate) const TEAM: &str = "2f9a8b7c-6d5e-4f3a-8b1c-0d9e8f7a6b5c";
/// The same team's thread id, the only name invokes give it.
pub(crate) const TEAM_THREAD: &str = "19:ops-general@thread.tacv2";
/// The company-wide channel incidents are announced in.
pub(crate) const BROADCAST: &str = "19:production-issues@thread.tacv2";
/// Where people type commands outside incidents.
pub(crate) const GENERAL: &str = "19:ops-general@thread.tacv2";
pub(crate) const CONNECTOR_TOKEN: &str = "connector-token-from-the-fake";
pub(crate) const GRAPH_TOKEN: &str = "graph-token-from-the-fake";
const KID: &str = "sima-test-key";

/// The test key pair, shared with `sima-teams`' tests.
fn fixture(name: &str) -> String {
    let path = format!("{}/../sima-teams/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Graph, the Connector and the login endpoints.
pub(crate) struct FakeTeams {
    pub(crate) graph: MockServer,
    pub(crate) connector: MockServer,
    pub(crate) login: MockServer,
    /// The team's channels, as Graph keeps them.
    pub(crate) channels: Arc<Mutex<Vec<Value>>>,
}

/// A team's channels: a create keeps the channel (409 for a taken name), a
/// filtered list finds it.
#[derive(Clone)]
struct Channels(Arc<Mutex<Vec<Value>>>);

impl Respond for Channels {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut channels = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if request.method.as_str() == "GET" {
            let filter = request.url.query_pairs().find(|(k, _)| k == "$filter").map(|(_, v)| v.into_owned());
            let found: Vec<&Value> = channels
                .iter()
                .filter(|c| {
                    filter.as_deref()
                        == Some(format!("displayName eq '{}'", c["displayName"].as_str().unwrap_or_default()).as_str())
                })
                .collect();
            return ResponseTemplate::new(200).set_body_json(json!({ "value": found }));
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let name = body["displayName"].as_str().unwrap_or_default().to_owned();
        if channels.iter().any(|c| c["displayName"] == name.as_str()) {
            let taken = json!({ "error": { "code": "NameAlreadyExists", "message": "Channel name already existed" } });
            return ResponseTemplate::new(409).set_body_json(taken);
        }
        let id = format!("19:{}@thread.tacv2", channels.len() + 1);
        let channel = json!({
            "id": id,
            "displayName": name,
            "description": body["description"],
            "membershipType": "standard",
            "webUrl": format!("https://teams.microsoft.com/l/channel/{}/{name}?groupId={TEAM}", id.replace(':', "%3a").replace('@', "%40")),
        });
        channels.push(channel.clone());
        ResponseTemplate::new(201).set_body_json(channel)
    }
}

impl FakeTeams {
    pub(crate) async fn start() -> Self {
        let teams = Self {
            graph: MockServer::start().await,
            connector: MockServer::start().await,
            login: MockServer::start().await,
            channels: Arc::default(),
        };
        teams.mount_login().await;
        teams.mount_graph().await;
        teams.mount_connector().await;
        teams
    }

    async fn mount_login(&self) {
        for (scope, token) in [("graph.microsoft.com", GRAPH_TOKEN), ("api.botframework.com", CONNECTOR_TOKEN)] {
            Mock::given(method("POST"))
                .and(path(format!("/{TENANT}/oauth2/v2.0/token")))
                .and(wiremock::matchers::body_string_contains(scope))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": token })),
                )
                .mount(&self.login)
                .await;
        }
        let metadata = json!({
            "issuer": "https://api.botframework.com",
            "jwks_uri": format!("{}/v1/.well-known/keys", self.login.uri()),
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        Mock::given(method("GET"))
            .and(path("/v1/.well-known/openidconfiguration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(metadata))
            .mount(&self.login)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/.well-known/keys"))
            .respond_with(ResponseTemplate::new(200).set_body_string(fixture("jwks.json")))
            .mount(&self.login)
            .await;
    }

    async fn mount_graph(&self) {
        Mock::given(path(format!("/v1.0/teams/{TEAM}/channels")))
            .respond_with(Channels(self.channels.clone()))
            .mount(&self.graph)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(format!("^/v1.0/teams/{TEAM}/channels/[^/]+/archive$")))
            .respond_with(ResponseTemplate::new(202))
            .mount(&self.graph)
            .await;
        for (id, name) in [("aad-ann", "Ann Smith"), ("aad-bob", "Bob Jones")] {
            Mock::given(method("GET"))
                .and(path(format!("/v1.0/users/{id}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": id, "displayName": name })))
                .mount(&self.graph)
                .await;
        }
    }

    async fn mount_connector(&self) {
        let next = Arc::new(AtomicU64::new(1_700_000_000_000));
        let counter = next.clone();
        Mock::given(method("POST"))
            .and(path("/v3/conversations"))
            .respond_with(move |request: &Request| {
                let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
                let channel = body["channelData"]["channel"]["id"].as_str().unwrap_or_default().to_owned();
                let id = counter.fetch_add(1, Ordering::SeqCst);
                ResponseTemplate::new(201)
                    .set_body_json(json!({ "id": format!("{channel};messageid={id}"), "activityId": id.to_string() }))
            })
            .mount(&self.connector)
            .await;
        Mock::given(method("POST"))
            .and(path_regex("^/v3/conversations/[^/]+/activities(/[^/]+)?$"))
            .respond_with(move |_: &Request| {
                let id = next.fetch_add(1, Ordering::SeqCst);
                ResponseTemplate::new(200).set_body_json(json!({ "id": id.to_string() }))
            })
            .mount(&self.connector)
            .await;
        Mock::given(method("PUT"))
            .and(path_regex("^/v3/conversations/[^/]+/activities/[^/]+$"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "updated" })))
            .mount(&self.connector)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/v3/teams/{TEAM_THREAD}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({ "id": TEAM_THREAD, "name": "Operations", "aadGroupId": TEAM })),
            )
            .mount(&self.connector)
            .await;
    }

    /// The `SIMA_*` variables of a server whose chat is these fakes.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        [
            ("SIMA_CHAT", "teams".to_owned()),
            ("SIMA_TEAMS_TENANT_ID", TENANT.to_owned()),
            ("SIMA_TEAMS_APP_ID", APP_ID.to_owned()),
            ("SIMA_TEAMS_APP_PASSWORD", APP_PASSWORD.to_owned()),
            ("SIMA_TEAMS_TEAM_ID", TEAM.to_owned()),
            ("SIMA_TEAMS_BROADCAST_CHANNEL", BROADCAST.to_owned()),
            ("SIMA_TEAMS_GRAPH_URL", format!("{}/v1.0", self.graph.uri())),
            ("SIMA_TEAMS_CONNECTOR_URL", self.connector.uri()),
            ("SIMA_TEAMS_TOKEN_URL", format!("{}/{TENANT}/oauth2/v2.0/token", self.login.uri())),
            ("SIMA_TEAMS_OPENID_URL", format!("{}/v1/.well-known/openidconfiguration", self.login.uri())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// The `serviceUrl` Teams names: the fake Connector.
    pub(crate) fn service_url(&self) -> String {
        format!("{}/", self.connector.uri())
    }

    /// The requests `server` received with this method, at paths starting with `prefix`, as JSON.
    pub(crate) async fn bodies(server: &MockServer, verb: &str, prefix: &str) -> Vec<Value> {
        let requests = server.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.method.as_str() == verb && r.url.path().starts_with(prefix))
            .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
            .collect()
    }

    /// The requests `server` received with this method, at paths starting with `prefix`.
    pub(crate) async fn received(server: &MockServer, verb: &str, prefix: &str) -> Vec<Request> {
        let requests = server.received_requests().await.unwrap_or_default();
        requests.into_iter().filter(|r| r.method.as_str() == verb && r.url.path().starts_with(prefix)).collect()
    }

    /// The activities the Connector was asked to post in the thread `conversation`.
    pub(crate) async fn thread(&self, conversation: &str) -> Vec<Value> {
        Self::bodies(&self.connector, "POST", &format!("/v3/conversations/{conversation}/activities")).await
    }

    /// The new threads the Connector was asked to start in `channel`: their activities.
    pub(crate) async fn threads_in(&self, channel: &str) -> Vec<Value> {
        let threads = Self::bodies(&self.connector, "POST", "/v3/conversations").await;
        let started = threads.into_iter().filter(|t| t["channelData"]["channel"]["id"] == channel);
        started.map(|t| t["activity"].clone()).collect()
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// A Bot Framework token for this bot, for activities naming `service_url`,
/// signed with `key_file`.
pub(crate) fn token(service_url: &str, key_file: &str) -> String {
    let now = now_secs();
    let claims = json!({
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "exp": now + 3600,
        "nbf": now - 60,
        "serviceurl": service_url,
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KID.to_owned());
    let key = EncodingKey::from_rsa_pem(fixture(key_file).as_bytes()).expect("a PEM key");
    jsonwebtoken::encode(&header, &claims, &key).expect("a signed token")
}

/// Posts `activity` to `/teams/messages` with this `Authorization` header;
/// the status and the JSON answered (`null` for none).
pub(crate) async fn post(app: &TestApp, activity: &Value, authorization: Option<String>) -> (u16, Value) {
    let mut request = app.http.post(format!("{}/teams/messages", app.address)).json(activity);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Posts `activity` signed as the Bot Framework signs it.
pub(crate) async fn deliver(app: &TestApp, activity: &Value) -> (u16, Value) {
    let service_url = activity["serviceUrl"].as_str().unwrap_or_default();
    post(app, activity, Some(format!("Bearer {}", token(service_url, "signing_key.pem")))).await
}

/// Ann, as Teams names her.
pub(crate) fn ann() -> Value {
    json!({ "id": "29:1ann-teams-id", "name": "Ann Smith", "aadObjectId": "aad-ann" })
}

fn channel_data(channel: &str) -> Value {
    json!({ "channel": { "id": channel }, "team": { "id": TEAM_THREAD, "aadGroupId": TEAM }, "tenant": { "id": TENANT } })
}

/// `<at>SIMA</at> {text}` typed by Ann in `channel` (a new thread).
pub(crate) fn typed(fakes: &FakeTeams, id: &str, channel: &str, text: &str) -> Value {
    json!({
        "type": "message",
        "id": id,
        "channelId": "msteams",
        "serviceUrl": fakes.service_url(),
        "from": ann(),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "isGroup": true, "conversationType": "channel", "id": format!("{channel};messageid={id}") },
        "text": format!("<at>SIMA</at> {text}"),
        "entities": [{ "type": "mention", "text": "<at>SIMA</at>", "mentioned": { "id": BOT_ID, "name": "SIMA" } }],
        "channelData": channel_data(channel),
    })
}

/// An `Action.Submit` of a card in `conversation` (a thread of `channel`) carrying `value`.
pub(crate) fn submitted(fakes: &FakeTeams, id: &str, channel: &str, conversation: &str, value: Value) -> Value {
    json!({
        "type": "message",
        "id": id,
        "channelId": "msteams",
        "serviceUrl": fakes.service_url(),
        "from": ann(),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "isGroup": true, "conversationType": "channel", "id": conversation },
        "value": value,
        "channelData": channel_data(channel),
    })
}

/// A press of a `task/fetch` button (its card `data`) on a card in `conversation`;
/// as Teams sends invokes, the team is named by its thread id only.
pub(crate) fn pressed(fakes: &FakeTeams, id: &str, channel: &str, conversation: &str, data: Value) -> Value {
    json!({
        "type": "invoke",
        "name": "task/fetch",
        "id": id,
        "channelId": "msteams",
        "serviceUrl": fakes.service_url(),
        "from": ann(),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "isGroup": true, "conversationType": "channel", "id": conversation },
        "value": { "type": "task/fetch", "data": data, "context": { "theme": "default" } },
        "channelData": { "channel": { "id": channel }, "team": { "id": TEAM_THREAD }, "tenant": { "id": TENANT } },
    })
}

/// The `data` of the button `action` on an Adaptive Card.
pub(crate) fn button_data(card: &Value, action: &str) -> Value {
    let sets = card["body"].as_array().into_iter().flatten().filter(|e| e["type"] == "ActionSet");
    sets.flat_map(|set| set["actions"].as_array().cloned().unwrap_or_default())
        .map(|button| button["data"].clone())
        .find(|data| data["sima_action"] == action)
        .unwrap_or_else(|| panic!("no {action} button on {card}"))
}
