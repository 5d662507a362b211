//! Slack Web API wire types, named after the methods. They never leave the crate.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::render::KitBlock;

/// `conversations.create`.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationsCreateRequest<'a> {
    pub(crate) name: &'a str,
    pub(crate) is_private: bool,
}

/// The channel in `conversations.create` and `conversations.list` answers.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Conversation {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) purpose: Option<TopicOrPurpose>,
    /// The user who created the channel.
    #[serde(default)]
    pub(crate) creator: Option<String>,
    /// Members, as `conversations.list` counts them.
    #[serde(default)]
    pub(crate) num_members: Option<u64>,
}

/// A channel's topic or purpose.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TopicOrPurpose {
    #[serde(default)]
    pub(crate) value: String,
}

/// Answer to `conversations.create`.
#[derive(Debug, Deserialize)]
pub(crate) struct ConversationsCreateResponse {
    pub(crate) channel: Conversation,
}

/// `conversations.list`.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationsListRequest<'a> {
    pub(crate) types: &'a str,
    pub(crate) exclude_archived: bool,
    pub(crate) limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cursor: Option<&'a str>,
}

/// Answer to `conversations.list`.
#[derive(Debug, Deserialize)]
pub(crate) struct ConversationsListResponse {
    #[serde(default)]
    pub(crate) channels: Vec<Conversation>,
    #[serde(default)]
    pub(crate) response_metadata: Option<ResponseMetadata>,
}

/// Pagination of list answers.
#[derive(Debug, Deserialize)]
pub(crate) struct ResponseMetadata {
    #[serde(default)]
    pub(crate) next_cursor: String,
}

/// `conversations.setTopic`.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationsSetTopicRequest<'a> {
    pub(crate) channel: &'a str,
    pub(crate) topic: &'a str,
}

/// `conversations.setPurpose`.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationsSetPurposeRequest<'a> {
    pub(crate) channel: &'a str,
    pub(crate) purpose: &'a str,
}

/// `conversations.invite`.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationsInviteRequest<'a> {
    pub(crate) channel: &'a str,
    /// Comma-separated user ids.
    pub(crate) users: String,
    pub(crate) force: bool,
}

/// `usergroups.users.list`.
#[derive(Debug, Serialize)]
pub(crate) struct UsergroupsUsersListRequest<'a> {
    pub(crate) usergroup: &'a str,
}

/// `usergroups.users.list`'s answer: the members' user ids.
#[derive(Debug, Deserialize)]
pub(crate) struct UsergroupsUsersListResponse {
    #[serde(default)]
    pub(crate) users: Vec<String>,
}

/// `users.info` (sent as a form: Slack ignores a JSON body's arguments here).
#[derive(Debug, Serialize)]
pub(crate) struct UsersInfoRequest<'a> {
    pub(crate) user: &'a str,
}

/// `users.info`'s answer, as far as SIMA reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct UsersInfoResponse {
    pub(crate) user: UsersInfoUser,
}

/// The user in a `users.info` answer.
#[derive(Debug, Deserialize)]
pub(crate) struct UsersInfoUser {
    #[serde(default)]
    pub(crate) profile: UsersInfoProfile,
}

/// The profile of a `users.info` user: the email is there only with the
/// `users:read.email` scope, and only if the person has one.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct UsersInfoProfile {
    #[serde(default)]
    pub(crate) email: Option<String>,
}

/// `chat.postMessage`.
#[derive(Debug, Serialize)]
pub(crate) struct ChatPostMessageRequest<'a> {
    pub(crate) channel: &'a str,
    pub(crate) text: &'a str,
    pub(crate) blocks: &'a [KitBlock],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) thread_ts: Option<&'a str>,
    pub(crate) unfurl_links: bool,
}

/// Answer to `chat.postMessage`.
#[derive(Debug, Deserialize)]
pub(crate) struct ChatPostMessageResponse {
    pub(crate) channel: String,
    pub(crate) ts: String,
}

/// `chat.update`.
#[derive(Debug, Serialize)]
pub(crate) struct ChatUpdateRequest<'a> {
    pub(crate) channel: &'a str,
    pub(crate) ts: &'a str,
    pub(crate) text: &'a str,
    pub(crate) blocks: &'a [KitBlock],
}

/// `chat.postEphemeral`.
#[derive(Debug, Serialize)]
pub(crate) struct ChatPostEphemeralRequest<'a> {
    pub(crate) channel: &'a str,
    pub(crate) user: &'a str,
    pub(crate) text: &'a str,
    pub(crate) blocks: &'a [KitBlock],
}

/// `pins.add`.
#[derive(Debug, Serialize)]
pub(crate) struct PinsAddRequest<'a> {
    pub(crate) channel: &'a str,
    pub(crate) timestamp: &'a str,
}

/// `conversations.archive`.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationsArchiveRequest<'a> {
    pub(crate) channel: &'a str,
}

/// `views.open`.
#[derive(Debug, Serialize)]
pub(crate) struct ViewsOpenRequest<'a> {
    pub(crate) trigger_id: &'a str,
    pub(crate) view: &'a Value,
}

/// `views.update`: replaces an open view, unless it changed since `hash`.
#[derive(Debug, Serialize)]
pub(crate) struct ViewsUpdateRequest<'a> {
    pub(crate) view_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub(crate) hash: &'a str,
    pub(crate) view: &'a Value,
}

/// `auth.test`.
#[derive(Debug, Serialize)]
pub(crate) struct AuthTestRequest {}

/// Answer to `auth.test`: who the token acts as.
#[derive(Debug, Deserialize)]
pub(crate) struct AuthTestResponse {
    pub(crate) user_id: String,
}

/// An `ok: true` answer whose content is not needed.
#[derive(Debug, Deserialize)]
pub(crate) struct Ack {}
