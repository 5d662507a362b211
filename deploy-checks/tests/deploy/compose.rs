//! compose.yaml: valid under the Compose specification, SIMA waiting for a
//! healthy PostgreSQL, data in named volumes, secrets from sima.env, and an
//! example env file that matches the database compose makes.

use compose_spec::Compose;
use deploy_checks::{env_file, repo};
use serde_json::Value;

fn parse(yaml: &str) -> Result<Value, String> {
    let compose: Compose = Compose::options().from_yaml_str(yaml).map_err(|e| e.to_string())?;
    compose.validate_all().map_err(|e| e.to_string())?;
    serde_json::to_value(&compose).map_err(|e| e.to_string())
}

fn compose() -> Value {
    parse(&repo::read("compose.yaml")).expect("compose.yaml follows the Compose specification")
}

#[test]
fn the_compose_checker_refuses_a_misspelled_key_and_a_value_of_the_wrong_type() {
    let yaml = repo::read("compose.yaml");
    assert!(parse(&yaml).is_ok());
    assert!(parse(&yaml.replace("depends_on:", "depend_on:")).is_err(), "a misspelled key passes");
    assert!(parse(&yaml.replace("read_only: true", "read_only: sometimes")).is_err(), "a wrong type passes");
}

#[test]
fn sima_waits_for_a_healthy_postgres_and_keeps_its_data_in_named_volumes() {
    let compose = compose();
    let (db, sima) = (&compose["services"]["db"], &compose["services"]["sima"]);
    assert!(db["image"].as_str().is_some_and(|image| image.starts_with("postgres:")), "{}", db["image"]);
    assert_eq!(db["healthcheck"]["test"][1], "pg_isready");
    assert_eq!(sima["depends_on"]["db"]["condition"], "service_healthy");
    assert_eq!(sima["build"], ".", "SIMA is built from the Dockerfile");
    for (service, volume, path) in [(db, "db-data", "/var/lib/postgresql/data"), (sima, "sima-data", "/var/lib/sima")] {
        assert_eq!(service["volumes"], serde_json::json!([format!("{volume}:{path}")]));
        assert!(compose["volumes"].get(volume).is_some(), "{volume} is a named volume");
    }
}

#[test]
fn sima_is_published_on_loopback_only_hardened_and_reads_its_secrets_from_sima_env() {
    let compose = compose();
    let sima = &compose["services"]["sima"];
    assert_eq!(sima["ports"], serde_json::json!(["127.0.0.1:3000:3000"]));
    assert_eq!(sima["env_file"], "sima.env");
    assert_eq!(sima["read_only"], true);
    assert_eq!(sima["cap_drop"], serde_json::json!(["ALL"]));
    assert_eq!(sima["security_opt"], serde_json::json!(["no-new-privileges:true"]));
    assert!(sima.get("environment").is_none(), "no secret is written in compose.yaml");
    assert!(compose["services"]["db"].get("ports").is_none(), "PostgreSQL is reachable from SIMA only");
}

#[test]
fn the_example_env_file_points_sima_at_the_database_compose_creates() {
    let compose = compose();
    let db = &compose["services"]["db"];
    let example = env_file::parse(&repo::read("sima.env.example")).expect("sima.env.example parses");
    let value = |name: &str| example.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let url = value("SIMA_DATABASE_URL").expect("the example sets SIMA_DATABASE_URL");
    let (user, database) = (db["environment"]["POSTGRES_USER"].as_str(), db["environment"]["POSTGRES_DB"].as_str());
    let expected = format!("postgres://{}:SAME_AS_POSTGRES_PASSWORD@db:5432/{}", user.unwrap(), database.unwrap());
    assert_eq!(url, expected);
    assert_eq!(value("POSTGRES_PASSWORD").as_deref(), Some(""), "no password ships in the example");
    assert_eq!(value("SIMA_API_TOKEN").as_deref(), Some(""), "no token ships in the example");
}
