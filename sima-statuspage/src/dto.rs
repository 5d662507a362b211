//! Statuspage's wire types (manage API v1), named after the API method.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key SIMA's incident number sits under in an incident's `metadata`
/// (Statuspage wants every top-level value to be an object).
pub(crate) const METADATA_KEY: &str = "sima";

/// `POST /pages/{page_id}/incidents` and `PATCH /pages/{page_id}/incidents/{incident_id}`.
#[derive(Debug, Serialize)]
pub(crate) struct IncidentRequest<'a> {
    pub(crate) incident: IncidentFields<'a>,
}

/// The incident to create, or what changes: a new incident update (`status`, `body`) and the components.
#[derive(Debug, Serialize)]
pub(crate) struct IncidentFields<'a> {
    pub(crate) name: &'a str,
    pub(crate) status: &'static str,
    /// The new incident update's text.
    pub(crate) body: &'a str,
    pub(crate) component_ids: Vec<&'a str>,
    /// Component id → its status while the incident lasts.
    pub(crate) components: BTreeMap<&'a str, &'static str>,
    pub(crate) deliver_notifications: bool,
    /// On creation only, `{"sima": {"incident": "INC-7"}}`: how a retried first push finds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metadata: Option<Value>,
}

/// `PATCH /pages/{page_id}/incidents/{incident_id}` setting only the
/// components (no incident update, nobody notified): used before a delete.
#[derive(Debug, Serialize)]
pub(crate) struct PatchIncidentComponentsRequest<'a> {
    pub(crate) incident: PatchIncidentComponents<'a>,
}

/// The components and their statuses.
#[derive(Debug, Serialize)]
pub(crate) struct PatchIncidentComponents<'a> {
    pub(crate) component_ids: Vec<&'a str>,
    pub(crate) components: BTreeMap<&'a str, &'static str>,
    pub(crate) deliver_notifications: bool,
}

/// An incident as the API answers it (the fields the adapter reads).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Incident {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) shortlink: Option<String>,
    #[serde(default)]
    pub(crate) metadata: Option<Value>,
    #[serde(default)]
    pub(crate) components: Option<Vec<IncidentComponent>>,
}

impl Incident {
    /// The SIMA incident number recorded in `metadata`, if any.
    pub(crate) fn sima_incident(&self) -> Option<&str> {
        self.metadata.as_ref()?.get(METADATA_KEY)?.get("incident")?.as_str()
    }
}

/// A component an incident affects.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IncidentComponent {
    pub(crate) id: String,
    /// The component's status now (`operational`, `major_outage`…).
    #[serde(default)]
    pub(crate) status: Option<String>,
}

/// A component of the page, from `GET /pages/{page_id}/components`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Component {
    pub(crate) id: String,
    pub(crate) name: String,
    /// A group holds components; its own status is theirs, not set directly.
    #[serde(default)]
    pub(crate) group: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_recorded_incident_reads_back() {
        let incident: Incident = serde_json::from_value(json!({
            "id": "z3lct0r596n4", "name": "Database query delays", "status": "identified",
            "shortlink": "http://stspg.io/646947c1e", "impact": "none", "page_id": "jb7j80lkgqvb",
            "metadata": { "sima": { "incident": "INC-7" } },
            "components": [{ "id": "b13yz5g2cw10", "name": "API", "status": "partial_outage" }],
            "incident_updates": [{ "status": "identified", "body": "x" }]
        }))
        .unwrap();
        assert_eq!(incident.sima_incident(), Some("INC-7"));
        assert_eq!(incident.shortlink.as_deref(), Some("http://stspg.io/646947c1e"));
        let components = incident.components.unwrap();
        assert_eq!(components[0].id, "b13yz5g2cw10");
        assert_eq!(components[0].status.as_deref(), Some("partial_outage"));

        let bare: Incident = serde_json::from_value(json!({ "id": "x", "metadata": null, "shortlink": null })).unwrap();
        assert_eq!(bare.sima_incident(), None);
        assert!(serde_json::from_value::<Incident>(json!({ "name": "no id" })).is_err());
    }

    #[test]
    fn metadata_is_sent_only_when_given() {
        let fields = |metadata| IncidentRequest {
            incident: IncidentFields {
                name: "API down",
                status: "investigating",
                body: "Looking",
                component_ids: vec!["c1"],
                components: BTreeMap::from([("c1", "major_outage")]),
                deliver_notifications: true,
                metadata,
            },
        };
        let update = serde_json::to_value(fields(None)).unwrap();
        assert_eq!(update["incident"]["components"]["c1"], "major_outage");
        assert!(update["incident"].get("metadata").is_none());
        let created = serde_json::to_value(fields(Some(json!({ "sima": { "incident": "INC-7" } })))).unwrap();
        assert_eq!(created["incident"]["metadata"]["sima"]["incident"], "INC-7");
    }
}
