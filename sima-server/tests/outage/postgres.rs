//! PostgreSQL stopped for 20 s under a trickle of declarations and updates.

use crate::cluster::Cluster;
use crate::helpers::Fakes;
use crate::process::ServerProcess;
use crate::scenario::{survive, Outage};

impl Outage for Cluster {
    fn cut(&self) {
        self.stop_server();
    }

    fn restore(&self) {
        self.start_server();
    }

    fn unready_while_cut(&self) -> bool {
        true
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_for_20_s_answers_fast_503s_loses_nothing_and_resumes_without_a_restart() {
    let Some(cluster) = Cluster::start() else { return };
    let fakes = Fakes::start(None).await;
    let mut server = ServerProcess::spawn(fakes.env(&cluster.url()));
    survive("PostgreSQL", &mut server, &fakes, &cluster).await;
    server.kill();
}
