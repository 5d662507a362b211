//! Setting custom fields after declaration: checked against the incident's
//! type, recorded as one `fields_set` event.

use std::collections::BTreeMap;

use tracing::instrument;

use super::{IncidentService, ServiceError};
use crate::domain::{Actor, Command, FieldInput, Incident, IncidentId, ValidationError};

impl IncidentService {
    /// Sets (or, with a blank input, clears) custom fields of an incident
    /// as `actor`; values are checked against the fields its type asks for.
    ///
    /// # Errors
    /// `Invalid` naming every wrong, unknown or required-but-cleared field
    /// (nothing is recorded); `NotFound`, `Forbidden`, `Busy` or `Store`.
    #[instrument(skip_all, fields(incident = %id), err)]
    pub async fn set_fields(
        &self,
        id: IncidentId,
        actor: Actor,
        inputs: &BTreeMap<String, FieldInput>,
    ) -> Result<Incident, ServiceError> {
        let incident = self.store.get(id).await?.ok_or_else(|| ServiceError::NotFound(id.to_string()))?;
        let values = self.field_command(&incident, inputs)?;
        self.execute(id, actor, values).await
    }

    /// The command setting `inputs` on `incident`, once they are checked.
    ///
    /// # Errors
    /// `Invalid` naming every wrong field.
    pub(crate) fn field_command(
        &self,
        incident: &Incident,
        inputs: &BTreeMap<String, FieldInput>,
    ) -> Result<Command, ServiceError> {
        match self.config().schema.updated_values(incident.incident_type(), inputs) {
            Ok(values) => Ok(Command::SetFields(values)),
            Err(mut errors) if errors.len() == 1 => Err(ServiceError::Invalid(errors.remove(0))),
            Err(errors) => Err(ServiceError::Invalid(ValidationError::Fields(errors))),
        }
    }
}
