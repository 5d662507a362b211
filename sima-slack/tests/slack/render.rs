//! Block Kit rendering of every kind of message and form, within Slack's limits.

use serde_json::Value;
use sima_core::domain::{Room, RoomId, UserRef};
use sima_core::model::{
    Action, ActionId, ActionStyle, Block, Choice, Field, Form, FormId, Input, InputKind, Message, RichText,
};
use sima_slack::render::{fallback_text, limits, message_blocks, modal_view};

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Fails if any block breaks one of Slack's message limits.
pub(crate) fn assert_message_within_limits(blocks: &Value) {
    let blocks = blocks.as_array().expect("blocks are an array");
    assert!(blocks.len() <= limits::MESSAGE_BLOCKS, "{} blocks", blocks.len());
    for block in blocks {
        match block["type"].as_str().unwrap() {
            "header" => {
                assert_eq!(block["text"]["type"], "plain_text");
                let n = chars(&block["text"]["text"]);
                assert!((1..=limits::HEADER_TEXT).contains(&n), "header {n}");
            }
            "section" => {
                if let Some(fields) = block["fields"].as_array() {
                    assert!(fields.len() <= limits::SECTION_FIELDS);
                    assert!(fields.iter().all(|f| chars(&f["text"]) <= limits::FIELD_TEXT));
                } else {
                    let n = chars(&block["text"]["text"]);
                    assert!((1..=limits::SECTION_TEXT).contains(&n), "section {n}");
                }
            }
            "actions" => {
                let elements = block["elements"].as_array().unwrap();
                assert!(!elements.is_empty() && elements.len() <= limits::ACTIONS_ELEMENTS);
                for button in elements {
                    assert!(chars(&button["text"]["text"]) <= limits::BUTTON_TEXT);
                    assert!(chars(&button["value"]) <= limits::BUTTON_VALUE);
                    let id = button["action_id"].as_str().unwrap();
                    assert!(ActionId::parse(id).is_some(), "{id}");
                }
            }
            "context" => assert!(block["elements"].as_array().unwrap().iter().all(|e| chars(&e["text"]) <= 3000)),
            "divider" => {}
            other => panic!("unexpected block type {other}"),
        }
    }
}

fn card() -> Message {
    let id = Some("0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11".to_owned());
    Message {
        text: "INC-42: Emails are late".into(),
        blocks: vec![
            Block::Header { text: "🚨 INC-42 Emails are late".into() },
            Block::Text { text: "Outbound emails are delayed by 20 minutes.".into() },
            Block::Fields {
                fields: vec![
                    Field::new("Domain", "outbound-email"),
                    Field::new("Severity", "sev2"),
                    Field::new("Impact", "120 customers"),
                    Field::new("Status", "open"),
                    Field::rich("Incident Manager", RichText::new().mention(&lead())),
                    Field::new("Communication Lead", ""),
                ],
            },
            Block::Actions {
                actions: vec![
                    ActionId::UpdateStatus.button(ActionStyle::Primary, id.clone()),
                    ActionId::ShowInfo.button(ActionStyle::Default, id.clone()),
                    ActionId::Escalate.button(ActionStyle::Danger, id),
                ],
            },
            Block::Context {
                text: RichText::new().plain("Declared by ").mention(&lead()).plain(" at 2024-11-25 09:12 UTC"),
            },
        ],
    }
}

fn lead() -> UserRef {
    UserRef::parse("U0CA5").unwrap()
}

fn every_message() -> Vec<(&'static str, Message)> {
    let id = Some("id".to_owned());
    let room = Room {
        id: RoomId::new("C1"),
        name: "incident_11_25".into(),
        url: "https://slack.com/app_redirect?channel=C1".into(),
    };
    vec![
        ("card", card()),
        (
            "broadcast",
            Message {
                text: "INC-42 declared".into(),
                blocks: vec![
                    Block::Text {
                        text: RichText::new().bold("INC-42").plain(" Emails are late · sev2 · ").room(&room),
                    },
                    Block::Context { text: "Status: open".into() },
                ],
            },
        ),
        (
            "status update",
            Message {
                text: "INC-42 is now monitoring".into(),
                blocks: vec![Block::Text {
                    text: RichText::new()
                        .bold("Status:")
                        .plain(" investigating → ")
                        .bold("monitoring")
                        .plain("\nQueue drained."),
                }],
            },
        ),
        (
            "welcome",
            Message {
                text: "Welcome".into(),
                blocks: vec![
                    Block::Text {
                        text: RichText::new().plain("Welcome to the incident room of ").bold("INC-42").plain("."),
                    },
                    Block::Actions {
                        actions: ActionId::ALL.iter().map(|a| a.button(ActionStyle::Default, id.clone())).collect(),
                    },
                ],
            },
        ),
        (
            "help",
            Message {
                text: "SIMA commands".into(),
                blocks: vec![
                    Block::Header { text: "SIMA commands".into() },
                    Block::Bullets {
                        items: vec![
                            RichText::new().code("/incident status <status> [message]"),
                            RichText::new().code("/incident resolve"),
                        ],
                    },
                    Block::Divider,
                ],
            },
        ),
        (
            "mistyped command",
            Message {
                text: RichText::new().plain("Unknown command ").code("stauts"),
                blocks: vec![
                    Block::Text {
                        text: RichText::new()
                            .plain("I don't know ")
                            .code("stauts")
                            .plain(". Did you mean ")
                            .code("status")
                            .plain("?"),
                    },
                    Block::Actions { actions: vec![ActionId::ShowHelp.button(ActionStyle::Default, None)] },
                ],
            },
        ),
        (
            "post-mortem link",
            Message {
                text: "Post-mortem draft".into(),
                blocks: vec![Block::Text {
                    text: RichText::new()
                        .plain("Post-mortem draft: ")
                        .link("https://notion.so/abc", "INC-42 post-mortem"),
                }],
            },
        ),
    ]
}

#[test]
fn every_message_renders_within_limits() {
    for (name, message) in every_message() {
        let blocks = message_blocks(&message);
        assert_message_within_limits(&blocks);
        assert!(!blocks.as_array().unwrap().is_empty(), "{name}");
        assert!(!fallback_text(&message).is_empty(), "{name}");
    }
}

#[test]
fn the_card_renders_header_fields_and_buttons() {
    let blocks = message_blocks(&card());
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["text"], "🚨 INC-42 Emails are late");
    assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
    assert_eq!(blocks[2]["fields"][0]["text"], "*Domain*\noutbound-email");
    assert_eq!(blocks[2]["fields"][4]["text"], "*Incident Manager*\n<@U0CA5>");
    assert_eq!(blocks[4]["elements"][0]["text"], "Declared by <@U0CA5> at 2024-11-25 09:12 UTC");
    assert_eq!(blocks[2]["fields"][5]["text"], "*Communication Lead*\n—");
    let buttons = &blocks[3]["elements"];
    assert_eq!(buttons[0]["action_id"], "update_status");
    assert_eq!(buttons[0]["style"], "primary");
    assert_eq!(buttons[0]["value"], "0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11");
    assert!(buttons[1].get("style").is_none());
    assert_eq!(buttons[2]["style"], "danger");
    assert_eq!(blocks[4]["type"], "context");
}

#[test]
fn oversized_messages_are_cut_to_fit() {
    let long = "é".repeat(5000);
    let mut blocks = vec![
        Block::Header { text: "h".repeat(400).into() },
        Block::Text { text: long.clone().into() },
        Block::Fields { fields: (0..23).map(|i| Field::new(format!("f{i}"), &long)).collect() },
        Block::Bullets { items: vec![long.clone().into(), long.clone().into()] },
        Block::Context { text: long.clone().into() },
        Block::Actions {
            actions: (0..30)
                .map(|i| Action {
                    id: ActionId::ALL[i % 7],
                    label: "x".repeat(100),
                    style: ActionStyle::Default,
                    value: Some(long.clone()),
                })
                .collect(),
        },
    ];
    blocks.extend((0..60).map(|i| Block::Text { text: format!("line {i}").into() }));
    let message = Message { text: long.into(), blocks };

    let rendered = message_blocks(&message);

    assert_message_within_limits(&rendered);
    let rendered = rendered.as_array().unwrap();
    assert_eq!(rendered.len(), limits::MESSAGE_BLOCKS);
    assert_eq!(chars(&rendered[0]["text"]["text"]), limits::HEADER_TEXT);
    assert!(rendered[0]["text"]["text"].as_str().unwrap().ends_with('…'));
    assert_eq!(rendered[2]["fields"].as_array().unwrap().len(), 10);
    assert_eq!(rendered[4]["fields"].as_array().unwrap().len(), 3);
    assert!(rendered.last().unwrap()["elements"][0]["text"].as_str().unwrap().contains("not shown"));
    assert!(fallback_text(&message).chars().count() <= limits::FALLBACK_TEXT);
}

#[test]
fn repeated_buttons_in_one_block_are_dropped() {
    let actions = vec![ActionId::ShowInfo.button(ActionStyle::Default, None); 3];
    let blocks = message_blocks(&Message { text: "x".into(), blocks: vec![Block::Actions { actions }] });
    assert_eq!(blocks[0]["elements"].as_array().unwrap().len(), 1);
}

fn text_input(id: &str, multiline: bool, optional: bool) -> Input {
    Input {
        id: id.into(),
        label: id.to_uppercase(),
        kind: InputKind::Text { multiline, max_length: Some(150), placeholder: Some("e.g. Emails are late".into()) },
        optional,
        initial: None,
        hint: None,
    }
}

fn declare_form() -> Form {
    let severities = (1..=4).map(|n| Choice { value: format!("sev{n}"), label: format!("SEV{n}") }).collect();
    Form {
        id: FormId::DeclareIncident,
        title: "Declare an incident".into(),
        submit: "Declare".into(),
        inputs: vec![
            text_input("domain", false, false),
            text_input("summary", false, false),
            text_input("description", true, true),
            Input {
                id: "severity".into(),
                label: "Severity".into(),
                kind: InputKind::Select { options: severities },
                optional: false,
                initial: Some("sev3".into()),
                hint: Some("sev1 stops customers' business".into()),
            },
            Input {
                id: "impact".into(),
                label: "Affected customers".into(),
                kind: InputKind::Number { min: Some(0) },
                optional: true,
                initial: Some("12".into()),
                hint: None,
            },
        ],
        metadata: Some("C0INCIDENT".into()),
    }
}

pub(crate) fn assert_modal_within_limits(view: &Value) {
    assert_eq!(view["type"], "modal");
    for label in ["title", "submit", "close"] {
        let n = chars(&view[label]["text"]);
        assert!((1..=limits::MODAL_TITLE).contains(&n), "{label}: {n}");
    }
    assert!(chars(&view["private_metadata"]) <= limits::PRIVATE_METADATA);
    let blocks = view["blocks"].as_array().unwrap();
    assert!(blocks.len() <= limits::MODAL_BLOCKS);
    for block in blocks {
        assert_eq!(block["type"], "input");
        assert_eq!(block["block_id"], block["element"]["action_id"]);
        assert!(chars(&block["label"]["text"]) <= limits::INPUT_LABEL);
        if let Some(options) = block["element"]["options"].as_array() {
            assert!(options.len() <= limits::SELECT_OPTIONS);
            assert!(options.iter().all(|o| chars(&o["text"]["text"]) <= limits::OPTION_TEXT));
        }
    }
}

#[test]
fn the_declare_modal_uses_the_contract_names() {
    let view = modal_view(&declare_form());
    assert_modal_within_limits(&view);
    assert_eq!(view["callback_id"], "declare_incident");
    assert_eq!(view["private_metadata"], "C0INCIDENT");
    let ids: Vec<&str> = view["blocks"].as_array().unwrap().iter().map(|b| b["block_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["domain", "summary", "description", "severity", "impact"]);
    let blocks = &view["blocks"];
    assert_eq!(blocks[0]["element"]["type"], "plain_text_input");
    assert_eq!(blocks[0]["element"]["max_length"], 150);
    assert_eq!(blocks[2]["element"]["multiline"], true);
    assert_eq!(blocks[2]["optional"], true);
    assert_eq!(blocks[3]["element"]["type"], "static_select");
    assert_eq!(blocks[3]["element"]["initial_option"]["value"], "sev3");
    assert_eq!(blocks[3]["element"]["options"].as_array().unwrap().len(), 4);
    assert_eq!(blocks[3]["hint"]["text"], "sev1 stops customers' business");
    assert_eq!(blocks[4]["element"]["type"], "number_input");
    assert_eq!(blocks[4]["element"]["is_decimal_allowed"], false);
    assert_eq!(blocks[4]["element"]["min_value"], "0");
    assert_eq!(blocks[4]["element"]["initial_value"], "12");
}

#[test]
fn edit_and_status_forms_render_within_limits() {
    let mut edit = declare_form();
    edit.id = FormId::EditIncident;
    edit.title = "Edit INC-42: a title far longer than Slack allows".into();
    edit.metadata = Some("0190a6c2-8a7e-7bb1-9c2e-3f1f2b9d6a11".into());
    edit.inputs[1].initial = Some("Emails are late".into());
    let status = Form {
        id: FormId::UpdateStatus,
        title: "Update status".into(),
        submit: "Post update".into(),
        inputs: vec![
            Input {
                id: "status".into(),
                label: "Status".into(),
                kind: InputKind::Select {
                    options: (0..150).map(|i| Choice { value: format!("s{i}"), label: "l".repeat(90) }).collect(),
                },
                optional: false,
                initial: Some("nope".into()),
                hint: None,
            },
            text_input("message", true, true),
        ],
        metadata: None,
    };

    let edit_view = modal_view(&edit);
    assert_modal_within_limits(&edit_view);
    assert_eq!(edit_view["callback_id"], "edit_incident");
    assert_eq!(chars(&edit_view["title"]["text"]), limits::MODAL_TITLE);
    assert_eq!(edit_view["blocks"][1]["element"]["initial_value"], "Emails are late");

    let status_view = modal_view(&status);
    assert_modal_within_limits(&status_view);
    assert_eq!(status_view["callback_id"], "update_status");
    assert!(status_view.get("private_metadata").is_none());
    assert!(status_view["blocks"][0]["element"].get("initial_option").is_none());
}
