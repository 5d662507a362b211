//! Deciding and appending, with optimistic-concurrency retries.

use tracing::instrument;

use super::{IncidentService, ServiceError};
use crate::domain::{Actor, Command, Incident, IncidentEvent, IncidentId, Outcome};
use crate::ports::{AppendBatch, Claim, PortError};

/// How many times a change is re-decided when others write first.
const MAX_CONFLICTS: usize = 64;

impl IncidentService {
    /// Runs `command` on an incident as `actor`.
    ///
    /// # Errors
    /// `NotFound`, `Refused` by the incident, `Busy` under extreme contention,
    /// or `Store`.
    #[instrument(skip_all, fields(incident = %id), err)]
    pub async fn execute(&self, id: IncidentId, actor: Actor, command: Command) -> Result<Incident, ServiceError> {
        self.commit(id, &actor, std::slice::from_ref(&command), None).await
    }

    /// Runs several commands as one change (one transaction, one version).
    ///
    /// # Errors
    /// As [`IncidentService::execute`]; if any command is refused, none is applied.
    pub async fn execute_all(
        &self,
        id: IncidentId,
        actor: Actor,
        commands: &[Command],
    ) -> Result<Incident, ServiceError> {
        self.commit(id, &actor, commands, None).await
    }

    /// Records what the effect held by `completes` achieved, and marks it done
    /// in the same transaction.
    ///
    /// # Errors
    /// As [`IncidentService::execute`].
    pub async fn record(
        &self,
        id: IncidentId,
        outcomes: Vec<Outcome>,
        completes: Claim,
    ) -> Result<Incident, ServiceError> {
        let commands: Vec<Command> = outcomes.into_iter().map(Command::Record).collect();
        self.commit(id, &Actor::Sima, &commands, Some(completes)).await
    }

    async fn commit(
        &self,
        id: IncidentId,
        actor: &Actor,
        commands: &[Command],
        completes: Option<Claim>,
    ) -> Result<Incident, ServiceError> {
        let _writer = self.locks.lock(id).await;
        for _ in 0..MAX_CONFLICTS {
            let before = self.store.get(id).await?.ok_or_else(|| ServiceError::NotFound(id.to_string()))?;
            let now = self.now();
            let mut after = before.clone();
            let mut events = Vec::new();
            for command in commands {
                for kind in after.decide(command, now)? {
                    let event = IncidentEvent { seq: after.version() + 1, at: now, actor: actor.clone(), kind };
                    after.apply(&event);
                    events.push(event);
                }
            }
            if events.is_empty() {
                if let Some(effect) = completes {
                    self.store.complete(effect, now).await?;
                }
                return Ok(after);
            }
            let effects = self.effects(&after, &events, now);
            let batch = AppendBatch { incident: after, expected_version: before.version(), events, effects, completes };
            match self.store.append(batch).await {
                Ok(stored) => {
                    self.wake();
                    return Ok(stored);
                }
                Err(PortError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::Busy)
    }
}
