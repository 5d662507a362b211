//! `TeamsChat`: the core's `ChatPort` over Microsoft Graph (channels) and the
//! Bot Framework Connector (messages).

use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;
use sima_core::domain::{MessageRef, Room, RoomId, UserRef};
use sima_core::model::{Form, FormTrigger, Message};
use sima_core::ports::{ChatPort, PortError, RoomSpec};

use crate::client::{Api, TeamsClient};
use crate::config::TeamsConfig;
use crate::dto::{
    Attachment, Channel, CreateChannelRequest, CreateConversationRequest, CreateConversationResponse,
    ListChannelsResponse, MessageActivity, ResourceResponse,
};
use crate::error::TeamsError;
use crate::naming::{candidate, legal_channel_name};
use crate::refs::{form_trigger_conversation, ThreadRef};
use crate::render::{form_card, message_card, summary, ADAPTIVE_CARD};

/// Channel creations that may meet a taken name before giving up.
const MAX_COLLISION_ROUNDS: u32 = 5;
/// Graph's longest channel description.
const MAX_DESCRIPTION: usize = 1024;
/// The longest an answer to an inbound activity may take: the Bot Framework
/// waits 15 s for the request it answers.
const ANSWER_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Microsoft Teams as SIMA's chat platform.
#[derive(Clone)]
pub struct TeamsChat {
    client: TeamsClient,
    team_id: String,
    tenant_id: String,
    archive_rooms: bool,
}

impl std::fmt::Debug for TeamsChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamsChat").field("team_id", &self.team_id).finish_non_exhaustive()
    }
}

impl TeamsChat {
    /// A Teams chat port for this configuration.
    ///
    /// # Errors
    /// `TeamsError::Config` if a base URL is unusable or the HTTP client cannot be built.
    pub fn new(config: TeamsConfig) -> Result<Self, TeamsError> {
        Ok(Self {
            client: TeamsClient::new(&config)?,
            team_id: config.team_id,
            tenant_id: config.tenant_id,
            archive_rooms: config.archive_rooms,
        })
    }

    /// The description that marks a channel as the room of `key` (the key
    /// first, so cutting to Graph's limit never loses it).
    fn description(spec: &RoomSpec) -> String {
        let text = format!("SIMA incident room. Key: {}. {}", spec.key, spec.topic);
        text.chars().take(MAX_DESCRIPTION).collect()
    }

    fn room(&self, channel: Channel) -> Room {
        let url = channel.web_url.clone().unwrap_or_else(|| {
            let id = channel.id.replace(':', "%3a").replace('@', "%40");
            format!("https://teams.microsoft.com/l/channel/{id}/?groupId={}", self.team_id)
        });
        Room { id: RoomId::new(channel.id), name: channel.display_name, url }
    }

    /// The channel named `name`, if the team has one.
    async fn find_channel(&self, name: &str) -> Result<Option<Channel>, TeamsError> {
        let mut url = self.client.url(Api::Graph, &["teams", &self.team_id, "channels"])?;
        let filter = format!("displayName eq '{}'", name.replace('\'', "''"));
        url.query_pairs_mut().append_pair("$filter", &filter);
        let found: ListChannelsResponse =
            self.client.send::<(), _>(Api::Graph, "graph: list channels", Method::GET, url, None).await?;
        Ok(found.value.into_iter().find(|c| c.display_name.eq_ignore_ascii_case(name)))
    }

    fn activity(message: &Message) -> MessageActivity {
        MessageActivity {
            kind: "message",
            id: None,
            reply_to_id: None,
            summary: summary(message),
            attachments: vec![Attachment { content_type: ADAPTIVE_CARD, content: message_card(message) }],
        }
    }

    /// Posts `activity` in the thread of `conversation`, under `activity_id`
    /// when given, and returns the new activity's reference.
    pub(crate) async fn send_to_conversation(
        &self,
        room: &RoomId,
        conversation: &str,
        reply_to: Option<&str>,
        mut activity: MessageActivity,
    ) -> Result<MessageRef, TeamsError> {
        let mut segments = vec!["v3", "conversations", conversation, "activities"];
        if let Some(parent) = reply_to {
            segments.push(parent);
            activity.reply_to_id = Some(parent.to_owned());
        }
        let url = self.client.url(Api::Connector, &segments)?;
        let posted: ResourceResponse =
            self.client.send(Api::Connector, "connector: reply", Method::POST, url, Some(&activity)).await?;
        let id = posted.id.ok_or_else(|| TeamsError::Decode {
            what: "connector: reply",
            detail: "the answer has no activity id".into(),
        })?;
        Ok(ThreadRef { conversation: conversation.to_owned(), activity: id }.into_message_ref(room.clone()))
    }

    /// Answers an inbound activity in its conversation (the thread it came
    /// from) within [`ANSWER_BUDGET`]; a failure is logged, not returned:
    /// the activity itself was handled.
    pub(crate) async fn answer(&self, room: &RoomId, conversation: &str, message: &Message) {
        self.answer_with(room, conversation, Self::activity(message)).await;
    }

    /// Answers an inbound activity with a form card, as [`TeamsChat::answer`].
    pub(crate) async fn answer_form(&self, room: &RoomId, conversation: &str, form: &Form) {
        self.answer_with(room, conversation, form_activity(form)).await;
    }

    async fn answer_with(&self, room: &RoomId, conversation: &str, activity: MessageActivity) {
        let sent = self.send_to_conversation(room, conversation, None, activity);
        match tokio::time::timeout(ANSWER_BUDGET, sent).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "could not answer a Teams activity"),
            Err(_) => tracing::warn!("answering a Teams activity took too long; given up"),
        }
    }
}

fn form_activity(form: &Form) -> MessageActivity {
    MessageActivity {
        kind: "message",
        id: None,
        reply_to_id: None,
        summary: form.title.clone(),
        attachments: vec![Attachment { content_type: ADAPTIVE_CARD, content: form_card(form) }],
    }
}

#[async_trait]
impl ChatPort for TeamsChat {
    /// Creates a standard channel; on a taken name, returns the channel an
    /// earlier call made for the same key (its description carries the key),
    /// else tries `name-2`, `name-3`…
    #[tracing::instrument(skip_all, fields(key = %spec.key), err)]
    async fn create_room(&self, spec: &RoomSpec) -> Result<Room, PortError> {
        let base = legal_channel_name(&spec.name_hint)
            .ok_or_else(|| PortError::Invalid(format!("no legal channel name in {:?}", spec.name_hint)))?;
        let description = Self::description(spec);
        let url = self.client.url(Api::Graph, &["teams", &self.team_id, "channels"])?;
        for n in 1..=MAX_COLLISION_ROUNDS {
            let name = candidate(&base, n);
            let request =
                CreateChannelRequest { display_name: &name, description: &description, membership_type: "standard" };
            let created = self
                .client
                .send::<_, Channel>(Api::Graph, "graph: create channel", Method::POST, url.clone(), Some(&request))
                .await;
            match created {
                Ok(channel) => return Ok(self.room(channel)),
                Err(error) if is_name_taken(&error) => match self.find_channel(&name).await? {
                    Some(channel) if channel.description.as_deref().is_some_and(|d| d.contains(&spec.key)) => {
                        tracing::info!(channel = %channel.id, "room already created for this incident");
                        return Ok(self.room(channel));
                    }
                    _ => tracing::debug!(%name, "channel name taken; trying the next"),
                },
                Err(error) => return Err(error.into()),
            }
        }
        Err(PortError::Conflict(format!("could not find a free channel name for {base}")))
    }

    /// Standard channels are open to every member of the team: there is
    /// nobody to add, so inviting succeeds without a call.
    #[tracing::instrument(skip_all, fields(room = %room))]
    async fn invite(&self, room: &RoomId, users: &[UserRef]) -> Result<(), PortError> {
        tracing::debug!(people = users.len(), "standard channels are open to the whole team; nothing to invite");
        Ok(())
    }

    /// Starts a new thread in the channel (a proactive `POST /v3/conversations`).
    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn post(&self, room: &RoomId, message: &Message) -> Result<MessageRef, PortError> {
        let activity = Self::activity(message);
        let request = CreateConversationRequest {
            is_group: true,
            channel_data: json!({ "channel": { "id": room.as_str() }, "tenant": { "id": self.tenant_id } }),
            activity: &activity,
        };
        let url = self.client.url(Api::Connector, &["v3", "conversations"])?;
        let created: CreateConversationResponse =
            self.client.send(Api::Connector, "connector: post", Method::POST, url, Some(&request)).await?;
        let thread = ThreadRef::of_new_thread(created.id, created.activity_id).map_err(PortError::from)?;
        Ok(thread.into_message_ref(room.clone()))
    }

    #[tracing::instrument(skip_all, fields(room = %parent.room), err)]
    async fn reply(&self, parent: &MessageRef, message: &Message) -> Result<MessageRef, PortError> {
        let thread = ThreadRef::parse(&parent.ts)?;
        Ok(self
            .send_to_conversation(&parent.room, &thread.conversation, Some(&thread.activity), Self::activity(message))
            .await?)
    }

    #[tracing::instrument(skip_all, fields(room = %target.room), err)]
    async fn update(&self, target: &MessageRef, message: &Message) -> Result<(), PortError> {
        let thread = ThreadRef::parse(&target.ts)?;
        let mut activity = Self::activity(message);
        activity.id = Some(thread.activity.clone());
        let url = self
            .client
            .url(Api::Connector, &["v3", "conversations", &thread.conversation, "activities", &thread.activity])?;
        self.client
            .send::<_, serde_json::Value>(Api::Connector, "connector: update", Method::PUT, url, Some(&activity))
            .await?;
        Ok(())
    }

    /// Bots cannot pin messages in Teams channels.
    async fn pin(&self, _message: &MessageRef) -> Result<(), PortError> {
        Err(PortError::Unsupported("pinning messages in Teams channels".into()))
    }

    /// Teams channels have no messages only one person sees.
    async fn post_ephemeral(&self, _room: &RoomId, _user: &UserRef, _message: &Message) -> Result<(), PortError> {
        Err(PortError::Unsupported("ephemeral messages in Teams channels".into()))
    }

    /// Posts the form as an Adaptive Card with inputs in the thread where the
    /// command was typed or the button pressed; its submit comes back as a
    /// form submission. (Teams opens dialogs only in answer to an invoke.)
    #[tracing::instrument(skip_all, fields(form = form.id.as_str()), err)]
    async fn open_form(&self, trigger: &FormTrigger, form: &Form) -> Result<(), PortError> {
        let (room, conversation, reply_to) = form_trigger_conversation(trigger)?;
        self.send_to_conversation(&room, &conversation, reply_to.as_deref(), form_activity(form)).await?;
        Ok(())
    }

    /// Archives the channel through Graph (an asynchronous operation Graph
    /// accepts with 202) when `archive_rooms` is on; `Unsupported` otherwise.
    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn archive(&self, room: &RoomId) -> Result<(), PortError> {
        if !self.archive_rooms {
            return Err(PortError::Unsupported("archiving Teams channels (archive_rooms is off)".into()));
        }
        let url = self.client.url(Api::Graph, &["teams", &self.team_id, "channels", room.as_str(), "archive"])?;
        let body = json!({});
        self.client
            .send::<_, serde_json::Value>(Api::Graph, "graph: archive channel", Method::POST, url, Some(&body))
            .await?;
        Ok(())
    }
}

/// Whether Graph refused a channel because its name is taken.
fn is_name_taken(error: &TeamsError) -> bool {
    error.status() == Some(409)
        || (error.status() == Some(400) && error.code().is_some_and(|c| c.eq_ignore_ascii_case("NameAlreadyExists")))
}
