use chrono::{DateTime, Utc};
use sima_core::domain::{Actor, Declaration, Description, Domain, EventKind, IncidentId, IncidentNumber, Severity};
use sima_core::domain::{RoomId, Status, Summary};
use sima_core::ports::{Policy, Step, TimerCondition};
use sima_core::{Incident, IncidentEvent};

use super::*;
use crate::settings::Settings;

fn read(toml: &str) -> Result<Vec<Workflow>, String> {
    toml::from_str::<Settings>(toml).map(|s| s.workflows).map_err(|e| e.to_string())
}

fn refused(toml: &str) -> String {
    read(toml).expect_err("refused")
}

const ESCALATION: &str = r#"
[[workflows]]
name = "sev1-escalation"
on = "unacknowledged_for"
after = "15m"
when = { severity = ["sev1"], domain = ["payments"] }
steps = ["escalate", { page = "payments-secondary" }]

[[workflows]]
name = "security-announce"
on = "declared"
when = { domain = ["security"] }
steps = [{ post = { room = "C0SEC", text = "A security incident was declared" } }, { invite = ["U0CISO"] }]
"#;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn declared(domain: &str, severity: Severity) -> (Incident, IncidentEvent) {
    let declaration = Declaration {
        domain: Domain::parse(domain).unwrap(),
        summary: Summary::parse("Checkout fails").unwrap(),
        description: Description::empty(),
        severity,
        impact: None,
        started_at: None,
        dedup_key: None,
        reporter: Actor::Api,
        private: false,
        incident_type: None,
        fields: Default::default(),
    };
    let now = at("2026-11-25T10:00:00Z");
    let event = IncidentEvent { seq: 1, at: now, actor: Actor::Api, kind: declaration.decide(now).unwrap() };
    (Incident::from_declared(IncidentId::new(), IncidentNumber::UNALLOCATED, &event).unwrap(), event)
}

#[test]
fn workflows_are_read_and_described() {
    let workflows = read(ESCALATION).unwrap();
    assert_eq!(workflows.len(), 2);
    assert_eq!(
        workflows[0].to_string(),
        "sev1-escalation: on unacknowledged_for 15m when severity sev1, domain payments → escalate, page payments-secondary"
    );
    assert_eq!(
        workflows[1].to_string(),
        "security-announce: on declared when domain security → post in C0SEC, invite U0CISO"
    );
}

#[test]
fn a_timer_trigger_schedules_a_timer_and_its_firing_runs_the_steps() {
    let policy = WorkflowPolicy::new(read(ESCALATION).unwrap());
    let (incident, event) = declared("payments", Severity::Sev1);
    let timer = Step::Timer {
        name: "sev1-escalation".into(),
        after: std::time::Duration::from_secs(15 * 60),
        condition: TimerCondition::Unacknowledged,
    };
    assert_eq!(policy.steps(&incident, &event), vec![timer]);
    let fired = IncidentEvent { kind: EventKind::TimerFired { name: "sev1-escalation".into() }, ..event.clone() };
    assert_eq!(
        policy.steps(&incident, &fired),
        vec![Step::Escalate, Step::Page { service: Domain::parse("payments-secondary").unwrap() }]
    );
    let (sev2, event) = declared("payments", Severity::Sev2);
    assert_eq!(policy.steps(&sev2, &event), vec![], "the conditions hold the sev2 back");
}

#[test]
fn a_declared_trigger_runs_its_steps_at_once_where_its_conditions_hold() {
    let policy = WorkflowPolicy::new(read(ESCALATION).unwrap());
    let (incident, event) = declared("security", Severity::Sev3);
    let steps = policy.steps(&incident, &event);
    assert_eq!(steps[0], Step::Post { room: RoomId::new("C0SEC"), text: "A security incident was declared".into() });
    assert!(matches!(&steps[1], Step::Invite { users } if users[0].as_str() == "U0CISO"));
    let (other, event) = declared("payments", Severity::Sev3);
    assert_eq!(policy.steps(&other, &event), vec![]);
}

#[test]
fn status_changed_matches_its_target_only() {
    let toml = r#"
[[workflows]]
name = "resolved-note"
on = "status_changed"
to = "resolved"
steps = [{ post = { room = "C0OPS", text = "resolved" } }]
"#;
    let policy = WorkflowPolicy::new(read(toml).unwrap());
    let (incident, event) = declared("payments", Severity::Sev3);
    let change = |to| IncidentEvent {
        kind: EventKind::StatusChanged { from: Status::Open, to, message: None },
        ..event.clone()
    };
    assert_eq!(policy.steps(&incident, &change(Status::Resolved)).len(), 1);
    assert_eq!(policy.steps(&incident, &change(Status::Investigating)).len(), 0);
}

#[test]
fn mistakes_name_the_workflow_and_the_field() {
    let unknown_step =
        refused("[[workflows]]\nname = \"sev1-escalation\"\non = \"declared\"\nsteps = [{ pagee = \"payments\" }]\n");
    assert!(unknown_step.contains("workflows[0] \"sev1-escalation\""), "{unknown_step}");
    assert!(unknown_step.contains("pagee"), "{unknown_step}");
    let unknown_field =
        refused("[[workflows]]\nname = \"w\"\non = \"declared\"\nsevrity = \"sev1\"\nsteps = [\"escalate\"]\n");
    assert!(unknown_field.contains("workflows[0] \"w\"") && unknown_field.contains("sevrity"), "{unknown_field}");
    let unknown_condition =
        refused("[[workflows]]\nname = \"w\"\non = \"declared\"\nwhen = { team = [\"a\"] }\nsteps = [\"escalate\"]\n");
    assert!(unknown_condition.contains("team"), "{unknown_condition}");
    let no_target = refused("[[workflows]]\nname = \"w\"\non = \"status_changed\"\nsteps = [\"escalate\"]\n");
    assert!(no_target.contains("workflows[0] \"w\"") && no_target.contains("`to`"), "{no_target}");
    let no_delay = refused("[[workflows]]\nname = \"w\"\non = \"open_for\"\nsteps = [\"escalate\"]\n");
    assert!(no_delay.contains("`after`"), "{no_delay}");
    let off = refused("[[workflows]]\nname = \"w\"\non = \"open_for\"\nafter = \"off\"\nsteps = [\"escalate\"]\n");
    assert!(off.contains("`after`"), "{off}");
    let never = refused(
        "[[workflows]]\nname = \"w\"\non = \"unacknowledged_for\"\nafter = \"5m\"\nwhen = { status = [\"resolved\"] }\nsteps = [\"escalate\"]\n",
    );
    assert!(never.contains("`when.status`"), "{never}");
    let unknown_trigger = refused("[[workflows]]\nname = \"w\"\non = \"declard\"\nsteps = [\"escalate\"]\n");
    assert!(unknown_trigger.contains("declard"), "{unknown_trigger}");
    let twice = refused(
        "[[workflows]]\nname = \"w\"\non = \"declared\"\nsteps = [\"escalate\"]\n[[workflows]]\nname = \"w\"\non = \"declared\"\nsteps = [\"escalate\"]\n",
    );
    assert!(twice.contains("workflows[1] \"w\""), "{twice}");
    let empty = refused("[[workflows]]\nname = \"w\"\non = \"declared\"\nsteps = []\n");
    assert!(empty.contains("`steps`"), "{empty}");
}

#[test]
fn the_commented_example_is_valid() {
    let example = include_str!("../../../sima.example.toml");
    let start = example.find("# [[workflows]]").expect("the example has workflows");
    let uncommented: String =
        example[start..].lines().map(|l| l.trim_start_matches('#').trim_start()).map(|l| format!("{l}\n")).collect();
    let workflows = read(&uncommented).unwrap();
    assert_eq!(workflows.len(), 3);
}

#[test]
fn guards_keep_commands_to_the_role_holder_and_say_why() {
    use sima_core::domain::{Command, EventKind as Kind, Role, UserRef};
    let toml =
        "[[guards]]\nname = \"manager-decides\"\ncommands = [\"resolve\", \"severity\"]\nonly = \"incident_manager\"\n";
    let guards = toml::from_str::<Settings>(toml).unwrap().guards;
    assert_eq!(guards[0].to_string(), "manager-decides: only the Incident Manager may resolve, change the severity");
    let policy = GuardPolicy::new(guards);
    let (mut incident, event) = declared("payments", Severity::Sev2);
    let resolve = Command::ChangeStatus { to: Status::Resolved, message: None };
    let alice = Actor::User(UserRef::parse("U0ALICE").unwrap());
    let refusal = policy.guard(&incident, &alice, &resolve).unwrap_err();
    assert_eq!(refusal.reason, "only the Incident Manager may resolve (nobody holds the role yet)");
    let note = Command::AddNote(sima_core::Text::parse("looking").unwrap());
    assert_eq!(policy.guard(&incident, &alice, &note), Ok(()));
    let assigned =
        Kind::RoleAssigned { role: Role::IncidentManager, user: UserRef::parse("U0ALICE").unwrap(), previous: None };
    incident.apply(&IncidentEvent { seq: 2, kind: assigned, ..event });
    assert_eq!(policy.guard(&incident, &alice, &resolve), Ok(()));
    assert!(policy.guard(&incident, &Actor::Api, &resolve).is_err(), "the API holds no role");
}

#[test]
fn guard_mistakes_name_the_guard() {
    let toml = |body: &str| toml::from_str::<Settings>(body).map(|_| ()).unwrap_err().to_string();
    let unknown = toml("[[guards]]\nname = \"g\"\ncommands = [\"resolv\"]\nonly = \"incident_manager\"\n");
    assert!(unknown.contains("guards[0] \"g\"") && unknown.contains("resolv"), "{unknown}");
    let role = toml("[[guards]]\nname = \"g\"\ncommands = [\"resolve\"]\nonly = \"boss\"\n");
    assert!(role.contains("guards[0] \"g\"") && role.contains("boss"), "{role}");
    let empty = toml("[[guards]]\nname = \"g\"\ncommands = []\nonly = \"incident_manager\"\n");
    assert!(empty.contains("`commands`"), "{empty}");
}

#[test]
fn set_severity_is_a_step() {
    let toml = "[[workflows]]\nname = \"raise\"\non = \"open_for\"\nafter = \"1h\"\nwhen = { severity = [\"sev2\"] }\nsteps = [{ set_severity = \"sev1\" }]\n";
    let workflows = read(toml).unwrap();
    assert_eq!(workflows[0].steps, vec![Step::SetSeverity { severity: Severity::Sev1 }]);
    assert_eq!(workflows[0].to_string(), "raise: on open_for 1h when severity sev2 → set severity sev1");
}

/// A `severity_changed` workflow: `when` as TOML, then its steps.
fn on_severity(name: &str, when: &str, steps: &str) -> String {
    format!("[[workflows]]\nname = \"{name}\"\non = \"severity_changed\"\nwhen = {{ {when} }}\nsteps = [{steps}]\n")
}

#[test]
fn workflows_that_flip_the_severity_back_and_forth_are_refused_naming_both() {
    let up = on_severity("sev3-to-sev2", "severity = [\"sev3\"]", "{ set_severity = \"sev2\" }");
    let down = on_severity("sev2-to-sev3", "severity = [\"sev2\"]", "{ set_severity = \"sev3\" }");
    let error = refused(&format!("{up}\n{down}"));
    assert!(
        error.contains(
            "workflows \"sev3-to-sev2\" and \"sev2-to-sev3\" re-trigger each other without end: \
             \"sev3-to-sev2\" sets severity sev2, which starts \"sev2-to-sev3\"; \
             \"sev2-to-sev3\" sets severity sev3, which starts \"sev3-to-sev2\""
        ),
        "{error}"
    );
    // With something in between, the whole cycle is named.
    let between = on_severity("sev2-to-sev1", "severity = [\"sev2\"]", "{ set_severity = \"sev1\" }");
    let back = on_severity("sev1-to-sev3", "severity = [\"sev1\"]", "{ set_severity = \"sev3\" }");
    let error = refused(&format!("{up}\n{between}\n{back}"));
    assert!(
        error.contains("workflows \"sev3-to-sev2\", \"sev2-to-sev1\" and \"sev1-to-sev3\" re-trigger each other"),
        "{error}"
    );
}

#[test]
fn a_chain_that_ends_is_accepted() {
    let raise = on_severity("sev3-to-sev2", "severity = [\"sev3\"]", "{ set_severity = \"sev2\" }");
    let page = on_severity("sev1-pages", "severity = [\"sev1\"]", "{ page = \"payments-secondary\" }");
    let workflows = read(&format!("{raise}\n{page}")).unwrap();
    assert_eq!(workflows.len(), 2);
    // A timer that raises the severity into the chain ends too.
    let timer = "[[workflows]]\nname = \"raise-late\"\non = \"open_for\"\nafter = \"1h\"\nsteps = [{ set_severity = \"sev3\" }]\n";
    assert_eq!(read(&format!("{raise}\n{page}\n{timer}")).unwrap().len(), 3);
    // Setting a severity that the workflow itself does not admit does not start it again.
    let once = on_severity("sev2-to-sev1", "severity = [\"sev2\"]", "{ set_severity = \"sev1\" }");
    assert_eq!(read(&once).unwrap().len(), 1);
}

#[test]
fn a_workflow_that_re_triggers_itself_is_refused() {
    let flip =
        on_severity("flip", "min_severity = \"sev4\"", "{ set_severity = \"sev1\" }, { set_severity = \"sev2\" }");
    let error = refused(&flip);
    assert!(
        error
            .contains("workflow \"flip\" re-triggers itself without end: it sets severity sev1, which starts it again"),
        "{error}"
    );
    // A timer is started by the declaration, which no step records: no cycle through it.
    let timer = "[[workflows]]\nname = \"t\"\non = \"open_for\"\nafter = \"1h\"\nsteps = [{ set_severity = \"sev1\" }, { set_severity = \"sev2\" }]\n";
    assert!(read(timer).is_ok());
}

#[test]
fn conditions_that_cannot_hold_together_break_the_cycle() {
    // Different domains: the domain never changes by a step.
    let up = on_severity("up", "severity = [\"sev3\"], domain = [\"payments\"]", "{ set_severity = \"sev2\" }");
    let down = on_severity("down", "severity = [\"sev2\"], domain = [\"api\"]", "{ set_severity = \"sev3\" }");
    assert!(read(&format!("{up}\n{down}")).is_ok());
    // A resolved incident's severity is never changed by a step.
    let resolved = "[[workflows]]\nname = \"on-resolve\"\non = \"status_changed\"\nto = \"resolved\"\nsteps = [{ set_severity = \"sev4\" }]\n";
    let again =
        on_severity("sev4-back", "severity = [\"sev4\"], status = [\"resolved\"]", "{ set_severity = \"sev3\" }");
    let loop_back =
        on_severity("sev3-to-4", "severity = [\"sev3\"], status = [\"resolved\"]", "{ set_severity = \"sev4\" }");
    assert!(read(&format!("{resolved}\n{again}\n{loop_back}")).is_ok());
    // Sharing a domain, they do loop.
    let down =
        on_severity("down", "severity = [\"sev2\"], domain = [\"api\", \"payments\"]", "{ set_severity = \"sev3\" }");
    assert!(refused(&format!("{up}\n{down}")).contains("\"up\" and \"down\""));
    // min_severity admits the severities at least as bad.
    let up = on_severity("up", "severity = [\"sev3\"]", "{ set_severity = \"sev2\" }");
    let down = on_severity("down", "min_severity = \"sev2\"", "{ set_severity = \"sev3\" }");
    assert!(refused(&format!("{up}\n{down}")).contains("\"up\" and \"down\" re-trigger each other"));
    let down = on_severity("down", "min_severity = \"sev1\"", "{ set_severity = \"sev3\" }");
    assert!(read(&format!("{up}\n{down}")).is_ok());
}
