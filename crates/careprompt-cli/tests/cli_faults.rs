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

/// Runs `careprompt args`, killing it after `secs` seconds (a read that
/// never ends, or a FIFO that is never written, fails the test instead of
/// hanging it). Returns exit code, stdout and stderr.
fn run_within(
    args: &[&str],
    dir: Option<&std::path::Path>,
    secs: u64,
) -> (Option<i32>, String, String) {
    let mut c = bin();
    if let Some(d) = dir {
        c.current_dir(d);
    }
    let child = c
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(out) = rx.recv_timeout(std::time::Duration::from_secs(secs)) else {
        let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
        panic!("{args:?} did not end within {secs} s");
    };
    let out = out.unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn endless_files_are_refused_at_the_limit_for_every_kind_of_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("imports-zero.cpr"), "import \"/dev/zero\"\n").unwrap();
    std::fs::write(
        d.join("zero.test.toml"),
        "as_of = 2026-11-26\nbase = \"/dev/zero\"\n\n[[case]]\nname = \"x\"\n[case.expect]\n\"CMH-EDU-01\" = \"clear\"\n",
    )
    .unwrap();
    let ex01 = root().join(EX01);
    let ex01 = ex01.to_str().unwrap();
    let pack = root().join(PACK);
    let pack = pack.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "--rules", "/dev/zero", ex01],
        vec!["check", "--rules", "imports-zero.cpr", ex01],
        vec!["test", "--rules", pack, "zero.test.toml"],
        vec!["explain", "--rule", "CMH-EDU-01", "/dev/zero"],
        vec!["check", "/dev/zero"],
        vec!["fmt", "/dev/zero"],
    ];
    for args in cases {
        let (code, stdout, stderr) = run_within(&args, Some(d), 60);
        assert_ne!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            stderr.contains("larger than") || stdout.contains("larger than"),
            "{args:?}: {stdout}{stderr}"
        );
    }
}

#[test]
fn a_fifo_in_a_plan_directory_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join(EX01), d.join("a.json")).unwrap();
    let status = Command::new("mkfifo").arg(d.join("b.json")).status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available here");
        return;
    }
    let (code, stdout, stderr) = run_within(
        &[
            "check",
            "--as-of",
            "2026-11-26",
            "--format",
            "ndjson",
            d.to_str().unwrap(),
        ],
        None,
        60,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stderr.contains("b.json`: skipped, not a regular file"),
        "{stderr}"
    );
}

#[test]
fn symlink_loops_in_a_plan_directory_visit_each_plan_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join(EX01), d.join("a.json")).unwrap();
    std::os::unix::fs::symlink(".", d.join("self")).unwrap();
    std::os::unix::fs::symlink("loop2", d.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", d.join("loop2")).unwrap();
    std::os::unix::fs::symlink("a.json", d.join("same.json")).unwrap();
    let (code, stdout, stderr) = run_within(
        &[
            "check",
            "--as-of",
            "2026-11-26",
            "--format",
            "ndjson",
            d.to_str().unwrap(),
        ],
        None,
        60,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}\n{stderr}");
    assert!(stderr.contains("looping symbolic link"), "{stderr}");
}

#[test]
fn extensions_match_in_any_case_and_skipped_files_are_named() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = std::fs::read_to_string(root().join(EX01)).unwrap();
    let line: serde_json::Value = serde_json::from_str(&plan).unwrap();
    std::fs::write(d.join("A.json"), &plan).unwrap();
    std::fs::write(d.join("B.JSON"), &plan).unwrap();
    std::fs::write(d.join("C.NDJSON"), format!("{line}\n{line}\n")).unwrap();
    std::fs::write(d.join(std::ffi::OsStr::from_bytes(b"\xffname.json")), &plan).unwrap();
    std::fs::write(d.join("notes.txt"), "not a plan").unwrap();
    std::fs::write(
        d.join("plans.import-log.json"),
        "{\"source\": \"ssda903\", \"issues\": []}",
    )
    .unwrap();
    // An import log under another name, known by its layout.
    std::fs::write(
        d.join("renamed-log.json"),
        "{\"import_log_version\": 1, \"source\": \"ssda903\", \"inputs\": [], \"tables\": [], \"issues\": [], \"plans\": 3}",
    )
    .unwrap();
    let (code, stdout, stderr) = run_within(
        &[
            "check",
            "--as-of",
            "2026-11-26",
            "--format",
            "ndjson",
            d.to_str().unwrap(),
        ],
        None,
        60,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("renamed-log.json`: skipped, an import log"),
        "{stderr}"
    );
    // A.json, B.JSON, two lines of C.NDJSON and the non-UTF-8 name.
    assert_eq!(stdout.lines().count(), 5, "{stdout}\n{stderr}");
    assert!(stdout.contains("C.NDJSON:2"), "{stdout}");
    assert!(
        stderr.contains("notes.txt`: skipped, not a plan file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("plans.import-log.json`: skipped, an import log"),
        "{stderr}"
    );
    // An NDJSON file given by name, in capitals, is read as NDJSON.
    let c = d.join("C.NDJSON");
    let (code, stdout, stderr) = run_within(
        &[
            "check",
            "--as-of",
            "2026-11-26",
            "--format",
            "ndjson",
            c.to_str().unwrap(),
        ],
        None,
        60,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    // Rules in capitals are rules.
    let rules = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join(PACK).join("constants.cpr"),
        rules.path().join("C.CPR"),
    )
    .unwrap();
    let (code, _, stderr) = run_within(&["lint", rules.path().to_str().unwrap()], None, 60);
    assert_eq!(code, Some(0), "{stderr}");
}

fn with_stdin(args: &[&str], input: &[u8]) -> (Option<i32>, String, String) {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn ndjson_on_stdin_with_a_bad_first_line_checks_the_plans_after_it() {
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(EX01)).unwrap()).unwrap();
    let input = format!("{{\"child\": tru\n{plan}\n\n{plan}\n");
    let (code, stdout, stderr) = with_stdin(
        &["check", "--as-of", "2026-11-26", "--format", "ndjson", "-"],
        input.as_bytes(),
    );
    assert_eq!(code, Some(2), "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0]["source"], "<stdin>:1");
    assert!(lines[0].get("error").is_some());
    assert_eq!(lines[1]["source"], "<stdin>:2");
    assert_eq!(lines[2]["source"], "<stdin>:4");
    assert!(lines[2].get("report").is_some());
    assert!(stderr.contains("<stdin>:1:"), "{stderr}");
}

/// Issue 14: NDJSON on standard input is checked as it arrives, each
/// report written when its plan is in (it was read whole: an endless
/// stream never answered). A handshake, with no sleeps: two lines are
/// written (the second decides that the input is NDJSON, by the host
/// layer's detection rule), then report 1 is read before line 3 is
/// written, report 2 before line 4, and so on, standard input open all the
/// while; only a generous watchdog ends a child that never answers. In
/// every format; the output is the same as for the whole input at once.
#[test]
fn ndjson_on_an_open_pipe_gets_each_report_before_standard_input_closes() {
    use std::io::{BufRead, BufReader, Write};
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(EX01)).unwrap()).unwrap();
    let line = format!("{plan}\n");
    for format in ["ndjson", "csv", "json", "human", "plain"] {
        let args = ["check", "--as-of", "2026-11-26", "--format", format, "-"];
        let mut child = bin()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        let (done, watch) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if watch
                .recv_timeout(std::time::Duration::from_secs(120))
                .is_err()
            {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                return true;
            }
            false
        });
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut seen = String::new();
        // Reads output lines until report `k`'s source appears.
        let mut wait_for = |k: usize, seen: &mut String| {
            let marker = match format {
                "ndjson" => format!("\"source\":\"<stdin>:{k}\""),
                "json" => format!("\"source\": \"<stdin>:{k}\""),
                "csv" => format!("<stdin>:{k},"),
                _ => format!("(<stdin>:{k})"),
            };
            loop {
                let mut l = String::new();
                let n = stdout.read_line(&mut l).unwrap();
                assert!(n > 0, "{format}: output ended before report {k}:\n{seen}");
                seen.push_str(&l);
                if l.contains(&marker) {
                    return;
                }
            }
        };
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.flush().unwrap();
        for k in 1..=4 {
            wait_for(k, &mut seen);
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.flush().unwrap();
        }
        drop(stdin);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        seen.push_str(&rest);
        let status = child.wait().unwrap();
        let _ = done.send(());
        assert!(
            !watchdog.join().unwrap(),
            "{format}: the watchdog ended the check"
        );
        assert!(status.success(), "{format}: {status}");
        // The same output as for all six lines at once.
        let (code, whole, _) = with_stdin(&args, line.repeat(6).as_bytes());
        assert_eq!(code, Some(0));
        assert_eq!(seen, whole, "{format}");
    }
}

#[test]
fn one_plan_on_stdin_with_format_json_gives_the_report_itself() {
    let plan = std::fs::read(root().join(EX01)).unwrap();
    let (code, stdout, stderr) = with_stdin(
        &["check", "--as-of", "2026-11-26", "--format", "json", "-"],
        &plan,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(v.get("reports").is_none(), "{stdout}");
    assert_eq!(v["plan_id"], "EX-01");
    // The same as for the file.
    let file = bin()
        .args(["check", "--as-of", "2026-11-26", "--format", "json", EX01])
        .output()
        .unwrap();
    let f: serde_json::Value = serde_json::from_slice(&file.stdout).unwrap();
    assert_eq!(v, f);
}

#[test]
fn control_characters_from_plans_keys_and_file_names_are_escaped_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(root().join(EX01)).unwrap();
    let plan = plan.replacen(
        "\"plan_id\": \"EX-01\",",
        "\"plan_id\": \"EX\\u001b[8m-01\\nforged line\",\n  \"odd\\u001b[2Jkey\": 1,",
        1,
    );
    let name = dir.path().join("a\x1b[8m.json");
    std::fs::write(&name, &plan).unwrap();
    let bad = dir.path().join("b\x1b[2J.json");
    std::fs::write(&bad, "{").unwrap();
    for format in ["human", "plain"] {
        let out = bin()
            .args(["check", "--as-of", "2026-11-26", "--format", format])
            .arg(&name)
            .arg(&bad)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stdout.contains('\x1b'), "{format}: {stdout}");
        assert!(!stderr.contains('\x1b'), "{format}: {stderr}");
        assert!(
            stdout.contains("plan EX\\x1b[8m-01\\x0aforged line"),
            "{stdout}"
        );
        assert!(stdout.contains("a\\x1b[8m.json"), "{stdout}");
        assert!(stdout.contains("odd\\x1b[2Jkey"), "{stdout}");
        assert!(stderr.contains("b\\x1b[2J.json"), "{stderr}");
        assert!(
            !stdout.lines().any(|l| l.starts_with("forged line")),
            "{stdout}"
        );
    }
}

#[test]
fn importing_a_file_that_is_not_rules_never_shows_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("secret.txt"),
        "root:x:0:0:root:/root:/bin/bash\nChild Name, 1 Some Street\n",
    )
    .unwrap();
    std::fs::write(d.join("imports.cpr"), "import \"secret.txt\"\n").unwrap();
    let plan = std::fs::read_to_string(root().join(EX01)).unwrap();
    std::fs::write(d.join("plan.json"), &plan).unwrap();
    std::fs::write(d.join("imports-plan.cpr"), "import \"plan.json\"\n").unwrap();
    for (rules, secret) in [
        ("imports.cpr", "root:x:0:0"),
        ("imports-plan.cpr", "EX-01-C"),
        ("secret.txt", "root:x:0:0"),
    ] {
        let out = bin()
            .current_dir(d)
            .args(["check", "--rules", rules])
            .arg(root().join(EX01))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(!stderr.contains(secret), "{rules}: {stderr}");
        assert!(!stderr.contains("Some Street"), "{rules}: {stderr}");
        assert!(stderr.contains("is not a rules file"), "{rules}: {stderr}");
    }
}

#[test]
fn cohort_anchors_are_unique_for_shared_ids_and_ids_differing_in_punctuation() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    let plan = std::fs::read_to_string(root().join(EX01)).unwrap();
    for (i, id) in ["A.B", "A_B", "X", "X", "X", "X-2"].iter().enumerate() {
        let p = plan.replacen("\"id\": \"EX-01-C\"", &format!("\"id\": \"{id}\""), 1);
        std::fs::write(plans.join(format!("p{i}.json")), p).unwrap();
    }
    // Two rules whose ids differ only in punctuation, both firing.
    let rule = |id: &str| {
        format!("rule {id} {{\n  title \"t\"\n  theme \"T\"\n  kind practice\n  severity low\n  when child.looked_after = true\n  prompt \"p\"\n}}\n\n")
    };
    let rules = dir.path().join("r.cpr");
    std::fs::write(&rules, format!("{}{}", rule("A.B"), rule("A_B"))).unwrap();
    let html = dir.path().join("report.html");
    let out = bin()
        .args([
            "check",
            "--as-of",
            "2026-11-26",
            "--format",
            "json",
            "--html-report",
        ])
        .arg(&html)
        .arg("--rules")
        .arg(&rules)
        .arg(&plans)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html).unwrap();
    let all_ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let ids: std::collections::HashSet<&str> = all_ids.iter().copied().collect();
    assert_eq!(ids.len(), all_ids.len(), "ids are unique: {all_ids:?}");
    let children: Vec<&&str> = all_ids.iter().filter(|a| a.starts_with("child-")).collect();
    assert_eq!(children.len(), 6, "{children:?}");
    for target in html
        .split("href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(ids.contains(target), "#{target} has no target");
    }
}

#[test]
fn the_default_evaluation_date_is_the_local_date() {
    // Twenty-six hours apart: the two zones never share a date, while the
    // UTC date is the same for both.
    let as_of = |tz: &str| {
        let out = bin()
            .env("TZ", tz)
            .args(["check", "--format", "json", EX01])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["as_of"].as_str().unwrap().to_string()
    };
    let east = as_of("XXX-14");
    let west = as_of("YYY+12");
    assert_ne!(east, west, "both zones gave {east}");
    assert!(east > west);
}

#[test]
fn cohort_reports_on_a_full_disk_keep_the_earlier_report_whole() {
    let fs = match Tmpfs::mount("64k") {
        Ok(fs) => fs,
        Err(reason) => {
            eprintln!("skipped: {reason}");
            return;
        }
    };
    let html = fs.dir.path().join("report.html");
    let csv = fs.dir.path().join("report.csv");
    std::fs::write(&html, "earlier report").unwrap();
    std::fs::write(&csv, "earlier,csv\n").unwrap();
    {
        use std::io::Write;
        let mut filler = std::fs::File::create(fs.dir.path().join("filler")).unwrap();
        let page = vec![b'x'; 4096];
        while filler.write_all(&page).is_ok() {}
        let _ = filler.flush();
    }
    for (flag, path, earlier) in [
        ("--html-report", &html, "earlier report"),
        ("--csv-report", &csv, "earlier,csv\n"),
    ] {
        let out = bin()
            .args(["check", "--as-of", "2026-11-26", "--format", "csv", flag])
            .arg(path)
            .arg("examples/plans")
            .stdout(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("earlier report there is unchanged"),
            "{stderr}"
        );
        assert_eq!(std::fs::read_to_string(path).unwrap(), earlier);
    }
    assert_eq!(std::fs::read_dir(fs.dir.path()).unwrap().count(), 3);
}

#[test]
fn the_json_batch_object_is_streamed_in_the_documented_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(EX01), dir.path().join("a.json")).unwrap();
    std::fs::write(dir.path().join("b.json"), "{").unwrap();
    std::fs::copy(root().join(EX01), dir.path().join("c.json")).unwrap();
    let out = bin()
        .args(["check", "--as-of", "2026-11-26", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    // Written as the reports come: the header first, the errors and the
    // summary (known only at the end) after the reports.
    let at = |k: &str| {
        text.find(&format!("\n  \"{k}\":"))
            .unwrap_or_else(|| panic!("{k}: {text}"))
    };
    assert!(at("report_version") < at("engine"));
    assert!(at("engine") < at("as_of"));
    assert!(at("as_of") < at("reports"));
    assert!(at("reports") < at("errors"));
    assert!(at("errors") < at("summary"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["reports"].as_array().unwrap().len(), 2);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
    assert_eq!(v["summary"]["plans"], 2);
    // Each report is the one a single file gives.
    let single = bin()
        .args(["check", "--as-of", "2026-11-26", "--format", "json", EX01])
        .output()
        .unwrap();
    let single: serde_json::Value = serde_json::from_slice(&single.stdout).unwrap();
    assert_eq!(v["reports"][0]["report"], single);
    assert!(v["reports"][0]["source"]
        .as_str()
        .unwrap()
        .ends_with("a.json"));
    // No plans at all: an empty list, still one JSON object.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("x.json"), "[").unwrap();
    let out = bin()
        .args(["check", "--as-of", "2026-11-26", "--format", "json"])
        .arg(empty.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reports"], serde_json::json!([]));
}

/// A JSON array on standard input is read whole, so it is held to the
/// limit of one file, not read without end: past it the batch is refused
/// with help naming NDJSON (read as it arrives), and the rest of the input
/// is drained, not held.
#[test]
fn a_json_array_on_stdin_past_the_limit_is_refused_not_read_whole() {
    use std::io::Write as _;
    let mut child = bin()
        .args(["check", "--as-of", "2026-11-26", "--format", "ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // One small plan, then more padding than the limit allows.
        let _ = stdin.write_all(b"[{\"plan_id\": \"a\"},");
        let pad = vec![b' '; 1 << 20];
        for _ in 0..(careprompt::MAX_PLAN_BYTES / (1 << 20) + 2) {
            if stdin.write_all(&pad).is_err() {
                return;
            }
        }
        let _ = stdin.write_all(b"{\"plan_id\": \"b\"}]");
    });
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(out) = rx.recv_timeout(std::time::Duration::from_secs(120)) else {
        let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
        panic!("the check did not end within 120 s");
    };
    let _ = writer.join();
    let out = out.unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("the JSON array is larger than"), "{text}");
    assert!(text.contains("NDJSON"), "{text}");
}
