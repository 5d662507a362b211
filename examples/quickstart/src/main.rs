//! Quickstart: run a whole incident in memory with `sima-core` alone.
//!
//! Declares an incident, walks it through investigating → monitoring →
//! resolved with both roles and a note, then prints the timeline, the
//! post-mortem Markdown and the metrics. Chat and paging only log, the
//! post-mortem is a Markdown file, and time is simulated so the steps are
//! minutes apart.

use std::sync::Arc;

use std::time::Duration;

use sima_core::domain::{
    Actor, Command, Declaration, Description, Domain, FieldEdit, Impact, IncidentRef, Role, Severity, Status, Summary,
    Text, UserRef,
};
use sima_core::ports::IncidentFilter;
use sima_core::testkit::{InMemoryStore, ManualClock};
use sima_core::Engine;
use sima_core::{describe_event as describe, human_duration};
use sima_core::{LogChat, LogPager, MarkdownDocs};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock = Arc::new(ManualClock::at_str("2026-11-25T10:00:00Z"));
    let folder = std::env::temp_dir().join("sima-quickstart");
    let engine = Engine::builder()
        .store(Arc::new(InMemoryStore::new()))
        .clock(clock.clone())
        .chat(Arc::new(LogChat::new()))
        .paging(Arc::new(LogPager))
        .docs(Arc::new(MarkdownDocs::new(&folder)))
        .build()?;
    let (service, worker) = (engine.service(), engine.worker());

    let (alice, bob) = (UserRef::parse("UALICE")?, UserRef::parse("UBOB")?);
    let declared = service
        .declare(Declaration {
            domain: Domain::parse("outbound-email")?,
            summary: Summary::parse("Emails are delivered with a 20 minute delay")?,
            description: Description::parse("The send queue grows; workers time out on the SMTP relay.")?,
            severity: Severity::Sev2,
            impact: None,
            started_at: Some("2026-11-25T09:52:00Z".parse()?),
            dedup_key: None,
            reporter: Actor::User(alice.clone()),
            private: false,
            incident_type: None,
            fields: Default::default(),
        })
        .await?;
    let id = declared.incident.id();
    worker.run_until_idle().await?;

    // (minutes after the previous step, who, what)
    let steps = [
        (3, &alice, Command::AssignRole { role: Role::IncidentManager, user: alice.clone() }),
        (2, &bob, Command::AssignRole { role: Role::CommunicationLead, user: bob.clone() }),
        (
            1,
            &alice,
            Command::ChangeStatus { to: Status::Investigating, message: Some(Text::parse("Looking at the relay")?) },
        ),
        (4, &bob, Command::Edit(FieldEdit::Impact(Impact::new(340)))),
        (3, &alice, Command::AddNote(Text::parse("Relay certificate expired at 09:58")?)),
        (
            14,
            &alice,
            Command::ChangeStatus { to: Status::Monitoring, message: Some(Text::parse("Certificate renewed")?) },
        ),
        (5, &alice, Command::SetRootCause(Text::parse("The relay certificate was renewed by hand and expired")?)),
        (1, &alice, Command::AddActionItem(Text::parse("Automate relay certificate renewal")?.into())),
        (10, &alice, Command::ChangeStatus { to: Status::Resolved, message: Some(Text::parse("Queue drained")?) }),
    ];
    for (minutes, who, command) in steps {
        clock.advance(Duration::from_secs(minutes * 60));
        service.execute(id, Actor::User(who.clone()), command).await?;
        worker.run_until_idle().await?;
    }

    let (incident, events) = service.timeline(IncidentRef::Id(id)).await?;
    println!("\n== Timeline of {} ==", incident.title());
    for event in &events {
        println!(
            "{:>3}  {}  {:<14} {}",
            event.seq,
            event.at.format("%H:%M:%S%.3f"),
            event.actor.to_string(),
            describe(event)
        );
    }
    if let Some(doc) = &incident.postmortem() {
        let markdown = std::fs::read_to_string(folder.join(format!("{}.md", doc.id)))?;
        println!("\n== Post-mortem ({}) ==\n{markdown}", doc.url);
    }
    let report = service.metrics(&IncidentFilter::default()).await?;
    println!("== Metrics over {} incident(s) ==", report.incidents);
    for (name, stat) in [
        ("MTTA", report.mtta),
        ("MTTR (recovery)", report.mttr_recovery),
        ("MTTR (repair)", report.mttr_repair),
        ("MTTD", report.mttd),
    ] {
        println!(
            "{name:<16} mean {:<8} median {:<8} p90 {}",
            human_duration(stat.mean),
            human_duration(stat.median),
            human_duration(stat.p90)
        );
    }
    Ok(())
}
