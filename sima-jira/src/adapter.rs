//! `JiraTracker`: the [`TrackerPort`] over Jira Cloud's REST API v3: a
//! search by label before each create, field edits, and transitions chosen
//! by status category.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sima_core::domain::{FollowUpKey, Ticket, TicketState};
use sima_core::ports::{PortError, TicketDraft, TrackerPort};
use tracing::{info, instrument, warn};

use crate::client::JiraClient;
use crate::config::JiraConfig;
use crate::dto::{
    CreateIssueResponse, DoTransitionRequest, Issue, SearchJqlRequest, SearchJqlResponse, Transition, TransitionId,
    TransitionsResponse, User,
};
use crate::error::JiraError;
use crate::render::{description, jql_for_label, summary_line};

/// The fields read back from an issue.
const ISSUE_FIELDS: &str = "status,labels";

/// How many issues one search for a label reads (one is expected).
const SEARCH_PAGE: u32 = 10;

/// How many created issues (and unknown create outcomes) are remembered.
const REMEMBERED_ISSUES: usize = 256;

/// How long after a create with an unknown outcome the search index is given
/// to show the issue before the key may be created again.
const SEARCH_SETTLE: Duration = Duration::from_secs(30);

/// Action items as issues of one Jira Cloud project.
#[derive(Debug, Clone)]
pub struct JiraTracker {
    client: JiraClient,
    /// The site, without a trailing `/`: issue links are `{site}/browse/{key}`.
    site: String,
    project: String,
    issue_type: String,
    /// Issues this process created, by key, newest last: searches name them
    /// in `reconcileIssues` so Jira answers their latest state.
    created: Arc<Mutex<VecDeque<(FollowUpKey, u64)>>>,
    /// Keys whose last create failed after it may have reached Jira (a 5xx,
    /// a timeout), and when: their retry waits for the search index.
    uncertain: Arc<Mutex<VecDeque<(FollowUpKey, Instant)>>>,
}

impl JiraTracker {
    /// Builds the adapter.
    ///
    /// # Errors
    /// [`JiraError::Config`] if `url` is not a URL or the HTTP client cannot be built.
    pub fn new(config: JiraConfig) -> Result<Self, JiraError> {
        let client = JiraClient::new(&config)?;
        Ok(Self {
            client,
            site: config.url.trim_end_matches('/').to_owned(),
            project: config.project,
            issue_type: config.issue_type,
            created: Arc::default(),
            uncertain: Arc::default(),
        })
    }

    /// The ids of the issues this process created for `key`.
    fn remembered(&self, key: FollowUpKey) -> Vec<u64> {
        let created = self.created.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        created.iter().filter(|(k, _)| *k == key).map(|(_, id)| *id).collect()
    }

    /// Notes that a create for `key` may have made an issue Jira did not report.
    fn remember_uncertain(&self, key: FollowUpKey) {
        let mut uncertain = self.uncertain.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        uncertain.retain(|(k, _)| *k != key);
        if uncertain.len() >= REMEMBERED_ISSUES {
            uncertain.pop_front();
        }
        uncertain.push_back((key, Instant::now()));
    }

    /// How much longer the search index is given to show an issue an
    /// uncertain create for `key` may have made.
    fn settling(&self, key: FollowUpKey) -> Option<Duration> {
        let uncertain = self.uncertain.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let since = uncertain.iter().find(|(k, _)| *k == key)?.1.elapsed();
        SEARCH_SETTLE.checked_sub(since).filter(|left| !left.is_zero())
    }

    fn remember(&self, key: FollowUpKey, id: &str) {
        let Ok(id) = id.parse() else { return };
        let mut created = self.created.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if created.len() >= REMEMBERED_ISSUES {
            created.pop_front();
        }
        created.push_back((key, id));
    }

    /// `issue` as a ticket, or a decode error naming what was missing.
    fn ticket(&self, issue: &Issue) -> Result<Ticket, JiraError> {
        issue.to_ticket(&self.site).ok_or_else(|| {
            JiraError::Decode(format!("issue {:?} (id {:?}) has no usable key, id or status", issue.key, issue.id))
        })
    }

    async fn read_issue(&self, id: &str) -> Result<Ticket, JiraError> {
        let issue: Issue = decode(self.client.get_issue(id, ISSUE_FIELDS).await?)?;
        self.ticket(&issue)
    }

    /// The account id of the active Jira user whose e-mail is exactly
    /// `email` (case aside), if Jira shows one. Jira's user search also
    /// matches names and prefixes, so its other hits are ignored; a user
    /// whose profile hides their e-mail cannot be matched.
    async fn account_for(&self, email: Option<&str>) -> Result<Option<String>, JiraError> {
        let Some(email) = email.map(str::trim).filter(|email| !email.is_empty()) else { return Ok(None) };
        let users: Vec<User> = match self.client.find_users(email).await {
            Ok(answer) => decode(answer)?,
            // The account may lack "Browse users and groups": create the issue unassigned.
            Err(error @ JiraError::Status { status: 403, .. }) => {
                warn!(%error, "cannot search Jira users; the issue stays unassigned");
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let found = users.into_iter().find(|user| {
            user.active
                && user.account_type.as_deref().is_none_or(|kind| kind == "atlassian")
                && user.email_address.as_deref().is_some_and(|address| address.eq_ignore_ascii_case(email))
        });
        Ok(found.map(|user| user.account_id))
    }

    /// The transition that takes the issue to `state`: for done, one into
    /// the `done` category; for open, one into `new`, else `indeterminate`,
    /// else any other non-done category.
    fn pick(transitions: &[Transition], state: TicketState) -> Option<&Transition> {
        let into = |category: &str| transitions.iter().find(|t| t.to.category.key == category);
        match state {
            TicketState::Done => into(crate::dto::DONE_CATEGORY),
            TicketState::Open => into("new")
                .or_else(|| into("indeterminate"))
                .or_else(|| transitions.iter().find(|t| t.to.category.state() == TicketState::Open)),
        }
    }
}

/// Reads a Jira answer as `T`; anything else is garbage (`Decode`).
fn decode<T: DeserializeOwned>(answer: Value) -> Result<T, JiraError> {
    let kind = std::any::type_name::<T>().rsplit("::").next().unwrap_or("answer");
    serde_json::from_value(answer).map_err(|e| JiraError::Decode(format!("{kind}: {e}")))
}

#[async_trait]
impl TrackerPort for JiraTracker {
    fn name(&self) -> &str {
        "jira"
    }

    /// Searches the project for the issue labelled `key.label()`, oldest
    /// first, naming the issues this process created for `key` in
    /// `reconcileIssues` (Jira's search is otherwise eventually consistent).
    #[instrument(skip_all, fields(key = %key), err)]
    async fn find(&self, key: FollowUpKey) -> Result<Option<Ticket>, PortError> {
        let label = key.label();
        let jql = jql_for_label(&self.project, &label);
        let query = SearchJqlRequest {
            jql: &jql,
            fields: ["summary", "status", "labels"],
            max_results: SEARCH_PAGE,
            reconcile_issues: self.remembered(key),
        };
        let query = serde_json::to_value(&query).map_err(|e| PortError::Invalid(e.to_string()))?;
        let found: SearchJqlResponse = decode(self.client.search(&query).await?)?;
        let Some(issue) = found.issues.iter().find(|issue| issue.fields.labels.contains(&label)) else {
            return Ok(None);
        };
        Ok(Some(self.ticket(issue)?))
    }

    /// Searches first (a create retried after an unknown outcome returns the
    /// issue the first attempt made), then creates the issue labelled
    /// `key.label()` and reads its status back. After a create that failed
    /// with a 5xx or a timeout, the key is not created again for
    /// 30 seconds (`SEARCH_SETTLE`) unless the search finds the issue: a `Transient`
    /// error instead, so the caller's retry comes when Jira's search index
    /// (eventually consistent) shows what the first attempt made.
    #[instrument(skip_all, fields(key = %draft.key), err)]
    async fn create(&self, draft: &TicketDraft) -> Result<Ticket, PortError> {
        if let Some(existing) = self.find(draft.key).await? {
            info!(issue = %existing.key, "the issue exists already");
            return Ok(existing);
        }
        if let Some(left) = self.settling(draft.key) {
            // Jira may have made the issue; its search shows new issues within seconds.
            return Err(PortError::Transient(format!(
                "an earlier create for {} may have reached Jira; waiting {}s more for its search to show the issue",
                draft.key,
                left.as_secs().max(1)
            )));
        }
        let account = self.account_for(draft.owner_email.as_deref()).await?;
        let unassigned_owner = if account.is_none() { draft.owner_name.as_deref() } else { None };
        let mut fields = json!({
            "project": { "key": self.project },
            "issuetype": { "name": self.issue_type },
            "summary": summary_line(draft),
            "labels": [draft.key.label()],
            "description": description(draft, unassigned_owner),
        });
        if let Some(due) = draft.due {
            fields["duedate"] = json!(due.format("%Y-%m-%d").to_string());
        }
        if let Some(account) = account {
            fields["assignee"] = json!({ "accountId": account });
        }
        let answer = match self.client.create_issue(&json!({ "fields": fields })).await {
            Ok(answer) => answer,
            Err(error) => {
                if matches!(error, JiraError::Transport(_) | JiraError::Status { status: 500..=599, .. }) {
                    self.remember_uncertain(draft.key);
                }
                return Err(error.into());
            }
        };
        let created: CreateIssueResponse = decode(answer).inspect_err(|_| self.remember_uncertain(draft.key))?;
        self.remember(draft.key, &created.id);
        info!(issue = %created.key, "issue created");
        Ok(self.read_issue(&created.id).await?)
    }

    /// Sets the summary, the due date (`null` clears it) and the assignee
    /// (`null` when Jira has no user with the owner's e-mail).
    #[instrument(skip_all, fields(issue = %ticket.key), err)]
    async fn update(&self, ticket: &Ticket, draft: &TicketDraft) -> Result<(), PortError> {
        let account = self.account_for(draft.owner_email.as_deref()).await?;
        let fields = json!({
            "summary": summary_line(draft),
            "duedate": draft.due.map(|due| due.format("%Y-%m-%d").to_string()),
            "assignee": account.map(|account| json!({ "accountId": account })),
        });
        self.client.edit_issue(&ticket.id, &json!({ "fields": fields })).await?;
        Ok(())
    }

    #[instrument(skip_all, fields(issue = %ticket.key), err)]
    async fn read(&self, ticket: &Ticket) -> Result<Ticket, PortError> {
        Ok(self.read_issue(&ticket.id).await?)
    }

    /// Reads the issue; when it is not in `state`, fires the first
    /// transition open to the account into a matching status category, then
    /// reads it again.
    #[instrument(skip_all, fields(issue = %ticket.key, state = ?state), err)]
    async fn set_state(&self, ticket: &Ticket, state: TicketState) -> Result<Ticket, PortError> {
        let current = self.read_issue(&ticket.id).await?;
        if current.state == state {
            return Ok(current);
        }
        let offered: TransitionsResponse = decode(self.client.transitions(&ticket.id).await?)?;
        let Some(transition) = Self::pick(&offered.transitions, state) else {
            let names: Vec<String> =
                offered.transitions.iter().map(|t| format!("{:?} to {:?}", t.name, t.to.name)).collect();
            let wanted = match state {
                TicketState::Done => "a done",
                TicketState::Open => "an open (to do or in progress)",
            };
            return Err(JiraError::Workflow(format!(
                "issue {} is in {:?} and its workflow offers this account no transition to {wanted} status \
                 (offered: {})",
                current.key,
                current.status,
                if names.is_empty() { "none".to_owned() } else { names.join(", ") }
            ))
            .into());
        };
        let body = DoTransitionRequest { transition: TransitionId { id: &transition.id } };
        let body = serde_json::to_value(&body).map_err(|e| PortError::Invalid(e.to_string()))?;
        self.client.transition(&ticket.id, &body).await?;
        info!(transition = %transition.name, to = %transition.to.name, "issue transitioned");
        Ok(self.read_issue(&ticket.id).await?)
    }
}
