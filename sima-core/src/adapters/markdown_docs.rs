//! Post-mortems as Markdown files in a folder.

use std::path::PathBuf;

use async_trait::async_trait;

use crate::domain::DocRef;
use crate::model::Document;
use crate::ports::{DocsPort, PortError};
use crate::postmortem::to_markdown;

/// Writes each post-mortem to `<dir>/<number>.md` (`INC-42.md`). Writing the
/// same incident again replaces the file, so retries never duplicate.
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
        let number = &document.properties.number;
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(PortError::Invalid(format!("`{number}` cannot name a file")));
        }
        let (dir, path) = (self.dir.clone(), self.dir.join(format!("{number}.md")));
        let text = to_markdown(document);
        let written = off_the_runtime(move || {
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&path, text))
                .map(|()| std::path::absolute(&path).unwrap_or_else(|_| path.clone()))
                .map_err(|e| PortError::Transient(format!("writing {}: {e}", path.display())))
        })
        .await??;
        if let Some(base) = &self.url_base {
            return Ok(DocRef { id: number.clone(), url: format!("{base}/{number}.md") });
        }
        Ok(DocRef { id: number.clone(), url: format!("file://{}", written.display()) })
    }
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
