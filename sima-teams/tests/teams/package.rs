//! The Teams app package under `appPackage/`: a manifest Teams accepts, the
//! two icons it asks for, and the script that fills in the bot's app id and
//! SIMA's host and zips the three files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sima_core::testkit::messages::help;

const APP_ID: &str = "6f1c2a3b-0d4e-4f5a-9b8c-7d6e5f4a3b2c";

fn package_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("appPackage")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(package_dir().join("manifest.json")).unwrap();
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("{pointer} missing from the manifest"))
}

#[test]
fn the_manifest_has_what_teams_requires_on_the_current_schema() {
    let manifest = manifest();
    let version = text(&manifest, "/manifestVersion");
    let minor: u32 = version.strip_prefix("1.").and_then(|m| m.parse().ok()).expect("a 1.x manifest version");
    assert!(minor >= 17, "manifest version {version}");
    assert!(text(&manifest, "/$schema").ends_with(&format!("/v{version}/MicrosoftTeams.schema.json")));
    assert_eq!(text(&manifest, "/id"), "{{BOT_APP_ID}}");
    for field in ["/version", "/developer/name", "/description/full", "/icons/color", "/icons/outline"] {
        assert!(!text(&manifest, field).is_empty(), "{field}");
    }
    for url in ["/developer/websiteUrl", "/developer/privacyUrl", "/developer/termsOfUseUrl"] {
        assert!(text(&manifest, url).starts_with("https://"), "{url}");
    }
    assert!(text(&manifest, "/name/short").len() <= 30);
    assert!(text(&manifest, "/description/short").len() <= 80);
    let accent = text(&manifest, "/accentColor");
    assert!(accent.len() == 7 && accent.starts_with('#') && accent[1..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(manifest["validDomains"], serde_json::json!(["{{PUBLIC_HOST}}"]));

    let bot = &manifest["bots"][0];
    assert_eq!(bot["botId"], "{{BOT_APP_ID}}");
    assert!(bot["scopes"].as_array().unwrap().contains(&Value::from("team")), "incident rooms are team channels");
    assert_eq!(bot["isNotificationOnly"], false);
    let commands = bot["commandLists"][0]["commands"].as_array().unwrap();
    assert!(!commands.is_empty() && commands.len() <= 10, "Teams lists at most 10 commands");
    for command in commands {
        assert!(text(command, "/title").len() <= 32, "{command}");
        assert!(text(command, "/description").len() <= 128, "{command}");
    }
}

#[test]
fn every_command_the_manifest_lists_is_in_the_cores_command_table() {
    let help = help(None);
    let listed = help.blocks.iter().map(|b| format!("{b:?}")).collect::<String>();
    for command in manifest()["bots"][0]["commandLists"][0]["commands"].as_array().unwrap() {
        let title = text(command, "/title");
        let word = title.strip_prefix("incident ").unwrap_or_else(|| panic!("{title} starts with the command word"));
        assert!(listed.contains(&format!("/incident {word}")), "{word} is not a SIMA command: {listed}");
    }
}

/// Width, height and colour type from a PNG's header.
fn png_header(path: &Path) -> (u32, u32, u8) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20), bytes[25])
}

fn python() -> Option<&'static str> {
    let found = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    found.then_some("python3")
}

#[test]
fn the_icons_are_the_sizes_teams_asks_for_and_the_outline_is_white_on_transparent() {
    let dir = package_dir();
    assert_eq!(png_header(&dir.join("color.png")), (192, 192, 6));
    assert_eq!(png_header(&dir.join("outline.png")), (32, 32, 6));
    let Some(python) = python() else {
        eprintln!("python3 is missing: the outline icon's pixels are not checked");
        return;
    };
    // Every pixel white (any opacity) or fully transparent, and some of each.
    let check = r#"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
at, idat = 8, b""
while at < len(data):
    (size,) = struct.unpack(">I", data[at:at + 4])
    if data[at + 4:at + 8] == b"IDAT":
        idat += data[at + 8:at + 8 + size]
    at += 12 + size
raw = zlib.decompress(idat)
stride = 1 + 32 * 4
pixels = [raw[y * stride + 1 + x * 4:y * stride + 5 + x * 4] for y in range(32) for x in range(32)]
assert all(row[0] == 0 for row in [raw[y * stride:y * stride + 1] for y in range(32)]), "unfiltered rows"
assert all(p[3] == 0 or p[:3] == b"\xff\xff\xff" for p in pixels), "white on transparent"
assert any(p[3] == 255 for p in pixels) and any(p[3] == 0 for p in pixels)
print("ok")
"#;
    let output = Command::new(python).arg("-c").arg(check).arg(dir.join("outline.png")).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

fn package(args: &[&str], tool: Option<&str>) -> Output {
    let mut command = Command::new("sh");
    command.arg(package_dir().join("package.sh")).args(args);
    if let Some(tool) = tool {
        command.env("ZIP_TOOL", tool);
    }
    command.output().expect("sh runs")
}

/// The names and `manifest.json` of a zip, read with python3's `zipfile`.
fn read_zip(python: &str, zip: &Path) -> (Vec<String>, Value) {
    let read = "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({'names': z.namelist(), 'manifest': z.read('manifest.json').decode()}))";
    let output = Command::new(python).arg("-c").arg(read).arg(zip).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();
    let names = read["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned()).collect();
    (names, serde_json::from_str(read["manifest"].as_str().unwrap()).expect("the packaged manifest is JSON"))
}

#[test]
fn the_script_zips_the_three_files_with_the_app_id_and_host_filled_in() {
    let Some(python) = python() else {
        eprintln!("python3 is missing: the package script is not run (it needs zip or python3, the test python3)");
        return;
    };
    let zip_found = Command::new("zip").arg("-v").output().is_ok_and(|o| o.status.success());
    let tools: &[&str] = if zip_found { &["zip", "python3"] } else { &["python3"] };
    if !zip_found {
        eprintln!("zip is missing: the package is written with python3 only");
    }
    for tool in tools {
        let dir = tempfile_dir();
        let out = dir.join("sima.zip");
        let run = package(&[APP_ID, "https://sima.example.com/teams/messages", out.to_str().unwrap()], Some(tool));
        assert!(run.status.success(), "{tool}: {}", String::from_utf8_lossy(&run.stderr));
        assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), out.to_str().unwrap());

        let (mut names, manifest) = read_zip(python, &out);
        names.sort();
        assert_eq!(names, ["color.png", "manifest.json", "outline.png"], "{tool}");
        assert_eq!(manifest["id"], APP_ID);
        assert_eq!(manifest["bots"][0]["botId"], APP_ID);
        assert_eq!(manifest["validDomains"], serde_json::json!(["sima.example.com"]));
        assert!(!manifest.to_string().contains("{{"), "every placeholder is filled in: {manifest}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn the_script_refuses_an_app_id_that_is_no_guid_and_a_url_without_a_host() {
    let dir = tempfile_dir();
    let out = dir.join("sima.zip");
    for args in [
        ["not-a-guid", "https://sima.example.com", out.to_str().unwrap()],
        [APP_ID, "https://", out.to_str().unwrap()],
        [APP_ID, "sima example com", out.to_str().unwrap()],
    ] {
        let run = package(&args, None);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&run.stderr).is_empty());
        assert!(!out.exists(), "nothing is written for {args:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("sima-teams-package-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
