//! The incident room as the chat platform is asked to create it: its name
//! and topic.

use crate::domain::Incident;
use crate::ports::RoomSpec;

/// The room for `incident`: named by [`room_name`], its topic the title,
/// severity and status, keyed by the incident id.
pub(crate) fn room_spec(prefix: &str, incident: &Incident) -> RoomSpec {
    RoomSpec {
        name_hint: room_name(prefix, incident),
        topic: format!("{} · {} · {}", incident.title(), incident.severity(), incident.status()),
        key: incident.id().to_string(),
        private: incident.is_private(),
    }
}

/// `incident_11_25_emails-are-late`: prefix, month, day, and a slug of the
/// summary, at most 80 characters of `[a-z0-9_-]`. A summary with no ASCII
/// letter or digit (`支付失败`, `🔥🔥🔥`) is named by its number instead
/// (`incident_11_25_inc-42`), which is unique.
fn room_name(prefix: &str, incident: &Incident) -> String {
    let date = incident.milestones().declared_at.format("%m_%d");
    let mut slug = String::new();
    for c in incident.summary().as_str().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { incident.number().to_string().to_lowercase() } else { slug.to_owned() };
    let mut name = format!("{prefix}_{date}_{slug}");
    name.truncate(80);
    name.trim_end_matches(['-', '_']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, run, t};
    use crate::domain::{Command, FieldEdit, Summary};

    fn summarised(summary: &str) -> Incident {
        let mut incident = declared(t(0));
        let edit = Command::Edit(FieldEdit::Summary(Summary::parse(summary).unwrap()));
        run(&mut incident, edit, t(1)).unwrap();
        incident
    }

    #[test]
    fn rooms_are_named_by_date_and_a_slug_of_the_summary() {
        let spec = room_spec("incident", &declared(t(0)));
        assert_eq!(spec.name_hint, "incident_11_25_emails-are-late");
        assert_eq!(spec.topic, "INC-1 · Emails are late · sev2 · open");
        assert_eq!(room_name("inc", &summarised("  DB #3: 50% of writes FAIL!! ")), "inc_11_25_db-3-50-of-writes-fail");
    }

    #[test]
    fn a_summary_without_ascii_letters_names_the_room_by_number_and_names_stay_short() {
        assert_eq!(room_name("incident", &summarised("支付失败 🔥")), "incident_11_25_inc-1");
        let long = room_name("incident", &summarised(&"word ".repeat(30)));
        assert!(long.len() <= 80 && !long.ends_with(['-', '_']), "{long}");
    }
}
