//! `TeamsChat`: the core's `ChatPort` over Microsoft Graph (channels) and the
//! Bot Framework Connector (messages).

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::json;
use sima_core::domain::{MessageRef, Room, RoomId, UserRef};
use sima_core::model::{Block, Form, FormTrigger, Message, RichText};
use sima_core::ports::{ChatPort, PortError, RoomSpec};

use crate::client::{Api, TeamsClient};
use crate::config::TeamsConfig;
use crate::dialogs::Dialogs;
use crate::dto::{
    Attachment, Channel, CreateChannelRequest, CreateConversationRequest, CreateConversationResponse,
    ListChannelsResponse, MessageActivity, ResourceResponse,
};
use crate::error::TeamsError;
use crate::names::Directory;
use crate::naming::{candidate, legal_channel_name};
use crate::pacing::Target;
use crate::refs::{form_place, ThreadRef};
use crate::render::{form_card, mentioned, message_card_with_names, summary, Names, ADAPTIVE_CARD};

/// Channel creations that may meet a taken name before giving up.
const MAX_COLLISION_ROUNDS: u32 = 5;
/// Graph's longest channel description.
const MAX_DESCRIPTION: usize = 1024;
/// The longest an answer to an inbound activity may take: the Bot Framework
/// waits 15 s for the request it answers, and a server in front of the route
/// (SIMA's answers 503 after 10 s by default) may wait less.
const ANSWER_BUDGET: std::time::Duration = std::time::Duration::from_secs(8);

/// Microsoft Teams as SIMA's chat platform.
#[derive(Clone)]
pub struct TeamsChat {
    client: TeamsClient,
    team_id: String,
    tenant_id: String,
    archive_rooms: bool,
    people: Arc<Directory>,
    dialogs: Arc<Dialogs>,
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
        let client = TeamsClient::new(&config)?;
        Ok(Self {
            people: Arc::new(Directory::new(client.clone())),
            dialogs: Arc::new(Dialogs::default()),
            client,
            team_id: config.team_id,
            tenant_id: config.tenant_id,
            archive_rooms: config.archive_rooms,
        })
    }

    /// The Graph and Connector client (the route looks teams up with it).
    pub(crate) fn client(&self) -> &TeamsClient {
        &self.client
    }

    /// The forms opened as dialogs.
    pub(crate) fn dialogs(&self) -> &Dialogs {
        &self.dialogs
    }

    /// Remembers the display name Teams gave `user` on an inbound activity.
    pub(crate) fn learn_name(&self, user: &UserRef, name: &str) {
        self.people.learn(user, name);
    }

    /// How to show the people `message` mentions.
    pub(crate) async fn names(&self, message: &Message) -> Names {
        self.people.names(&mentioned(message)).await
    }

    fn team(&self) -> Target {
        Target::Team(self.team_id.clone())
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
        let found: ListChannelsResponse = self
            .client
            .send::<(), _>(Api::Graph, "graph: list channels", Method::GET, url, Some(&self.team()), None)
            .await?;
        Ok(found.value.into_iter().find(|c| c.display_name.eq_ignore_ascii_case(name)))
    }

    /// `message` as an activity, the people it mentions shown by name.
    async fn activity(&self, message: &Message) -> MessageActivity {
        let names = self.names(message).await;
        MessageActivity {
            kind: "message",
            id: None,
            reply_to_id: None,
            summary: summary(message),
            attachments: vec![Attachment {
                content_type: ADAPTIVE_CARD,
                content: message_card_with_names(message, &names),
            }],
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
        let target = Target::channel_of(conversation);
        let posted: ResourceResponse = self
            .client
            .send(Api::Connector, "connector: reply", Method::POST, url, Some(&target), Some(&activity))
            .await?;
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
        self.answer_with(room, conversation, self.activity(message)).await;
    }

    /// Answers an inbound activity with a form card, as [`TeamsChat::answer`].
    pub(crate) async fn answer_form(&self, room: &RoomId, conversation: &str, form: &Form) {
        self.answer_with(room, conversation, std::future::ready(form_activity(form))).await;
    }

    async fn answer_with(
        &self,
        room: &RoomId,
        conversation: &str,
        activity: impl std::future::Future<Output = MessageActivity>,
    ) {
        let sent = async { self.send_to_conversation(room, conversation, None, activity.await).await };
        match tokio::time::timeout(ANSWER_BUDGET, sent).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "could not answer a Teams activity"),
            Err(_) => tracing::warn!("answering a Teams activity took too long; given up"),
        }
    }
}

/// `message` addressed to `user` in a room: their mention first, which
/// notifies them (Teams channels have no message only one person sees).
fn addressed_to(user: &UserRef, message: &Message) -> Message {
    let mut blocks = vec![Block::Text { text: RichText::new().plain("For ").mention(user).plain(":") }];
    if message.blocks.is_empty() {
        blocks.push(Block::Text { text: message.text.clone() });
    }
    blocks.extend(message.blocks.iter().cloned());
    Message { text: message.text.clone(), blocks }
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
        if spec.private {
            // A private channel needs an owner who is a person (an Entra ID user
            // id) at creation, which SIMA does not know for a chat user; a
            // standard channel would show the incident to the whole team.
            return Err(PortError::Unsupported(
                "private incident rooms on Teams (a private channel needs an owner SIMA cannot name); \
                 the room was not created so that the incident stays hidden from the team"
                    .into(),
            ));
        }
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
                .send::<_, Channel>(
                    Api::Graph,
                    "graph: create channel",
                    Method::POST,
                    url.clone(),
                    Some(&self.team()),
                    Some(&request),
                )
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
        let activity = self.activity(message).await;
        let request = CreateConversationRequest {
            is_group: true,
            channel_data: json!({ "channel": { "id": room.as_str() }, "tenant": { "id": self.tenant_id } }),
            activity: &activity,
        };
        let url = self.client.url(Api::Connector, &["v3", "conversations"])?;
        let target = Target::Channel(room.as_str().to_owned());
        let created: CreateConversationResponse = self
            .client
            .send(Api::Connector, "connector: post", Method::POST, url, Some(&target), Some(&request))
            .await?;
        let thread = ThreadRef::of_new_thread(created.id, created.activity_id).map_err(PortError::from)?;
        Ok(thread.into_message_ref(room.clone()))
    }

    #[tracing::instrument(skip_all, fields(room = %parent.room), err)]
    async fn reply(&self, parent: &MessageRef, message: &Message) -> Result<MessageRef, PortError> {
        let thread = ThreadRef::parse(&parent.ts)?;
        let activity = self.activity(message).await;
        Ok(self.send_to_conversation(&parent.room, &thread.conversation, Some(&thread.activity), activity).await?)
    }

    #[tracing::instrument(skip_all, fields(room = %target.room), err)]
    async fn update(&self, target: &MessageRef, message: &Message) -> Result<(), PortError> {
        let thread = ThreadRef::parse(&target.ts)?;
        let mut activity = self.activity(message).await;
        activity.id = Some(thread.activity.clone());
        let url = self
            .client
            .url(Api::Connector, &["v3", "conversations", &thread.conversation, "activities", &thread.activity])?;
        let target = Target::channel_of(&thread.conversation);
        self.client
            .send::<_, serde_json::Value>(
                Api::Connector,
                "connector: update",
                Method::PUT,
                url,
                Some(&target),
                Some(&activity),
            )
            .await?;
        Ok(())
    }

    /// Bots cannot pin messages in Teams channels.
    async fn pin(&self, _message: &MessageRef) -> Result<(), PortError> {
        Err(PortError::Unsupported("pinning messages in Teams channels".into()))
    }

    /// Teams channels have no message only one person sees. The nearest:
    /// a new thread in the room that starts by mentioning the person, so
    /// Teams notifies them; everyone in the channel can read it.
    #[tracing::instrument(skip_all, fields(room = %room), err)]
    async fn post_ephemeral(&self, room: &RoomId, user: &UserRef, message: &Message) -> Result<(), PortError> {
        self.post(room, &addressed_to(user, message)).await?;
        Ok(())
    }

    /// Answering a button (an invoke), the form becomes that invoke's answer:
    /// a dialog only the presser sees. Answering a typed command, which
    /// Teams cannot answer with a dialog, the form is posted as an Adaptive
    /// Card with inputs in the thread where it was typed; its submit comes
    /// back as a form submission either way.
    #[tracing::instrument(skip_all, fields(form = form.id.as_str()), err)]
    async fn open_form(&self, trigger: &FormTrigger, form: &Form) -> Result<(), PortError> {
        let place = form_place(trigger)?;
        if let Some(dialog) = &place.dialog {
            self.dialogs.open(dialog, form.clone());
            return Ok(());
        }
        let activity = form_activity(form);
        self.send_to_conversation(&place.room, &place.conversation, place.reply_to.as_deref(), activity).await?;
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
            .send::<_, serde_json::Value>(
                Api::Graph,
                "graph: archive channel",
                Method::POST,
                url,
                Some(&self.team()),
                Some(&body),
            )
            .await?;
        Ok(())
    }
}

/// Whether Graph refused a channel because its name is taken.
fn is_name_taken(error: &TeamsError) -> bool {
    error.status() == Some(409)
        || (error.status() == Some(400) && error.code().is_some_and(|c| c.eq_ignore_ascii_case("NameAlreadyExists")))
}
