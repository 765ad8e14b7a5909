//! Embeds the built-in rule pack (and its tests, for the browser
//! playground) from `pack/jtai-childrens-mental-health/`, inside this
//! crate so that the published package carries it. A missing or empty
//! pack, or a missing schema, fails the build: an engine without its rules
//! would report every plan as clear of every prompt.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, base, out);
        } else if let Ok(rel) = p.strip_prefix(base) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, p));
        }
    }
}

/// Stops the build with `message` (cargo shows build-script errors).
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rules = manifest.join("pack");
    let pack = rules.join("jtai-childrens-mental-health");
    let schema = manifest.join("schema/case-plan.schema.json");
    println!("cargo:rerun-if-changed={}", pack.display());
    println!("cargo:rerun-if-changed={}", schema.display());
    if !schema.is_file() {
        fail(&format!(
            "the case-plan schema is missing: expected {} (it is embedded in the engine)",
            schema.display()
        ));
    }
    if !pack.is_dir() {
        fail(&format!(
            "the built-in rule pack is missing: expected the directory {} (it is embedded in the engine)",
            pack.display()
        ));
    }
    let mut files = Vec::new();
    collect(&pack, &rules, &mut files);
    if !files
        .iter()
        .any(|(r, _)| r.ends_with(".cpr") && !r.contains("/tests/"))
    {
        fail(&format!(
            "the built-in rule pack at {} holds no `.cpr` rules files",
            pack.display()
        ));
    }
    let mut code = String::from("/// The built-in pack's rules files: (name, text).\npub const PACK_RULES: &[(&str, &str)] = &[\n");
    for (rel, path) in files
        .iter()
        .filter(|(r, _)| r.ends_with(".cpr") && !r.contains("/tests/"))
    {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    // The content hash of the built-in pack, worked out here once rather
    // than at every compile (a quarter of compiling the pack): the same
    // parts, in the same order, as `ruleset::identity` feeds the hash, the
    // rules files then the built-in schema. A test checks it against the
    // hash the library computes.
    let mut hash = Sha256::new();
    for (rel, path) in files
        .iter()
        .filter(|(r, _)| r.ends_with(".cpr") && !r.contains("/tests/"))
    {
        let text = std::fs::read(path)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())));
        hash.part("rules", rel, &text);
    }
    let schema_text = std::fs::read(&schema)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", schema.display())));
    hash.part("schema", "", &schema_text);
    let _ = writeln!(
        code,
        "];\n/// The content hash of the rules files above and the built-in schema.\npub const PACK_HASH: &str = {:?};",
        hash.finish_hex()
    );
    code.push_str("/// The built-in pack's rule tests and fixtures: (name, text).\npub const PACK_TESTS: &[(&str, &str)] = &[\n");
    for (rel, path) in files.iter().filter(|(r, _)| r.contains("/tests/")) {
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("pack.rs");
    if let Err(e) = std::fs::write(&out, code) {
        fail(&format!("cannot write {}: {e}", out.display()));
    }
}

/// SHA-256 (FIPS 180-4) for the pack's content hash, with the library's
/// framing of parts (`provenance::ContentHash`: kind, name and length,
/// each followed by a zero byte, then the bytes).
struct Sha256 {
    state: [u32; 8],
    pending: Vec<u8>,
    length: u64,
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

impl Sha256 {
    fn new() -> Sha256 {
        Sha256 {
            state: [
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
                0x5be0cd19,
            ],
            pending: Vec::new(),
            length: 0,
        }
    }

    fn part(&mut self, kind: &str, name: &str, bytes: &[u8]) {
        self.update(format!("{kind}\0{name}\0{}\0", bytes.len()).as_bytes());
        self.update(bytes);
    }

    fn update(&mut self, bytes: &[u8]) {
        self.length = self.length.wrapping_add(bytes.len() as u64);
        self.pending.extend_from_slice(bytes);
        let whole = self.pending.len() / 64 * 64;
        let blocks: Vec<u8> = self.pending.drain(..whole).collect();
        for block in blocks.chunks_exact(64) {
            self.compress(block);
        }
    }

    fn compress(&mut self, block: &[u8]) {
        let mut w: Vec<u32> = block
            .chunks_exact(4)
            .map(|b| b.iter().fold(0u32, |acc, &x| (acc << 8) | u32::from(x)))
            .collect();
        while w.len() < 64 {
            let at = |back: usize| w.get(w.len() - back).copied().unwrap_or(0);
            let (w15, w2) = (at(15), at(2));
            let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
            let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
            let v = at(16).wrapping_add(s0).wrapping_add(at(7)).wrapping_add(s1);
            w.push(v);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = self.state;
        for (k, wi) in K.iter().zip(&w) {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(*k)
                .wrapping_add(*wi);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (s, v) in self.state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
    }

    /// `sha256:` and the digest in lowercase hex.
    fn finish_hex(mut self) -> String {
        let bits = self.length.wrapping_mul(8);
        let mut tail = vec![0x80u8];
        while (self.pending.len() + tail.len()) % 64 != 56 {
            tail.push(0);
        }
        tail.extend_from_slice(&bits.to_be_bytes());
        self.update(&tail);
        let mut out = String::from("sha256:");
        for word in self.state {
            let _ = write!(out, "{word:08x}");
        }
        out
    }
}
