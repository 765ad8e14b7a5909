//! Fault injection for `careprompt import`: a full standard output
//! (`/dev/full`), a closed pipe, a full disk (a small tmpfs, where this
//! process may mount one), standard error on `/dev/full`, and a device that
//! never ends given as the census.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn careprompt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_careprompt"))
}

fn dev_full() -> Option<std::fs::File> {
    match OpenOptions::new().write(true).open("/dev/full") {
        Ok(f) => Some(f),
        Err(e) => {
            println!("skipped: no /dev/full here ({e})");
            None
        }
    }
}

fn import_ssda903(out: &Path) -> Command {
    let mut c = careprompt();
    c.arg("import")
        .arg("ssda903")
        .arg(fixtures().join("ssda903"))
        .arg("--out")
        .arg(out);
    c
}

#[test]
fn import_with_stdout_on_dev_full_exits_2_with_a_message() {
    let Some(full) = dev_full() else { return };
    let out = tempfile::tempdir().unwrap();
    let plans = out.path().join("plans");
    let o = import_ssda903(&plans)
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("cannot write the summary to standard output"),
        "{err}"
    );
    assert!(
        err.contains("the plans and the import log were written"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&plans).unwrap().count(), 2675);
}

#[test]
fn import_with_stderr_on_dev_full_does_not_panic() {
    let Some(full) = dev_full() else { return };
    let out = tempfile::tempdir().unwrap();
    let o = careprompt()
        .args(["import", "cin"])
        .arg(out.path().join("no-such.xml"))
        .arg("--out")
        .arg(out.path().join("p.ndjson"))
        .stderr(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn import_into_a_closed_pipe_ends_quietly() {
    let out = tempfile::tempdir().unwrap();
    let plans = out.path().join("plans.ndjson");
    let mut child = import_ssda903(&plans)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the first byte, as `| head -0` would.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(
        std::fs::read_to_string(&plans).unwrap().lines().count(),
        2675
    );
}

#[test]
fn import_cin_of_an_endless_device_stops_at_the_bound() {
    if !Path::new("/dev/zero").exists() {
        println!("skipped: no /dev/zero here");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let o = careprompt()
        .args(["import", "cin", "/dev/zero", "--out"])
        .arg(out.path().join("p.ndjson"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("larger than 268435456 bytes"), "{err}");
}

#[test]
fn import_on_a_full_disk_keeps_the_previous_output_and_says_so() {
    let disk = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=512k", "tmpfs"])
        .arg(disk.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("skipped: cannot mount a tmpfs here (needs root and mount)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _u = Unmount(disk.path());
    // A small earlier import that fits.
    let small = tempfile::tempdir().unwrap();
    std::fs::write(
        small.path().join("header.csv"),
        "CHILD,DOB\nK1,01/01/2012\n",
    )
    .unwrap();
    std::fs::write(
        small.path().join("episodes.csv"),
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nK1,01/05/2017,S,C2,U4,,\n",
    )
    .unwrap();
    for name in ["plans.ndjson", "plans"] {
        let out = disk.path().join(name);
        let first = careprompt()
            .args(["import", "ssda903"])
            .arg(small.path())
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(first.status.code(), Some(0));
        let log = disk.path().join("plans.import-log.json");
        let log_before = std::fs::read(&log).unwrap();
        let plan_before = if out.is_dir() {
            std::fs::read(out.join("K1.json")).unwrap()
        } else {
            std::fs::read(&out).unwrap()
        };
        let o = import_ssda903(&out).arg("--force").output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert!(err.contains("is as it was"), "{err}");
        let plan_after = if out.is_dir() {
            assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
            std::fs::read(out.join("K1.json")).unwrap()
        } else {
            std::fs::read(&out).unwrap()
        };
        assert_eq!(plan_after, plan_before, "{name}");
        assert_eq!(std::fs::read(&log).unwrap(), log_before, "{name}");
        std::fs::remove_file(&log).unwrap();
    }
}
