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
        let path = self.dir.join(format!("{number}.md"));
        std::fs::create_dir_all(&self.dir)
            .and_then(|()| std::fs::write(&path, to_markdown(document)))
            .map_err(|e| PortError::Transient(format!("writing {}: {e}", path.display())))?;
        if let Some(base) = &self.url_base {
            return Ok(DocRef { id: number.clone(), url: format!("{base}/{number}.md") });
        }
        let url = std::path::absolute(&path).unwrap_or(path);
        Ok(DocRef { id: number.clone(), url: format!("file://{}", url.display()) })
    }
}
