//! Fault injection and hostile inputs for the command line (issue 14):
//! standard output and standard error on a full disk (`/dev/full`), a
//! closed pipe, `fmt --write` failing half way, reads of endless files,
//! FIFOs and symlink loops in plan directories, and control characters.
//! docs/reliability.md lists each class with its test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Stdio};

mod common;
use common::root;

const EX01: &str = "examples/plans/ex-01-out-of-area-residential-adhd-medication.json";
const PACK: &str = "rules/jtai-childrens-mental-health";

fn bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("careprompt"));
    c.current_dir(root());
    c.env("NO_COLOR", "1");
    c
}

fn full() -> Option<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()
}

/// Every command that prints results, in every format.
fn writing_commands() -> Vec<Vec<&'static str>> {
    let mut all: Vec<Vec<&str>> = ["human", "plain", "json", "ndjson", "csv"]
        .iter()
        .map(|f| vec!["check", "--as-of", "2026-11-26", "--format", f, EX01])
        .collect();
    all.push(vec![
        "check",
        "--as-of",
        "2026-11-26",
        "--format",
        "json",
        "examples/plans",
    ]);
    all.push(vec!["test", PACK]);
    all.push(vec!["test", "--format", "json", PACK]);
    all.push(vec!["lint", PACK]);
    all.push(vec!["lint", "--format", "json", PACK]);
    all.push(vec![
        "explain",
        "--rule",
        "CMH-EDU-01",
        "--as-of",
        "2026-11-26",
        EX01,
    ]);
    all.push(vec![
        "explain",
        "--rule",
        "CMH-EDU-01",
        "--as-of",
        "2026-11-26",
        "--format",
        "json",
        EX01,
    ]);
    all.push(vec!["schema"]);
    all.push(vec![
        "fmt",
        "rules/jtai-childrens-mental-health/education.cpr",
    ]);
    all
}

#[test]
fn output_to_a_full_disk_exits_two_with_a_message_for_every_command() {
    let Some(_) = full() else {
        eprintln!("skipped: /dev/full is not available here");
        return;
    };
    for args in writing_commands() {
        let out = bin()
            .args(&args)
            .stdout(full().unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("could not write to standard output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn standard_error_on_a_full_disk_never_panics() {
    let Some(_) = full() else {
        eprintln!("skipped: /dev/full is not available here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.cpr");
    std::fs::write(&bad, "rule ((( oops").unwrap();
    let bad = bad.to_str().unwrap();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (
            vec!["check", "--as-of", "2026-11-26", "no-such-plan.json", EX01],
            2,
        ),
        (vec!["check", "--rules", bad, EX01], 2),
        (vec!["fmt", bad], 2),
        (vec!["lint", bad], 2),
        (vec!["explain", "--rule", "X", "no-such-plan.json"], 2),
    ];
    for (args, code) in cases {
        let out = bin()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(full().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_zero() {
    // Enough output to fill any pipe buffer.
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(root().join(EX01)).unwrap();
    let one: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let line = format!("{}\n", one);
    std::fs::write(dir.path().join("many.ndjson"), line.repeat(300)).unwrap();
    let many = dir.path().join("many.ndjson");
    for args in [
        vec!["check", "--as-of", "2026-11-26", many.to_str().unwrap()],
        vec![
            "check",
            "--as-of",
            "2026-11-26",
            "--format",
            "csv",
            many.to_str().unwrap(),
        ],
        vec!["schema"],
        vec!["fmt", "rules/jtai-childrens-mental-health/education.cpr"],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("could not write"), "{args:?}: {stderr}");
    }
}

/// A small tmpfs, unmounted when dropped; `None` (with the reason) where
/// mounting is not allowed.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cannot mount a tmpfs: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn fmt_write_on_a_full_disk_keeps_the_original_whole() {
    // Rules with their indentation removed: the canonical form is longer
    // by more than a page, so rewriting in place on a full disk cuts it short.
    let text = std::fs::read_to_string(root().join(PACK).join("education.cpr")).unwrap();
    let compact: String = text
        .lines()
        .filter(|l| !l.starts_with("import"))
        .map(|l| format!("{}\n", l.trim_start()))
        .collect::<String>()
        .repeat(15);
    let fs = match Tmpfs::mount("256k") {
        Ok(fs) => fs,
        Err(reason) => {
            eprintln!("skipped: {reason}");
            return;
        }
    };
    let target = fs.dir.path().join("rules.cpr");
    std::fs::write(&target, &compact).unwrap();
    // Fill the rest of the disk.
    {
        use std::io::Write;
        let mut filler = std::fs::File::create(fs.dir.path().join("filler")).unwrap();
        let page = vec![b'x'; 4096];
        while filler.write_all(&page).is_ok() {}
        let _ = filler.flush();
    }
    let out = bin()
        .args(["fmt", "--write"])
        .arg(&target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the file is unchanged"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), compact);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(fs.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn fmt_write_rewrites_through_a_rename_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(PACK).join("constants.cpr")).unwrap();
    let compact: String = text
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    let target = dir.path().join("constants.cpr");
    std::fs::write(&target, &compact).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.cpr");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = bin().args(["fmt", "--write"]).arg(&link).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let check = bin()
        .args(["fmt", "--check"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0));
}
