//! `sima-server migrate`: applies the database migrations and exits, for
//! teams that migrate as a deploy step (with `SIMA_AUTO_MIGRATE=false`).

use std::collections::HashMap;

use crate::settings::redact_url;
use crate::Settings;

/// Reads the settings, applies the migrations the database lacks, and says
/// which on standard output.
///
/// # Errors
/// Invalid settings, an unreachable database, or a migration that does not apply.
pub(super) async fn migrate(env: &HashMap<String, String>) -> anyhow::Result<()> {
    let settings = Settings::from_env(env)?;
    let migrated = crate::schema::migrate(&settings).await?;
    for migration in &migrated.applied {
        println!("applied {migration}");
    }
    println!(
        "the schema of {} is current: {} migrations, {} applied now",
        redact_url(&settings.database_url),
        migrated.total,
        migrated.applied.len()
    );
    Ok(())
}
