//! Schemas of values whose shape the core decides: the names of statuses,
//! severities and action-item states (read from the core's own lists), and
//! the timeline events the core serializes.

use sima_core::domain::{ActionStatus, Severity, Status};
use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, KnownFormat, Object, ObjectBuilder, Type};
use utoipa::openapi::{Array, SchemaFormat};

/// A string that is one of `names`.
fn one_of(names: impl IntoIterator<Item = &'static str>, description: &str) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(names)).description(Some(description)).build()
}

/// An incident status: `open`, `investigating`, … `closed`.
pub(crate) fn status() -> Object {
    one_of(Status::ALL.iter().map(Status::as_str), "The incident's status.")
}

/// A severity: `sev1` (worst) to `sev4`.
pub(crate) fn severity() -> Object {
    one_of(Severity::ALL.iter().map(Severity::as_str), "`sev1` (critical) to `sev4` (minor).")
}

/// An action item's state: `open` or `done`.
pub(crate) fn action_status() -> Object {
    one_of([ActionStatus::Open, ActionStatus::Done].map(ActionStatus::as_str), "`open` or `done`.")
}

/// One timeline event: `seq`, `at`, `actor` and `kind`, then the fields of its kind.
fn timeline_event() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "One event. Each `kind` (snake_case) carries its own fields beside these four: `status_changed` \
             carries `from`, `to` and `message`; `field_edited` carries `field`, `old` and `new`; \
             `declared` carries the declaration (`private` when declared private); `role_assigned` carries `role`, \
             `user` and `previous`; `visibility_changed` carries `private`.",
        ))
        .property(
            "seq",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .description(Some("Position in the incident's log, from 1, without gaps.")),
        )
        .required("seq")
        .property(
            "at",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("When it happened (RFC 3339, UTC).")),
        )
        .required("at")
        .property(
            "actor",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("Who caused it: `user:<chat id>`, `monitor:<name>`, `api` or `sima`.")),
        )
        .required("actor")
        .property(
            "kind",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[a-z][a-z_]*$"))
                .examples(["declared", "status_changed", "note_added"])
                .description(Some("What happened, in snake_case.")),
        )
        .required("kind")
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        .build()
}

/// The `events` of a timeline.
pub(crate) fn timeline_events() -> Array {
    ArrayBuilder::new().items(timeline_event()).description(Some("The events, oldest first.")).build()
}
