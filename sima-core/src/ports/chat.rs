//! The chat platform: rooms, messages and forms.

use async_trait::async_trait;

use super::PortError;
use crate::domain::{MessageRef, Room, RoomId, UserGroupRef, UserRef};
use crate::model::{Form, FormTrigger, Message};

/// What the runbook asks for when it creates an incident room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSpec {
    /// The wanted name, e.g. `incident_11_25_emails-are-late`; the adapter
    /// makes it legal and unique.
    pub name_hint: String,
    /// The room topic (title and status).
    pub topic: String,
    /// A key unique to the incident (its id), so a repeated call can find the
    /// room an earlier, unrecorded call created.
    pub key: String,
    /// A private room (the incident is private): only those invited may see
    /// it. An adapter that cannot make one MUST return `Unsupported` rather
    /// than create a room everyone can see.
    pub private: bool,
}

/// A chat platform (Slack, Teams…).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ChatPort: Send + Sync {
    /// Creates the incident room and returns the name actually used.
    ///
    /// # Errors
    /// `Invalid` if no legal name can be made; `Unauthorized` for bad
    /// credentials; `RateLimited`/`Transient` when the platform is busy or down.
    /// Adapters SHOULD return the existing room when one created for the same
    /// `key` exists, rather than create a second one.
    async fn create_room(&self, spec: &RoomSpec) -> Result<Room, PortError>;

    /// Invites people into a room; people already in it are not an error.
    ///
    /// # Errors
    /// `NotFound` if the room does not exist; `Invalid` for unknown users.
    async fn invite(&self, room: &RoomId, users: &[UserRef]) -> Result<(), PortError>;

    /// Posts a message in a room.
    ///
    /// # Errors
    /// `NotFound` if the room does not exist; `Invalid` if the message is refused.
    async fn post(&self, room: &RoomId, message: &Message) -> Result<MessageRef, PortError>;

    /// Replies in the thread of `parent`.
    ///
    /// # Errors
    /// `NotFound` if the parent message or its room is gone.
    async fn reply(&self, parent: &MessageRef, message: &Message) -> Result<MessageRef, PortError>;

    /// Replaces the content of a posted message.
    ///
    /// # Errors
    /// `NotFound` if the message is gone.
    async fn update(&self, target: &MessageRef, message: &Message) -> Result<(), PortError>;

    /// Pins a message in its room; an already pinned message is success.
    ///
    /// # Errors
    /// `NotFound` if the message is gone; `Unsupported` where pins do not exist.
    async fn pin(&self, message: &MessageRef) -> Result<(), PortError>;

    /// Shows a message to one person only.
    ///
    /// # Errors
    /// `NotFound` if the room is gone; `Unsupported` where the platform cannot.
    async fn post_ephemeral(&self, room: &RoomId, user: &UserRef, message: &Message) -> Result<(), PortError>;

    /// Opens a form in answer to a user's action.
    ///
    /// # Errors
    /// `Invalid` if the trigger expired or the form is refused; `Unsupported`
    /// where the platform has no forms.
    async fn open_form(&self, trigger: &FormTrigger, form: &Form) -> Result<(), PortError>;

    /// Archives a room: it stays readable, nothing more is posted in it. An
    /// already archived room is success.
    ///
    /// # Errors
    /// `NotFound` if the room is gone; `Unsupported` where rooms cannot be
    /// archived (the default), and the runbook skips the archive.
    async fn archive(&self, room: &RoomId) -> Result<(), PortError> {
        Err(PortError::Unsupported(format!("archiving room {room}")))
    }

    /// The members of a user group (a Slack user group), to invite them.
    ///
    /// # Errors
    /// `NotFound` or `Invalid` if the group does not exist;
    /// `RateLimited`/`Transient` when the platform is busy or down;
    /// `Unsupported` where the platform has no user groups (the default),
    /// and the runbook records that the group was not invited.
    async fn group_members(&self, group: &UserGroupRef) -> Result<Vec<UserRef>, PortError> {
        Err(PortError::Unsupported(format!("user groups (`{group}`)")))
    }

    /// The email address of a user's profile, so a tracker can assign them
    /// its ticket; `None` when the profile shows none.
    ///
    /// # Errors
    /// `NotFound` if the user does not exist; `Unauthorized` if the app may
    /// not read emails; `RateLimited`/`Transient` when the platform is busy
    /// or down; `Unsupported` where the platform shows no emails (the
    /// default), and the ticket is left unassigned.
    async fn user_email(&self, user: &UserRef) -> Result<Option<String>, PortError> {
        Err(PortError::Unsupported(format!("reading the email of {user}")))
    }
}
