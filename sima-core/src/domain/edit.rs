//! A typed field change, as the `field_edited` event records it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{format_time, Description, Domain, Impact, Severity, Summary};

/// One field's old and new value. Stored flat in the event with the values as
/// text, as the SQL views read them:
/// `{"field": "severity", "old": "sev2", "new": "sev1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum FieldChange {
    /// The summary.
    Summary {
        /// Before.
        old: Summary,
        /// After.
        new: Summary,
    },
    /// The description.
    Description {
        /// Before.
        old: Description,
        /// After.
        new: Description,
    },
    /// The severity.
    Severity {
        /// Before.
        old: Severity,
        /// After.
        new: Severity,
        /// How many changes made by policies led here, this one included: 0
        /// for a person's edit, 1 for a policy's answer to it, and so on (see
        /// [`MAX_POLICY_DEPTH`](super::MAX_POLICY_DEPTH)). Stored only when
        /// not 0.
        #[serde(default, skip_serializing_if = "is_zero")]
        policy_depth: u8,
    },
    /// The impact (affected customers).
    Impact {
        /// Before, if it was known.
        #[serde(with = "impact_text")]
        old: Option<Impact>,
        /// After.
        #[serde(with = "impact_text::required")]
        new: Impact,
    },
    /// The domain.
    Domain {
        /// Before.
        old: Domain,
        /// After.
        new: Domain,
    },
    /// When impact began.
    StartedAt {
        /// Before.
        old: DateTime<Utc>,
        /// After.
        new: DateTime<Utc>,
    },
}

impl FieldChange {
    /// Which field changed.
    pub fn field(&self) -> EditableField {
        match self {
            Self::Summary { .. } => EditableField::Summary,
            Self::Description { .. } => EditableField::Description,
            Self::Severity { .. } => EditableField::Severity,
            Self::Impact { .. } => EditableField::Impact,
            Self::Domain { .. } => EditableField::Domain,
            Self::StartedAt { .. } => EditableField::StartedAt,
        }
    }

    /// The old and new values as people read them (`None`: there was none).
    pub fn texts(&self) -> (Option<String>, String) {
        match self {
            Self::Summary { old, new } => (Some(old.to_string()), new.to_string()),
            Self::Description { old, new } => (Some(old.to_string()), new.to_string()),
            Self::Severity { old, new, .. } => (Some(old.to_string()), new.to_string()),
            Self::Impact { old, new } => {
                (old.map(|i| i.affected_customers().to_string()), new.affected_customers().to_string())
            }
            Self::Domain { old, new } => (Some(old.to_string()), new.to_string()),
            Self::StartedAt { old, new } => (Some(format_time(*old)), format_time(*new)),
        }
    }

    /// Whether old and new are the same value.
    pub fn is_no_op(&self) -> bool {
        let (old, new) = self.texts();
        old.as_deref() == Some(new.as_str())
    }
}

/// The fields an edit can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditableField {
    /// The summary.
    Summary,
    /// The description.
    Description,
    /// The severity.
    Severity,
    /// The impact.
    Impact,
    /// The domain.
    Domain,
    /// When impact began.
    StartedAt,
}

impl EditableField {
    /// The snake_case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Summary => "summary",
            Self::Description => "description",
            Self::Severity => "severity",
            Self::Impact => "impact",
            Self::Domain => "domain",
            Self::StartedAt => "started_at",
        }
    }
}

fn is_zero(depth: &u8) -> bool {
    *depth == 0
}

/// Impact counts as decimal text (`"1200"`), the shape events have always had;
/// numbers are read too.
mod impact_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::domain::Impact;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(u64),
    }

    fn read<E: serde::de::Error>(value: TextOrNumber) -> Result<Impact, E> {
        match value {
            TextOrNumber::Number(n) => Ok(Impact::new(n)),
            TextOrNumber::Text(text) => Impact::parse(&text).map_err(E::custom),
        }
    }

    pub(super) fn serialize<S: Serializer>(value: &Option<Impact>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(impact) => s.serialize_str(&impact.affected_customers().to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Impact>, D::Error> {
        Option::<TextOrNumber>::deserialize(d)?.map(read).transpose()
    }

    pub(super) mod required {
        use serde::{Deserialize, Deserializer, Serializer};

        use crate::domain::Impact;

        pub(in super::super) fn serialize<S: Serializer>(value: &Impact, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&value.affected_customers().to_string())
        }

        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Impact, D::Error> {
            super::read(super::TextOrNumber::deserialize(d)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::{Actor, EventKind, IncidentEvent};

    fn event(kind: EventKind) -> IncidentEvent {
        IncidentEvent { seq: 4, at: "2026-11-25T10:00:00Z".parse().unwrap(), actor: Actor::Api, kind }
    }

    #[test]
    fn edits_keep_the_stored_shape_with_typed_values() {
        let cases = [
            (
                FieldChange::Severity { old: Severity::Sev2, new: Severity::Sev1, policy_depth: 0 },
                json!({"field": "severity", "old": "sev2", "new": "sev1"}),
            ),
            (
                FieldChange::Severity { old: Severity::Sev3, new: Severity::Sev2, policy_depth: 2 },
                json!({"field": "severity", "old": "sev3", "new": "sev2", "policy_depth": 2}),
            ),
            (
                FieldChange::Impact { old: None, new: Impact::new(1200) },
                json!({"field": "impact", "old": null, "new": "1200"}),
            ),
            (
                FieldChange::StartedAt {
                    old: "2026-11-25T09:00:00Z".parse().unwrap(),
                    new: "2026-11-25T08:30:00.250Z".parse().unwrap(),
                },
                json!({"field": "started_at", "old": "2026-11-25T09:00:00Z", "new": "2026-11-25T08:30:00.250Z"}),
            ),
        ];
        for (change, fields) in cases {
            let mut expected = json!({"seq": 4, "at": "2026-11-25T10:00:00Z", "actor": "api", "kind": "field_edited"});
            for (k, v) in fields.as_object().unwrap() {
                expected[k] = v.clone();
            }
            let stored = serde_json::to_value(event(EventKind::FieldEdited(change.clone()))).unwrap();
            assert_eq!(stored, expected);
            assert_eq!(serde_json::from_value::<IncidentEvent>(stored).unwrap().kind, EventKind::FieldEdited(change));
        }
    }

    #[test]
    fn a_stored_value_that_no_longer_parses_is_an_error_not_a_silent_drop() {
        let stored = json!({"seq": 2, "at": "2026-11-25T10:00:00Z", "actor": "api", "kind": "field_edited",
            "field": "severity", "old": "sev2", "new": "sev9"});
        assert!(serde_json::from_value::<IncidentEvent>(stored).is_err());
        let numeric = json!({"seq": 2, "at": "2026-11-25T10:00:00Z", "actor": "api", "kind": "field_edited",
            "field": "impact", "old": 3, "new": "1,200"});
        let read = serde_json::from_value::<IncidentEvent>(numeric).unwrap().kind;
        assert_eq!(
            read,
            EventKind::FieldEdited(FieldChange::Impact { old: Some(Impact::new(3)), new: Impact::new(1200) })
        );
    }
}
