//! The status page's publish form: rendered as a Slack modal under the
//! contract names, and its submission and button parsed back.

use std::collections::BTreeMap;

use serde_json::json;
use sima_core::domain::{ComponentStatus, Severity};
use sima_core::model::{ActionId, FormId};
use sima_core::testkit::contract::{declaration, new_incident, t0};
use sima_core::testkit::messages::{card, publish_form};
use sima_slack::render::{message_blocks, modal_view};
use sima_slack::{parse_interaction, SlackInbound};

use crate::helpers::{fixture, interaction_body};
use crate::render::assert_modal_within_limits;

#[test]
fn the_publish_modal_carries_its_inputs_prefilled() {
    let incident = new_incident(&declaration("payments", Severity::Sev2, None), t0()).incident;
    let form = publish_form(&incident, "Checkout has a partial outage", ComponentStatus::PartialOutage, None);
    let view = modal_view(&form);
    assert_modal_within_limits(&view);
    assert_eq!(view["callback_id"], "publish_update");
    assert_eq!(view["private_metadata"], incident.id().to_string());
    let blocks = view["blocks"].as_array().unwrap();
    let ids: Vec<&str> = blocks.iter().map(|b| b["block_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["status", "component_status", "title", "message"]);
    assert_eq!(blocks[0]["element"]["type"], "static_select");
    assert_eq!(blocks[0]["element"]["initial_option"]["value"], "investigating");
    assert_eq!(blocks[0]["element"]["options"].as_array().unwrap().len(), 4);
    assert_eq!(blocks[1]["element"]["initial_option"]["value"], "partial_outage");
    assert_eq!(blocks[1]["element"]["options"].as_array().unwrap().len(), 4);
    assert_eq!(blocks[2]["element"]["initial_value"], "Checkout has a partial outage");
    assert_eq!(blocks[2]["element"]["max_length"], 120);
    assert_eq!(blocks[3]["element"]["multiline"], true);
    assert_eq!(blocks[3]["element"]["max_length"], 2000);

    let card = message_blocks(&card(&incident));
    let buttons: Vec<String> = card
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["elements"].as_array())
        .flatten()
        .filter_map(|e| e["action_id"].as_str().map(str::to_owned))
        .collect();
    assert!(buttons.contains(&"publish_update".to_owned()), "{buttons:?}");
}

#[test]
fn the_publish_modal_and_button_parse_back() {
    let mut payload: serde_json::Value = serde_json::from_str(&fixture("view_submission.json")).unwrap();
    payload["view"]["callback_id"] = json!("publish_update");
    payload["view"]["state"]["values"] = json!({
        "status": { "status": { "type": "static_select", "selected_option": { "value": "identified" } } },
        "component_status": { "component_status": {
            "type": "static_select", "selected_option": { "value": "major_outage" } } },
        "title": { "title": { "type": "plain_text_input", "value": "Checkout is down" } },
        "message": { "message": { "type": "plain_text_input", "value": "A fix is rolling out." } }
    });
    let parsed = parse_interaction(interaction_body(&payload.to_string()).as_bytes()).unwrap();
    let Some(SlackInbound::ViewSubmission(submission)) = parsed else { panic!("{parsed:?}") };
    assert_eq!(submission.form, FormId::PublishUpdate);
    let expected: BTreeMap<String, String> = [
        ("status", "identified"),
        ("component_status", "major_outage"),
        ("title", "Checkout is down"),
        ("message", "A fix is rolling out."),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(submission.values, expected);

    let json = fixture("block_actions.json").replace("become_incident_manager", "publish_update");
    let parsed = parse_interaction(interaction_body(&json).as_bytes()).unwrap();
    let Some(SlackInbound::BlockAction(action)) = parsed else { panic!("{parsed:?}") };
    assert_eq!(action.action, ActionId::PublishUpdate);
}
