//! The Helm chart, rendered and linted by Helm's own library: what a
//! default install runs, the values it refuses, several replicas on
//! PostgreSQL, the ServiceMonitor, an existing Secret, a sima.toml, and a
//! pod environment the server accepts.

use std::collections::BTreeSet;

use deploy_checks::chart::{self, Render};
use deploy_checks::{dockerfile::Dockerfile, repo};
use serde_json::{json, Value};

use crate::helpers::{settings_from, TOKEN};

const POSTGRES: &str = "postgres://sima:secret@db.internal:5432/sima?sslmode=verify-full";

/// The chart rendered with these values merged over a token, which every
/// install needs; `None` where Helm's library is missing outside CI.
fn render_with(values: Value) -> Option<Render> {
    let mut merged = json!({"auth": {"apiToken": TOKEN}});
    merge(&mut merged, values);
    chart::render(&merged, false)
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                merge(into.entry(key).or_insert(Value::Null), value);
            }
        }
        (into, from) => *into = from,
    }
}

fn rendered(render: &Render) -> &Render {
    assert!(render.rendered, "the chart did not render: {:?}", render.error);
    render
}

fn container(render: &Render) -> &Value {
    &render.one("Deployment")["spec"]["template"]["spec"]["containers"][0]
}

fn env(render: &Render) -> Vec<(String, Value)> {
    let list = container(render)["env"].as_array().cloned().unwrap_or_default();
    list.into_iter().map(|e| (e["name"].as_str().unwrap_or_default().to_owned(), e)).collect()
}

fn env_value(render: &Render, name: &str) -> Option<String> {
    env(render).into_iter().find(|(n, _)| n == name).and_then(|(_, e)| e["value"].as_str().map(String::from))
}

#[test]
fn the_chart_lints_clean_under_strict_rules() {
    let Some(render) = chart::render(&json!({"auth": {"apiToken": TOKEN}}), true) else { return };
    let lint = render.lint.expect("a lint report");
    assert_eq!(lint["errors"], json!([]), "{lint}");
    let problems: Vec<&Value> =
        lint["messages"].as_array().unwrap().iter().filter(|m| m["severity"].as_i64() > Some(1)).collect();
    assert!(problems.is_empty(), "helm lint --strict: {problems:?}");
}

#[test]
fn a_default_install_runs_one_hardened_pod_on_sqlite_with_both_probes() {
    let Some(render) = render_with(json!({})) else { return };
    let render = rendered(&render);
    let kinds: BTreeSet<&str> = render.manifests.iter().filter_map(|m| m.object["kind"].as_str()).collect();
    let expected = ["Deployment", "PersistentVolumeClaim", "PodDisruptionBudget", "Secret", "Service"];
    assert_eq!(kinds, BTreeSet::from(expected));
    let deployment = render.one("Deployment");
    assert_eq!(deployment["spec"]["replicas"], 1);
    assert_eq!(deployment["spec"]["strategy"]["type"], "Recreate", "two processes never share the SQLite file");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 10001);
    assert_eq!(pod["automountServiceAccountToken"], false);
    let container = container(render);
    assert_eq!(container["image"], "sima:0.1.0");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(container["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(container["securityContext"]["capabilities"]["drop"], json!(["ALL"]));
    let mounts: Vec<&str> =
        container["volumeMounts"].as_array().unwrap().iter().filter_map(|m| m["mountPath"].as_str()).collect();
    assert_eq!(mounts, ["/var/lib/sima", "/tmp"], "the only writable paths");
    assert_eq!(pod["volumes"][0]["persistentVolumeClaim"]["claimName"], "sima");
    assert_eq!(container["envFrom"], json!([{"secretRef": {"name": "sima"}}]));
    let secret = render.one("Secret");
    assert_eq!(secret["stringData"], json!({"SIMA_API_TOKEN": TOKEN}));
    assert_eq!(render.one("PodDisruptionBudget")["spec"]["maxUnavailable"], 1, "a single pod can still be drained");
    let service = render.one("Service");
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
    assert_eq!(service["spec"]["selector"], deployment["spec"]["selector"]["matchLabels"]);
}

#[test]
fn the_chart_refuses_an_install_without_a_usable_api_token() {
    let Some(missing) = chart::render(&json!({}), false) else { return };
    assert!(missing.refusal().contains("auth.apiToken is required"), "{:?}", missing.error);
    let Some(short) = render_with(json!({"auth": {"apiToken": "short-token"}})) else { return };
    assert!(short.refusal().contains("auth.apiToken must be at least 16 characters"), "{:?}", short.error);
    let Some(short) = render_with(json!({"auth": {"webhookToken": "short-token"}})) else { return };
    assert!(short.refusal().contains("auth.webhookToken must be at least 16 characters"), "{:?}", short.error);
}

#[test]
fn the_chart_refuses_several_replicas_on_sqlite_or_on_one_read_write_once_volume() {
    let Some(sqlite) = render_with(json!({"replicaCount": 2})) else { return };
    assert!(sqlite.refusal().contains("replicaCount > 1 needs PostgreSQL"), "{:?}", sqlite.error);
    let Some(file) = render_with(json!({"replicaCount": 3, "database": {"url": "sqlite:///var/lib/sima/sima.db"}}))
    else {
        return;
    };
    assert!(file.refusal().contains("replicaCount > 1 needs PostgreSQL"), "{:?}", file.error);
    let Some(volume) = render_with(json!({"replicaCount": 2, "database": {"url": POSTGRES}})) else { return };
    assert!(volume.refusal().contains("cannot share a ReadWriteOnce volume"), "{:?}", volume.error);
}

#[test]
fn several_replicas_run_on_postgres_with_rolling_updates() {
    let values = json!({"replicaCount": 3, "database": {"url": POSTGRES}, "persistence": {"enabled": false}});
    let Some(render) = render_with(values) else { return };
    let render = rendered(&render);
    let deployment = render.one("Deployment");
    assert_eq!(deployment["spec"]["replicas"], 3);
    assert_eq!(deployment["spec"]["strategy"]["type"], "RollingUpdate");
    assert_eq!(deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
    assert_eq!(render.one("Secret")["stringData"]["SIMA_DATABASE_URL"], POSTGRES, "the URL is kept as a secret");
    assert!(render.all("PersistentVolumeClaim").is_empty());
    assert_eq!(deployment["spec"]["template"]["spec"]["volumes"][0], json!({"name": "data", "emptyDir": {}}));

    let from_secret = json!({"replicaCount": 2, "persistence": {"accessModes": ["ReadWriteMany"]},
        "database": {"existingSecret": "sima-db", "existingSecretKey": "url"}});
    let Some(render) = render_with(from_secret) else { return };
    let url = env(rendered(&render)).into_iter().find(|(name, _)| name == "SIMA_DATABASE_URL").expect("the URL");
    assert_eq!(url.1["valueFrom"]["secretKeyRef"], json!({"name": "sima-db", "key": "url"}));
}

#[test]
fn the_service_monitor_exists_only_when_enabled_and_presents_the_metrics_token() {
    let Some(off) = render_with(json!({"auth": {"metricsToken": TOKEN}})) else { return };
    assert!(rendered(&off).all("ServiceMonitor").is_empty());
    let values =
        json!({"auth": {"metricsToken": TOKEN}, "serviceMonitor": {"enabled": true, "labels": {"release": "kps"}}});
    let Some(on) = render_with(values) else { return };
    let monitor = rendered(&on).one("ServiceMonitor");
    assert_eq!(monitor["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(monitor["metadata"]["labels"]["release"], "kps");
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!((endpoint["port"].as_str(), endpoint["path"].as_str()), (Some("http"), Some("/metrics")));
    assert_eq!(endpoint["authorization"]["credentials"], json!({"name": "sima", "key": "SIMA_METRICS_TOKEN"}));
    let service_labels = &on.one("Service")["metadata"]["labels"];
    let job = monitor["spec"]["jobLabel"].as_str().expect("a jobLabel");
    let alerts = std::fs::read_to_string(repo::root().join("deploy/prometheus/alerts.yml")).unwrap_or_default();
    for (at, _) in alerts.match_indices("job=\"") {
        let selected = alerts[at + 5..].split('"').next().unwrap_or_default();
        assert_eq!(service_labels[job], selected, "deploy/prometheus/alerts.yml selects job=\"{selected}\"");
    }
    for (label, value) in monitor["spec"]["selector"]["matchLabels"].as_object().unwrap() {
        assert_eq!(&service_labels[label], value, "the ServiceMonitor selects the Service by {label}");
    }

    let Some(open) = render_with(json!({"serviceMonitor": {"enabled": true}})) else { return };
    assert!(rendered(&open).one("ServiceMonitor")["spec"]["endpoints"][0].get("authorization").is_none());
}

#[test]
fn an_existing_secret_replaces_the_charts_own_and_excludes_inline_credentials() {
    let values = json!({"existingSecret": "sima-credentials"});
    let Some(render) = chart::render(&values, false) else { return };
    let render = rendered(&render);
    assert!(render.all("Secret").is_empty(), "the chart makes no Secret");
    assert_eq!(container(render)["envFrom"], json!([{"secretRef": {"name": "sima-credentials"}}]));
    let Some(both) = render_with(json!({"existingSecret": "sima-credentials"})) else { return };
    assert!(both.refusal().contains("existingSecret is set"), "{:?}", both.error);
}

#[test]
fn a_sima_toml_is_mounted_read_only_from_a_config_map_and_named_by_sima_config() {
    let config = "[limits]\nrequests_per_second = 100\n";
    let Some(render) = render_with(json!({"config": config})) else { return };
    let render = rendered(&render);
    assert_eq!(render.one("ConfigMap")["data"]["sima.toml"].as_str().map(str::trim_end), Some(config.trim_end()));
    assert_eq!(env_value(render, "SIMA_CONFIG").as_deref(), Some("/etc/sima/sima.toml"));
    let mount = container(render)["volumeMounts"].as_array().unwrap().iter().find(|m| m["name"] == "config").cloned();
    assert_eq!(mount, Some(json!({"name": "config", "mountPath": "/etc/sima", "readOnly": true})));
}

#[test]
fn the_values_schema_refuses_a_misspelled_key() {
    let Some(render) = render_with(json!({"replicas": 3})) else { return };
    assert!(render.refusal().contains("replicas"), "{:?}", render.error);
}

#[test]
fn every_value_the_templates_read_is_declared_in_values_yaml() {
    let Some(render) = render_with(json!({})) else { return };
    let templates = std::fs::read_dir(repo::root().join("deploy/helm/sima/templates")).unwrap();
    let mut undeclared = BTreeSet::new();
    for entry in templates {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices(".Values.") {
            let reference: String =
                text[at + 8..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_').collect();
            let declared =
                reference.trim_end_matches('.').split('.').try_fold(&render.defaults, |value, key| value.get(key));
            if declared.is_none() {
                undeclared.insert(format!("{}: .Values.{reference}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(undeclared.is_empty(), "read by the templates, absent from values.yaml: {undeclared:?}");
}

#[test]
fn the_pod_environment_the_chart_renders_is_a_configuration_sima_accepts() {
    let values = json!({"publicUrl": "https://sima.example.com", "database": {"url": POSTGRES},
        "env": {"SIMA_LIMITS__REQUESTS_PER_SECOND": 100}});
    let Some(render) = render_with(values) else { return };
    let render = rendered(&render);
    let image = Dockerfile::parse(&repo::read("Dockerfile")).unwrap();
    let mut variables = image.final_stage().unwrap().env().unwrap();
    let secret = render.one("Secret")["stringData"].as_object().cloned().unwrap_or_default();
    variables.extend(secret.into_iter().map(|(name, value)| (name, value.as_str().unwrap_or_default().to_owned())));
    variables.extend(env(render).into_iter().filter_map(|(name, e)| Some((name, e["value"].as_str()?.to_owned()))));
    let settings = settings_from(variables).expect("the server accepts the pod's environment");
    assert_eq!(settings.listen, "0.0.0.0:3000");
    assert_eq!(settings.public_url, "https://sima.example.com");
    assert!(settings.is_postgres());
    assert!(settings.api_token.is_some() && !settings.open_to_loopback());
    assert_eq!(settings.limits.requests_per_second, 100);
}
