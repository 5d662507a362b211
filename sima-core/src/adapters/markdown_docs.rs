//! Post-mortems as Markdown files in a folder.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use crate::domain::DocRef;
use crate::model::Document;
use crate::ports::{DocsPort, PortError};
use crate::postmortem::to_markdown;

/// Writes each post-mortem to `<dir>/<number>.md` (`INC-42.md`). Writing the
/// same incident again replaces the file, so retries never duplicate; an
/// update rewrites it the same way.
#[derive(Debug, Clone)]
pub struct MarkdownDocs {
    dir: PathBuf,
    url_base: Option<String>,
}

impl MarkdownDocs {
    /// Post-mortems go into `dir` (created if missing).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), url_base: None }
    }

    /// Links are `<base>/<number>.md` (a route that serves the folder) instead
    /// of `file://` paths, which reveal the server's file system.
    pub fn with_url_base(mut self, base: impl Into<String>) -> Self {
        self.url_base = Some(base.into().trim_end_matches('/').to_owned());
        self
    }
}

#[async_trait]
impl DocsPort for MarkdownDocs {
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        let number = file_stem(&document.properties.number)?;
        let (dir, path) = (self.dir.clone(), self.dir.join(format!("{number}.md")));
        let text = to_markdown(document);
        let written = off_the_runtime(move || {
            std::fs::create_dir_all(&dir)
                .and_then(|()| replace(&path, &text))
                .map(|()| std::path::absolute(&path).unwrap_or_else(|_| path.clone()))
                .map_err(|e| PortError::Transient(format!("writing {}: {e}", path.display())))
        })
        .await??;
        if let Some(base) = &self.url_base {
            return Ok(DocRef { id: number.to_owned(), url: format!("{base}/{number}.md") });
        }
        Ok(DocRef { id: number.to_owned(), url: format!("file://{}", written.display()) })
    }

    /// Rewrites `<dir>/<id>.md` in one step: a reader sees the old file or
    /// the new one, never half of it. A file someone removed is `NotFound`.
    async fn update_postmortem(&self, doc: &DocRef, document: &Document) -> Result<(), PortError> {
        let path = self.dir.join(format!("{}.md", file_stem(&doc.id)?));
        let text = to_markdown(document);
        off_the_runtime(move || {
            if !path.is_file() {
                return Err(PortError::NotFound(format!("the post-mortem {} is gone", path.display())));
            }
            replace(&path, &text).map_err(|e| PortError::Transient(format!("rewriting {}: {e}", path.display())))
        })
        .await?
    }
}

/// `name` if it can name a file in the folder (letters, digits, `-`).
fn file_stem(name: &str) -> Result<&str, PortError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(PortError::Invalid(format!("`{name}` cannot name a file")));
    }
    Ok(name)
}

/// Writes `text` to a temporary file beside `path`, then renames it over
/// `path`, which replaces the file atomically on the same file system.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    // Unique per write, so two writers of one file never share a temporary.
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}-{}.tmp", std::process::id(), WRITES.fetch_add(1, Ordering::Relaxed)));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// Runs blocking file I/O on a thread of its own and awaits its answer, so
/// no async runtime's worker blocks and the core needs no runtime.
async fn off_the_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, PortError> {
    let (answer, answered) = futures::channel::oneshot::channel();
    std::thread::Builder::new()
        .name("sima-markdown-docs".into())
        .spawn(move || {
            let _ = answer.send(work());
        })
        .map_err(|e| PortError::Transient(format!("starting a file-writing thread: {e}")))?;
    answered.await.map_err(|_| PortError::Transient("the file-writing thread stopped without answering".into()))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{DocBlock, PostmortemProperties, RichText};

    fn document(root_cause: &str) -> Document {
        Document {
            title: "Post-mortem INC-7".into(),
            properties: PostmortemProperties {
                number: "INC-7".into(),
                severity: "sev2".into(),
                domain: "outbound-email".into(),
                status: "Draft".into(),
                started_at: Utc.with_ymd_and_hms(2025, 3, 14, 9, 20, 0).unwrap(),
                resolved_at: None,
                mtta_minutes: None,
                mttr_minutes: None,
                incident_manager: None,
                room_url: None,
            },
            blocks: vec![
                DocBlock::Heading { level: 2, text: "Root cause".into() },
                DocBlock::Paragraph { text: RichText::new().plain(root_cause) },
            ],
            private: false,
        }
    }

    #[tokio::test]
    async fn an_update_rewrites_the_file_and_leaves_nothing_else_behind() {
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        let docs = MarkdownDocs::new(dir);
        let doc = docs.create_postmortem(&document("Not known yet")).await.unwrap();

        docs.update_postmortem(&doc, &document("A full disk")).await.unwrap();

        let text = std::fs::read_to_string(dir.join("INC-7.md")).unwrap();
        assert!(text.contains("A full disk") && !text.contains("Not known yet"), "{text}");
        let names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["INC-7.md"], "no temporary file is left");
    }

    #[tokio::test]
    async fn an_update_of_a_removed_file_is_not_found_and_a_bad_id_invalid() {
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        let docs = MarkdownDocs::new(dir);
        let gone = DocRef { id: "INC-7".into(), url: String::new() };
        let error = docs.update_postmortem(&gone, &document("x")).await.unwrap_err();
        assert!(matches!(error, PortError::NotFound(_)), "{error:?}");
        assert!(!dir.join("INC-7.md").exists(), "a removed post-mortem is not written again");

        let escaping = DocRef { id: "../INC-7".into(), url: String::new() };
        let error = docs.update_postmortem(&escaping, &document("x")).await.unwrap_err();
        assert!(matches!(error, PortError::Invalid(_)), "{error:?}");
    }
}
