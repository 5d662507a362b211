//! The Helm chart under `deploy/helm/sima`, rendered and linted by Helm's
//! own library (the `helm-python-sdk` package from PyPI, which carries
//! Helm's Go SDK), through `helm_render.py` beside this crate.

use std::io::Write;
use std::process::{Command, Stdio};

use serde::Deserialize;
use serde_json::{json, Value};

/// The chart, from the repository's root.
pub const CHART: &str = "deploy/helm/sima";

/// What Helm made of the chart with some values.
#[derive(Debug, Clone, Deserialize)]
pub struct Render {
    /// Whether the templates rendered; `false` with `error` when Helm
    /// refused the values (a `required` or `fail` in a template, or the schema).
    pub rendered: bool,
    /// Helm's error.
    #[serde(default)]
    pub error: Option<String>,
    /// Every rendered object, with the template that made it.
    #[serde(default)]
    pub manifests: Vec<Manifest>,
    /// The rendered NOTES.txt.
    #[serde(default)]
    pub notes: Option<String>,
    /// The chart's values.yaml, as Helm read it.
    pub defaults: Value,
    /// `helm lint --strict`'s report, when asked for.
    #[serde(default)]
    pub lint: Option<Value>,
}

/// One rendered Kubernetes object.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// `sima/templates/deployment.yaml`.
    pub template: String,
    /// The object, as JSON.
    pub object: Value,
}

impl Render {
    /// The objects of this kind.
    pub fn all(&self, kind: &str) -> Vec<&Value> {
        self.manifests.iter().map(|m| &m.object).filter(|o| o["kind"] == kind).collect()
    }

    /// The one object of this kind.
    ///
    /// # Panics
    /// When there is not exactly one.
    pub fn one(&self, kind: &str) -> &Value {
        match self.all(kind).as_slice() {
            [object] => object,
            other => panic!("{} {kind} objects rendered, expected one", other.len()),
        }
    }

    /// The Helm error of a refused render.
    ///
    /// # Panics
    /// When the chart rendered.
    pub fn refusal(&self) -> &str {
        assert!(!self.rendered, "the chart rendered; expected Helm to refuse the values");
        self.error.as_deref().unwrap_or_default()
    }
}

/// Renders the chart with `values` (and lints it when `lint`). `None` when
/// Helm's library is not installed outside CI (with a note saying how to
/// install it); in CI its absence fails the check.
///
/// # Panics
/// When Python fails, or Helm's library is missing in CI.
pub fn render(values: &Value, lint: bool) -> Option<Render> {
    let script = crate::repo::root().join("deploy-checks/helm_render.py");
    let mut child = match Command::new("python3")
        .arg(script)
        .current_dir(crate::repo::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => return unavailable(&format!("python3 could not be run: {error}")),
    };
    let request = json!({"chart": CHART, "values": values, "lint": lint});
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(request.to_string().as_bytes()).unwrap_or_else(|e| panic!("writing to helm_render.py: {e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("waiting for helm_render.py: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(3) => return unavailable(stderr.trim()),
        _ => panic!("helm_render.py failed ({}): {stderr}", output.status),
    }
    Some(serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("helm_render.py's answer: {e}")))
}

fn unavailable(why: &str) -> Option<Render> {
    assert!(!crate::repo::in_ci(), "CI must render the Helm chart: {why}");
    eprintln!("note: skipping a Helm chart check: {why}");
    None
}
