//! Which activities this bot serves. The Bot Framework's token proves only
//! that the Bot Framework sent the request to this app; it names no tenant.
//! Anyone who can reach the bot from another tenant (a multi-tenant app
//! registration, the app installed elsewhere) gets equally valid tokens, so
//! the activity itself must say it comes from the configured tenant, and, in
//! a team's channel, from the configured team.

use serde_json::Value;

use crate::auth::AuthError;
use crate::config::TeamsConfig;

/// The tenant and team whose activities the route accepts.
#[derive(Debug, Clone)]
pub(crate) struct Tenancy {
    tenant_id: String,
    team_id: String,
}

impl Tenancy {
    /// The tenant and team of `config`.
    pub(crate) fn new(config: &TeamsConfig) -> Self {
        Self { tenant_id: config.tenant_id.clone(), team_id: config.team_id.clone() }
    }

    /// Admits an activity (the request body) of the configured tenant
    /// (`channelData.tenant.id`) that, when it happened in a team's channel
    /// (`channelData.team`, or a conversation of type `channel`), comes from
    /// the configured team. Personal and group chats name no team.
    ///
    /// # Errors
    /// [`AuthError::Foreign`] when the tenant or the team is missing or another.
    pub(crate) fn admit(&self, body: &[u8]) -> Result<(), AuthError> {
        let activity: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let text = |pointer: &str| activity.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty());
        match text("/channelData/tenant/id") {
            Some(tenant) if same_id(tenant, &self.tenant_id) => {}
            Some(tenant) => return Err(AuthError::Foreign(format!("activity of tenant {tenant:?}"))),
            None => return Err(AuthError::Foreign("activity names no tenant".into())),
        }
        let team = activity.pointer("/channelData/team").filter(|team| !team.is_null());
        let in_channel = text("/conversation/conversationType") == Some("channel");
        if team.is_none() && !in_channel {
            return Ok(());
        }
        // `team_id` is the team's group id, as Graph names it. Teams puts that
        // id in `team.aadGroupId` and the team's own thread id in `team.id`;
        // either names the configured team.
        let (id, group) = (text("/channelData/team/id"), text("/channelData/team/aadGroupId"));
        if [id, group].into_iter().flatten().any(|id| same_id(id, &self.team_id)) {
            return Ok(());
        }
        Err(AuthError::Foreign(match id.or(group) {
            Some(team) => format!("activity of team {team:?}"),
            None => "channel activity names no team".into(),
        }))
    }
}

/// Entra ids are GUIDs, equal regardless of case.
fn same_id(seen: &str, configured: &str) -> bool {
    !configured.is_empty() && seen.eq_ignore_ascii_case(configured)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sima_core::Secret;

    fn admit(activity: Value) -> Result<(), AuthError> {
        let config = TeamsConfig::new("TENANT-1", "app", Secret::new("p"), "team-1");
        Tenancy::new(&config).admit(activity.to_string().as_bytes())
    }

    #[test]
    fn the_tenant_is_required_and_compared_without_case() {
        let chat = |data: Value| json!({ "conversation": { "conversationType": "personal" }, "channelData": data });
        assert_eq!(admit(chat(json!({ "tenant": { "id": "tenant-1" } }))), Ok(()));
        assert!(admit(chat(json!({ "tenant": { "id": "tenant-2" } }))).is_err());
        assert!(admit(chat(json!({ "tenant": { "id": "" } }))).is_err());
        assert!(admit(chat(json!({ "tenant": { "id": 1 } }))).is_err());
        assert!(admit(chat(json!({}))).is_err());
        assert!(admit(chat(Value::Null)).is_err());
        assert!(admit(json!("not an activity")).is_err());
    }

    #[test]
    fn a_channel_activity_needs_the_team_by_thread_or_group_id() {
        let tenant = json!({ "id": "tenant-1" });
        let channel = |team: Value| {
            let data = json!({ "tenant": tenant, "team": team });
            json!({ "conversation": { "conversationType": "channel" }, "channelData": data })
        };
        assert_eq!(admit(channel(json!({ "id": "team-1" }))), Ok(()));
        assert_eq!(admit(channel(json!({ "id": "19:general@thread.tacv2", "aadGroupId": "team-1" }))), Ok(()));
        assert!(admit(channel(json!({ "id": "19:general@thread.tacv2" }))).is_err());
        assert!(admit(channel(json!({ "id": "team-2", "aadGroupId": "team-2" }))).is_err());
        assert!(admit(channel(Value::Null)).is_err(), "a channel conversation without a team");
        // A team named outside a channel conversation is checked all the same.
        let mut group_chat = channel(json!({ "id": "team-2" }));
        group_chat["conversation"]["conversationType"] = json!("groupChat");
        assert!(admit(group_chat).is_err());
    }
}
