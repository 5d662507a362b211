//! The keys `sima.toml` accepts, read from the setting types themselves
//! (the field lists serde derives), so that a field added to a section is
//! known to the environment rule, the unknown-key check and the example
//! test without being listed again.

use std::cell::Cell;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::catalog::ServiceSettings;
use super::{
    AlertSettings, ConfluenceSettings, DomainSettings, LimitSettings, NotionSettings, PagerDutySettings, Settings,
    SlackSettings, TeamsSettings,
};
use crate::delays::{EffectSettings, ReminderSettings, RoomSettings};
use crate::providers::ProviderSettings;
use crate::ui::UiSettings;
use crate::workflows::Guard;

/// The field names of the struct `T` (empty when `T` is not a struct).
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let found = Cell::new(None);
    let _ = T::deserialize(FieldProbe { found: &found });
    found.get().unwrap_or_default()
}

/// The keys at the top of `sima.toml`.
pub fn top_level() -> &'static [&'static str] {
    fields_of::<Settings>()
}

/// Every table of `sima.toml` (`[slack]`) or array of tables (`[[domains]]`)
/// whose keys are checked one by one, with its keys.
pub fn sections() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        ("limits", fields_of::<LimitSettings>()),
        ("slack", fields_of::<SlackSettings>()),
        ("pagerduty", fields_of::<PagerDutySettings>()),
        ("notion", fields_of::<NotionSettings>()),
        ("confluence", fields_of::<ConfluenceSettings>()),
        ("teams", fields_of::<TeamsSettings>()),
        ("alerts", fields_of::<AlertSettings>()),
        ("reminders", fields_of::<ReminderSettings>()),
        ("rooms", fields_of::<RoomSettings>()),
        ("effects", fields_of::<EffectSettings>()),
        ("intake", fields_of::<crate::backlog::IntakeSettings>()),
        ("ui", fields_of::<UiSettings>()),
        ("chat", fields_of::<ProviderSettings>()),
        ("docs", fields_of::<ProviderSettings>()),
        ("paging", fields_of::<ProviderSettings>()),
        ("tracker", fields_of::<super::TrackerSettings>()),
        ("jira", fields_of::<super::JiraSettings>()),
        ("linear", fields_of::<super::LinearSettings>()),
        ("status", fields_of::<super::StatusSettings>()),
        ("status.components", fields_of::<super::ComponentSettings>()),
        ("status.statuspage", fields_of::<sima_statuspage::StatuspageConfig>()),
        ("domains", fields_of::<DomainSettings>()),
        ("services", fields_of::<ServiceSettings>()),
        ("fields", fields_of::<super::FieldSettings>()),
        ("incident_types", fields_of::<super::IncidentTypeSettings>()),
        ("guards", fields_of::<Guard>()),
    ]
}

/// A deserializer that only records the field list of the struct asked for.
struct FieldProbe<'a> {
    found: &'a Cell<Option<&'static [&'static str]>>,
}

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.found.set(Some(fields));
        Err(de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_lists_come_from_the_types() {
        assert!(top_level().contains(&"listen") && top_level().contains(&"room_prefix"));
        assert!(top_level().contains(&"guards") && top_level().contains(&"auto_migrate"));
        let limits = sections().into_iter().find(|(name, _)| *name == "limits").unwrap().1;
        assert!(limits.contains(&"requests_per_second") && limits.contains(&"trusted_proxies"));
        assert!(fields_of::<String>().is_empty(), "not a struct");
    }
}
