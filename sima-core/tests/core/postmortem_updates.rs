//! The post-mortem is rewritten when the root cause or the action items
//! change after it was written, and never before.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use sima_core::domain::*;
use sima_core::model::Document;
use sima_core::ports::{DocsPort, PortError};
use sima_core::testkit::FakeDocs;
use sima_core::{EffectWorker, IncidentService};

use crate::helpers::{alice, World};

fn root_cause(text: &str) -> Command {
    Command::SetRootCause(Text::parse(text).unwrap())
}

fn action(text: &str) -> Command {
    Command::AddActionItem(NewActionItem { text: Text::parse(text).unwrap(), owner: None, due: None })
}

async fn run(world: &World, incident: &Incident, command: Command) {
    world.service.execute(incident.id(), Actor::User(alice()), command).await.unwrap();
    world.worker.run_until_idle().await.unwrap();
}

fn markdown(world: &World) -> String {
    sima_core::postmortem_markdown(&world.docs.documents()["INC-1"])
}

#[tokio::test]
async fn a_root_cause_and_an_action_item_after_resolution_rewrite_the_postmortem() {
    let (world, _clock) = World::manual();
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    run(&world, &incident, Command::ChangeStatus { to: Status::Resolved, message: None }).await;
    assert!(world.docs.updates().is_empty(), "nothing changed since the post-mortem was written");
    assert!(!markdown(&world).contains("A full disk"));

    run(&world, &incident, root_cause("A full disk on the queue host")).await;
    assert_eq!(world.docs.updates(), ["INC-1"]);
    assert!(markdown(&world).contains("A full disk on the queue host"), "{}", markdown(&world));

    run(&world, &incident, action("Alert on disk usage")).await;
    run(&world, &incident, Command::CompleteActionItem(1)).await;
    assert_eq!(world.docs.updates().len(), 3);
    assert!(markdown(&world).contains("- [x] Alert on disk usage"), "{}", markdown(&world));
    assert_eq!(world.docs.documents().len(), 1, "one post-mortem, rewritten");
}

#[tokio::test]
async fn a_root_cause_set_before_the_create_ran_ends_up_in_the_postmortem() {
    let (world, _clock) = World::manual();
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    world.service.execute(incident.id(), Actor::User(alice()), resolve).await.unwrap();
    world.service.execute(incident.id(), Actor::User(alice()), root_cause("A full disk")).await.unwrap();
    world.worker.run_until_idle().await.unwrap();

    assert!(markdown(&world).contains("A full disk"), "{}", markdown(&world));
    assert_eq!(world.unfinished_effects().await, 0);
    assert!(world.reload(&incident).await.failed_effects().is_empty());
}

#[tokio::test]
async fn after_a_failed_create_a_change_plans_nothing_that_fails_again() {
    let (world, _clock) = World::manual();
    let incident = world.declare(Severity::Sev2).await;
    world.worker.run_until_idle().await.unwrap();
    world.docs.fail_next(PortError::Invalid("refused".into()));
    run(&world, &incident, Command::ChangeStatus { to: Status::Resolved, message: None }).await;
    run(&world, &incident, root_cause("A full disk")).await;

    let incident = world.reload(&incident).await;
    assert_eq!(incident.failed_effects(), [EffectKind::CreatePostmortem]);
    assert!(world.docs.updates().is_empty());
    assert_eq!(world.unfinished_effects().await, 0);
}

/// A documents platform whose first update is slow: while it is under way,
/// an action item is added and its own update runs to the end, so the first
/// update's (older) page lands last.
struct SlowFirstUpdate {
    docs: Arc<FakeDocs>,
    world: OnceLock<(IncidentService, EffectWorker, IncidentId)>,
    raced: AtomicBool,
}

#[async_trait]
impl DocsPort for SlowFirstUpdate {
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        self.docs.create_postmortem(document).await
    }

    async fn update_postmortem(&self, doc: &DocRef, document: &Document) -> Result<(), PortError> {
        if !self.raced.swap(true, Ordering::SeqCst) {
            let (service, worker, id) = self.world.get().expect("the incident is known");
            service.execute(*id, Actor::User(alice()), action("Alert on disk usage")).await.unwrap();
            worker.run_until_idle().await.unwrap();
        }
        self.docs.update_postmortem(doc, document).await
    }
}

#[tokio::test]
async fn an_older_update_landing_last_is_written_again_with_the_newer_change() {
    let racing = Arc::new(SlowFirstUpdate {
        docs: Arc::new(FakeDocs::new()),
        world: OnceLock::new(),
        raced: AtomicBool::new(false),
    });
    let (world, _clock) = World::manual_with(|builder| builder.docs(racing.clone()));
    let incident = world.declare(Severity::Sev2).await;
    racing.world.set((world.service.clone(), world.worker.clone(), incident.id())).ok().unwrap();
    world.worker.run_until_idle().await.unwrap();
    run(&world, &incident, Command::ChangeStatus { to: Status::Resolved, message: None }).await;

    run(&world, &incident, root_cause("A full disk")).await;

    let markdown = sima_core::postmortem_markdown(&racing.docs.documents()["INC-1"]);
    assert!(markdown.contains("A full disk"), "{markdown}");
    assert!(markdown.contains("Alert on disk usage"), "the newer change is on the page: {markdown}");
    assert_eq!(racing.docs.updates().len(), 3, "the fresh update, the older one, and the older one again");
}
