//! What a "resolved" notification does to the incident its alert opened.

use sima_core::domain::{Actor, Command, DedupKey, Incident, Status, Text};
use sima_core::{AlertCleared, ServiceError};

use crate::state::AppState;

/// Posts one update on the incident open for `key` (and resolves it when
/// configured). Repeated notifications change nothing more.
pub(super) async fn alert_resolved(
    state: &AppState,
    key: &DedupKey,
    source: &str,
) -> Result<Option<Incident>, ServiceError> {
    let service = &state.service;
    let incident = match service.alert_cleared(key).await? {
        AlertCleared::NoIncident => return Ok(None),
        AlertCleared::Repeated(incident) => return Ok(Some(incident)),
        AlertCleared::First(incident) => incident,
    };
    let actor = Actor::Monitor(source.to_owned());
    let note = Text::parse(&format!("{source} reports the alert resolved"))?;
    let mut incident = service.execute(incident.id(), actor.clone(), Command::AddNote(note)).await?;
    if state.settings.alerts.resolve_on_alert_resolved && incident.status().can_become(Status::Resolved) {
        let message = Some(Text::parse("Resolved automatically: the alert cleared")?);
        incident =
            service.execute(incident.id(), actor, Command::ChangeStatus { to: Status::Resolved, message }).await?;
    }
    Ok(Some(incident))
}
