//! The Dockerfile: how the image is built and run, what goes into its build
//! context, and whether the environment it sets is one the server accepts.

use deploy_checks::dockerfile::{DockerIgnore, Dockerfile, Stage};
use deploy_checks::{env_file, repo};

use crate::helpers::{settings_from, TOKEN};

fn dockerfile() -> Dockerfile {
    Dockerfile::parse(&repo::read("Dockerfile")).expect("the Dockerfile parses")
}

fn runtime(file: &Dockerfile) -> &Stage {
    file.final_stage().expect("the Dockerfile has a stage")
}

fn image_env() -> Vec<(String, String)> {
    runtime(&dockerfile()).env().expect("ENV lines are NAME=value")
}

#[test]
fn the_image_is_built_locked_in_a_rust_stage_and_runs_from_debian_slim() {
    let file = dockerfile();
    assert_eq!(file.stages.len(), 2, "a builder stage and a runtime stage");
    let builder = &file.stages[0];
    assert_eq!(builder.name.as_deref(), Some("builder"));
    assert!(builder.base.starts_with("rust:${RUST_VERSION}"), "builder from {}", builder.base);
    assert!(
        builder.all("RUN").any(|run| run.contains("cargo build --release --locked -p sima-server")),
        "the server is built with the lockfile, in release mode"
    );
    assert!(
        builder.all("ARG").any(|arg| arg.starts_with("SIMA_BUILD_COMMIT")),
        "the commit reaches the build as SIMA_BUILD_COMMIT (.git stays out of the context)"
    );
    let runtime = runtime(&file);
    assert!(runtime.base.starts_with("debian:") && runtime.base.ends_with("-slim"), "runtime from {}", runtime.base);
    assert!(
        runtime
            .all("COPY")
            .any(|copy| copy.starts_with("--from=builder") && copy.ends_with("/usr/local/bin/sima-server")),
        "the runtime takes only the binary from the builder"
    );
}

#[test]
fn the_image_runs_unprivileged_with_its_data_under_var_lib_sima() {
    let file = dockerfile();
    let runtime = runtime(&file);
    let users: Vec<&str> = runtime.all("USER").collect();
    let user = users.last().expect("the runtime stage sets USER");
    let uid: u32 =
        user.split(':').next().unwrap_or_default().parse().expect("USER is numeric, so runAsNonRoot can check it");
    assert_ne!(uid, 0, "USER {user} is root");
    assert!(
        runtime.all("RUN").any(|run| run.contains(&format!("--uid {uid}")) && run.contains("-o sima -g sima")),
        "a user {uid} is created and owns its data directory"
    );
    assert_eq!(runtime.all("WORKDIR").last(), Some("/var/lib/sima"));
    let env = image_env();
    let value = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(value("SIMA_DATABASE_URL"), Some("sqlite:///var/lib/sima/sima.db"));
    assert_eq!(value("SIMA_POSTMORTEM_DIR"), Some("/var/lib/sima/postmortems"));
    assert_eq!(value("SIMA_LISTEN"), Some("0.0.0.0:3000"));
}

#[test]
fn the_image_exposes_its_port_and_checks_its_health_with_the_script_it_copies() {
    let file = dockerfile();
    let runtime = runtime(&file);
    assert_eq!(runtime.all("EXPOSE").collect::<Vec<_>>(), ["3000"]);
    let healthcheck = runtime.all("HEALTHCHECK").next().expect("a HEALTHCHECK");
    assert!(healthcheck.contains(r#"CMD ["/usr/local/bin/sima-healthcheck"]"#), "HEALTHCHECK {healthcheck}");
    assert!(
        runtime.all("COPY").any(|copy| copy.contains("deploy/docker/healthcheck /usr/local/bin/sima-healthcheck")),
        "the health check script is copied where HEALTHCHECK runs it"
    );
    assert_eq!(runtime.all("ENTRYPOINT").collect::<Vec<_>>(), [r#"["/usr/local/bin/sima-server"]"#]);
    assert_eq!(runtime.all("CMD").collect::<Vec<_>>(), [r#"["serve"]"#]);
}

#[test]
fn the_build_context_keeps_every_workspace_member_and_every_file_copied() {
    let ignore = DockerIgnore::parse(&repo::read(".dockerignore"));
    let manifest: toml::Table = repo::read("Cargo.toml").parse().expect("Cargo.toml parses");
    let members = manifest["workspace"]["members"].as_array().expect("workspace.members");
    let mut needed: Vec<String> = vec!["Cargo.toml".into(), "Cargo.lock".into()];
    for member in members.iter().filter_map(|m| m.as_str()) {
        needed.extend([format!("{member}/Cargo.toml"), format!("{member}/src")]);
    }
    needed.extend(["sima-store-sqlite/migrations", "sima-store-postgres/migrations"].map(String::from));
    let file = dockerfile();
    for copy in file.stages.iter().flat_map(|stage| stage.all("COPY")) {
        let words: Vec<&str> = copy.split_whitespace().filter(|w| !w.starts_with("--")).collect();
        if copy.contains("--from=") || words.first() == Some(&".") {
            continue;
        }
        needed.extend(words[..words.len() - 1].iter().map(|source| (*source).to_owned()));
    }
    for path in &needed {
        assert!(repo::root().join(path).exists(), "{path} is copied but does not exist");
        assert!(!ignore.excludes(path), ".dockerignore leaves out {path}, which the build needs");
    }
    for path in ["target/debug/sima-server", ".git/HEAD", "sima.db", "sima.env", "fuzz/target/x"] {
        assert!(ignore.excludes(path), ".dockerignore keeps {path} in the build context");
    }
}

#[test]
fn the_builder_rust_is_at_least_the_workspace_rust_version() {
    use deploy_checks::rust_versions::RustVersion;
    let manifest: toml::Table = repo::read("Cargo.toml").parse().expect("Cargo.toml parses");
    let declared = manifest["workspace"]["package"]["rust-version"].as_str().expect("workspace rust-version");
    let builder = dockerfile().arg_default("RUST_VERSION").expect("ARG RUST_VERSION=…").to_owned();
    assert!(
        RustVersion::parse(&builder).unwrap() >= RustVersion::parse(declared).unwrap(),
        "the image builds with Rust {builder}, older than the workspace's rust-version {declared}"
    );
}

#[test]
fn the_image_alone_listens_beyond_loopback_and_so_refuses_clients_without_a_token() {
    let settings = settings_from(image_env()).expect("the image's environment is a valid configuration");
    assert_eq!(settings.listen, "0.0.0.0:3000");
    assert!(!settings.is_postgres());
    assert!(!settings.open_to_loopback(), "no open mode in a container");
    assert!(settings.api_token.is_none());
    let api = settings.describe().into_iter().find(|line| line.starts_with("api:")).expect("an api line");
    assert!(api.contains("refusing every client"), "{api}");
}

#[test]
fn the_example_env_file_must_be_filled_in_before_sima_starts() {
    let example = env_file::parse(&repo::read("sima.env.example")).expect("sima.env.example parses");
    let error = settings_from(image_env().into_iter().chain(example)).expect_err("an empty SIMA_API_TOKEN is refused");
    assert!(error.contains("SIMA_API_TOKEN"), "{error}");
}

#[test]
fn the_example_env_file_filled_in_is_a_configuration_sima_accepts() {
    let example = env_file::parse(&repo::read("sima.env.example")).expect("sima.env.example parses");
    let filled = example.into_iter().map(|(name, value)| match name.as_str() {
        "SIMA_DATABASE_URL" => (name, value.replace("SAME_AS_POSTGRES_PASSWORD", TOKEN)),
        _ if value.is_empty() => (name, TOKEN.to_owned()),
        _ => (name, value),
    });
    let settings = settings_from(image_env().into_iter().chain(filled)).expect("the filled-in example is accepted");
    assert!(settings.is_postgres(), "compose runs SIMA on PostgreSQL");
    assert!(settings.api_token.is_some());
    assert!(!settings.open_to_loopback());
    assert_eq!(settings.listen, "0.0.0.0:3000");
}
