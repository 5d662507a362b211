//! Deciding a public update: what customers are told, under which title, and
//! how the affected components are doing. Private incidents are never published.

use super::values::refuse_hidden;
use super::{ComponentStatus, DomainError, EventKind, Incident, PublicStatus, PublicUpdate, Text, ValidationError};

/// Longest public title, in characters.
pub const MAX_PUBLIC_TITLE: usize = 120;

/// The public title used when none was given nor published before, when no
/// component covers the incident's domain (or their names are too long together).
pub const NEUTRAL_PUBLIC_TITLE: &str = "Service disruption";

/// Longest public message, in characters.
pub const MAX_PUBLIC_MESSAGE: usize = 2000;

/// Checks a public title: trimmed, one line of 1 to 120 characters, no hidden characters.
///
/// # Errors
/// [`ValidationError`] saying what to fix.
pub fn parse_public_title(title: &str) -> Result<String, ValidationError> {
    let title = title.trim();
    let length = title.chars().count();
    if length == 0 {
        return Err(ValidationError::Empty("public title"));
    }
    if length > MAX_PUBLIC_TITLE {
        return Err(ValidationError::TooLong { what: "public title", max: MAX_PUBLIC_TITLE, length });
    }
    refuse_hidden("public title", title, false)?;
    refuse_invisible("public title", title)?;
    Ok(title.to_owned())
}

/// Whether `c` is invisible yet not a control character: the zero-width
/// space, the word joiner, the byte order mark, the line and paragraph
/// separators. Customers would read text other than what the room approved.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

fn refuse_invisible(what: &'static str, text: &str) -> Result<(), ValidationError> {
    if text.chars().any(is_invisible) {
        return Err(ValidationError::HiddenCharacters(what));
    }
    Ok(())
}

/// Checks a public message: 1 to 2000 characters, line breaks allowed, no hidden characters.
///
/// # Errors
/// [`ValidationError`] saying what to fix.
pub fn parse_public_message(message: &str) -> Result<Text, ValidationError> {
    if message.trim().is_empty() {
        return Err(ValidationError::Empty("public message"));
    }
    let text = Text::parse(message).map_err(|e| match e {
        ValidationError::TooLong { length, .. } => {
            ValidationError::TooLong { what: "public message", max: MAX_PUBLIC_MESSAGE, length }
        }
        ValidationError::HiddenCharacters(_) => ValidationError::HiddenCharacters("public message"),
        other => other,
    })?;
    check_message_length(&text)?;
    refuse_invisible("public message", text.as_str())?;
    Ok(text)
}

fn check_message_length(message: &Text) -> Result<(), ValidationError> {
    let length = message.as_str().chars().count();
    if length > MAX_PUBLIC_MESSAGE {
        return Err(ValidationError::TooLong { what: "public message", max: MAX_PUBLIC_MESSAGE, length });
    }
    Ok(())
}

impl Incident {
    /// The last update published on the status page, if any.
    pub fn last_public_update(&self) -> Option<&PublicUpdate> {
        self.public_updates().last()
    }

    /// What the components suffer while an update of `status` stands, unless
    /// the publisher says: operational once resolved, else what the last
    /// update still shown said (unless it was the all-clear), else what the
    /// severity implies. Updates withdrawn by making the incident private are not followed.
    pub fn default_component_status(&self, status: PublicStatus) -> ComponentStatus {
        if status == PublicStatus::Resolved {
            return ComponentStatus::Operational;
        }
        self.shown_public_updates()
            .last()
            .map(|last| last.component_status)
            .filter(|s| *s != ComponentStatus::Operational)
            .unwrap_or_else(|| ComponentStatus::for_severity(self.severity()))
    }

    /// Decides a public update. `title` is the one given; without it the
    /// last update's title stands, else [`NEUTRAL_PUBLIC_TITLE`] (the
    /// service passes the components' default title instead).
    pub(super) fn decide_publish(
        &self,
        status: PublicStatus,
        message: &Text,
        title: Option<&str>,
        component_status: Option<ComponentStatus>,
    ) -> Result<EventKind, DomainError> {
        if self.is_private() {
            return Err(DomainError::PrivateNotPublished);
        }
        if self.status().is_terminal() && status != PublicStatus::Resolved {
            return Err(DomainError::PublicUpdateAfterEnd(self.status()));
        }
        check_message_length(message).map_err(DomainError::Invalid)?;
        refuse_invisible("public message", message.as_str()).map_err(DomainError::Invalid)?;
        let title = match title {
            Some(title) => parse_public_title(title).map_err(DomainError::Invalid)?,
            None => {
                self.shown_public_updates().last().map_or_else(|| NEUTRAL_PUBLIC_TITLE.to_owned(), |u| u.title.clone())
            }
        };
        Ok(EventKind::PublicUpdatePublished {
            status,
            title,
            message: message.clone(),
            component_status: component_status.unwrap_or_else(|| self.default_component_status(status)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::{declared, run, t};
    use crate::domain::{Command, FieldEdit, Severity, Status};

    fn publish(status: PublicStatus, message: &str) -> Command {
        Command::Publish { status, message: Text::parse(message).unwrap(), title: None, component_status: None }
    }

    fn published(incident: &Incident) -> &PublicUpdate {
        incident.last_public_update().expect("an update was published")
    }

    #[test]
    fn defaults_come_from_the_severity_then_the_last_update() {
        let mut incident = declared(t(0)); // sev2
        run(&mut incident, publish(PublicStatus::Investigating, "We are looking into slow emails."), t(1)).unwrap();
        let first = published(&incident);
        assert_eq!(first.title, "Service disruption", "never the internal summary");
        assert_eq!(first.component_status, ComponentStatus::PartialOutage);
        assert_eq!(first.message.as_str(), "We are looking into slow emails.");
        assert_eq!(first.seq, incident.version());

        let given = Command::Publish {
            status: PublicStatus::Identified,
            message: Text::parse("Found it.").unwrap(),
            title: Some("  Delayed emails ".into()),
            component_status: Some(ComponentStatus::MajorOutage),
        };
        run(&mut incident, given, t(2)).unwrap();
        assert_eq!(published(&incident).title, "Delayed emails");
        assert_eq!(published(&incident).component_status, ComponentStatus::MajorOutage);

        run(&mut incident, Command::Edit(FieldEdit::Severity(Severity::Sev4)), t(3)).unwrap();
        run(&mut incident, publish(PublicStatus::Monitoring, "Fix deployed."), t(4)).unwrap();
        assert_eq!(published(&incident).title, "Delayed emails", "the last title stands");
        assert_eq!(published(&incident).component_status, ComponentStatus::MajorOutage, "the last status stands");

        run(&mut incident, publish(PublicStatus::Resolved, "All emails delivered."), t(5)).unwrap();
        assert_eq!(published(&incident).component_status, ComponentStatus::Operational);
        run(&mut incident, publish(PublicStatus::Investigating, "It is back."), t(6)).unwrap();
        assert_eq!(
            published(&incident).component_status,
            ComponentStatus::DegradedPerformance,
            "after the all-clear the severity speaks again"
        );
        assert_eq!(incident.public_updates().len(), 5);
    }

    #[test]
    fn private_incidents_are_never_published() {
        let mut incident = declared(t(0));
        run(&mut incident, Command::SetVisibility { private: true }, t(1)).unwrap();
        let error = run(&mut incident, publish(PublicStatus::Investigating, "Looking."), t(2)).unwrap_err();
        assert_eq!(error, DomainError::PrivateNotPublished);
        assert_eq!(error.to_string(), "private incidents are never published on the status page");
        assert!(incident.public_updates().is_empty());
    }

    #[test]
    fn bad_titles_and_messages_are_refused() {
        let mut incident = declared(t(0));
        let with_title = |title: &str| Command::Publish {
            status: PublicStatus::Investigating,
            message: Text::parse("Looking.").unwrap(),
            title: Some(title.into()),
            component_status: None,
        };
        for (title, says) in [
            ("   ", "public title must not be empty"),
            (&"x".repeat(121), "public title is too long: 121 characters, at most 120"),
            ("Emails\nlate", "public title contains control characters"),
            ("Emails \u{202E}late", "public title contains control characters"),
        ] {
            let error = run(&mut incident, with_title(title), t(1)).unwrap_err();
            assert!(error.to_string().starts_with(says), "{title:?}: {error}");
        }
        assert!(run(&mut incident, with_title(&"x".repeat(120)), t(1)).is_ok());
        let long = publish(PublicStatus::Investigating, &"y".repeat(2001));
        let error = run(&mut incident, long, t(2)).unwrap_err();
        assert_eq!(error.to_string(), "public message is too long: 2001 characters, at most 2000");
        assert_eq!(incident.public_updates().len(), 1);

        assert_eq!(parse_public_message(" ").unwrap_err(), ValidationError::Empty("public message"));
        assert_eq!(
            parse_public_message("a\u{202E}b").unwrap_err(),
            ValidationError::HiddenCharacters("public message")
        );
        assert!(matches!(parse_public_message(&"z".repeat(2001)), Err(ValidationError::TooLong { max: 2000, .. })));
        assert!(matches!(parse_public_message(&"z".repeat(3001)), Err(ValidationError::TooLong { max: 2000, .. })));
        assert_eq!(parse_public_message("line one\nline two").unwrap().as_str(), "line one\nline two");
        for invisible in ["a\u{200B}b", "a\u{FEFF}b", "a\u{2060}b", "a\u{2028}b"] {
            assert_eq!(parse_public_message(invisible), Err(ValidationError::HiddenCharacters("public message")));
            assert_eq!(parse_public_title(invisible), Err(ValidationError::HiddenCharacters("public title")));
        }
        assert!(parse_public_message("👩\u{200D}💻 on it").is_ok(), "joiners make emoji");
    }

    #[test]
    fn an_ended_incident_may_still_publish_its_all_clear_only() {
        let mut incident = declared(t(0));
        run(&mut incident, publish(PublicStatus::Investigating, "Looking."), t(1)).unwrap();
        run(&mut incident, Command::ChangeStatus { to: Status::FalsePositive, message: None }, t(2)).unwrap();
        let error = run(&mut incident, publish(PublicStatus::Monitoring, "Watching."), t(3)).unwrap_err();
        assert_eq!(error, DomainError::PublicUpdateAfterEnd(Status::FalsePositive));
        assert!(error.to_string().contains("only a `resolved` public update"), "{error}");
        run(&mut incident, publish(PublicStatus::Resolved, "No customer was affected."), t(4)).unwrap();
        assert_eq!(published(&incident).status, PublicStatus::Resolved);
    }
}
