//! Deciding and appending, with optimistic-concurrency retries.

use std::time::Duration;

use async_trait::async_trait;
use tracing::instrument;

use super::{IncidentService, ServiceError};
use crate::domain::{Actor, Command, EffectKind, Incident, IncidentEvent, IncidentId, Outcome};
use crate::ports::{AppendBatch, Claim, ClaimedEffect, Lease, NewEffect, PortError};
use crate::runbook::{NotRecorded, Recorded, Recorder};

/// How many times a change is re-decided when others write first.
const MAX_CONFLICTS: usize = 64;

impl IncidentService {
    /// Runs `command` on an incident as `actor`.
    ///
    /// # Errors
    /// `NotFound`, `Refused` by the incident, `Forbidden` by a policy, `Busy`
    /// under extreme contention, or `Store`.
    #[instrument(skip_all, fields(incident = %id), err)]
    pub async fn execute(&self, id: IncidentId, actor: Actor, command: Command) -> Result<Incident, ServiceError> {
        Ok(self.commit(id, &actor, std::slice::from_ref(&command), None).await?.0)
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
        Ok(self.commit(id, &actor, commands, None).await?.0)
    }

    async fn commit(
        &self,
        id: IncidentId,
        actor: &Actor,
        commands: &[Command],
        completion: Option<Completion>,
    ) -> Result<(Incident, Vec<ClaimedEffect>), ServiceError> {
        self.check_tracker(commands)?;
        let _writer = self.locks.lock(id).await;
        for _ in 0..MAX_CONFLICTS {
            let before = self.store.get(id).await?.ok_or_else(|| ServiceError::NotFound(id.to_string()))?;
            let now = self.now();
            let mut after = before.clone();
            let mut events = Vec::new();
            for command in commands {
                self.policies.guard(&after, actor, command)?;
                for kind in after.decide(command, now)? {
                    let event = IncidentEvent { seq: after.version() + 1, at: now, actor: actor.clone(), kind };
                    after.apply(&event);
                    events.push(event);
                }
            }
            let completes = completion.map(|c| c.claim);
            if events.is_empty() {
                if let Some(claim) = completes {
                    self.store.complete(claim, now).await?;
                }
                return Ok((after, Vec::new()));
            }
            let mut effects = self.effects(&after, &events, now);
            if let Some(Completion { claim, lease }) = completion {
                let lease = Lease::starting(claim.token, now, lease);
                effects.iter_mut().filter(|e| e.due_at <= now).for_each(|e| e.leased = Some(lease));
            }
            let follow_ups: Vec<ClaimedEffect> = effects.iter().filter_map(NewEffect::claimed).collect();
            let unclaimed = follow_ups.len() < effects.len();
            let batch = AppendBatch { incident: after, expected_version: before.version(), events, effects, completes };
            match self.store.append(batch).await {
                Ok(stored) => {
                    if unclaimed {
                        self.wake();
                    }
                    return Ok((stored, follow_ups));
                }
                Err(PortError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::Busy)
    }
}

/// The effect a change records the outcome of, and how long the follow-ups
/// it plans are leased to the same claim.
#[derive(Debug, Clone, Copy)]
struct Completion {
    claim: Claim,
    lease: Duration,
}

/// The effect worker records outcomes through the same commit as every use case.
#[async_trait]
impl Recorder for IncidentService {
    async fn record(
        &self,
        id: IncidentId,
        outcomes: Vec<Outcome>,
        completes: Claim,
        lease: Duration,
    ) -> Result<Recorded, NotRecorded> {
        let commands: Vec<Command> = outcomes.into_iter().map(Command::Record).collect();
        let (incident, follow_ups) =
            self.commit(id, &Actor::Sima, &commands, Some(Completion { claim: completes, lease })).await?;
        Ok(Recorded { incident, follow_ups })
    }

    async fn record_failure(&self, id: IncidentId, effect: EffectKind, error: &str) -> Result<(), NotRecorded> {
        let failed = Command::Record(Outcome::EffectFailed { effect, error: error.to_owned() });
        self.execute(id, Actor::Sima, failed).await?;
        Ok(())
    }
}
