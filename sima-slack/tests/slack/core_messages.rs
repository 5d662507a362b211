//! The messages and forms the core actually sends, rendered within Slack's limits.

use sima_core::domain::{Command, DocRef, Domain, Severity, Status, Text};
use sima_core::testkit::contract::{batch, declaration, new_incident, t0};
use sima_core::testkit::messages::{
    action_items, answer, broadcast, card, closing_summary, declare_form, edit_form, help, mistyped, postmortem_link,
    postmortem_reminder, status_form, update, update_reminder, welcome, DomainChoice,
};
use sima_slack::render::{fallback_text, message_blocks, modal_view};

use crate::render::{assert_message_within_limits, assert_modal_within_limits};

#[test]
fn every_core_message_and_form_fits_slack() {
    let incident = new_incident(&declaration("outbound-email", Severity::Sev2, None), t0()).incident;
    let command =
        Command::ChangeStatus { to: Status::Monitoring, message: Some(Text::parse("Queue drained").unwrap()) };
    let changed = batch(&incident, &command, t0());
    let (status_update, _) = update(&changed.incident, &changed.events[0]).expect("status changes are announced");
    let doc = DocRef { id: "p1".into(), url: "https://notion.so/p1".into() };
    let messages = [
        ("card", card(&incident)),
        ("broadcast", broadcast(&incident)),
        ("status update", status_update),
        ("post-mortem link", postmortem_link(&incident, &doc)),
        ("help", help(None)),
        ("help in a room", help(Some(&incident))),
        ("welcome", welcome(&incident)),
        ("mistyped", mistyped("stauts", &["status"], Some(&incident))),
        ("answer", answer("Done.")),
        ("update reminder", update_reminder(&incident, std::time::Duration::from_secs(1800))),
        ("post-mortem reminder", postmortem_reminder(&incident)),
        ("closing summary", closing_summary(&incident)),
        ("action items", action_items(&incident)),
    ];
    for (name, message) in messages {
        let blocks = message_blocks(&message);
        assert_message_within_limits(&blocks);
        assert!(!fallback_text(&message).is_empty(), "{name}");
    }

    let domains = [DomainChoice { domain: Domain::parse("outbound-email").unwrap(), description: "Emails".into() }];
    let declare = modal_view(&declare_form(&domains, &Default::default()));
    assert_eq!(declare["callback_id"], "declare_incident");
    let ids: Vec<&str> =
        declare["blocks"].as_array().unwrap().iter().map(|b| b["block_id"].as_str().unwrap()).collect();
    for id in ["domain", "summary", "description", "severity", "impact"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    for form in
        [declare, modal_view(&edit_form(&incident, &domains, &Default::default())), modal_view(&status_form(&incident))]
    {
        assert_modal_within_limits(&form);
    }
}
