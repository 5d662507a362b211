//! Shared fixtures: wiremock servers acting as Graph, the Connector and the
//! Microsoft login endpoints (tokens, OpenID metadata, keys), and signed
//! Bot Framework activities.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sima_teams::{Secret, TeamsChat, TeamsConfig};
use tower::ServiceExt;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, Request as Received, ResponseTemplate};

pub(crate) const APP_ID: &str = "a1b2c3d4-0000-4000-8000-00000000b07";
pub(crate) const BOT_ID: &str = "28:a1b2c3d4-0000-4000-8000-00000000b07";
pub(crate) const TENANT: &str = "tenant-1";
pub(crate) const TEAM: &str = "team-1";
pub(crate) const SECRET: &str = "app-password-never-shown";
pub(crate) const KID: &str = "sima-test-key";
/// A published key with no endorsements.
pub(crate) const UNENDORSED_KID: &str = "sima-unendorsed-key";
/// A published key endorsed for `webchat` only.
pub(crate) const WEBCHAT_KID: &str = "sima-webchat-key";
pub(crate) const TOKEN_PATH: &str = "/tenant-1/oauth2/v2.0/token";
pub(crate) const GRAPH_TOKEN: &str = "graph-token-1";
pub(crate) const CONNECTOR_TOKEN: &str = "connector-token-1";
/// The team's thread id: invokes name the team by it, without its group id.
pub(crate) const TEAM_THREAD: &str = "19:team-1-general@thread.tacv2";

pub(crate) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Graph, the Connector and the login endpoints, each on its own server.
pub(crate) struct Teams {
    pub(crate) graph: MockServer,
    pub(crate) connector: MockServer,
    pub(crate) login: MockServer,
}

impl Teams {
    /// Servers with the token endpoint and keys mounted, and nothing else.
    pub(crate) async fn bare() -> Self {
        let teams = Self {
            graph: MockServer::start().await,
            connector: MockServer::start().await,
            login: MockServer::start().await,
        };
        teams.mount_tokens(3600).await;
        let metadata =
            json!({ "issuer": "https://api.botframework.com", "jwks_uri": format!("{}/keys", teams.login.uri()) });
        Mock::given(method("GET"))
            .and(path("/openid"))
            .respond_with(ResponseTemplate::new(200).set_body_json(metadata))
            .mount(&teams.login)
            .await;
        Mock::given(method("GET"))
            .and(path("/keys"))
            .respond_with(ResponseTemplate::new(200).set_body_string(fixture("jwks.json")))
            .mount(&teams.login)
            .await;
        teams
    }

    /// Servers that answer every call the adapter makes; Graph knows Ann and Bob.
    pub(crate) async fn start() -> Self {
        let teams = Self::bare().await;
        teams.mount_graph().await;
        teams.mount_connector().await;
        teams.mount_people(&[("aad-ann", "Ann Smith"), ("aad-bob", "Bob Jones")]).await;
        teams
    }

    /// Graph answers `GET /users/{id}` with these display names (other ids: 404).
    pub(crate) async fn mount_people(&self, people: &[(&str, &str)]) {
        for (id, name) in people {
            Mock::given(method("GET"))
                .and(path(format!("/v1.0/users/{id}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": id, "displayName": name })))
                .mount(&self.graph)
                .await;
        }
    }

    /// Token endpoint answering per scope, tokens living `expires_in` seconds.
    pub(crate) async fn mount_tokens(&self, expires_in: u64) {
        for (scope, token) in [("graph.microsoft.com", GRAPH_TOKEN), ("api.botframework.com", CONNECTOR_TOKEN)] {
            Mock::given(method("POST"))
                .and(path(TOKEN_PATH))
                .and(body_string_contains(scope))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(
                        json!({ "token_type": "Bearer", "expires_in": expires_in, "access_token": token }),
                    ),
                )
                .mount(&self.login)
                .await;
        }
    }

    /// Graph creates any channel asked for, as `19:<name>@thread.tacv2`.
    pub(crate) async fn mount_graph(&self) {
        Mock::given(method("POST"))
            .and(path(format!("/v1.0/teams/{TEAM}/channels")))
            .respond_with(|request: &Received| {
                let body: Value = serde_json::from_slice(&request.body).unwrap();
                ResponseTemplate::new(201).set_body_json(channel(
                    body["displayName"].as_str().unwrap(),
                    body["description"].as_str().unwrap(),
                ))
            })
            .mount(&self.graph)
            .await;
    }

    /// The Connector creates threads and activities with increasing ids.
    pub(crate) async fn mount_connector(&self) {
        let next = Arc::new(AtomicU64::new(1000));
        let counter = next.clone();
        Mock::given(method("POST"))
            .and(path("/v3/conversations"))
            .respond_with(move |request: &Received| {
                let body: Value = serde_json::from_slice(&request.body).unwrap();
                let channel = body["channelData"]["channel"]["id"].as_str().unwrap().to_owned();
                let id = counter.fetch_add(1, Ordering::SeqCst);
                ResponseTemplate::new(201)
                    .set_body_json(json!({ "id": format!("{channel};messageid={id}"), "activityId": id.to_string() }))
            })
            .mount(&self.connector)
            .await;
        Mock::given(method("POST"))
            .and(path_regex("^/v3/conversations/[^/]+/activities(/[^/]+)?$"))
            .respond_with(move |_: &Received| {
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
        let team = json!({ "id": TEAM_THREAD, "name": "Operations", "aadGroupId": TEAM });
        Mock::given(method("GET"))
            .and(path(format!("/v3/teams/{TEAM_THREAD}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(team))
            .mount(&self.connector)
            .await;
    }

    pub(crate) fn config(&self) -> TeamsConfig {
        let mut config = TeamsConfig::new(TENANT, APP_ID, Secret::new(SECRET), TEAM);
        config.graph_url = format!("{}/v1.0", self.graph.uri());
        config.connector_url = self.connector.uri();
        config.token_url = Some(format!("{}{TOKEN_PATH}", self.login.uri()));
        config.openid_metadata_url = format!("{}/openid", self.login.uri());
        config.http.timeout_secs = 2;
        config.http.max_retry_wait_secs = 5;
        config.http.backoff_ms = 10;
        config
    }

    pub(crate) fn chat(&self) -> TeamsChat {
        TeamsChat::new(self.config()).unwrap()
    }

    /// The `serviceUrl` Teams names: the fake Connector, with a trailing slash.
    pub(crate) fn service_url(&self) -> String {
        format!("{}/", self.connector.uri())
    }

    /// `activity` naming the fake Connector as its `serviceUrl`, unless it names one.
    pub(crate) fn on_connector(&self, activity: &Value) -> Value {
        let mut activity = activity.clone();
        if activity.get("serviceUrl").is_none() {
            activity["serviceUrl"] = json!(self.service_url());
        }
        activity
    }

    /// Posts `activity` (on the fake Connector) with this `Authorization` header.
    pub(crate) async fn deliver(
        &self,
        app: &axum::Router,
        activity: &Value,
        authorization: Option<String>,
    ) -> StatusCode {
        post(app, &self.on_connector(activity), authorization).await.0
    }

    /// Posts `activity` (on the fake Connector) with a valid token for its
    /// `serviceUrl`; the status and the JSON answered.
    pub(crate) async fn invoke(&self, app: &axum::Router, activity: &Value) -> (StatusCode, Value) {
        let activity = self.on_connector(activity);
        let token = valid_token(activity["serviceUrl"].as_str().unwrap_or_default());
        post(app, &activity, Some(format!("Bearer {token}"))).await
    }

    /// Posts `activity` with a valid token.
    pub(crate) async fn deliver_signed(&self, app: &axum::Router, activity: &Value) -> StatusCode {
        self.invoke(app, activity).await.0
    }
}

/// A Graph channel resource.
pub(crate) fn channel(name: &str, description: &str) -> Value {
    json!({
        "id": format!("19:{name}@thread.tacv2"),
        "displayName": name,
        "description": description,
        "membershipType": "standard",
        "webUrl": format!("https://teams.microsoft.com/l/channel/19%3a{name}%40thread.tacv2/{name}?groupId={TEAM}"),
    })
}

/// Requests `server` received with this method and a path starting with `prefix`.
pub(crate) async fn received(server: &MockServer, verb: &str, prefix: &str) -> Vec<Received> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path().starts_with(prefix))
        .collect()
}

/// The JSON bodies of [`received`].
pub(crate) async fn bodies(server: &MockServer, verb: &str, prefix: &str) -> Vec<Value> {
    received(server, verb, prefix).await.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

/// How often the token endpoint was called.
pub(crate) async fn token_calls(teams: &Teams) -> usize {
    received(&teams.login, "POST", TOKEN_PATH).await.len()
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Claims the Bot Framework puts in a valid token for this bot (without the
/// `serviceurl` claim, which [`claims_for`] adds).
pub(crate) fn claims() -> Value {
    let now = now_secs();
    json!({
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "exp": now + 3600,
        "nbf": now - 60,
    })
}

/// [`claims`] for activities that name `service_url` (the Bot Framework
/// spells the claim `serviceurl`).
pub(crate) fn claims_for(service_url: &str) -> Value {
    let mut claims = claims();
    claims["serviceurl"] = json!(service_url);
    claims
}

/// A token over `claims`, signed with the key in fixture `key_file` under key id `kid`.
pub(crate) fn sign(claims: &Value, key_file: &str, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(fixture(key_file).as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// A valid token for activities naming `service_url`.
pub(crate) fn valid_token(service_url: &str) -> String {
    sign(&claims_for(service_url), "signing_key.pem", KID)
}

/// Posts `activity` to `/messages` with this `Authorization` header (none if
/// `None`); the status and the JSON answered (`null` for none).
pub(crate) async fn post(app: &axum::Router, activity: &Value, authorization: Option<String>) -> (StatusCode, Value) {
    let mut request = Request::post("/messages").header("content-type", "application/json");
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let request = request.body(Body::from(activity.to_string())).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// A person in Teams.
pub(crate) fn person(name: &str) -> Value {
    json!({ "id": format!("29:1{name}-teams-id"), "name": name, "aadObjectId": format!("aad-{name}") })
}

/// A message typed in `channel` mentioning the bot: `<at>SIMA</at> {text}`.
pub(crate) fn command_activity(id: &str, channel: &str, text: &str) -> Value {
    json!({
        "type": "message",
        "id": id,
        "channelId": "msteams",
        "from": person("ann"),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "isGroup": true, "conversationType": "channel", "id": format!("{channel};messageid={id}") },
        "text": format!("<at>SIMA</at> {text}"),
        "entities": [{ "type": "mention", "text": "<at>SIMA</at>", "mentioned": { "id": BOT_ID, "name": "SIMA" } }],
        "channelData": { "channel": { "id": channel }, "team": { "id": TEAM }, "tenant": { "id": TENANT } },
    })
}

/// An `Action.Submit` from a card in `channel`'s thread `thread` with this `data`.
pub(crate) fn submit_activity(id: &str, channel: &str, thread: &str, data: Value) -> Value {
    json!({
        "type": "message",
        "id": id,
        "channelId": "msteams",
        "from": person("ann"),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "isGroup": true, "conversationType": "channel", "id": format!("{channel};messageid={thread}") },
        "value": data,
        "channelData": { "channel": { "id": channel }, "team": { "id": TEAM }, "tenant": { "id": TENANT } },
    })
}

/// `name` joined the team of `channel`.
pub(crate) fn join_activity(id: &str, channel: &str, name: &str) -> Value {
    json!({
        "type": "conversationUpdate",
        "id": id,
        "channelId": "msteams",
        "from": person("admin"),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "isGroup": true, "conversationType": "channel", "id": channel },
        "membersAdded": [person(name), { "id": BOT_ID }],
        "channelData": {
            "eventType": "teamMemberAdded",
            "channel": { "id": channel },
            "team": { "id": TEAM },
            "tenant": { "id": TENANT },
        },
    })
}

/// A message `ann` typed to the bot in her personal chat with it.
pub(crate) fn personal_activity(id: &str, text: &str) -> Value {
    json!({
        "type": "message",
        "id": id,
        "channelId": "msteams",
        "from": person("ann"),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "conversationType": "personal", "tenantId": TENANT, "id": "a:1ann-personal-chat" },
        "text": text,
        "channelData": { "tenant": { "id": TENANT } },
    })
}

/// An invoke `name` from a card in `channel`'s thread `thread`, carrying
/// `value`; Teams names the team by its thread id only.
pub(crate) fn invoke_activity(id: &str, name: &str, channel: &str, thread: &str, value: Value) -> Value {
    json!({
        "type": "invoke",
        "name": name,
        "id": id,
        "channelId": "msteams",
        "from": person("ann"),
        "recipient": { "id": BOT_ID, "name": "SIMA" },
        "conversation": { "isGroup": true, "conversationType": "channel", "id": format!("{channel};messageid={thread}") },
        "value": value,
        "channelData": {
            "channel": { "id": channel },
            "team": { "id": TEAM_THREAD },
            "tenant": { "id": TENANT },
            "source": { "name": "message" },
        },
    })
}

/// A press of a card button marked `task/fetch` (its `data`, as on the card).
pub(crate) fn task_fetch(id: &str, channel: &str, thread: &str, data: Value) -> Value {
    let value = json!({ "type": "task/fetch", "data": data, "context": { "theme": "default" } });
    invoke_activity(id, "task/fetch", channel, thread, value)
}

/// A dialog sent: its inputs merged with its submit button's `data`.
pub(crate) fn task_submit(id: &str, channel: &str, thread: &str, data: Value) -> Value {
    let value = json!({ "type": "task/submit", "data": data, "context": { "theme": "default" } });
    invoke_activity(id, "task/submit", channel, thread, value)
}

/// A Universal Action (`Action.Execute`) carrying `data`.
pub(crate) fn card_action(id: &str, channel: &str, thread: &str, data: Value) -> Value {
    let value = json!({ "action": { "type": "Action.Execute", "verb": "sima", "data": data }, "trigger": "manual" });
    invoke_activity(id, "adaptiveCard/action", channel, thread, value)
}

/// The `data` of the button `action` on a card, as Teams sends it back.
pub(crate) fn button_data(card: &Value, action: &str) -> Value {
    let sets = card["body"].as_array().into_iter().flatten().filter(|e| e["type"] == "ActionSet");
    sets.flat_map(|set| set["actions"].as_array().cloned().unwrap_or_default())
        .map(|button| button["data"].clone())
        .find(|data| data["sima_action"] == action)
        .unwrap_or_else(|| panic!("no {action} button on {card}"))
}
