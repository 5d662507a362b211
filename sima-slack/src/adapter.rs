//! `SlackChat`: the core's `ChatPort` over the Slack Web API.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use sima_core::domain::{MessageRef, Room, RoomId, UserGroupRef, UserRef};
use sima_core::model::{Form, FormTrigger, Message};
use sima_core::ports::{ChatPort, PortError, RoomSpec};

use crate::client::SlackClient;
use crate::config::SlackConfig;
use crate::dto::{
    Ack, AuthTestRequest, AuthTestResponse, ChatPostEphemeralRequest, ChatPostMessageRequest, ChatPostMessageResponse,
    ChatUpdateRequest, Conversation, ConversationsArchiveRequest, ConversationsCreateRequest,
    ConversationsCreateResponse, ConversationsInviteRequest, ConversationsListRequest, ConversationsListResponse,
    ConversationsSetPurposeRequest, ConversationsSetTopicRequest, PinsAddRequest, UsergroupsUsersListRequest,
    UsergroupsUsersListResponse, UsersInfoRequest, UsersInfoResponse, ViewsOpenRequest, ViewsUpdateRequest,
};
use crate::error::SlackError;
use crate::naming::{candidate, candidate_number, legal_channel_name};
use crate::render::{blocks, fallback_text, modal_view, truncate};

/// Users `conversations.invite` takes in one call.
const INVITE_BATCH: usize = 1000;

/// `conversations.create` calls that may meet `name_taken` before giving up;
/// each is followed by one `conversations.list` pass.
const MAX_COLLISION_ROUNDS: u32 = 5;
/// `conversations.list` pages read when looking for a taken name.
const MAX_LIST_PAGES: u32 = 50;
/// Slack's longest topic and purpose.
const MAX_TOPIC: usize = 250;

/// Slack as SIMA's chat platform.
#[derive(Clone)]
pub struct SlackChat {
    client: SlackClient,
    team_id: Option<String>,
    bot_user: Arc<OnceLock<String>>,
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
    pub fn new(config: SlackConfig) -> Result<Self, SlackError> {
        Ok(Self { client: SlackClient::new(&config)?, team_id: config.team_id, bot_user: Arc::default() })
    }

    /// A link that opens the channel in Slack.
    pub fn room_url(&self, channel: &str) -> String {
        match &self.team_id {
            Some(team) => format!("https://slack.com/app_redirect?channel={channel}&team={team}"),
            None => format!("https://slack.com/app_redirect?channel={channel}"),
        }
    }

    /// Replaces the open modal `view_id` with `form` (`views.update`);
    /// `hash` (when not empty) makes Slack refuse it with `hash_conflict`
    /// if the view changed meanwhile.
    ///
    /// # Errors
    /// What Slack answered, as a [`SlackError`].
    #[tracing::instrument(skip_all, fields(form = form.id.as_str()), err)]
    pub async fn update_form(&self, view_id: &str, hash: &str, form: &Form) -> Result<(), SlackError> {
        let view = modal_view(form);
        let request = ViewsUpdateRequest { view_id, hash, view: &view };
        self.client.call::<_, Ack>("views.update", &request).await?;
        Ok(())
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

    /// Every unarchived channel that `candidate(base, n)` could have named,
    /// read in one `conversations.list` pass: public ones, and the private
    /// ones the bot is in when the room sought is private (which needs the
    /// `groups:read` scope only then).
    async fn candidates(&self, base: &str, private: bool) -> Result<Vec<Conversation>, SlackError> {
        let mut found = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let request = ConversationsListRequest {
                types: if private { "public_channel,private_channel" } else { "public_channel" },
                exclude_archived: true,
                limit: 1000,
                cursor: cursor.as_deref(),
            };
            let page: ConversationsListResponse = self.client.call("conversations.list", &request).await?;
            found.extend(page.channels.into_iter().filter(|c| candidate_number(base, &c.name).is_some()));
            match page.response_metadata.map(|m| m.next_cursor).filter(|c| !c.is_empty()) {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(found)
    }

    /// The bot's own user id (`auth.test`), asked once.
    async fn bot_user(&self) -> Result<String, SlackError> {
        if let Some(id) = self.bot_user.get() {
            return Ok(id.clone());
        }
        let me: AuthTestResponse = self.client.call("auth.test", &AuthTestRequest {}).await?;
        Ok(self.bot_user.get_or_init(|| me.user_id).clone())
    }

    /// After `name_taken`: the room of `spec.key` if an earlier call made it
    /// (labelled, or an unlabelled room only the bot created and joined, left
    /// by a crash before labelling: adopted and labelled now), else the first
    /// candidate number that no channel uses.
    async fn resolve_collision(&self, base: &str, spec: &RoomSpec) -> Result<Result<Room, u32>, PortError> {
        let taken = self.candidates(base, spec.private).await?;
        let ours = |c: &&Conversation| c.purpose.as_ref().is_some_and(|p| p.value.contains(&spec.key));
        if let Some(channel) = taken.iter().find(ours) {
            tracing::info!(channel = %channel.id, "room already created for this incident");
            self.label(&channel.id, spec).await;
            return Ok(Ok(self.room(channel.clone())));
        }
        // Unlabelled, with at most one member (its creator), created by someone.
        let bare = |c: &&Conversation| {
            c.purpose.as_ref().is_none_or(|p| p.value.trim().is_empty())
                && c.creator.is_some()
                && c.num_members.unwrap_or(0) <= 1
        };
        if taken.iter().any(|c| bare(&c)) {
            let bot = self.bot_user().await?;
            let orphan = taken
                .iter()
                .filter(bare)
                .filter(|c| c.creator.as_deref() == Some(bot.as_str()))
                .min_by_key(|c| candidate_number(base, &c.name));
            if let Some(channel) = orphan {
                tracing::info!(channel = %channel.id, "adopting the unlabelled room of an interrupted attempt");
                self.label(&channel.id, spec).await;
                return Ok(Ok(self.room(channel.clone())));
            }
        }
        let used: std::collections::BTreeSet<u32> =
            taken.iter().filter_map(|c| candidate_number(base, &c.name)).collect();
        let free = (1..).find(|n| !used.contains(n)).unwrap_or(1);
        Ok(Err(free))
    }

    async fn post_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        message: &Message,
    ) -> Result<MessageRef, PortError> {
        let blocks = blocks(message);
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
        let mut n = 1;
        for _ in 0..MAX_COLLISION_ROUNDS {
            let name = candidate(&base, n);
            let request = ConversationsCreateRequest { name: &name, is_private: spec.private };
            match self.client.call::<_, ConversationsCreateResponse>("conversations.create", &request).await {
                Ok(created) => {
                    // The room is usable now: label it (topic, and the key in its purpose)
                    // alongside the first posts instead of before them. A crash before the
                    // label lands leaves an unlabelled room that a retry adopts.
                    let (chat, channel, spec) = (self.clone(), created.channel.id.clone(), spec.clone());
                    tokio::spawn(async move { chat.label(&channel, &spec).await });
                    return Ok(self.room(created.channel));
                }
                Err(error) if error.code() == Some("name_taken") => match self.resolve_collision(&base, spec).await? {
                    Ok(room) => return Ok(room),
                    // Someone took the free name between the list and the create: look again.
                    Err(free) => n = if free == n { n + 1 } else { free },
                },
                Err(error) => return Err(error.into()),
            }
        }
        Err(PortError::Conflict(format!("could not find a free name for {base}; channels keep appearing")))
    }

    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn invite(&self, room: &RoomId, users: &[UserRef]) -> Result<(), PortError> {
        // Slack takes at most 1000 users per call (a large user group's members).
        for batch in users.chunks(INVITE_BATCH) {
            let users = batch.iter().map(UserRef::as_str).collect::<Vec<_>>().join(",");
            let request = ConversationsInviteRequest { channel: room.as_str(), users, force: true };
            match self.client.call::<_, Ack>("conversations.invite", &request).await {
                Ok(_) => {}
                Err(e) if matches!(e.code(), Some("already_in_channel" | "cant_invite_self")) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
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
        let blocks = blocks(message);
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
        let blocks = blocks(message);
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

    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn archive(&self, room: &RoomId) -> Result<(), PortError> {
        let request = ConversationsArchiveRequest { channel: room.as_str() };
        match self.client.call::<_, Ack>("conversations.archive", &request).await {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("already_archived") => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(skip_all, fields(group = %group), err)]
    async fn group_members(&self, group: &UserGroupRef) -> Result<Vec<UserRef>, PortError> {
        let request = UsergroupsUsersListRequest { usergroup: group.as_str() };
        let answer: UsergroupsUsersListResponse = self.client.call("usergroups.users.list", &request).await?;
        // An id Slack sends that SIMA cannot take as a user is left out, not fatal.
        Ok(answer.users.iter().filter_map(|id| UserRef::parse(id).ok()).collect())
    }

    #[tracing::instrument(skip_all, fields(user = %user), err)]
    async fn user_email(&self, user: &UserRef) -> Result<Option<String>, PortError> {
        let request = UsersInfoRequest { user: user.as_str() };
        let answer: UsersInfoResponse = self.client.call_form("users.info", &request).await?;
        Ok(answer.user.profile.email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()))
    }
}
