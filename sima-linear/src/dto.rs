//! Linear's wire format: the GraphQL documents SIMA sends, and the parts of
//! the answers it reads. Crate-private; named after the API's fields.

use serde::Deserialize;
use sima_core::domain::{Ticket, TicketState};

/// The issue fields every document asks for.
const ISSUE_FIELDS: &str = "id identifier url state { name type } team { id }";

/// `issue(id:)`: one issue by its UUID; Linear answers `Entity not found: Issue` when there is none.
pub(crate) fn issue_query() -> String {
    format!("query SimaIssue($id: String!) {{ issue(id: $id) {{ {ISSUE_FIELDS} }} }}")
}

/// `issueCreate(input:)`: an issue whose `id` SIMA chose.
pub(crate) fn issue_create_mutation() -> String {
    format!(
        "mutation SimaIssueCreate($input: IssueCreateInput!) {{ issueCreate(input: $input) {{ success issue {{ \
         {ISSUE_FIELDS} }} }} }}"
    )
}

/// `issueUpdate(id:, input:)`: title, assignee, due date or workflow state.
pub(crate) fn issue_update_mutation() -> String {
    format!(
        "mutation SimaIssueUpdate($id: String!, $input: IssueUpdateInput!) {{ issueUpdate(id: $id, input: $input) \
         {{ success issue {{ {ISSUE_FIELDS} }} }} }}"
    )
}

/// `users(filter: {email: {eq:}})`: the workspace member with this e-mail.
pub(crate) const USERS_BY_EMAIL_QUERY: &str = "query SimaUserByEmail($email: String!) { users(filter: { email: { eq: \
                                               $email } }, first: 1) { nodes { id } } }";

/// `workflowStates(filter: {team: {id: {eq:}}})`: a team's workflow states.
pub(crate) const TEAM_STATES_QUERY: &str = "query SimaTeamStates($teamId: ID!) { workflowStates(filter: { team: { \
                                            id: { eq: $teamId } } }, first: 100) { nodes { id name type position } \
                                            } }";

/// The envelope of every answer.
#[derive(Debug, Deserialize)]
pub(crate) struct GraphQlResponse {
    #[serde(default)]
    pub(crate) data: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) errors: Option<Vec<GraphQlErrorDto>>,
}

/// One entry of `errors`.
#[derive(Debug, Deserialize)]
pub(crate) struct GraphQlErrorDto {
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) extensions: Option<ErrorExtensions>,
}

/// Linear's `extensions`: `code` (`RATELIMITED`, `AUTHENTICATION_ERROR`,
/// `INPUT_ERROR`…), `type` (`ratelimited`, `authentication error`…) and a
/// message meant for people.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorExtensions {
    #[serde(default)]
    pub(crate) code: Option<String>,
    #[serde(default, rename = "type")]
    pub(crate) kind: Option<String>,
    #[serde(default)]
    pub(crate) user_presentable_message: Option<String>,
}

/// An issue as the documents above ask for it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IssueDto {
    pub(crate) id: String,
    pub(crate) identifier: String,
    pub(crate) url: String,
    pub(crate) state: StateDto,
    #[serde(default)]
    pub(crate) team: Option<TeamDto>,
}

/// An issue's workflow state.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StateDto {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
}

/// A reference to a team.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TeamDto {
    pub(crate) id: String,
}

/// `issueCreate` / `issueUpdate`'s payload.
#[derive(Debug, Deserialize)]
pub(crate) struct IssuePayloadDto {
    pub(crate) success: bool,
    #[serde(default)]
    pub(crate) issue: Option<IssueDto>,
}

/// A workflow state of a team.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WorkflowStateDto {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) position: f64,
}

/// A connection's `nodes`.
#[derive(Debug, Deserialize)]
pub(crate) struct Nodes<T> {
    pub(crate) nodes: Vec<T>,
}

/// Whether a state type is in a done category: `completed` or `canceled`.
pub(crate) fn state_of(kind: &str) -> TicketState {
    match kind {
        "completed" | "canceled" => TicketState::Done,
        _ => TicketState::Open,
    }
}

impl IssueDto {
    /// The issue as SIMA records it.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket {
            id: self.id.clone(),
            key: self.identifier.clone(),
            url: self.url.clone(),
            status: self.state.name.clone(),
            state: state_of(&self.state.kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_reads_as_a_ticket() {
        let issue: IssueDto = serde_json::from_value(serde_json::json!({
            "id": "2f0ab7c4-1111-4b6e-9c1a-3f6f2d3e4a5b",
            "identifier": "ENG-123",
            "url": "https://linear.app/acme/issue/ENG-123/rotate-the-keys",
            "state": { "name": "Won't do", "type": "canceled" },
            "team": { "id": "t1" }
        }))
        .unwrap();
        let ticket = issue.ticket();
        assert_eq!((ticket.key.as_str(), ticket.status.as_str()), ("ENG-123", "Won't do"));
        assert_eq!(ticket.state, TicketState::Done);
        for (kind, state) in [
            ("completed", TicketState::Done),
            ("canceled", TicketState::Done),
            ("started", TicketState::Open),
            ("unstarted", TicketState::Open),
            ("backlog", TicketState::Open),
            ("triage", TicketState::Open),
        ] {
            assert_eq!(state_of(kind), state, "{kind}");
        }
    }

    #[test]
    fn the_documents_name_their_fields() {
        assert!(issue_query().contains("issue(id: $id) { id identifier url state { name type } team { id } }"));
        assert!(issue_create_mutation().contains("issueCreate(input: $input) { success issue {"));
        assert!(issue_update_mutation().contains("issueUpdate(id: $id, input: $input)"));
        assert!(USERS_BY_EMAIL_QUERY.contains("users(filter: { email: { eq: $email } }, first: 1)"));
        assert!(TEAM_STATES_QUERY.contains("workflowStates(filter: { team: { id: { eq: $teamId } } }, first: 100)"));
    }
}
