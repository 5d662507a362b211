//! Slack's inbound wire shapes: slash commands, interactivity payloads and
//! Events API envelopes. Fields SIMA does not use are ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// A slash command, form-encoded.
#[derive(Debug, Deserialize)]
pub(super) struct SlashCommandForm {
    pub(super) command: String,
    #[serde(default)]
    pub(super) text: String,
    pub(super) user_id: String,
    pub(super) channel_id: String,
    #[serde(default)]
    pub(super) channel_name: Option<String>,
    #[serde(default)]
    pub(super) team_id: Option<String>,
    pub(super) trigger_id: String,
    #[serde(default)]
    pub(super) response_url: Option<String>,
}

/// The interactivity form: one `payload` field holding JSON.
#[derive(Debug, Deserialize)]
pub(super) struct InteractionForm {
    pub(super) payload: String,
}

/// An interactivity payload.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum InteractionPayload {
    BlockActions {
        user: Id,
        #[serde(default)]
        channel: Option<Id>,
        #[serde(default)]
        container: Option<Container>,
        #[serde(default)]
        message: Option<Ts>,
        trigger_id: String,
        #[serde(default)]
        response_url: Option<String>,
        #[serde(default)]
        actions: Vec<ActionPress>,
        /// The modal the element is in, when it is in one.
        #[serde(default)]
        view: Option<View>,
    },
    ViewSubmission {
        user: Id,
        view: View,
    },
    ViewClosed {
        user: Id,
        view: View,
    },
    #[serde(other)]
    Other,
}

/// Something with an `id`.
#[derive(Debug, Deserialize)]
pub(super) struct Id {
    pub(super) id: String,
}

/// Something with a `ts`.
#[derive(Debug, Deserialize)]
pub(super) struct Ts {
    pub(super) ts: String,
}

/// Where a pressed element lives.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Container {
    #[serde(default)]
    pub(super) channel_id: Option<String>,
    #[serde(default)]
    pub(super) message_ts: Option<String>,
}

/// One pressed element.
#[derive(Debug, Deserialize)]
pub(super) struct ActionPress {
    pub(super) action_id: String,
    #[serde(default)]
    pub(super) value: Option<String>,
    /// The choice of a select.
    #[serde(default)]
    pub(super) selected_option: Option<Value>,
}

/// A modal.
#[derive(Debug, Deserialize)]
pub(super) struct View {
    pub(super) id: String,
    pub(super) callback_id: String,
    /// The view's version, for `views.update`.
    #[serde(default)]
    pub(super) hash: String,
    #[serde(default)]
    pub(super) private_metadata: String,
    #[serde(default)]
    pub(super) state: Option<ViewState>,
}

/// A modal's inputs: `block_id` → `action_id` → element state.
#[derive(Debug, Deserialize)]
pub(super) struct ViewState {
    #[serde(default)]
    pub(super) values: BTreeMap<String, BTreeMap<String, Value>>,
}

/// An Events API request.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum EventsBody {
    UrlVerification {
        challenge: String,
    },
    EventCallback {
        event_id: String,
        event: Value,
    },
    #[serde(other)]
    Other,
}

/// The inner event of an `event_callback`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum Event {
    MemberJoinedChannel {
        user: String,
        channel: String,
        #[serde(default)]
        inviter: Option<String>,
    },
    AppMention {
        user: String,
        channel: String,
        #[serde(default)]
        text: String,
        ts: String,
    },
    #[serde(other)]
    Other,
}
