//! Which activities this bot serves. The Bot Framework's token proves only
//! that the Bot Framework sent the request to this app; it names no tenant.
//! Anyone who can reach the bot from another tenant (a multi-tenant app
//! registration, the app installed elsewhere) gets equally valid tokens, so
//! the activity itself must say it comes from the configured tenant, in a
//! team's channel from the configured team, and through the configured
//! Connector.
//!
//! Teams names the team by its group id (`channelData.team.aadGroupId`) on
//! messages, but invokes and some updates carry only the team's thread id
//! (`channelData.team.id`). A thread id is looked up once through the
//! Connector (`GET /v3/teams/{id}`, the configured Connector, never the
//! URL the activity names) and remembered.

use std::collections::HashMap;

use reqwest::{Method, Url};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::auth::{AuthError, BotClaims};
use crate::client::{Api, TeamsClient};
use crate::config::TeamsConfig;
use crate::dto::TeamDetails;

/// Team thread ids remembered before the cache starts over.
const MAX_TEAMS: usize = 256;

/// What one activity's `channelData` says about where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The configured tenant, and the configured team or no team.
    Admit,
    /// Refused, and why.
    Refuse(AuthError),
    /// The configured tenant, in a channel of the team with this thread id:
    /// its group id decides.
    LookUp(String),
}

/// The tenant, team and Connector whose activities the route accepts.
pub(crate) struct Tenancy {
    tenant_id: String,
    team_id: String,
    connector: Option<Url>,
    client: TeamsClient,
    /// Team thread id → its group id (`None`: a team this bot is not in).
    teams: Mutex<HashMap<String, Option<String>>>,
}

impl Tenancy {
    /// The tenant, team and Connector of `config`; teams are looked up through `client`.
    pub(crate) fn new(config: &TeamsConfig, client: TeamsClient) -> Self {
        Self {
            tenant_id: config.tenant_id.clone(),
            team_id: config.team_id.clone(),
            connector: Url::parse(&config.connector_url).ok(),
            client,
            teams: Mutex::new(HashMap::new()),
        }
    }

    /// Admits an activity (the request body) of the configured tenant
    /// (`channelData.tenant.id`), sent through the configured Connector
    /// (`serviceUrl`, and the token's `serviceUrl` claim when it has one),
    /// that, when it happened in a team's channel, comes from the configured
    /// team.
    ///
    /// # Errors
    /// [`AuthError::Foreign`] when the tenant, the Connector or the team is
    /// missing or another; [`AuthError::Lookup`] when the team could not be
    /// looked up (the Bot Framework delivers the activity again).
    pub(crate) async fn admit(&self, body: &[u8], claims: &BotClaims) -> Result<(), AuthError> {
        let activity: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        self.check_service_url(&activity, claims)?;
        match self.verdict(&activity) {
            Verdict::Admit => Ok(()),
            Verdict::Refuse(error) => Err(error),
            Verdict::LookUp(thread) => match self.group_of(&thread).await? {
                Some(group) if same_id(&group, &self.team_id) => Ok(()),
                Some(group) => Err(AuthError::Foreign(format!("activity of team {group:?}"))),
                None => Err(AuthError::Foreign(format!("activity of team {thread:?}, which this bot is not in"))),
            },
        }
    }

    /// The activity's `serviceUrl` must be on the configured Connector (same
    /// scheme, host and port; Teams adds a regional path such as `/emea/`),
    /// and be the one the token was issued for. An activity may name none
    /// only when its token names none either: SIMA never sends anything to
    /// the URL an activity names, so there is nothing else to check.
    fn check_service_url(&self, activity: &Value, claims: &BotClaims) -> Result<(), AuthError> {
        let named = activity.get("serviceUrl").and_then(Value::as_str).filter(|s| !s.is_empty());
        let claimed = claims.service_url.as_deref().filter(|s| !s.is_empty());
        let Some(named) = named else {
            return match claimed {
                Some(claimed) => Err(AuthError::Foreign(format!(
                    "the token was issued for serviceUrl {claimed:?}; the activity names none"
                ))),
                None => Ok(()),
            };
        };
        let on_connector = match (Url::parse(named), &self.connector) {
            (Ok(url), Some(connector)) => same_origin(&url, connector),
            _ => false,
        };
        if !on_connector {
            return Err(AuthError::Foreign(format!("serviceUrl {named:?} is not the configured Connector")));
        }
        if let Some(claimed) = claimed {
            if !claimed.trim_end_matches('/').eq_ignore_ascii_case(named.trim_end_matches('/')) {
                return Err(AuthError::Foreign(format!(
                    "the token was issued for serviceUrl {claimed:?}, not {named:?}"
                )));
            }
        }
        Ok(())
    }

    /// What `channelData` alone says: the tenant must be the configured one;
    /// in a team's channel (`channelData.team`, or a conversation of type
    /// `channel`) the team must be too. Personal and group chats name no team.
    pub(crate) fn verdict(&self, activity: &Value) -> Verdict {
        let text = |pointer: &str| activity.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty());
        match text("/channelData/tenant/id") {
            Some(tenant) if same_id(tenant, &self.tenant_id) => {}
            Some(tenant) => return Verdict::Refuse(AuthError::Foreign(format!("activity of tenant {tenant:?}"))),
            None => return Verdict::Refuse(AuthError::Foreign("activity names no tenant".into())),
        }
        let team = activity.pointer("/channelData/team").filter(|team| !team.is_null());
        let in_channel = text("/conversation/conversationType") == Some("channel");
        if team.is_none() && !in_channel {
            return Verdict::Admit;
        }
        // `team_id` is the team's group id, as Graph names it. Teams puts that
        // id in `team.aadGroupId` and the team's own thread id in `team.id`.
        match (text("/channelData/team/aadGroupId"), text("/channelData/team/id")) {
            (Some(group), _) if same_id(group, &self.team_id) => Verdict::Admit,
            (Some(group), _) => Verdict::Refuse(AuthError::Foreign(format!("activity of team {group:?}"))),
            (None, Some(id)) if same_id(id, &self.team_id) => Verdict::Admit,
            (None, Some(thread)) => Verdict::LookUp(thread.to_owned()),
            (None, None) => Verdict::Refuse(AuthError::Foreign("channel activity names no team".into())),
        }
    }

    /// The group id of the team with this thread id, through the Connector;
    /// `None` for a team this bot is not in.
    async fn group_of(&self, thread: &str) -> Result<Option<String>, AuthError> {
        let mut teams = self.teams.lock().await;
        if let Some(known) = teams.get(thread) {
            return Ok(known.clone());
        }
        let url =
            self.client.url(Api::Connector, &["v3", "teams", thread]).map_err(|e| AuthError::Lookup(e.to_string()))?;
        let found = self
            .client
            .send::<(), TeamDetails>(Api::Connector, "connector: get team", Method::GET, url, None, None)
            .await;
        let group = match found {
            Ok(details) => details.aad_group_id.filter(|g| !g.is_empty()),
            Err(error) if matches!(error.status(), Some(400 | 403 | 404)) => None,
            Err(error) => return Err(AuthError::Lookup(error.to_string())),
        };
        if teams.len() >= MAX_TEAMS {
            teams.clear();
        }
        tracing::debug!(%thread, ?group, "looked a team up");
        teams.insert(thread.to_owned(), group.clone());
        Ok(group)
    }
}

/// Entra ids are GUIDs, equal regardless of case.
fn same_id(seen: &str, configured: &str) -> bool {
    !configured.is_empty() && seen.eq_ignore_ascii_case(configured)
}

/// Same scheme, host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sima_core::Secret;

    fn tenancy() -> Tenancy {
        let config = TeamsConfig::new("TENANT-1", "app", Secret::new("p"), "team-1");
        let client = TeamsClient::new(&config).unwrap();
        Tenancy::new(&config, client)
    }

    fn verdict(activity: Value) -> Verdict {
        tenancy().verdict(&activity)
    }

    fn refused(verdict: &Verdict) -> bool {
        matches!(verdict, Verdict::Refuse(AuthError::Foreign(_)))
    }

    #[test]
    fn the_tenant_is_required_and_compared_without_case() {
        let chat = |data: Value| json!({ "conversation": { "conversationType": "personal" }, "channelData": data });
        assert_eq!(verdict(chat(json!({ "tenant": { "id": "tenant-1" } }))), Verdict::Admit);
        assert!(refused(&verdict(chat(json!({ "tenant": { "id": "tenant-2" } })))));
        assert!(refused(&verdict(chat(json!({ "tenant": { "id": "" } })))));
        assert!(refused(&verdict(chat(json!({ "tenant": { "id": 1 } })))));
        assert!(refused(&verdict(chat(json!({})))));
        assert!(refused(&verdict(chat(Value::Null))));
        assert!(refused(&verdict(json!("not an activity"))));
    }

    #[test]
    fn a_channel_activity_needs_the_team_by_group_id_or_a_thread_id_to_look_up() {
        let tenant = json!({ "id": "tenant-1" });
        let channel = |team: Value| {
            let data = json!({ "tenant": tenant, "team": team });
            json!({ "conversation": { "conversationType": "channel" }, "channelData": data })
        };
        assert_eq!(verdict(channel(json!({ "id": "team-1" }))), Verdict::Admit);
        assert_eq!(
            verdict(channel(json!({ "id": "19:general@thread.tacv2", "aadGroupId": "team-1" }))),
            Verdict::Admit
        );
        assert_eq!(
            verdict(channel(json!({ "id": "19:general@thread.tacv2" }))),
            Verdict::LookUp("19:general@thread.tacv2".into())
        );
        assert!(refused(&verdict(channel(json!({ "id": "team-1", "aadGroupId": "team-2" })))), "the group id decides");
        assert!(refused(&verdict(channel(Value::Null))), "a channel conversation without a team");
        // A team named outside a channel conversation is checked all the same.
        let mut group_chat = channel(json!({ "id": "team-2", "aadGroupId": "team-2" }));
        group_chat["conversation"]["conversationType"] = json!("groupChat");
        assert!(refused(&verdict(group_chat)));
    }

    #[test]
    fn the_service_url_must_be_on_the_connector_and_match_the_token() {
        let tenancy = tenancy();
        let with = |url: &str| json!({ "serviceUrl": url });
        let no_claim = BotClaims { service_url: None };
        assert_eq!(tenancy.check_service_url(&with("https://smba.trafficmanager.net/emea/"), &no_claim), Ok(()));
        assert_eq!(tenancy.check_service_url(&with("https://SMBA.trafficmanager.net/teams"), &no_claim), Ok(()));
        for foreign in ["https://evil.example/teams/", "http://smba.trafficmanager.net/teams/", "not a url"] {
            assert!(tenancy.check_service_url(&with(foreign), &no_claim).is_err(), "{foreign}");
        }
        let claim = BotClaims { service_url: Some("https://smba.trafficmanager.net/emea/".into()) };
        assert_eq!(tenancy.check_service_url(&with("https://smba.trafficmanager.net/emea"), &claim), Ok(()));
        assert!(tenancy.check_service_url(&with("https://smba.trafficmanager.net/amer/"), &claim).is_err());
        // Naming none is only right when the token names none either.
        assert!(tenancy.check_service_url(&json!({}), &claim).is_err());
        assert!(tenancy.check_service_url(&with(""), &claim).is_err());
        assert_eq!(tenancy.check_service_url(&json!({}), &no_claim), Ok(()));
    }
}
