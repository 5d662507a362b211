//! Neutral messages and forms as Adaptive Cards; user text escaped.

use serde_json::Value;
use sima_core::domain::UserRef;
use sima_core::model::{Block, Field, Message, RichText};
use sima_core::testkit::messages::{declare_form, DomainChoice, SeverityDescriptions};
use sima_teams::render::{form_card, message_card, rich_text};

use crate::helpers::bodies;
use crate::world::World;

const HOSTILE: &str = "<at>boss</at> **urgent** [x](y) & co";
const ESCAPED: &str = r"&lt;at&gt;boss&lt;/at&gt; \*\*urgent\*\* \[x\]\(y\) &amp; co";

#[test]
fn user_text_is_shown_as_typed_never_interpreted() {
    assert_eq!(rich_text(&RichText::new().plain(HOSTILE)), ESCAPED);
    let message = Message {
        text: HOSTILE.into(),
        blocks: vec![
            Block::Header { text: HOSTILE.into() },
            Block::Fields { fields: vec![Field::new("Summary", HOSTILE)] },
            Block::Bullets { items: vec![HOSTILE.into()] },
        ],
    };
    let card = message_card(&message);
    let shown = card.to_string();
    assert!(!shown.contains("<at>"), "{shown}");
    assert_eq!(card["body"][0]["text"], ESCAPED);
    assert_eq!(card["body"][1]["facts"][0]["value"], ESCAPED);
    assert_eq!(card["body"][2]["text"], format!("- {ESCAPED}"));
    assert_eq!(card["msteams"]["entities"], Value::Array(vec![]));
}

#[test]
fn formatting_sima_adds_renders_and_mentions_carry_entities() {
    let ann = UserRef::parse("aad-ann").unwrap();
    let text = RichText::new().bold("Lead").plain(": ").mention(&ann).plain(" ").link("https://x.example/a", "docs");
    assert_eq!(rich_text(&text), "**Lead**: <at>aad-ann</at> [docs](https://x.example/a)");
    let card = message_card(&Message {
        text: text.clone(),
        blocks: vec![Block::Text { text }, Block::Divider, Block::Context { text: "fin".into() }],
    });
    assert_eq!(card["msteams"]["entities"][0]["text"], "<at>aad-ann</at>");
    assert_eq!(card["msteams"]["entities"][0]["mentioned"]["id"], "aad-ann");
    assert_eq!(card["body"][1]["separator"], true, "a divider separates what follows");
    assert_eq!(card["body"][1]["isSubtle"], true);
}

#[test]
fn the_declare_form_becomes_inputs_and_a_submit_naming_the_form() {
    let domains = vec![DomainChoice {
        domain: sima_core::domain::Domain::parse("checkout").unwrap(),
        description: "Payments".into(),
    }];
    let card = form_card(&declare_form(&domains, &SeverityDescriptions::default()));
    let inputs: Vec<(&str, &str)> = card["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| Some((e["id"].as_str()?, e["type"].as_str()?)))
        .collect();
    assert!(inputs.contains(&("summary", "Input.Text")), "{inputs:?}");
    assert!(inputs.contains(&("severity", "Input.ChoiceSet")), "{inputs:?}");
    assert_eq!(card["actions"][0]["type"], "Action.Submit");
    assert_eq!(card["actions"][0]["data"]["sima_form"], "declare_incident");
}

#[tokio::test]
async fn a_hostile_summary_reaches_teams_escaped_on_the_incident_card() {
    let world = World::start().await;
    world.declare(HOSTILE).await;
    let threads = bodies(&world.teams.connector, "POST", "/v3/conversations").await;
    assert_eq!(threads.len(), 2);
    for thread in threads {
        let card = thread["activity"]["attachments"][0]["content"].to_string();
        assert!(!card.contains("<at>boss"), "{card}");
        assert!(card.contains(r"\\*\\*urgent\\*\\*"), "{card}");
        assert!(card.contains("&amp; co"), "{card}");
    }
}
