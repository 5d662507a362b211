//! The list's filters on the company's incident model: `type=<name>` (an
//! incident type) and `field=<name>:<value>` (one custom field holding that
//! value; for a multi-select, holding that option), each checked against
//! the `[[incident_types]]` and `[[fields]]` of `sima.toml`.

use maud::{html, Markup};
use sima_core::domain::{
    use_one_of, FieldInput, FieldSchema, FieldValue, Incident, IncidentNumber, MAX_LINK, NO_FIELDS, NO_TYPES,
};
use sima_core::ports::IncidentFilter;

use crate::api::incidents::after_cursor;
use crate::api::naming::clip;
use crate::error::ApiError;
use crate::guard::visibility::Viewer;
use crate::state::AppState;

/// Longest `type` value: type names are at most 40 characters.
const MAX_TYPE: usize = 40;

/// Longest `field` value: a field name, `:` and the longest value (a link).
const MAX_FIELD: usize = 41 + MAX_LINK;

/// What the list keeps besides the store's filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldFilter {
    incident_type: Option<String>,
    field: Option<(String, FieldValue)>,
}

impl FieldFilter {
    /// The filter `type` and `field` (as sent by the form) name in `schema`.
    ///
    /// # Errors
    /// 400 naming `type` or `field` and what to write instead: an unknown
    /// type or field, a value the field would refuse, a value too long.
    pub(crate) fn parse(incident_type: &str, field: &str, schema: &FieldSchema) -> Result<Self, ApiError> {
        let incident_type = incident_type.trim();
        let incident_type = if incident_type.is_empty() || incident_type == "any" {
            None
        } else if incident_type.chars().count() > MAX_TYPE || schema.incident_type(incident_type).is_none() {
            return Err(ApiError::invalid(format!(
                "`type`: `{}` is not an incident type: {}",
                clip(incident_type),
                use_one_of(schema.types().iter().map(|t| t.name.as_str()), NO_TYPES)
            )));
        } else {
            Some(incident_type.to_owned())
        };
        let field = field.trim();
        let field = if field.is_empty() { None } else { Some(Self::field(field, schema)?) };
        Ok(Self { incident_type, field })
    }

    /// `<name>:<value>`, checked as the field checks its values.
    fn field(text: &str, schema: &FieldSchema) -> Result<(String, FieldValue), ApiError> {
        let wrong = |problem: String| ApiError::invalid(format!("`field`: {problem}"));
        if text.chars().count() > MAX_FIELD {
            return Err(wrong(format!("is too long: at most {MAX_FIELD} characters (`<name>:<value>`)")));
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(wrong(format!(
                "`{}` names no value: write `<name>:<value>`, e.g. `category:leak`",
                clip(text)
            )));
        };
        let (name, value) = (name.trim(), value.trim());
        let Some(definition) = schema.field(name) else {
            let hint = use_one_of(schema.fields().iter().map(|f| f.name.as_str()), NO_FIELDS);
            return Err(wrong(format!("`{}` is not a field: {hint}", clip(name))));
        };
        if value.is_empty() {
            return Err(wrong(format!("give a value after `{name}:`")));
        }
        let value = definition.check(&FieldInput::One(value.to_owned())).map_err(|p| wrong(format!("`{name}` {p}")))?;
        Ok((name.to_owned(), value))
    }

    /// The incident type asked for, if any.
    pub(crate) fn incident_type(&self) -> Option<&str> {
        self.incident_type.as_deref()
    }

    /// Whether no incident is left out.
    pub(crate) fn is_empty(&self) -> bool {
        self.incident_type.is_none() && self.field.is_none()
    }

    /// Whether `incident` passes: its type, and its field holding the value
    /// (a multi-select holding every option asked for).
    pub(crate) fn matches(&self, incident: &Incident) -> bool {
        let typed = self.incident_type.as_deref().is_none_or(|t| incident.incident_type() == Some(t));
        let holds = self.field.as_ref().is_none_or(|(name, wanted)| match (incident.fields().get(name), wanted) {
            (Some(FieldValue::List(held)), FieldValue::List(asked)) => asked.iter().all(|a| held.contains(a)),
            (Some(held), wanted) => held == wanted,
            (None, _) => false,
        });
        typed && holds
    }
}

/// The incidents of `filter` this viewer may see that pass `wanted`, newest
/// first, older than `cursor` when given: at most `limit + 1` (one more
/// than a page tells that another page follows). The store cannot filter
/// by fields, so the window it reads widens until the page is full.
///
/// # Errors
/// The store failed, or the cursor names no incident.
pub(crate) async fn matching(
    state: &AppState,
    viewer: &Viewer,
    filter: &IncidentFilter,
    wanted: &FieldFilter,
    cursor: Option<IncidentNumber>,
    limit: usize,
) -> Result<Vec<Incident>, ApiError> {
    let mut window = limit + 1;
    loop {
        let rows = match cursor {
            Some(cursor) => after_cursor(state, viewer, filter, cursor, window).await?,
            None => {
                let mut first = filter.clone();
                first.limit = Some(window + 1);
                viewer.list(state, &first).await?
            }
        };
        let complete = rows.len() <= window;
        let kept: Vec<Incident> = rows.into_iter().filter(|i| wanted.matches(i)).collect();
        if complete || kept.len() > limit {
            return Ok(kept.into_iter().take(limit + 1).collect());
        }
        window = window.saturating_mul(4);
    }
}

/// The `type` select (when types are defined) and the `field` box of the
/// list's filter form.
pub(crate) fn filter_inputs(schema: &FieldSchema, incident_type: &str, field: &str) -> Markup {
    html! {
        (type_select(schema, incident_type))
        @if !schema.fields().is_empty() {
            label { "Field "
                input type="text" name="field" value=(field) placeholder="name:value" maxlength=(MAX_FIELD);
            }
        }
    }
}

/// The `type` select of a filter form, when types are defined (the list's and the metrics').
pub(crate) fn type_select(schema: &FieldSchema, incident_type: &str) -> Markup {
    html! {
        @if !schema.types().is_empty() {
            label { "Type "
                select name="type" {
                    option value="" { "any" }
                    @for t in schema.types() {
                        option value=(t.name) selected[incident_type.trim() == t.name] { (t.name) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sima_core::domain::{FieldDef, FieldKind, IncidentType};

    use super::*;

    fn schema() -> FieldSchema {
        let category = FieldDef {
            name: "category".into(),
            label: "Attack category".into(),
            kind: FieldKind::MultiSelect,
            options: vec!["leak".into(), "phishing".into()],
            required: false,
        };
        let security = IncidentType {
            name: "security".into(),
            description: String::new(),
            private: false,
            default_severity: None,
            fields: vec!["category".into()],
            postmortem_sections: vec![],
        };
        FieldSchema::new(vec![category], vec![security]).expect("a valid schema")
    }

    #[test]
    fn unknown_types_fields_and_values_are_refused_saying_what_to_write() {
        let schema = schema();
        for (incident_type, field, hint) in [
            ("hr", "", "`type`: `hr` is not an incident type: use `security`"),
            (&"x".repeat(500) as &str, "", "use `security`"),
            ("", "colour:red", "`field`: `colour` is not a field: use `category`"),
            ("", "category", "write `<name>:<value>`"),
            ("", "category:", "give a value after `category:`"),
            ("", "category:ransom", "`field`: `category` option `ransom` is unknown"),
            ("", &format!("category:{}", "a".repeat(3000)), "is too long"),
        ] {
            let error = FieldFilter::parse(incident_type, field, &schema).expect_err(hint);
            assert!(error.message().contains(hint), "{hint}: {}", error.message());
            assert!(error.message().len() < 300, "clipped: {}", error.message());
        }
        let ok = FieldFilter::parse("security", "category: Leak ", &schema).unwrap();
        assert_eq!(ok.field, Some(("category".into(), FieldValue::List(vec!["leak".into()]))));
        assert!(FieldFilter::parse("any", " ", &schema).unwrap().is_empty());
    }

    #[test]
    fn without_types_or_fields_defined_the_refusal_says_none_are_defined_in_sima_toml() {
        let empty = FieldSchema::default();
        let error = FieldFilter::parse("security", "", &empty).expect_err("no types");
        assert_eq!(
            error.message(),
            "`type`: `security` is not an incident type: no [[incident_types]] are defined in sima.toml"
        );
        let error = FieldFilter::parse("", "category:leak", &empty).expect_err("no fields");
        assert_eq!(error.message(), "`field`: `category` is not a field: no [[fields]] are defined in sima.toml");
    }
}
