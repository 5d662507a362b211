//! Graph and Bot Framework wire types (crate-private), named after the calls.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /teams/{team-id}/channels`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateChannelRequest<'a> {
    pub(crate) display_name: &'a str,
    pub(crate) description: &'a str,
    pub(crate) membership_type: &'static str,
}

/// A Graph channel, as created or listed.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Channel {
    pub(crate) id: String,
    pub(crate) display_name: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) web_url: Option<String>,
}

/// `GET /teams/{team-id}/channels?$filter=…`.
#[derive(Deserialize)]
pub(crate) struct ListChannelsResponse {
    #[serde(default)]
    pub(crate) value: Vec<Channel>,
}

/// An outgoing message activity: an Adaptive Card and a plain summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageActivity {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reply_to_id: Option<String>,
    pub(crate) summary: String,
    pub(crate) attachments: Vec<Attachment>,
}

/// One card attached to an activity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Attachment {
    pub(crate) content_type: &'static str,
    pub(crate) content: Value,
}

/// `POST /v3/conversations`: a new thread in a channel.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateConversationRequest<'a> {
    pub(crate) is_group: bool,
    pub(crate) channel_data: Value,
    pub(crate) activity: &'a MessageActivity,
}

/// The answer to `POST /v3/conversations`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateConversationResponse {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) activity_id: Option<String>,
}

/// The answer to posting or updating an activity.
#[derive(Deserialize)]
pub(crate) struct ResourceResponse {
    #[serde(default)]
    pub(crate) id: Option<String>,
}

/// `GET /users/{id}?$select=displayName`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GraphUser {
    #[serde(default)]
    pub(crate) display_name: Option<String>,
}

/// `GET /v3/teams/{team-id}` on the Connector: a team named by its thread id.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TeamDetails {
    #[serde(default)]
    pub(crate) aad_group_id: Option<String>,
}
