//! Rewriting the post-mortem after a later change. Two updates of one
//! incident may run at once, each with the incident as it was when it was
//! claimed; whichever write lands last must not leave an older document on
//! the page. So each update, once written, looks at the log again and
//! rewrites while a change newer than what it wrote is there.

use crate::domain::{DocRef, Incident, IncidentEvent};
use crate::ports::{DocsPort, IncidentStore, PortError};
use crate::postmortem;

use super::plan::changes_postmortem;
use super::RunbookConfig;

/// How many times one update writes the page at most; a change still newer
/// after that has an update of its own planned.
const MAX_WRITES: usize = 3;

/// Writes the post-mortem `doc` of `incident` from its log until no change
/// newer than the written document is recorded (at most [`MAX_WRITES`]).
pub(super) async fn rewrite(
    docs: &dyn DocsPort,
    config: &RunbookConfig,
    store: &dyn IncidentStore,
    incident: &Incident,
    doc: &DocRef,
) -> Result<(), PortError> {
    let mut events = store.events(incident.id()).await?;
    for _ in 0..MAX_WRITES {
        let Some(current) = Incident::replay(incident.id(), incident.number(), &events) else {
            return Err(PortError::NotFound(format!("the log of {}", incident.number())));
        };
        let document = postmortem::document(&current, &events);
        let document = postmortem::with_fields(document, &current, &config.schema);
        match docs.update_postmortem(doc, &document).await {
            Err(PortError::Unsupported(what)) => {
                tracing::debug!(%what, "the documents platform keeps the page as first written; skipped");
                return Ok(());
            }
            other => other?,
        }
        let written = current.version();
        events = store.events(incident.id()).await?;
        if !changed_since(&events, written) {
            return Ok(());
        }
        tracing::debug!(incident = %incident.number(), "the incident changed while its post-mortem was written; again");
    }
    Ok(())
}

/// Whether the log holds a change to the post-mortem after `seq`.
fn changed_since(events: &[IncidentEvent], seq: u64) -> bool {
    events.iter().any(|e| e.seq > seq && changes_postmortem(&e.kind))
}
