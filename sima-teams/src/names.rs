//! People's display names, so that mentions show names, not ids.
//!
//! SIMA names people by their Entra object id. Before a message mentioning
//! someone is sent, their display name is looked up in Microsoft Graph
//! (`GET /users/{id}?$select=displayName`, permission `User.Read.All`) and
//! kept for a day; names Teams gives on inbound activities are kept the same
//! way without a call. A lookup that fails never holds a message back:
//! within [`LOOKUP_BUDGET`], an unknown name mentions the person by id, and
//! an id Graph says is nobody (an API caller's label) is shown as plain text,
//! because Teams refuses a mention of no one.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::Method;
use sima_core::domain::UserRef;

use crate::client::{Api, TeamsClient};
use crate::dto::GraphUser;
use crate::error::TeamsError;
use crate::render::{Mentioned, Names};

/// How long a display name is kept.
const NAME_LIFE: Duration = Duration::from_secs(24 * 3600);
/// How long an id Graph does not know is kept as nobody.
const NOBODY_LIFE: Duration = Duration::from_secs(3600);
/// How long a failed lookup (no permission, Graph down) is not repeated.
const FAILURE_LIFE: Duration = Duration::from_secs(300);
/// The longest the lookups for one message may take.
pub(crate) const LOOKUP_BUDGET: Duration = Duration::from_secs(3);
/// People remembered before the cache starts over.
const MAX_PEOPLE: usize = 10_000;

struct Known {
    shown: Mentioned,
    until: Instant,
}

/// The display names of the people SIMA mentions, looked up and cached.
pub(crate) struct Directory {
    client: TeamsClient,
    people: Mutex<HashMap<UserRef, Known>>,
}

impl Directory {
    /// A directory looking names up through `client`.
    pub(crate) fn new(client: TeamsClient) -> Self {
        Self { client, people: Mutex::new(HashMap::new()) }
    }

    /// Remembers the name Teams gave `user` on an inbound activity.
    pub(crate) fn learn(&self, user: &UserRef, name: &str) {
        let name = name.trim();
        if !name.is_empty() {
            self.keep(user, Mentioned::Named(name.to_owned()), NAME_LIFE);
        }
    }

    /// How to show each of `users`, looking up those not known yet.
    pub(crate) async fn names(&self, users: &[UserRef]) -> Names {
        let mut names = Names::new();
        let deadline = tokio::time::Instant::now() + LOOKUP_BUDGET;
        for user in users {
            if names.contains_key(user) {
                continue;
            }
            let shown = match self.cached(user) {
                Some(shown) => shown,
                // A Teams id (`29:…`) is not a Graph id; Teams mentions it as it is.
                None if user.as_str().starts_with("29:") => Mentioned::Unnamed,
                None => match tokio::time::timeout_at(deadline, self.look_up(user)).await {
                    Ok(shown) => shown,
                    Err(_) => {
                        tracing::debug!(%user, "name lookup ran out of time");
                        Mentioned::Unnamed
                    }
                },
            };
            names.insert(user.clone(), shown);
        }
        names
    }

    async fn look_up(&self, user: &UserRef) -> Mentioned {
        let (shown, life) = match self.fetch(user).await {
            Ok(Some(name)) => (Mentioned::Named(name), NAME_LIFE),
            Ok(None) => (Mentioned::Unnamed, FAILURE_LIFE),
            Err(error) if matches!(error.status(), Some(400 | 404)) => (Mentioned::NotAPerson, NOBODY_LIFE),
            Err(error) => {
                tracing::warn!(%error, %user, "could not look a name up (does the app have User.Read.All?)");
                (Mentioned::Unnamed, FAILURE_LIFE)
            }
        };
        self.keep(user, shown.clone(), life);
        shown
    }

    async fn fetch(&self, user: &UserRef) -> Result<Option<String>, TeamsError> {
        let mut url = self.client.url(Api::Graph, &["users", user.as_str()])?;
        url.query_pairs_mut().append_pair("$select", "displayName");
        let found: GraphUser =
            self.client.send::<(), _>(Api::Graph, "graph: get user", Method::GET, url, None, None).await?;
        Ok(found.display_name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()))
    }

    fn cached(&self, user: &UserRef) -> Option<Mentioned> {
        let people = self.people.lock().unwrap_or_else(PoisonError::into_inner);
        people.get(user).filter(|known| Instant::now() < known.until).map(|known| known.shown.clone())
    }

    fn keep(&self, user: &UserRef, shown: Mentioned, life: Duration) {
        let mut people = self.people.lock().unwrap_or_else(PoisonError::into_inner);
        if people.len() >= MAX_PEOPLE && !people.contains_key(user) {
            people.retain(|_, known| Instant::now() < known.until);
            if people.len() >= MAX_PEOPLE {
                people.clear();
            }
        }
        people.insert(user.clone(), Known { shown, until: Instant::now() + life });
    }
}
