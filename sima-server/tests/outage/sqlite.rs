//! The SQLite file made read-only for 20 s under a trickle of declarations
//! and updates.
//!
//! The tests run as root, which ignores file permissions, and the server's
//! open connections would keep writing through their descriptors anyway. The
//! immutable attribute (`chattr +i`) binds root and open descriptors alike:
//! every write to the database file or its write-ahead log fails
//! (`disk I/O error` through an open connection, `attempt to write a readonly
//! database` through a new one) while reads go on, which is what a file made
//! read-only under a running server does. The `-shm` index is left writable:
//! SQLite maps it into memory, and a write to a mapped immutable file kills
//! the process with SIGBUS instead of failing one statement.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{Database, Fakes};
use crate::process::ServerProcess;
use crate::scenario::{survive, Outage};

/// The database file and its write-ahead log, immutable while cut.
struct ReadOnly {
    files: Vec<PathBuf>,
}

fn chattr(flag: &str, path: &Path) -> bool {
    Command::new("chattr").arg(flag).arg(path).output().is_ok_and(|out| out.status.success())
}

impl ReadOnly {
    fn new(database: &Path) -> Self {
        let wal = PathBuf::from(format!("{}-wal", database.display()));
        Self { files: vec![database.to_owned(), wal] }
    }
}

impl Outage for ReadOnly {
    fn cut(&self) {
        for file in &self.files {
            assert!(chattr("+i", file), "{} is made immutable", file.display());
        }
    }

    fn restore(&self) {
        for file in &self.files {
            assert!(chattr("-i", file), "{} is made writable", file.display());
        }
    }

    fn unready_while_cut(&self) -> bool {
        false
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        for file in &self.files {
            chattr("-i", file);
        }
    }
}

/// Whether this filesystem lets us set the immutable attribute (root on
/// ext4, xfs, btrfs…); outside CI the test is skipped with a notice when not.
fn immutable_supported(dir: &Path) -> bool {
    let probe = dir.join("probe");
    let supported = std::fs::write(&probe, b"x").is_ok() && chattr("+i", &probe);
    chattr("-i", &probe);
    let _ = std::fs::remove_file(&probe);
    supported
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_read_only_for_20_s_answers_fast_503s_loses_nothing_and_resumes_without_a_restart() {
    let database = Database::sqlite();
    let Database::Sqlite(dir) = &database else { unreachable!("a SQLite database") };
    if !immutable_supported(dir.path()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the read-only test: it needs root and a filesystem with `chattr +i`"
        );
        eprintln!("note: cannot set the immutable attribute here (not root?); skipping the SQLite read-only test");
        return;
    }
    let fakes = Fakes::start(None).await;
    let mut server = ServerProcess::spawn(fakes.env(&database.url()));
    let read_only = ReadOnly::new(&dir.path().join("sima.db"));
    survive("SQLite", &mut server, &fakes, &read_only).await;
    server.kill();
}
