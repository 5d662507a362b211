//! `LinearTracker`: the [`TrackerPort`] over Linear's GraphQL API: issues
//! created under an id derived from the action item, found by that id, and
//! moved between workflow states by their type.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sima_core::domain::{FollowUpKey, Ticket, TicketState};
use sima_core::ports::{PortError, TicketDraft, TrackerPort};
use tracing::{info, instrument, warn};

use crate::client::LinearClient;
use crate::config::LinearConfig;
use crate::dto::{
    issue_create_mutation, issue_query, issue_update_mutation, state_of, IssueDto, IssuePayloadDto, Nodes,
    WorkflowStateDto, TEAM_STATES_QUERY, USERS_BY_EMAIL_QUERY,
};
use crate::error::LinearError;
use crate::key::issue_id;
use crate::render::{description, title};

/// Exports action items as issues of one Linear team.
#[derive(Debug, Clone)]
pub struct LinearTracker {
    client: LinearClient,
    team_id: String,
}

impl LinearTracker {
    /// Builds the adapter.
    ///
    /// # Errors
    /// [`LinearError::Config`] if `api_url` is not an HTTP URL or the HTTP client cannot be built.
    pub fn new(config: LinearConfig) -> Result<Self, LinearError> {
        let client = LinearClient::new(&config)?;
        Ok(Self { client, team_id: config.team_id })
    }

    /// The id the issue for `key` has (or will have) in this team.
    pub fn issue_id(&self, key: FollowUpKey) -> String {
        issue_id(&self.team_id, key)
    }

    /// `issue(id:)`, or `None` when Linear says there is no such issue.
    async fn issue(&self, id: &str) -> Result<Option<IssueDto>, LinearError> {
        match self.client.execute(&issue_query(), json!({ "id": id })).await {
            Ok(data) => field::<Option<IssueDto>>(data, "issue"),
            Err(error) if error.is_issue_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The id of the Linear user with this e-mail, if there is one.
    async fn user_id(&self, email: &str) -> Result<Option<String>, LinearError> {
        #[derive(serde::Deserialize)]
        struct User {
            id: String,
        }
        let data = self.client.execute(USERS_BY_EMAIL_QUERY, json!({ "email": email.trim() })).await?;
        let users: Nodes<User> = field(data, "users")?;
        Ok(users.nodes.into_iter().next().map(|user| user.id))
    }

    /// The assignee for the draft's owner: `(assigneeId, owner unmatched)`.
    async fn assignee(&self, draft: &TicketDraft) -> Result<(Option<String>, bool), LinearError> {
        let Some(email) = draft.owner_email.as_deref().filter(|email| !email.trim().is_empty()) else {
            return Ok((None, draft.owner_name.is_some()));
        };
        let id = self.user_id(email).await?;
        if id.is_none() {
            info!(owner = ?draft.owner_name, "no Linear user has the owner's e-mail: the issue stays unassigned");
        }
        let unmatched = id.is_none();
        Ok((id, unmatched))
    }

    /// `issueUpdate(id:, input:)`: the issue as updated.
    async fn update_issue(&self, id: &str, input: Value) -> Result<IssueDto, LinearError> {
        let data = self.client.execute(&issue_update_mutation(), json!({ "id": id, "input": input })).await?;
        issue_of(field(data, "issueUpdate")?, "issueUpdate")
    }

    /// The workflow state `state` moves an issue of `team_id` to: the first
    /// `completed` state by position for done; the first `unstarted`, else
    /// `backlog`, state for open.
    async fn target_state(&self, team_id: &str, state: TicketState) -> Result<WorkflowStateDto, PortError> {
        let data = self.client.execute(TEAM_STATES_QUERY, json!({ "teamId": team_id })).await?;
        let states: Nodes<WorkflowStateDto> = field(data, "workflowStates")?;
        let wanted: &[&str] = match state {
            TicketState::Done => &["completed"],
            TicketState::Open => &["unstarted", "backlog"],
        };
        let pick = wanted.iter().find_map(|kind| {
            states.nodes.iter().filter(|s| s.kind == *kind).min_by(|a, b| a.position.total_cmp(&b.position)).cloned()
        });
        pick.ok_or_else(|| {
            PortError::Invalid(format!(
                "the Linear team {team_id} has no workflow state of type {} to move the issue to",
                wanted.join(" or ")
            ))
        })
    }
}

/// `data[name]`, read as `T`.
fn field<T: DeserializeOwned>(mut data: Value, name: &str) -> Result<T, LinearError> {
    let value = data.get_mut(name).map(Value::take).unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|e| LinearError::Decode(format!("{name}: {e}")))
}

/// The issue of a successful mutation payload.
fn issue_of(payload: IssuePayloadDto, mutation: &str) -> Result<IssueDto, LinearError> {
    match (payload.success, payload.issue) {
        (true, Some(issue)) => Ok(issue),
        (false, _) => Err(LinearError::Decode(format!("{mutation} answered success: false"))),
        (true, None) => Err(LinearError::Decode(format!("{mutation} answered no issue"))),
    }
}

#[async_trait]
impl TrackerPort for LinearTracker {
    fn name(&self) -> &str {
        "linear"
    }

    #[instrument(skip_all, fields(key = %key), err)]
    async fn find(&self, key: FollowUpKey) -> Result<Option<Ticket>, PortError> {
        Ok(self.issue(&self.issue_id(key)).await?.map(|issue| issue.ticket()))
    }

    #[instrument(skip_all, fields(key = %draft.key), err)]
    async fn create(&self, draft: &TicketDraft) -> Result<Ticket, PortError> {
        let id = self.issue_id(draft.key);
        let (assignee, owner_unmatched) = self.assignee(draft).await?;
        let input = json!({
            "id": id,
            "teamId": self.team_id,
            "title": title(draft),
            "description": description(draft, owner_unmatched),
            "dueDate": draft.due.map(|due| due.format("%Y-%m-%d").to_string()),
            "assigneeId": assignee,
        });
        let created = match self.client.execute(&issue_create_mutation(), json!({ "input": input })).await {
            Ok(data) => field::<IssuePayloadDto>(data, "issueCreate").and_then(|p| issue_of(p, "issueCreate")),
            Err(error) => Err(error),
        };
        match created {
            Ok(issue) => Ok(issue.ticket()),
            // Refused: perhaps because an issue with this id exists already
            // (an earlier attempt's answer was lost). Then that is the ticket.
            Err(error) if error.is_refusal() => match self.issue(&id).await? {
                Some(issue) => {
                    warn!(%error, issue = %issue.identifier, "the create was refused but the issue exists: using it");
                    Ok(issue.ticket())
                }
                None => Err(error.into()),
            },
            Err(error) => Err(error.into()),
        }
    }

    #[instrument(skip_all, fields(ticket = %ticket.key), err)]
    async fn update(&self, ticket: &Ticket, draft: &TicketDraft) -> Result<(), PortError> {
        let (assignee, _) = self.assignee(draft).await?;
        let input = json!({
            "title": title(draft),
            "dueDate": draft.due.map(|due| due.format("%Y-%m-%d").to_string()),
            "assigneeId": assignee,
        });
        self.update_issue(&ticket.id, input).await?;
        Ok(())
    }

    #[instrument(skip_all, fields(ticket = %ticket.key), err)]
    async fn read(&self, ticket: &Ticket) -> Result<Ticket, PortError> {
        match self.issue(&ticket.id).await? {
            Some(issue) => Ok(issue.ticket()),
            None => Err(PortError::NotFound(format!("Linear issue {} ({}) is gone", ticket.key, ticket.id))),
        }
    }

    #[instrument(skip_all, fields(ticket = %ticket.key, state = ?state), err)]
    async fn set_state(&self, ticket: &Ticket, state: TicketState) -> Result<Ticket, PortError> {
        let Some(issue) = self.issue(&ticket.id).await? else {
            return Err(PortError::NotFound(format!("Linear issue {} ({}) is gone", ticket.key, ticket.id)));
        };
        if state_of(&issue.state.kind) == state {
            return Ok(issue.ticket());
        }
        // The issue may have moved to another team since it was created.
        let team_id = issue.team.as_ref().map_or(self.team_id.as_str(), |team| team.id.as_str());
        let target = self.target_state(team_id, state).await?;
        let moved = self.update_issue(&issue.id, json!({ "stateId": target.id })).await?;
        info!(issue = %moved.identifier, status = %target.name, "moved the Linear issue");
        Ok(moved.ticket())
    }
}
