//! The tracker: action items exported as tickets where engineers work
//! (Jira, Linear…), and their state read back.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::PortError;
use crate::domain::{FollowUpKey, Ticket, TicketState};

/// What a ticket for an action item says. Built from the incident each time,
/// so writing it again changes nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDraft {
    /// SIMA's key for the item; adapters store it on the ticket for lookup.
    pub key: FollowUpKey,
    /// The action item's text, as the ticket's title (user text: escape it).
    pub title: String,
    /// The incident's one-line summary (user text).
    pub incident_summary: String,
    /// A link to the incident (its room, else its dashboard page), if known.
    pub incident_url: Option<String>,
    /// The owner's email, for the tracker to find its own user; `None`
    /// leaves the ticket unassigned.
    pub owner_email: Option<String>,
    /// The owner as SIMA names them (shown in the description when the
    /// tracker has no user with that email).
    pub owner_name: Option<String>,
    /// When it should be done by.
    pub due: Option<NaiveDate>,
}

/// A change a tracker reported about one of its tickets (by webhook or when
/// read back), in SIMA's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketChange {
    /// The ticket as it is now.
    pub ticket: Ticket,
    /// SIMA's key, when the tracker carried it (a label, an external id).
    pub key: Option<FollowUpKey>,
}

/// An issue tracker (Jira, Linear, GitHub Issues…).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TrackerPort: Send + Sync {
    /// The tracker's name, lower case (`jira`): the actor of changes it reports.
    fn name(&self) -> &str;

    /// Finds the ticket made for `key`, if any. Called before every create,
    /// so a create retried after an unknown outcome never makes a second ticket.
    ///
    /// # Errors
    /// `Unauthorized` for bad credentials; `RateLimited`/`Transient` when busy
    /// or unreachable; `Invalid` if the tracker answers garbage.
    async fn find(&self, key: FollowUpKey) -> Result<Option<Ticket>, PortError>;

    /// Creates a ticket for `draft`, carrying `draft.key` so [`find`](Self::find) sees it.
    ///
    /// # Errors
    /// `Invalid` if the tracker refuses the ticket (a missing project or issue
    /// type: never retried); otherwise as [`find`](Self::find).
    async fn create(&self, draft: &TicketDraft) -> Result<Ticket, PortError>;

    /// Rewrites the title, owner and due date of `ticket` from `draft`.
    ///
    /// # Errors
    /// `NotFound` if the ticket is gone; otherwise as [`create`](Self::create).
    async fn update(&self, ticket: &Ticket, draft: &TicketDraft) -> Result<(), PortError>;

    /// Reads `ticket` as it is now (its status may have moved).
    ///
    /// # Errors
    /// `NotFound` if the ticket is gone; otherwise as [`find`](Self::find).
    async fn read(&self, ticket: &Ticket) -> Result<Ticket, PortError>;

    /// Moves `ticket` to a done state (closing it) or back to an open one
    /// (reopening it), and answers it as it is afterwards. Doing nothing when
    /// it is already there.
    ///
    /// # Errors
    /// `Invalid` if the tracker's workflow has no way there; otherwise as
    /// [`update`](Self::update).
    async fn set_state(&self, ticket: &Ticket, state: TicketState) -> Result<Ticket, PortError>;
}
