//! Read-side use cases.

use super::{IncidentService, ServiceError};
use crate::domain::{Incident, IncidentEvent, IncidentRef, RoomId};
use crate::metrics::{compute, MetricsReport};
use crate::ports::IncidentFilter;

impl IncidentService {
    /// The incident named by id or number.
    ///
    /// # Errors
    /// `NotFound` or `Store`.
    pub async fn get(&self, reference: IncidentRef) -> Result<Incident, ServiceError> {
        let found = match reference {
            IncidentRef::Id(id) => self.store.get(id).await?,
            IncidentRef::Number(n) => self.store.get_by_number(n).await?,
        };
        found.ok_or_else(|| {
            ServiceError::NotFound(match reference {
                IncidentRef::Id(id) => id.to_string(),
                IncidentRef::Number(n) => n.to_string(),
            })
        })
    }

    /// The incident whose room this is, if any.
    ///
    /// # Errors
    /// `Store`.
    pub async fn find_by_room(&self, room: &RoomId) -> Result<Option<Incident>, ServiceError> {
        Ok(self.store.find_by_room(room).await?)
    }

    /// Incidents matching `filter`, newest first.
    ///
    /// # Errors
    /// `Store`.
    pub async fn list(&self, filter: &IncidentFilter) -> Result<Vec<Incident>, ServiceError> {
        Ok(self.store.list(filter).await?)
    }

    /// The whole event log of an incident.
    ///
    /// # Errors
    /// `NotFound` or `Store`.
    pub async fn timeline(&self, reference: IncidentRef) -> Result<(Incident, Vec<IncidentEvent>), ServiceError> {
        let incident = self.get(reference).await?;
        let events = self.store.events(incident.id()).await?;
        Ok((incident, events))
    }

    /// MTTA, MTTR and MTTD over the incidents matching `filter`.
    ///
    /// # Errors
    /// `Store`.
    pub async fn metrics(&self, filter: &IncidentFilter) -> Result<MetricsReport, ServiceError> {
        Ok(compute(&self.store.milestones(filter).await?))
    }
}
