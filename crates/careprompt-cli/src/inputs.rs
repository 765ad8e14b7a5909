//! Plans from the command line: JSON files, directories of them, NDJSON
//! files (one plan a line) and standard input, read lazily so that memory
//! stays flat however many plans come in.

use std::io::{BufRead, BufReader, Chain, Cursor, Read};
use std::path::PathBuf;

use careprompt::host::{BatchFormat, Layout};

use crate::console::{eprint_note, escaped};
use crate::rules::{has_extension, name_has_extension, short_io, walk};

/// The most bytes read for one plan: one more than the engine accepts, so
/// that a larger plan is refused without being read whole into memory.
const READ_LIMIT: u64 = careprompt::MAX_PLAN_BYTES as u64 + 1;

fn too_large() -> String {
    format!("the plan is larger than {} bytes, the limit (help: check that this is one plan, not a whole export)", careprompt::MAX_PLAN_BYTES)
}

fn array_too_large() -> String {
    format!("the JSON array is larger than {} bytes, the limit for input read whole (help: give a large batch as NDJSON, one plan a line, which is read as it arrives)", careprompt::MAX_PLAN_BYTES)
}

/// Reads the rest of `input` onto `head`, up to the size limit of one
/// plan. `Ok(false)`: the limit was reached; the rest of the input has been
/// read and dropped, a buffer at a time (so that the writer is not left
/// blocked on a full pipe), and `head` is not a whole input.
fn read_rest_within_limit(input: &mut impl Read, head: &mut Vec<u8>) -> std::io::Result<bool> {
    let room = READ_LIMIT.saturating_sub(head.len() as u64);
    input.by_ref().take(room).read_to_end(head)?;
    if head.len() as u64 >= READ_LIMIT {
        let _ = std::io::copy(input, &mut std::io::sink());
        return Ok(false);
    }
    Ok(true)
}

/// Reads a whole plan file, refusing one over the limit after reading no
/// more than the limit.
fn read_plan(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| short_io(&e))?;
    let mut bytes = Vec::new();
    file.take(READ_LIMIT)
        .read_to_end(&mut bytes)
        .map_err(|e| short_io(&e))?;
    if bytes.len() as u64 >= READ_LIMIT {
        return Err(too_large());
    }
    Ok(bytes)
}

/// One plan to check: where it came from and its bytes, or why it could not be read.
pub struct PlanInput {
    /// `file`, or `file:line` for NDJSON.
    pub source: String,
    /// The plan's bytes.
    pub bytes: Result<Vec<u8>, String>,
}

enum Pending {
    Json(PathBuf),
    /// A JSON file found in a directory: skipped if it is an import log.
    DirJson(PathBuf),
    Ndjson(PathBuf),
    Stdin,
    Missing(String),
}

/// Standard input's buffer: reads from a pipe return what is there, so
/// this bounds what is held, not how long a read waits.
const STDIN_BUFFER: usize = 1 << 20;

/// Standard input, read as it arrives: what layout detection read first,
/// then the rest.
type StdinLines = Chain<Cursor<Vec<u8>>, BufReader<std::io::Stdin>>;

/// Where NDJSON lines come from.
enum Lines {
    File(BufReader<std::fs::File>),
    Stdin(StdinLines),
}

impl Lines {
    fn reader(&mut self) -> &mut dyn BufRead {
        match self {
            Lines::File(f) => f,
            Lines::Stdin(s) => s,
        }
    }

    /// Whether a line can be read without waiting for more input: a file
    /// always can; standard input when some of it is already buffered.
    fn ready(&self) -> bool {
        match self {
            Lines::File(_) => true,
            Lines::Stdin(s) => {
                let (head, rest) = s.get_ref();
                head.position() < head.get_ref().len() as u64 || !rest.buffer().is_empty()
            }
        }
    }
}

/// An iterator over the plans named on the command line.
pub struct Plans {
    pending: std::vec::IntoIter<Pending>,
    current: Option<(String, Lines, usize)>,
    queued: std::collections::VecDeque<PlanInput>,
}

/// Whether `bytes` hold an import log (an object with the
/// `import_log_version` key that every import log starts with) rather
/// than a plan.
fn is_import_log_layout(bytes: &[u8]) -> bool {
    const KEY: &[u8] = b"\"import_log_version\"";
    bytes.windows(KEY.len()).any(|w| w == KEY)
        && serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
            .is_ok_and(|m| m.contains_key("import_log_version"))
}

/// How many skipped files of a directory are named one by one.
const MAX_SKIP_NOTES: usize = 20;

/// Whether `p` is named as NDJSON (`.ndjson`, `.jsonl`, in any case).
pub fn is_ndjson(p: &std::path::Path) -> bool {
    has_extension(p, &["ndjson", "jsonl"])
}

/// Whether a file name is that of an import log (`<out>.import-log.json`),
/// which lies beside imported plans but is not a plan.
fn is_import_log(p: &std::path::Path) -> bool {
    has_extension(p, &["import-log.json"])
}

impl Plans {
    /// Plans from `args` (files, directories, `-`).
    pub fn new(args: &[String]) -> Plans {
        let mut pending = Vec::new();
        for a in args {
            if a == "-" {
                pending.push(Pending::Stdin);
                continue;
            }
            let p = PathBuf::from(a);
            if p.is_dir() {
                let found = walk(
                    &p,
                    &|n| name_has_extension(n, &["json", "ndjson", "jsonl"]),
                    false,
                );
                for f in found.other.iter().take(MAX_SKIP_NOTES) {
                    eprint_note(&format!(
                        "note: `{}`: skipped, not a plan file (.json, .ndjson or .jsonl)",
                        escaped(&f.display().to_string())
                    ));
                }
                if found.other.len() > MAX_SKIP_NOTES {
                    eprint_note(&format!(
                        "note: {} more file(s) in `{}` skipped, not plan files",
                        found.other.len() - MAX_SKIP_NOTES,
                        escaped(a)
                    ));
                }
                for f in found.files {
                    if is_import_log(&f) {
                        eprint_note(&format!(
                            "note: `{}`: skipped, an import log, not a plan",
                            escaped(&f.display().to_string())
                        ));
                        continue;
                    }
                    pending.push(if is_ndjson(&f) {
                        Pending::Ndjson(f)
                    } else {
                        Pending::DirJson(f)
                    });
                }
            } else if !p.exists() {
                pending.push(Pending::Missing(a.clone()));
            } else if is_ndjson(&p) {
                pending.push(Pending::Ndjson(p));
            } else {
                pending.push(Pending::Json(p));
            }
        }
        Plans {
            pending: pending.into_iter(),
            current: None,
            queued: Default::default(),
        }
    }
}

impl Plans {
    /// Whether the plans are standard input alone holding one plan (not an
    /// array, not NDJSON): reads standard input to tell, keeping what it
    /// read for the iterator.
    pub fn stdin_is_single(&mut self) -> bool {
        if self.pending.len() != 1 || !matches!(self.pending.as_slice(), [Pending::Stdin]) {
            return false;
        }
        self.pending.next();
        match self.open_stdin() {
            Some(input) => {
                let single = input.bytes.is_ok();
                self.queued.push_front(input);
                single
            }
            None => false,
        }
    }

    /// Whether the next plan can be read without waiting for more input
    /// on standard input (files never wait), so that a batch on a pipe has
    /// its reports written as its plans arrive.
    pub fn ready(&self) -> bool {
        !self.queued.is_empty()
            || self
                .current
                .as_ref()
                .is_none_or(|(_, lines, _)| lines.ready())
    }

    /// Reads the start of standard input and lays it out by the host
    /// layer's one detection rule (as the WASM package applies it), on a
    /// prefix ([`careprompt::host::detect_layout_prefix`]): NDJSON is then
    /// read a line at a time as it arrives, in bounded memory (its first
    /// plan is decided by its second line); one plan is read whole, up to
    /// the size limit; a JSON array is read whole, up to the same limit,
    /// and queued.
    fn open_stdin(&mut self) -> Option<PlanInput> {
        let error = |e: std::io::Error| PlanInput {
            source: "<stdin>".into(),
            bytes: Err(short_io(&e)),
        };
        // The rest of a plan or an array read whole, or why it was not.
        let read_rest = |stdin: &mut BufReader<std::io::Stdin>,
                         head: &mut Vec<u8>,
                         refusal: fn() -> String|
         -> Result<(), PlanInput> {
            match read_rest_within_limit(stdin, head) {
                Ok(true) => Ok(()),
                Ok(false) => Err(PlanInput {
                    source: "<stdin>".into(),
                    bytes: Err(refusal()),
                }),
                Err(e) => Err(error(e)),
            }
        };
        let mut stdin = BufReader::with_capacity(STDIN_BUFFER, std::io::stdin());
        let mut head = Vec::new();
        // Detection is tried on each of the first lines with anything on
        // them, then each time the input has grown by half (a pretty-printed
        // plan of many lines is parsed a few times, not once a line).
        let (mut lines, mut checked) = (0usize, 0usize);
        let layout = loop {
            let n = match stdin.by_ref().take(READ_LIMIT).read_until(b'\n', &mut head) {
                Ok(n) => n,
                Err(e) => return Some(error(e)),
            };
            let complete = n == 0;
            let blank = head
                .get(head.len() - n..)
                .is_some_and(|l| l.iter().all(u8::is_ascii_whitespace));
            if !blank {
                lines += 1;
            }
            if complete || (!blank && (lines <= 2 || head.len() >= checked + checked / 2)) {
                checked = head.len();
                if let Some(layout) = careprompt::host::detect_layout_prefix(&head, complete) {
                    break layout;
                }
            }
            if head.len() as u64 >= READ_LIMIT {
                // Undecided past the limit: the first plan alone is too
                // large. The rest is read and dropped, a buffer at a time.
                let _ = std::io::copy(&mut stdin, &mut std::io::sink());
                return Some(PlanInput {
                    source: "<stdin>".into(),
                    bytes: Err(too_large()),
                });
            }
        };
        match layout {
            Layout::Ndjson => {
                self.current = Some((
                    "<stdin>".into(),
                    Lines::Stdin(Cursor::new(head).chain(stdin)),
                    0,
                ));
                None
            }
            Layout::Array => {
                // A JSON array is read whole, so it is held to the limit of
                // one file (as a `.json` file holding an array is); a larger
                // batch belongs in NDJSON, which is read as it arrives.
                if let Err(refused) = read_rest(&mut stdin, &mut head, array_too_large) {
                    return Some(refused);
                }
                match careprompt::host::split_batch(&head, BatchFormat::Array) {
                    Ok(items) => {
                        self.queued.extend(items.into_iter().map(|item| PlanInput {
                            source: format!("<stdin>[{}]", item.index),
                            bytes: Ok(item.bytes.to_vec()),
                        }));
                        None
                    }
                    Err(e) => Some(PlanInput {
                        source: "<stdin>".into(),
                        bytes: Err(e.to_text()),
                    }),
                }
            }
            _ => {
                if let Err(refused) = read_rest(&mut stdin, &mut head, too_large) {
                    return Some(refused);
                }
                Some(PlanInput {
                    source: "<stdin>".into(),
                    bytes: Ok(head),
                })
            }
        }
    }
}

impl Iterator for Plans {
    type Item = PlanInput;

    fn next(&mut self) -> Option<PlanInput> {
        loop {
            if let Some(q) = self.queued.pop_front() {
                return Some(q);
            }
            if let Some((name, lines, line)) = &mut self.current {
                let reader = lines.reader();
                let mut buf = Vec::new();
                match (&mut *reader).take(READ_LIMIT).read_until(b'\n', &mut buf) {
                    Ok(0) => {
                        self.current = None;
                        continue;
                    }
                    Ok(_) => {
                        *line += 1;
                        if buf.len() as u64 >= READ_LIMIT && buf.last() != Some(&b'\n') {
                            // Skip the rest of an over-long line, a buffer at a time.
                            let mut rest = Vec::new();
                            loop {
                                rest.clear();
                                match (&mut *reader).take(64 * 1024).read_until(b'\n', &mut rest) {
                                    Ok(0) => break,
                                    Ok(_) if rest.last() == Some(&b'\n') => break,
                                    Ok(_) => {}
                                    Err(_) => break,
                                }
                            }
                            return Some(PlanInput {
                                source: format!("{name}:{line}"),
                                bytes: Err(too_large()),
                            });
                        }
                        if buf.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        return Some(PlanInput {
                            source: format!("{name}:{line}"),
                            bytes: Ok(buf),
                        });
                    }
                    Err(e) => {
                        let source = format!("{name}:{}", *line + 1);
                        self.current = None;
                        return Some(PlanInput {
                            source,
                            bytes: Err(short_io(&e)),
                        });
                    }
                }
            }
            let next = self.pending.next()?;
            match next {
                Pending::Missing(a) => {
                    return Some(PlanInput {
                        source: a,
                        bytes: Err("no such file or directory".into()),
                    })
                }
                Pending::DirJson(p) => {
                    let bytes = read_plan(&p);
                    if bytes.as_deref().is_ok_and(is_import_log_layout) {
                        eprint_note(&format!(
                            "note: `{}`: skipped, an import log, not a plan",
                            escaped(&p.display().to_string())
                        ));
                        continue;
                    }
                    return Some(PlanInput {
                        source: p.display().to_string(),
                        bytes,
                    });
                }
                Pending::Json(p) => {
                    let source = p.display().to_string();
                    return Some(PlanInput {
                        bytes: read_plan(&p),
                        source,
                    });
                }
                Pending::Ndjson(p) => {
                    let name = p.display().to_string();
                    match std::fs::File::open(&p) {
                        Ok(f) => self.current = Some((name, Lines::File(BufReader::new(f)), 0)),
                        Err(e) => {
                            return Some(PlanInput {
                                source: name,
                                bytes: Err(short_io(&e)),
                            })
                        }
                    }
                }
                Pending::Stdin => {
                    if let Some(input) = self.open_stdin() {
                        return Some(input);
                    }
                }
            }
        }
    }
}
