//! The image's health check (`deploy/docker/healthcheck`), run as Docker
//! runs it, against a real server and against answers other than 200.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};

use deploy_checks::repo;
use sima_server::Application;

use crate::helpers::settings_from;

fn healthcheck(listen: &str) -> Output {
    Command::new("bash")
        .arg(repo::root().join("deploy/docker/healthcheck"))
        .env("SIMA_LISTEN", listen)
        .output()
        .expect("bash runs the health check")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthcheck_passes_against_a_running_server_and_fails_once_it_stops() {
    let data = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", data.path().join("sima.db").display());
    let settings = settings_from([("SIMA_LISTEN", "127.0.0.1:0"), ("SIMA_DATABASE_URL", database.as_str())]).unwrap();
    let app = Application::build(settings).await.expect("the server starts");
    let listen = format!("0.0.0.0:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    let check = listen.clone();
    let alive = tokio::task::spawn_blocking(move || healthcheck(&check)).await.unwrap();
    assert!(alive.status.success(), "healthy server judged unhealthy: {}", String::from_utf8_lossy(&alive.stderr));

    stop.send(()).unwrap();
    server.await.unwrap().expect("the server stops cleanly");
    let gone = tokio::task::spawn_blocking(move || healthcheck(&listen)).await.unwrap();
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("nothing listens"), "{gone:?}");
}

#[test]
fn the_healthcheck_fails_on_an_answer_other_than_200() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let answering = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buffer = [0_u8; 1024];
        while !request.ends_with(b"\r\n\r\n") {
            match stream.read(&mut buffer).unwrap() {
                0 => break,
                read => request.extend_from_slice(&buffer[..read]),
            }
        }
        stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n").unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    let output = healthcheck(&format!("[::]:{port}"));
    let request = answering.join().unwrap();
    assert!(request.starts_with("GET /healthz HTTP/1.0\r\n"), "{request}");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("HTTP/1.1 503 Service Unavailable"), "{output:?}");
}
