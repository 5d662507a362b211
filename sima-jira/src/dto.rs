//! Jira's wire types: the parts of its answers SIMA reads, and the bodies it
//! sends that have a fixed shape. Unknown fields are ignored (Jira adds many).

use serde::{Deserialize, Serialize};
use sima_core::domain::{FollowUpKey, Ticket, TicketState};

/// `POST /rest/api/3/search/jql` body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchJqlRequest<'a> {
    pub(crate) jql: &'a str,
    pub(crate) fields: [&'a str; 3],
    pub(crate) max_results: u32,
    /// Issue ids whose latest state the search must reflect (read-after-write).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) reconcile_issues: Vec<u64>,
}

/// `POST /rest/api/3/search/jql` answer (one page: SIMA asks for few).
#[derive(Debug, Deserialize)]
pub(crate) struct SearchJqlResponse {
    pub(crate) issues: Vec<Issue>,
}

/// `POST /rest/api/3/issue` answer.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateIssueResponse {
    pub(crate) id: String,
    pub(crate) key: String,
}

/// An issue as `GET /rest/api/3/issue/{id}`, a search or a webhook carries it.
#[derive(Debug, Deserialize)]
pub(crate) struct Issue {
    pub(crate) id: String,
    pub(crate) key: String,
    #[serde(default)]
    pub(crate) fields: IssueFields,
}

/// The fields SIMA asks for.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct IssueFields {
    #[serde(default)]
    pub(crate) status: Option<Status>,
    #[serde(default)]
    pub(crate) labels: Vec<String>,
}

/// An issue's status, or a transition's target.
#[derive(Debug, Deserialize)]
pub(crate) struct Status {
    pub(crate) name: String,
    #[serde(rename = "statusCategory")]
    pub(crate) category: StatusCategory,
}

/// One of Jira's three fixed status categories: `new`, `indeterminate`, `done`.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusCategory {
    pub(crate) key: String,
}

/// `GET /rest/api/3/issue/{id}/transitions` answer.
#[derive(Debug, Deserialize)]
pub(crate) struct TransitionsResponse {
    pub(crate) transitions: Vec<Transition>,
}

/// A transition open to the account from the issue's current status.
#[derive(Debug, Deserialize)]
pub(crate) struct Transition {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: String,
    pub(crate) to: Status,
}

/// `POST /rest/api/3/issue/{id}/transitions` body.
#[derive(Debug, Serialize)]
pub(crate) struct DoTransitionRequest<'a> {
    pub(crate) transition: TransitionId<'a>,
}

/// The transition fired.
#[derive(Debug, Serialize)]
pub(crate) struct TransitionId<'a> {
    pub(crate) id: &'a str,
}

/// One user of `GET /rest/api/3/user/search`; `emailAddress` is absent when
/// the user's profile visibility hides it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct User {
    pub(crate) account_id: String,
    #[serde(default)]
    pub(crate) email_address: Option<String>,
    #[serde(default)]
    pub(crate) account_type: Option<String>,
    #[serde(default = "active_by_default")]
    pub(crate) active: bool,
}

fn active_by_default() -> bool {
    true
}

/// An admin webhook's body: the event, and the issue for issue events.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookPayload {
    pub(crate) webhook_event: String,
    #[serde(default)]
    pub(crate) issue: Option<Issue>,
}

/// The longest issue key or id read from Jira (keys are `PROJECT-123`).
const MAX_KEY_CHARS: usize = 64;

impl Issue {
    /// The issue as SIMA records it, its link under `site`
    /// (`{site}/browse/{key}`); `None` when the key or id is not one Jira
    /// makes, or the status is missing (never asked for).
    pub(crate) fn to_ticket(&self, site: &str) -> Option<Ticket> {
        let status = self.fields.status.as_ref()?;
        if !is_issue_id(&self.id) || !is_issue_key(&self.key) {
            return None;
        }
        Some(Ticket {
            id: self.id.clone(),
            key: self.key.clone(),
            url: format!("{}/browse/{}", site.trim_end_matches('/'), self.key),
            status: status.name.clone(),
            state: status.category.state(),
        })
    }

    /// SIMA's key, from the issue's first `sima-…` label that reads as one.
    pub(crate) fn follow_up_key(&self) -> Option<FollowUpKey> {
        self.fields.labels.iter().filter(|label| label.starts_with("sima-")).find_map(|label| FollowUpKey::parse(label))
    }
}

impl StatusCategory {
    /// Jira's `done` category is done; `new` and `indeterminate` are open.
    pub(crate) fn state(&self) -> TicketState {
        if self.key == DONE_CATEGORY {
            TicketState::Done
        } else {
            TicketState::Open
        }
    }
}

/// The status category key of finished work.
pub(crate) const DONE_CATEGORY: &str = "done";

/// A numeric issue id (`10002`).
fn is_issue_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_KEY_CHARS && id.bytes().all(|b| b.is_ascii_digit())
}

/// An issue key: a project key (letters, digits, `_`), `-`, a number (`OPS-12`).
fn is_issue_key(key: &str) -> bool {
    let Some((project, number)) = key.rsplit_once('-') else { return false };
    key.len() <= MAX_KEY_CHARS
        && project.starts_with(|c: char| c.is_ascii_alphabetic())
        && project.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_and_ids_jira_makes_are_read() {
        for good in ["OPS-12", "A1_B-9"] {
            assert!(is_issue_key(good), "{good}");
        }
        for bad in ["", "OPS", "OPS-", "-12", "1OPS-2", "OPS-1x", "OP S-1", "../x-1", "OPS-12/../../admin"] {
            assert!(!is_issue_key(bad), "{bad}");
        }
        assert!(is_issue_id("10002"));
        assert!(!is_issue_id("") && !is_issue_id("10002a") && !is_issue_id(&"1".repeat(65)));
    }
}
