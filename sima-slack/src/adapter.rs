//! `SlackChat`: the core's `ChatPort` over the Slack Web API.

use async_trait::async_trait;
use sima_core::domain::{MessageRef, Room, RoomId, UserRef};
use sima_core::model::{Form, FormTrigger, Message};
use sima_core::ports::{ChatPort, PortError, RoomSpec};

use crate::client::SlackClient;
use crate::config::SlackConfig;
use crate::dto::{
    Ack, ChatPostEphemeralRequest, ChatPostMessageRequest, ChatPostMessageResponse, ChatUpdateRequest, Conversation,
    ConversationsCreateRequest, ConversationsCreateResponse, ConversationsInviteRequest, ConversationsListRequest,
    ConversationsListResponse, ConversationsSetPurposeRequest, ConversationsSetTopicRequest, PinsAddRequest,
    ViewsOpenRequest,
};
use crate::error::SlackError;
use crate::naming::{candidate, legal_channel_name};
use crate::render::{fallback_text, message_blocks, modal_view, truncate};

/// Name candidates tried before giving up (`name`, `name-2` … `name-20`).
const MAX_NAME_CANDIDATES: u32 = 20;
/// `conversations.list` pages read when looking for a taken name.
const MAX_LIST_PAGES: u32 = 50;
/// Slack's longest topic and purpose.
const MAX_TOPIC: usize = 250;

/// Slack as SIMA's chat platform.
#[derive(Clone)]
pub struct SlackChat {
    client: SlackClient,
    team_id: Option<String>,
}

impl std::fmt::Debug for SlackChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackChat").field("team_id", &self.team_id).finish_non_exhaustive()
    }
}

impl SlackChat {
    /// A Slack chat port for this configuration.
    ///
    /// # Errors
    /// `SlackError::Config` if the HTTP client cannot be built.
    pub fn new(config: &SlackConfig) -> Result<Self, SlackError> {
        Ok(Self { client: SlackClient::new(config)?, team_id: config.team_id.clone() })
    }

    /// A link that opens the channel in Slack.
    pub fn room_url(&self, channel: &str) -> String {
        match &self.team_id {
            Some(team) => format!("https://slack.com/app_redirect?channel={channel}&team={team}"),
            None => format!("https://slack.com/app_redirect?channel={channel}"),
        }
    }

    /// The purpose text that marks a channel as the room of `key`.
    fn purpose(key: &str) -> String {
        format!("SIMA incident room. Key: {key}")
    }

    fn room(&self, channel: Conversation) -> Room {
        Room { url: self.room_url(&channel.id), id: RoomId::new(channel.id), name: channel.name }
    }

    /// Sets purpose and topic, both at once (neither needs the other); failures
    /// are logged, not returned, because the room exists and is usable without them.
    async fn label(&self, channel: &str, spec: &RoomSpec) {
        let purpose = Self::purpose(&spec.key);
        let purpose = ConversationsSetPurposeRequest { channel, purpose: &truncate(&purpose, MAX_TOPIC) };
        let topic = ConversationsSetTopicRequest { channel, topic: &truncate(&spec.topic, MAX_TOPIC) };
        let (purpose, topic) = futures::join!(
            self.client.call::<_, Ack>("conversations.setPurpose", &purpose),
            self.client.call::<_, Ack>("conversations.setTopic", &topic),
        );
        if let Err(error) = purpose {
            tracing::warn!(%error, channel, "could not set the room purpose");
        }
        if let Err(error) = topic {
            tracing::warn!(%error, channel, "could not set the room topic");
        }
    }

    /// The public, unarchived channel called `name`, if any.
    async fn find_channel(&self, name: &str) -> Result<Option<Conversation>, SlackError> {
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let request = ConversationsListRequest {
                types: "public_channel",
                exclude_archived: true,
                limit: 1000,
                cursor: cursor.as_deref(),
            };
            let page: ConversationsListResponse = self.client.call("conversations.list", &request).await?;
            if let Some(found) = page.channels.into_iter().find(|c| c.name == name) {
                return Ok(Some(found));
            }
            match page.response_metadata.map(|m| m.next_cursor).filter(|c| !c.is_empty()) {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
        Ok(None)
    }

    async fn post_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        message: &Message,
    ) -> Result<MessageRef, PortError> {
        let blocks = message_blocks(message);
        let text = fallback_text(message);
        let request = ChatPostMessageRequest { channel, text: &text, blocks: &blocks, thread_ts, unfurl_links: false };
        let posted: ChatPostMessageResponse = self.client.call("chat.postMessage", &request).await?;
        Ok(MessageRef { room: RoomId::new(posted.channel), ts: posted.ts })
    }
}

#[async_trait]
impl ChatPort for SlackChat {
    #[tracing::instrument(skip_all, fields(key = %spec.key), err)]
    async fn create_room(&self, spec: &RoomSpec) -> Result<Room, PortError> {
        let base = legal_channel_name(&spec.name_hint)
            .ok_or_else(|| PortError::Invalid(format!("no legal channel name in {:?}", spec.name_hint)))?;
        for n in 1..=MAX_NAME_CANDIDATES {
            let name = candidate(&base, n);
            let request = ConversationsCreateRequest { name: &name, is_private: false };
            match self.client.call::<_, ConversationsCreateResponse>("conversations.create", &request).await {
                Ok(created) => {
                    // The room is usable now: label it (topic, and the key in its purpose)
                    // alongside the first posts instead of before them.
                    let (chat, channel, spec) = (self.clone(), created.channel.id.clone(), spec.clone());
                    tokio::spawn(async move { chat.label(&channel, &spec).await });
                    return Ok(self.room(created.channel));
                }
                Err(error) if error.code() == Some("name_taken") => {
                    let existing = self.find_channel(&name).await?;
                    let ours = |c: &Conversation| c.purpose.as_ref().is_some_and(|p| p.value.contains(&spec.key));
                    if let Some(channel) = existing.filter(ours) {
                        tracing::info!(channel = %channel.id, "room already created for this incident");
                        self.label(&channel.id, spec).await;
                        return Ok(self.room(channel));
                    }
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(PortError::Conflict(format!("every name from {base} to {base}-{MAX_NAME_CANDIDATES} is taken")))
    }

    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn invite(&self, room: &RoomId, users: &[UserRef]) -> Result<(), PortError> {
        if users.is_empty() {
            return Ok(());
        }
        let users = users.iter().map(UserRef::as_str).collect::<Vec<_>>().join(",");
        let request = ConversationsInviteRequest { channel: room.as_str(), users, force: true };
        match self.client.call::<_, Ack>("conversations.invite", &request).await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.code(), Some("already_in_channel" | "cant_invite_self")) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn post(&self, room: &RoomId, message: &Message) -> Result<MessageRef, PortError> {
        self.post_message(room.as_str(), None, message).await
    }

    #[tracing::instrument(skip_all, fields(room = %parent.room, ts = %parent.ts), err)]
    async fn reply(&self, parent: &MessageRef, message: &Message) -> Result<MessageRef, PortError> {
        self.post_message(parent.room.as_str(), Some(&parent.ts), message).await
    }

    #[tracing::instrument(skip_all, fields(room = %target.room, ts = %target.ts), err)]
    async fn update(&self, target: &MessageRef, message: &Message) -> Result<(), PortError> {
        let blocks = message_blocks(message);
        let text = fallback_text(message);
        let request = ChatUpdateRequest { channel: target.room.as_str(), ts: &target.ts, text: &text, blocks: &blocks };
        self.client.call::<_, Ack>("chat.update", &request).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(room = %message.room, ts = %message.ts), err)]
    async fn pin(&self, message: &MessageRef) -> Result<(), PortError> {
        let request = PinsAddRequest { channel: message.room.as_str(), timestamp: &message.ts };
        match self.client.call::<_, Ack>("pins.add", &request).await {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("already_pinned") => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn post_ephemeral(&self, room: &RoomId, user: &UserRef, message: &Message) -> Result<(), PortError> {
        let blocks = message_blocks(message);
        let text = fallback_text(message);
        let request =
            ChatPostEphemeralRequest { channel: room.as_str(), user: user.as_str(), text: &text, blocks: &blocks };
        self.client.call::<_, Ack>("chat.postEphemeral", &request).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(form = form.id.as_str()), err)]
    async fn open_form(&self, trigger: &FormTrigger, form: &Form) -> Result<(), PortError> {
        let view = modal_view(form);
        let request = ViewsOpenRequest { trigger_id: &trigger.0, view: &view };
        self.client.call::<_, Ack>("views.open", &request).await?;
        Ok(())
    }
}
