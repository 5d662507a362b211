//! Slack request bodies to [`SlackInbound`]: the raw bodies of the HTTP
//! routes (signatures are checked before this, by the router), and the same
//! content already decoded to JSON, as Socket Mode envelopes carry it. Both
//! go through one parser per kind.

mod text;
mod wire;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use sima_core::domain::{MessageRef, RoomId, UserRef};
use sima_core::model::{ActionId, FormId, FormTrigger};
use thiserror::Error;

use crate::inbound::{BlockAction, SlackInbound, SlashCommand, ViewChange, ViewClosed, ViewSubmission};
use wire::{ActionPress, EventsBody, Id, InteractionForm, InteractionPayload, SlashCommandForm, View};

/// A body that is not what Slack sends.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("malformed Slack request: {0}")]
pub struct ParseError(String);

impl ParseError {
    fn new(detail: impl std::fmt::Display) -> Self {
        Self(detail.to_string())
    }
}

/// A parsed Events API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsRequest {
    /// Slack checks the endpoint: answer with the challenge.
    UrlVerification {
        /// The value to echo.
        challenge: String,
    },
    /// An event delivery.
    Callback {
        /// Slack's id of the event, the same on every retry.
        event_id: String,
        /// The event, or `None` for types SIMA ignores.
        inbound: Option<SlackInbound>,
    },
    /// A request type SIMA ignores (`app_rate_limited`…).
    Ignored,
}

fn user(id: &str) -> Result<UserRef, ParseError> {
    UserRef::parse(id).map_err(ParseError::new)
}

/// Parses a slash command (`application/x-www-form-urlencoded`).
///
/// # Errors
/// [`ParseError`] if a required field (`command`, `user_id`, `channel_id`,
/// `trigger_id`) is missing.
pub fn parse_command(body: &[u8]) -> Result<SlackInbound, ParseError> {
    command(serde_urlencoded::from_bytes(body).map_err(ParseError::new)?)
}

/// Parses a slash command already decoded to JSON: the same fields as the
/// form, as Socket Mode delivers them in a `slash_commands` envelope.
///
/// # Errors
/// As [`parse_command`].
pub fn parse_command_json(payload: &Value) -> Result<SlackInbound, ParseError> {
    command(SlashCommandForm::deserialize(payload).map_err(ParseError::new)?)
}

fn command(form: SlashCommandForm) -> Result<SlackInbound, ParseError> {
    Ok(SlackInbound::SlashCommand(SlashCommand {
        command: form.command,
        text: text::typed_text(form.text.trim()),
        user: user(&form.user_id)?,
        channel: RoomId::new(form.channel_id),
        channel_name: form.channel_name,
        team: form.team_id,
        trigger: FormTrigger(form.trigger_id),
        response_url: form.response_url.filter(|u| !u.is_empty()),
    }))
}

/// Parses an interactivity request (`payload=<json>`). `Ok(None)` for
/// payloads SIMA ignores: other types, unknown buttons or forms.
///
/// # Errors
/// [`ParseError`] if the body has no `payload` or it is not a known shape.
pub fn parse_interaction(body: &[u8]) -> Result<Option<SlackInbound>, ParseError> {
    let form: InteractionForm = serde_urlencoded::from_bytes(body).map_err(ParseError::new)?;
    interaction(serde_json::from_str(&form.payload).map_err(ParseError::new)?)
}

/// Parses an interactivity payload already decoded to JSON: what the form's
/// `payload` field holds, as Socket Mode delivers it in an `interactive` envelope.
///
/// # Errors
/// [`ParseError`] if it is not a known shape.
pub fn parse_interaction_json(payload: &Value) -> Result<Option<SlackInbound>, ParseError> {
    interaction(InteractionPayload::deserialize(payload).map_err(ParseError::new)?)
}

fn interaction(payload: InteractionPayload) -> Result<Option<SlackInbound>, ParseError> {
    Ok(match payload {
        InteractionPayload::BlockActions {
            user: who,
            channel,
            container,
            message,
            trigger_id,
            response_url,
            actions,
            view,
        } => {
            let Some((action, press)) = known_action(&actions) else {
                return view_change(&who, view.as_ref(), &actions);
            };
            let container = container.unwrap_or_default();
            let channel = channel.map(|c| c.id).or(container.channel_id);
            let ts = message.map(|m| m.ts).or(container.message_ts);
            Some(SlackInbound::BlockAction(BlockAction {
                action,
                value: press.value.clone(),
                user: user(&who.id)?,
                message: channel.clone().zip(ts).map(|(room, ts)| MessageRef { room: RoomId::new(room), ts }),
                channel: channel.map(RoomId::new),
                trigger: FormTrigger(trigger_id),
                response_url,
            }))
        }
        InteractionPayload::ViewSubmission { user: who, view } => {
            let Some(form) = FormId::parse(&view.callback_id) else { return Ok(None) };
            Some(SlackInbound::ViewSubmission(ViewSubmission {
                form,
                values: view_values(&view),
                metadata: metadata(&view),
                user: user(&who.id)?,
                view_id: view.id,
            }))
        }
        InteractionPayload::ViewClosed { user: who, view } => {
            let Some(form) = FormId::parse(&view.callback_id) else { return Ok(None) };
            Some(SlackInbound::ViewClosed(ViewClosed { form, metadata: metadata(&view), user: user(&who.id)? }))
        }
        InteractionPayload::Other => None,
    })
}

/// A change in one of SIMA's open modals (`block_actions` carrying a
/// `view`), with the changed element's choice among the values; `None`
/// outside SIMA's modals.
fn view_change(who: &Id, view: Option<&View>, actions: &[ActionPress]) -> Result<Option<SlackInbound>, ParseError> {
    let (Some(view), Some(changed)) = (view, actions.first()) else { return Ok(None) };
    let Some(form) = FormId::parse(&view.callback_id) else { return Ok(None) };
    let mut values = view_values(view);
    let chosen = changed.selected_option.as_ref().and_then(|o| o.get("value")).and_then(Value::as_str);
    if let Some(chosen) = chosen.filter(|c| !c.trim().is_empty()) {
        values.insert(changed.action_id.clone(), chosen.to_owned());
    }
    Ok(Some(SlackInbound::ViewChanged(ViewChange {
        form,
        input: changed.action_id.clone(),
        values,
        metadata: metadata(view),
        user: user(&who.id)?,
        view_id: view.id.clone(),
        hash: view.hash.clone(),
    })))
}

/// The first pressed element that is one of SIMA's actions.
fn known_action(actions: &[ActionPress]) -> Option<(ActionId, &ActionPress)> {
    actions.iter().find_map(|a| ActionId::parse(&a.action_id).map(|id| (id, a)))
}

fn metadata(view: &View) -> Option<String> {
    Some(view.private_metadata.clone()).filter(|m| !m.is_empty())
}

/// Input values by `block_id`. Each block's element is the one whose
/// `action_id` equals the `block_id` (SIMA's forms), else its first.
fn view_values(view: &View) -> BTreeMap<String, String> {
    let Some(state) = &view.state else { return BTreeMap::new() };
    state
        .values
        .iter()
        .filter_map(|(block_id, elements)| {
            let element = elements.get(block_id).or_else(|| elements.values().next())?;
            element_value(element).map(|v| (block_id.clone(), v))
        })
        .collect()
}

/// The value of one element's state, whatever its type; `None` if empty.
fn element_value(state: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let value = state
        .get("value")
        .and_then(text)
        .or_else(|| state.get("selected_option").and_then(|o| o.get("value")).and_then(text))
        .or_else(|| {
            [
                "selected_user",
                "selected_conversation",
                "selected_channel",
                "selected_date",
                "selected_time",
                "selected_date_time",
            ]
            .iter()
            .find_map(|k| state.get(*k).and_then(text))
        })
        .or_else(|| {
            let many = state.get("selected_options")?.as_array()?;
            let values: Vec<String> = many.iter().filter_map(|o| o.get("value").and_then(text)).collect();
            Some(values.join(","))
        })?;
    (!value.trim().is_empty()).then_some(value)
}

/// Parses an Events API request (JSON).
///
/// # Errors
/// [`ParseError`] if the body is not JSON of a known shape, or a known event
/// lacks a field SIMA needs.
pub fn parse_event(body: &[u8]) -> Result<EventsRequest, ParseError> {
    event(serde_json::from_slice(body).map_err(ParseError::new)?)
}

/// Parses an Events API callback already decoded to JSON, as Socket Mode
/// delivers it in an `events_api` envelope.
///
/// # Errors
/// As [`parse_event`].
pub fn parse_event_json(payload: &Value) -> Result<EventsRequest, ParseError> {
    event(EventsBody::deserialize(payload).map_err(ParseError::new)?)
}

fn event(request: EventsBody) -> Result<EventsRequest, ParseError> {
    Ok(match request {
        EventsBody::UrlVerification { challenge } => EventsRequest::UrlVerification { challenge },
        EventsBody::EventCallback { event_id, event } => {
            let event: wire::Event = serde_json::from_value(event).map_err(ParseError::new)?;
            let inbound = match event {
                wire::Event::MemberJoinedChannel { user: who, channel, inviter } => Some(SlackInbound::MemberJoined {
                    user: user(&who)?,
                    channel: RoomId::new(channel),
                    inviter: inviter.as_deref().filter(|i| !i.is_empty()).map(user).transpose()?,
                }),
                wire::Event::AppMention { user: who, channel, text, ts } => Some(SlackInbound::AppMention {
                    user: user(&who)?,
                    message: MessageRef { room: RoomId::new(channel.clone()), ts },
                    channel: RoomId::new(channel),
                    text: text::typed_text(&text),
                }),
                wire::Event::Other => None,
            };
            EventsRequest::Callback { event_id, inbound }
        }
        EventsBody::Other => EventsRequest::Ignored,
    })
}
