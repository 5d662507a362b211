//! Cross-references: the service a workflow pages, the domains, the guards.

use std::collections::HashMap;

use super::env;
use crate::settings::{ConfigErrors, Settings};

fn problems_of(file: &str, pairs: &[(&str, &str)]) -> Vec<String> {
    match Settings::from_file_text("sima.toml", file, &env(pairs)) {
        Ok(_) => Vec::new(),
        Err(error) => error.downcast::<ConfigErrors>().expect("a configuration error").0,
    }
}

const PAGES_PAYMENTS: &str = r#"
[[workflows]]
name = "payments-sev1"
on = "declared"
steps = [{ page = "payments-secondary" }]
"#;

#[test]
fn a_page_target_without_its_own_routing_key_is_refused_while_pagerduty_pages() {
    let keyless = format!(
        "[pagerduty]\nrouting_key = \"default-key\"\n[[domains]]\nname = \"payments-secondary\"\n{PAGES_PAYMENTS}"
    );
    let said = problems_of(&keyless, &[]);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("workflow \"payments-sev1\"") && said[0].contains("without a routing_key"), "{said:?}");
    assert!(said[0].contains("default routing key"), "says what would happen: {said:?}");
    assert!(!said[0].contains("default-key"), "no secret: {said:?}");

    let keyed = format!("[[domains]]\nname = \"payments-secondary\"\nrouting_key = \"payments-key\"\n{PAGES_PAYMENTS}");
    assert!(problems_of(&keyed, &[]).is_empty());
    let logged = problems_of(&keyless, &[("SIMA_PAGING", "log")]);
    assert!(logged.is_empty(), "log-only paging pages nobody: {logged:?}");
}

#[test]
fn a_page_target_that_is_no_domain_is_refused_whatever_pages() {
    for pairs in [&[][..], &[("SIMA_PAGING", "log")]] {
        let said = problems_of(PAGES_PAYMENTS, pairs);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("`page = \"payments-secondary\"` names no [[domains]] entry"), "{said:?}");
    }
}

#[test]
fn the_server_refuses_such_a_workflow_too() {
    let policy: Settings = toml::from_str(PAGES_PAYMENTS).unwrap();
    let settings = Settings { workflows: policy.workflows, ..Settings::default() };
    let error = settings.validate().unwrap_err().to_string();
    assert!(error.contains("names no [[domains]] entry"), "{error}");
}

#[test]
fn a_domain_declared_twice_is_refused() {
    let file = "[[domains]]\nname = \"api\"\n[[domains]]\nname = \"api\"\nrouting_key = \"k\"\n";
    assert_eq!(problems_of(file, &[]), ["domains[1]: the domain \"api\" is declared twice"]);
}

#[test]
fn guards_must_not_contradict_each_other() {
    let file = r#"
[[guards]]
name = "manager-decides"
commands = ["resolve", "severity"]
only = "incident_manager"

[[guards]]
name = "comms-decides"
commands = ["resolve"]
only = "communication_lead"

[[guards]]
name = "manager-decides"
commands = ["close"]
only = "incident_manager"
"#;
    let said = problems_of(file, &[]);
    assert_eq!(said.len(), 2, "{said:#?}");
    assert!(
        said[0].contains("\"manager-decides\" and \"comms-decides\" keep \"resolve\" to two different roles"),
        "{said:?}"
    );
    assert!(said[1].contains("guards[2]: the name \"manager-decides\" is used by another guard"), "{said:?}");
    let said = problems_of("[[guards]]\nname = \"g\"\ncommands = [\"resolve\"]\nonly = \"scribe\"\n", &[]);
    assert!(said[0].contains("guards[0] \"g\"") && said[0].contains("scribe"), "an unknown role: {said:?}");
    assert!(Settings::from_file_text("sima.toml", "", &HashMap::new()).is_ok());
}

#[test]
fn a_service_key_is_never_printed_and_chains_resolve_to_it() {
    let file = "[[services]]\nname = \"payments\"\npaging = \"payments-secret-key\"\ninvite = [\"U1\", \"S0OPS\"]\n\
                [[services]]\nname = \"refunds\"\npaging = \"payments\"\n";
    let settings = Settings::from_file_text("sima.toml", file, &HashMap::new()).unwrap();
    assert!(!format!("{settings:?}").contains("payments-secret-key"));
    let Ok(crate::settings::Paging::Key(key)) = settings.paging_of("refunds") else { panic!("a key") };
    assert_eq!(key.expose(), "payments-secret-key");
    let invites = settings.service_catalog();
    let payments = invites.invites(&sima_core::domain::Domain::parse("payments").unwrap()).unwrap();
    assert_eq!((payments.users.len(), payments.groups.len()), (1, 1));
}

#[test]
fn a_bad_invite_a_name_used_twice_and_a_keyless_chain_are_refused() {
    let bad = problems_of("[[services]]\nname = \"payments\"\ninvite = [\"<@U1>\"]\n", &[]);
    assert!(bad.iter().any(|p| p.contains("neither a user id")), "{bad:?}");
    let twice = problems_of("[[domains]]\nname = \"api\"\n[[services]]\nname = \"api\"\n", &[]);
    assert!(twice.iter().any(|p| p.contains("services[0]: the service \"api\" is declared twice")), "{twice:?}");
    let keyless = problems_of("[[services]]\nname = \"a\"\npaging = \"b\"\n[[services]]\nname = \"b\"\n", &[]);
    assert!(keyless.iter().any(|p| p.contains("names a service that has no routing key")), "{keyless:?}");
}

#[test]
fn severity_labels_are_read_in_both_forms_and_checked() {
    let file = "[severities]\nsev1 = { label = \"P1\", description = \"Outage\" }\nsev2 = \"Major\"\n";
    let settings = Settings::from_file_text("sima.toml", file, &HashMap::new()).unwrap();
    let names = settings.severity_names();
    use sima_core::domain::Severity;
    assert_eq!((names.label(Severity::Sev1), names.description(Severity::Sev1)), ("P1", "Outage"));
    assert_eq!((names.label(Severity::Sev2), names.description(Severity::Sev2)), ("sev2", "Major"));
    let twice = problems_of("[severities]\nsev1 = { label = \"P1\" }\nsev2 = { label = \"p1\" }\n", &[]);
    assert!(twice.iter().any(|p| p.contains("is also the label of")), "{twice:?}");
    let unknown = toml::from_str::<Settings>("[severities]\nsev1 = { name = \"P1\" }\n");
    assert!(unknown.unwrap_err().to_string().contains("unknown field `name`"), "an unknown key is refused");
}
