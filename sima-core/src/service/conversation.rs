//! People driving incidents from chat: text commands, buttons, forms and
//! joins, answered with neutral messages.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::publish::{self, PublishRequest};
use super::{IncidentService, ServiceError};
use crate::domain::{
    Actor, Command, Declaration, DeclarationDraft, DomainError, FieldEdit, FieldInput, Incident, IncidentId, RoomId,
    Status, Text, UserRef, ValidationError,
};
use crate::grammar::{for_button, parse, Intent, ParseError};
use crate::messages::{self, answer, DomainChoice, SeverityDescriptions};
use crate::model::{ActionId, Form, FormId, FormTrigger, Message, RichText};
use crate::ports::ChatPort;

/// The outcome of a submitted form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Submission {
    /// Done; optionally tell the person something.
    Accepted(Option<Message>),
    /// Some inputs are wrong: what to fix, keyed by input id.
    Invalid(BTreeMap<String, String>),
}

/// Chat-facing use cases. Forms are opened right away (their trigger expires
/// within seconds); everything else is left to the effect worker.
#[derive(Clone)]
pub(crate) struct Conversation {
    service: IncidentService,
    chat: Arc<dyn ChatPort>,
    domains: Vec<DomainChoice>,
    severities: SeverityDescriptions,
}

impl std::fmt::Debug for Conversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversation").field("domains", &self.domains).finish_non_exhaustive()
    }
}

fn warn(error: impl std::fmt::Display) -> Message {
    messages::warning(error)
}

/// Turns refusals into a message for the person; keeps store failures as errors.
fn told(result: Result<Message, ServiceError>) -> Result<Option<Message>, ServiceError> {
    match result {
        Ok(message) => Ok(Some(message)),
        Err(
            e @ (ServiceError::Invalid(_)
            | ServiceError::Refused(_)
            | ServiceError::Forbidden(_)
            | ServiceError::NotFound(_)),
        ) => Ok(Some(warn(e))),
        Err(e) => Err(e),
    }
}

impl Conversation {
    /// Chat use cases over `service`, opening forms on `chat`, offering `domains`.
    pub(crate) fn new(service: IncidentService, chat: Arc<dyn ChatPort>, domains: Vec<DomainChoice>) -> Self {
        Self { service, chat, domains, severities: SeverityDescriptions::new() }
    }

    /// Shows these severity descriptions in forms instead of the defaults.
    pub(crate) fn with_severity_descriptions(mut self, severities: SeverityDescriptions) -> Self {
        self.severities = severities;
        self
    }

    /// The underlying service.
    pub(crate) fn service(&self) -> &IncidentService {
        &self.service
    }

    /// The chat port forms and answers to mentions go through.
    pub(crate) fn chat(&self) -> &Arc<dyn ChatPort> {
        &self.chat
    }

    async fn open(&self, trigger: Option<FormTrigger>, form: Form) -> Result<Message, ServiceError> {
        let Some(trigger) = trigger else {
            return Ok(warn("forms can only be opened from a command or a button"));
        };
        match self.chat.open_form(&trigger, &form).await {
            Ok(()) => Ok(answer(format!("Opening “{}”…", form.title))),
            Err(e) => Ok(warn(format!("could not open the form: {e}"))),
        }
    }

    async fn incident_of(&self, room: &RoomId, value: Option<&str>) -> Result<Option<Incident>, ServiceError> {
        if let Some(id) = value.and_then(|v| v.parse::<IncidentId>().ok()) {
            return Ok(self.service.store().get(id).await?);
        }
        self.service.find_by_room(room).await
    }

    /// Handles `/incident <text>` typed by `user` in `room`; returns what to
    /// show that person (`None`: nothing to say).
    ///
    /// # Errors
    /// Only store failures; mistakes are answered with a message.
    pub(crate) async fn command(
        &self,
        room: &RoomId,
        user: &UserRef,
        text: &str,
        trigger: Option<FormTrigger>,
    ) -> Result<Option<Message>, ServiceError> {
        let intent = match parse(text, user) {
            Ok(intent) => intent,
            Err(ParseError::Unknown { typed, suggestions }) => {
                let incident = self.service.find_by_room(room).await?;
                return Ok(Some(messages::mistyped(&typed, &suggestions, incident.as_ref())));
            }
            Err(e) => return Ok(Some(warn(e))),
        };
        if let Intent::Declare { private } = intent {
            let mut form = messages::declare_form(&self.domains, &self.severities);
            messages::mark_private(&mut form, private);
            let form = messages::shaped_declare_form(form, &self.service.config().schema, &BTreeMap::new());
            return told(self.open(trigger, form).await);
        }
        let incident = self.service.find_by_room(room).await?;
        if !intent.needs_incident() {
            return Ok(Some(messages::help(incident.as_ref())));
        }
        let Some(incident) = incident else {
            return Ok(Some(warn("this command works inside an incident room; use /incident to declare one")));
        };
        told(self.run(&incident, user, intent, trigger).await)
    }

    /// Does what `intent` asks for on `incident`, as `user`.
    async fn run(
        &self,
        incident: &Incident,
        user: &UserRef,
        intent: Intent,
        trigger: Option<FormTrigger>,
    ) -> Result<Message, ServiceError> {
        match intent {
            Intent::Declare { .. } | Intent::Help => Ok(messages::help(Some(incident))),
            Intent::Info => Ok(messages::owned_card(incident, &self.severities, &self.service.config().schema, None)),
            Intent::StatusForm => self.open(trigger, messages::status_form(incident)).await,
            Intent::EditForm => {
                self.open(trigger, messages::edit_form(incident, &self.domains, &self.severities)).await
            }
            Intent::Actions => Ok(messages::action_items_with(incident, self.service.exports_on_command())),
            Intent::PublishForm if incident.is_private() => Err(DomainError::PrivateNotPublished.into()),
            Intent::PublishForm => self.open(trigger, self.service.publish_form(incident).await?).await,
            Intent::Publish { status, message } => {
                let request = PublishRequest::new(status, message.as_str());
                let after = self.service.publish(incident.id(), Actor::User(user.clone()), request).await?;
                Ok(messages::published(&after))
            }
            Intent::Retry => {
                let count = self.service.retry_failed_effects(incident.id(), Actor::User(user.clone())).await?;
                Ok(answer(match count {
                    0 => format!("Nothing to retry: every step of {} went through.", incident.number()),
                    n => format!("Retrying {n} failed step(s) of {}.", incident.number()),
                }))
            }
            Intent::SetField { name, value } => {
                let inputs = BTreeMap::from([(name, FieldInput::One(value))]);
                let after = self.service.set_fields(incident.id(), Actor::User(user.clone()), &inputs).await?;
                Ok(messages::done(format!("Done. {} fields: {}.", after.number(), messages::field_summary(&after))))
            }
            Intent::Execute(command) => {
                let after = self.service.execute(incident.id(), Actor::User(user.clone()), command).await?;
                Ok(messages::done(format!("Done. {} is {} ({}).", after.number(), after.status(), after.severity())))
            }
        }
    }

    /// Handles a button press; returns what to show the person who pressed it.
    ///
    /// # Errors
    /// Only store failures.
    pub(crate) async fn action(
        &self,
        action: ActionId,
        value: Option<&str>,
        room: &RoomId,
        user: &UserRef,
        trigger: Option<FormTrigger>,
    ) -> Result<Option<Message>, ServiceError> {
        // A value is the incident id, then what the button carries (an action item's number).
        let (id, arg) = value.map_or(("", ""), |v| v.split_once(' ').unwrap_or((v, "")));
        let Some(intent) = for_button(action, user, arg) else {
            return Ok(Some(warn("this button does nothing any more")));
        };
        let incident = self.incident_of(room, Some(id).filter(|id| !id.is_empty())).await?;
        if !intent.needs_incident() {
            return Ok(Some(messages::help(incident.as_ref())));
        }
        let Some(incident) = incident else {
            return Ok(Some(warn("this button belongs to an incident that no longer exists")));
        };
        told(self.run(&incident, user, intent, trigger).await)
    }

    /// Someone joined `room`: record it; the runbook welcomes them.
    ///
    /// # Errors
    /// Only store failures.
    pub(crate) async fn joined(&self, room: &RoomId, user: &UserRef) -> Result<(), ServiceError> {
        let Some(incident) = self.service.find_by_room(room).await? else { return Ok(()) };
        if incident.status().is_terminal() {
            return Ok(());
        }
        match self.service.execute(incident.id(), Actor::User(user.clone()), Command::Join(user.clone())).await {
            Ok(_) | Err(ServiceError::Refused(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Handles a submitted form; `values` are keyed by input id.
    ///
    /// # Errors
    /// Only store failures; wrong inputs come back as [`Submission::Invalid`].
    pub(crate) async fn submit(
        &self,
        form: FormId,
        values: &BTreeMap<String, String>,
        metadata: Option<&str>,
        user: &UserRef,
    ) -> Result<Submission, ServiceError> {
        let mut errors = BTreeMap::new();
        let mut field = |id: &str, parse: &dyn Fn(&str) -> Result<(), ValidationError>| {
            let value = values.get(id).map(String::as_str).unwrap_or_default();
            if let Err(e) = parse(value) {
                errors.insert(id.to_owned(), e.to_string());
            }
        };
        let text = |id: &str| values.get(id).map(|v| v.trim()).filter(|v| !v.is_empty());
        match form {
            FormId::PublishUpdate => self.submit_publish(values, metadata, user).await,
            FormId::DeclareIncident | FormId::EditIncident => {
                let schema = &self.service.config().schema;
                let declaration = match form_draft(values).parse_in(schema, Actor::User(user.clone()), None) {
                    Ok(declaration) => declaration,
                    Err(errors) => {
                        let errors = errors.into_iter().map(|e| (messages::input_of(&e), e.error.to_string()));
                        return Ok(Submission::Invalid(errors.collect()));
                    }
                };
                if form == FormId::DeclareIncident {
                    let declared = self.service.declare(declaration).await?;
                    let n = declared.incident.number();
                    return Ok(Submission::Accepted(Some(answer(
                        RichText::new()
                            .emoji("rotating_light")
                            .plain(format!("{n} declared. Its room is being created; you will be invited.")),
                    ))));
                }
                let Declaration { domain, summary, description, severity, impact, .. } = declaration;
                let mut edits = vec![
                    Command::Edit(FieldEdit::Domain(domain)),
                    Command::Edit(FieldEdit::Summary(summary)),
                    Command::Edit(FieldEdit::Description(description)),
                    Command::Edit(FieldEdit::Severity(severity)),
                ];
                edits.extend(impact.map(|i| Command::Edit(FieldEdit::Impact(i))));
                self.apply_form(metadata, user, &edits, "summary").await
            }
            FormId::UpdateStatus => {
                field("status", &|v| v.parse::<Status>().map(drop));
                field("message", &|v| if v.trim().is_empty() { Ok(()) } else { Text::parse(v).map(drop) });
                if !errors.is_empty() {
                    return Ok(Submission::Invalid(errors));
                }
                let (Some(Ok(to)), message) = (text("status").map(str::parse::<Status>), text("message")) else {
                    return Ok(Submission::Invalid(errors));
                };
                let message = message.and_then(|m| Text::parse(m).ok());
                self.apply_form(metadata, user, &[Command::ChangeStatus { to, message }], "status").await
            }
        }
    }

    /// The publish form's submission: the update is published, or the inputs to fix.
    async fn submit_publish(
        &self,
        values: &BTreeMap<String, String>,
        metadata: Option<&str>,
        user: &UserRef,
    ) -> Result<Submission, ServiceError> {
        let request = match publish::request_from_form(values) {
            Ok(request) => request,
            Err(errors) => return Ok(Submission::Invalid(errors)),
        };
        let Some(id) = metadata.and_then(|m| m.parse::<IncidentId>().ok()) else {
            return Ok(Submission::Invalid(BTreeMap::from([(
                "message".to_owned(),
                "this form lost its incident; open it again".to_owned(),
            )])));
        };
        match self.service.publish(id, Actor::User(user.clone()), request).await {
            Ok(after) => Ok(Submission::Accepted(Some(messages::published(&after)))),
            Err(
                e @ (ServiceError::Refused(_)
                | ServiceError::Forbidden(_)
                | ServiceError::Invalid(_)
                | ServiceError::NotFound(_)),
            ) => Ok(Submission::Invalid(BTreeMap::from([("message".to_owned(), e.to_string())]))),
            Err(e) => Err(e),
        }
    }

    /// The form to show instead of `form` once an input that reshapes it
    /// changed: the declare form for the chosen incident type, keeping
    /// `values`; `None` keeps the form as it is.
    pub(crate) fn reshaped(
        &self,
        form: FormId,
        values: &BTreeMap<String, String>,
        metadata: Option<String>,
    ) -> Option<Form> {
        if form != FormId::DeclareIncident {
            return None;
        }
        let base = messages::declare_form(&self.domains, &self.severities);
        let mut shaped = messages::shaped_declare_form(base, &self.service.config().schema, values);
        shaped.metadata = metadata;
        Some(shaped)
    }

    async fn apply_form(
        &self,
        metadata: Option<&str>,
        user: &UserRef,
        commands: &[Command],
        error_input: &str,
    ) -> Result<Submission, ServiceError> {
        let Some(id) = metadata.and_then(|m| m.parse::<IncidentId>().ok()) else {
            return Ok(Submission::Invalid(BTreeMap::from([(
                error_input.to_owned(),
                "this form lost its incident; open it again".to_owned(),
            )])));
        };
        match self.service.execute_all(id, Actor::User(user.clone()), commands).await {
            Ok(_) => Ok(Submission::Accepted(None)),
            Err(
                e @ (ServiceError::Refused(_)
                | ServiceError::Forbidden(_)
                | ServiceError::Invalid(_)
                | ServiceError::NotFound(_)),
            ) => Ok(Submission::Invalid(BTreeMap::from([(error_input.to_owned(), e.to_string())]))),
            Err(e) => Err(e),
        }
    }
}

/// The declare and edit forms' inputs as a draft: their input ids are the
/// draft's field names, so its errors key the inputs to fix.
fn form_draft(values: &BTreeMap<String, String>) -> DeclarationDraft {
    let value = |id: &str| values.get(id).cloned();
    DeclarationDraft {
        domain: value("domain").unwrap_or_default(),
        summary: value("summary").unwrap_or_default(),
        description: value("description"),
        severity: value("severity"),
        impact: value("impact"),
        started_at: None,
        dedup_key: None,
        private: values.get("private").is_some_and(|v| v == "true"),
        incident_type: value(messages::TYPE_INPUT).filter(|t| !t.trim().is_empty()),
        fields: messages::field_inputs(values),
    }
}
