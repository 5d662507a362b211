//! Every message, form and document SIMA produces is neutral: no chat or docs
//! platform syntax, and people's text only ever in text nodes.

use crate::domain::tests::{declared, run, t};
use crate::domain::{
    Command, DocRef, Domain, EventKind, FieldEdit, Impact, Incident, IncidentEvent, Role, Room, RoomId, Status,
    Summary, Text, UserRef,
};
use crate::model::{Block, Form, Inline, InputKind, Message, RichText};

use super::*;

/// What a hostile or careless person might type.
const NASTY: &str = "<!channel> <@U0BOSS> <#C0SECRET> <https://evil.test|Join the bridge> :fire: *x* [a](b) &amp;";

fn user(id: &str) -> UserRef {
    UserRef::parse(id).unwrap()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

/// An incident taken through every event people are told about, with
/// `typed` in every field a person can write.
fn story(typed: &str) -> (Incident, Vec<IncidentEvent>) {
    let mut incident = declared(t(0));
    let room =
        Room { id: RoomId::new("C0INC"), name: "incident_11_25_x".into(), url: "https://chat.test/C0INC".into() };
    let room_created = crate::domain::EventKind::RoomCreated { room };
    let actor = crate::domain::Actor::Sima;
    incident.apply(&IncidentEvent { seq: incident.version() + 1, at: t(0), actor, kind: room_created });
    let commands = [
        Command::Edit(FieldEdit::Summary(Summary::parse(typed).unwrap())),
        Command::Edit(FieldEdit::Description(crate::domain::Description::parse(typed).unwrap())),
        Command::Edit(FieldEdit::Impact(Impact::parse("12").unwrap())),
        Command::AssignRole { role: Role::IncidentManager, user: user("UBOB") },
        Command::ChangeStatus { to: Status::Investigating, message: Some(text(typed)) },
        Command::AddNote(text(typed)),
        Command::Escalate { domain: Some(Domain::parse("payments").unwrap()) },
        Command::SetRootCause(text(typed)),
        Command::AddActionItem(text(typed).into()),
        Command::ChangeStatus { to: Status::Resolved, message: None },
    ];
    let mut events = Vec::new();
    for (n, command) in commands.into_iter().enumerate() {
        events.extend(run(&mut incident, command, t(n as i64 + 1)).unwrap());
    }
    (incident, events)
}

fn every_message(incident: &Incident, events: &[IncidentEvent], typed: &str) -> Vec<(String, Message)> {
    let doc = DocRef { id: "p1".into(), url: "https://docs.test/p1".into() };
    let mut all = vec![
        ("card".to_owned(), card(incident)),
        ("broadcast".to_owned(), broadcast(incident)),
        ("post-mortem link".to_owned(), postmortem_link(incident, &doc)),
        ("help".to_owned(), help(None)),
        ("help in a room".to_owned(), help(Some(incident))),
        ("welcome".to_owned(), welcome(incident)),
        ("mistyped".to_owned(), mistyped(typed, &["status"], Some(incident))),
        ("answer".to_owned(), answer(typed)),
        ("warning".to_owned(), warning(typed)),
        ("done".to_owned(), done(typed)),
        ("effect failed".to_owned(), effect_failed(incident, crate::domain::EffectKind::PostCard, typed)),
    ];
    for event in events {
        if let Some((message, _)) = update(incident, event) {
            all.push((format!("update {}", event.seq), message));
        }
    }
    all
}

fn every_form(incident: &Incident) -> Vec<Form> {
    let domains =
        [DomainChoice { domain: Domain::parse("outbound-email").unwrap(), description: "Outbound e-mail".into() }];
    vec![
        declare_form(&domains, &SeverityDescriptions::new()),
        declare_form(&[], &SeverityDescriptions::new()),
        edit_form(incident, &domains, &SeverityDescriptions::new()),
        status_form(incident),
    ]
}

fn rich_texts(message: &Message) -> Vec<&RichText> {
    let mut out = vec![&message.text];
    for block in &message.blocks {
        match block {
            Block::Header { text } | Block::Text { text } | Block::Context { text } => out.push(text),
            Block::Fields { fields } => out.extend(fields.iter().map(|f| &f.value)),
            Block::Bullets { items } => out.extend(items),
            Block::Actions { .. } | Block::Divider => {}
        }
    }
    out
}

/// Chat, docs and paging syntax that must never be written by the core.
fn platform_syntax(s: &str) -> Option<&'static str> {
    for (pattern, name) in [("<@", "mention"), ("<#", "room"), ("<!", "broadcast"), ("<http", "link"), ("](", "link")] {
        if s.contains(pattern) {
            return Some(name);
        }
    }
    let between_colons = s.split(':').skip(1).collect::<Vec<_>>();
    let has_code = between_colons.len() > 1
        && between_colons[..between_colons.len() - 1].iter().any(|w| {
            w.chars().any(|c| c.is_ascii_lowercase())
                && w.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
        });
    if has_code {
        return Some("emoji code");
    }
    if s.contains("**") || (s.starts_with('*') && s.ends_with('*') && s.len() > 1) || s.contains('`') {
        return Some("markup");
    }
    None
}

fn node_strings(inline: &Inline) -> Vec<&str> {
    match inline {
        Inline::Plain(t) | Inline::Bold(t) | Inline::Italic(t) | Inline::Code(t) | Inline::Emoji(t) => vec![t],
        Inline::Link { url, text } => vec![url, text],
        Inline::Mention(u) => vec![u.as_str()],
        Inline::Room(r) => vec![r.id.as_str(), &r.name, &r.url],
    }
}

#[test]
fn no_message_form_or_document_carries_platform_syntax() {
    let (incident, events) = story("Emails are late");
    let messages = every_message(&incident, &events, "stauts");
    let updates = messages.iter().filter(|(name, _)| name.starts_with("update")).count();
    assert_eq!(updates, 9, "every announced event kind is covered");
    for (name, message) in &messages {
        for text in rich_texts(message) {
            for inline in text.inlines() {
                for s in node_strings(inline) {
                    assert_eq!(platform_syntax(s), None, "{name}: {s:?} in {inline:?}");
                }
            }
        }
        for action in message.blocks.iter().flat_map(|b| match b {
            Block::Actions { actions } => actions.as_slice(),
            _ => &[],
        }) {
            assert_eq!(platform_syntax(&action.label), None, "{name}: button {}", action.label);
        }
    }
    for form in every_form(&incident) {
        let mut strings = vec![form.title.clone(), form.submit.clone()];
        for input in &form.inputs {
            strings.extend([input.label.clone()].into_iter().chain(input.hint.clone()));
            if let InputKind::Select { options } = &input.kind {
                strings.extend(options.iter().map(|o| o.label.clone()));
            }
        }
        for s in strings {
            assert_eq!(platform_syntax(&s), None, "{:?}: {s:?}", form.id);
        }
    }
    let document = crate::postmortem::document(&incident, &events);
    let mut texts: Vec<RichText> = Vec::new();
    for block in &document.blocks {
        match block {
            crate::model::DocBlock::Paragraph { text } => texts.push(text.clone()),
            crate::model::DocBlock::Bullets { items } => texts.extend(items.iter().cloned()),
            crate::model::DocBlock::Todos { items } => texts.extend(items.iter().map(|t| t.text.clone())),
            crate::model::DocBlock::Table { rows, .. } => texts.extend(rows.iter().flatten().cloned()),
            crate::model::DocBlock::Heading { text, .. } => texts.push(text.as_str().into()),
        }
    }
    for text in &texts {
        for inline in text.inlines() {
            for s in node_strings(inline) {
                assert_eq!(platform_syntax(s), None, "post-mortem: {s:?}");
            }
        }
    }
}

#[test]
fn what_people_type_stays_text_in_every_message() {
    let (incident, events) = story(NASTY);
    let mut shown_in = Vec::new();
    for (name, message) in every_message(&incident, &events, NASTY) {
        for text in rich_texts(&message) {
            for inline in text.inlines() {
                match inline {
                    Inline::Plain(t) | Inline::Bold(t) | Inline::Code(t) if t.contains(NASTY) => {
                        shown_in.push(name.clone())
                    }
                    Inline::Link { url, .. } => assert!(!url.contains("evil"), "{name}: {url}"),
                    Inline::Mention(u) => assert!(["UALICE", "UBOB"].contains(&u.as_str()), "{name}: {u}"),
                    Inline::Emoji(e) => assert_ne!(e, "fire", "{name}"),
                    _ => {}
                }
            }
        }
    }
    shown_in.dedup();
    for name in ["card", "broadcast", "welcome", "mistyped", "answer", "warning", "done", "effect failed"] {
        assert!(shown_in.iter().any(|n| n == name), "{name} shows the typed text as written: {shown_in:?}");
    }
    let updates = shown_in.iter().filter(|n| n.starts_with("update")).count();
    assert_eq!(updates, 6, "summary, description, status message, note, root cause, action item: {shown_in:?}");
}

#[test]
fn a_role_update_mentions_the_new_holder() {
    let (incident, events) = story("Emails are late");
    let role = events.iter().find(|e| matches!(e.kind, EventKind::RoleAssigned { .. })).unwrap();
    let (message, public) = update(&incident, role).unwrap();
    assert!(public);
    assert!(message.text.inlines().contains(&Inline::Mention(user("UBOB"))));
    assert_eq!(message.text.to_string(), "INC-1 · 👥 @UBOB is now Incident Manager");
}

#[test]
fn help_lists_every_command_of_the_table_in_order() {
    let message = help(None);
    let Some(Block::Bullets { items }) = message.blocks.get(1) else { panic!("{message:?}") };
    let lines: Vec<String> = items.iter().map(ToString::to_string).collect();
    let expected: Vec<String> = crate::grammar::COMMANDS.iter().map(|c| format!("{}: {}", c.usage, c.help)).collect();
    assert_eq!(lines.len(), crate::grammar::COMMANDS.len());
    assert_eq!(lines, expected);
    assert!(lines[17].contains("/incident retry"));
}
