//! A seeded generator of synthetic Standard Safeguarding Dataset (SSD)
//! tables: coherent children with six years of history (care episodes,
//! placements, legal status, reviews, dated SDQ scores, missing episodes
//! with return home interviews, worker involvements, visits, health checks,
//! child protection and child-in-need plans, immigration status, care
//! leavers, disabilities), written as CSV extracts and as SQL for
//! PostgreSQL (`CREATE TABLE` and `COPY`). Every value is made up; no
//! record describes a real child.
//!
//! The quirks of real deployments are reproduced by [`System`]: Liquidlogic
//! (`systemc`) writes lookup descriptions for legal status, review
//! participation and episode ceased reason; Mosaic has no person column on
//! placements and involvements; pre-2015 placement codes appear in old
//! placements. [`Config::inject_errors`] adds bad rows (duplicate ids,
//! orphans, overlapping placements, rows after the evaluation date, values
//! of the wrong type, unmapped descriptions).

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{BufRead as _, BufReader, BufWriter, Write as _};
use std::path::{Path, PathBuf};

use careprompt::Date;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// A file could not be written.
    #[error("`{path}`: {message}")]
    Write {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

fn werr(path: &Path, e: &dyn std::fmt::Display) -> GenError {
    GenError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Which case-management system's SSD variant to imitate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    /// Liquidlogic (SystemC): descriptions in some columns.
    SystemC,
    /// Mosaic: no person column on placements and involvements.
    Mosaic,
    /// Eclipse: DfE codes throughout.
    Eclipse,
}

impl System {
    /// From its name (`systemc`, `mosaic`, `eclipse`).
    pub fn from_name(s: &str) -> Option<System> {
        match s {
            "systemc" | "liquidlogic" => Some(System::SystemC),
            "mosaic" => Some(System::Mosaic),
            "eclipse" => Some(System::Eclipse),
            _ => None,
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Children.
    pub children: u64,
    /// Years of history before the evaluation date.
    pub years: i64,
    /// The seed.
    pub seed: u64,
    /// The evaluation date the history ends at.
    pub as_of: Date,
    /// The system imitated.
    pub system: System,
    /// Add bad rows.
    pub inject_errors: bool,
}

/// A small, seeded pseudo-random generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    /// True with probability `p` percent.
    pub fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
}

struct Col {
    name: &'static str,
    sql: &'static str,
}

const fn col(name: &'static str, sql: &'static str) -> Col {
    Col { name, sql }
}

const V: &str = "varchar(100)";
const D: &str = "timestamp";
const F: &str = "double precision";
const I: &str = "integer";

fn columns(table: &str, system: System) -> Vec<Col> {
    let mosaic = system == System::Mosaic;
    let mut c = match table {
        "ssd_person" => vec![
            col("pers_person_id", V),
            col("pers_legacy_id", V),
            col("pers_sex", V),
            col("pers_dob", D),
            col("pers_upn_unknown", V),
        ],
        "ssd_cla_episodes" => vec![
            col("clae_cla_episode_id", V),
            col("clae_person_id", V),
            col("clae_cla_placement_id", V),
            col("clae_cla_episode_start_date", D),
            col("clae_cla_episode_start_reason", V),
            col("clae_cla_primary_need_code", V),
            col("clae_cla_episode_ceased_date", D),
            col("clae_cla_episode_ceased_reason", "varchar(255)"),
            col("clae_cla_id", V),
        ],
        "ssd_cin_episodes" => vec![
            col("cine_referral_id", V),
            col("cine_person_id", V),
            col("cine_referral_date", D),
        ],
        "ssd_cla_placement" => vec![
            col("clap_cla_placement_id", V),
            col("clap_cla_id", V),
            col("clap_person_id", V),
            col("clap_cla_placement_start_date", D),
            col("clap_cla_placement_type", V),
            col("clap_cla_placement_distance", F),
            col("clap_cla_placement_end_date", D),
            col("clap_cla_placement_change_reason", V),
        ],
        "ssd_legal_status" => vec![
            col("lega_legal_status_id", V),
            col("lega_person_id", V),
            col("lega_legal_status", "varchar(200)"),
            col("lega_legal_status_start_date", D),
            col("lega_legal_status_end_date", D),
        ],
        "ssd_cla_reviews" => vec![
            col("clar_cla_review_id", V),
            col("clar_cla_id", V),
            col("clar_cla_review_due_date", D),
            col("clar_cla_review_date", D),
            col("clar_cla_review_cancelled", "char(1)"),
            col("clar_cla_review_participation", "varchar(200)"),
            col("clar_cla_person_id", V),
        ],
        "ssd_sdq_scores" => vec![
            col("csdq_table_id", V),
            col("csdq_person_id", V),
            col("csdq_sdq_completed_date", D),
            col("csdq_sdq_score", I),
            col("csdq_sdq_reason", V),
        ],
        "ssd_missing" => vec![
            col("miss_table_id", V),
            col("miss_person_id", V),
            col("miss_missing_episode_start_date", D),
            col("miss_missing_episode_type", V),
            col("miss_missing_episode_end_date", D),
            col("miss_missing_rhi_offered", "varchar(2)"),
            col("miss_missing_rhi_accepted", "varchar(2)"),
        ],
        "ssd_involvements" => vec![
            col("invo_involvements_id", V),
            col("invo_professional_id", V),
            col("invo_professional_role_id", V),
            col("invo_person_id", V),
            col("invo_involvement_start_date", D),
            col("invo_involvement_end_date", D),
            col("invo_worker_change_reason", V),
            col("invo_referral_id", V),
        ],
        "ssd_disability" => vec![
            col("disa_table_id", V),
            col("disa_person_id", V),
            col("disa_disability_code", V),
        ],
        "ssd_cla_health" => vec![
            col("clah_health_check_id", V),
            col("clah_person_id", V),
            col("clah_health_check_type", V),
            col("clah_health_check_date", D),
            col("clah_health_check_status", V),
        ],
        "ssd_cla_visits" => vec![
            col("clav_cla_visit_id", V),
            col("clav_cla_id", V),
            col("clav_person_id", V),
            col("clav_cla_visit_date", D),
            col("clav_cla_visit_seen", "char(1)"),
            col("clav_cla_visit_seen_alone", "char(1)"),
        ],
        "ssd_cp_plans" => vec![
            col("cppl_cp_plan_id", V),
            col("cppl_person_id", V),
            col("cppl_cp_plan_start_date", D),
            col("cppl_cp_plan_end_date", D),
            col("cppl_cp_plan_latest_category", V),
        ],
        "ssd_cin_plans" => vec![
            col("cinp_cin_plan_id", V),
            col("cinp_person_id", V),
            col("cinp_cin_plan_start_date", D),
            col("cinp_cin_plan_end_date", D),
        ],
        "ssd_immigration_status" => vec![
            col("immi_immigration_status_id", V),
            col("immi_person_id", V),
            col("immi_immigration_status_start_date", D),
            col("immi_immigration_status_end_date", D),
            col("immi_immigration_status", V),
        ],
        "ssd_care_leavers" => vec![
            col("clea_table_id", V),
            col("clea_person_id", V),
            col("clea_care_leaver_eligibility", V),
            col("clea_care_leaver_in_touch", V),
        ],
        "ssd_cin_assessments" => vec![
            col("cina_assessment_id", V),
            col("cina_person_id", V),
            col("cina_referral_id", V),
            col("cina_assessment_start_date", D),
            col("cina_assessment_child_seen", "char(1)"),
            col("cina_assessment_auth_date", D),
        ],
        "ssd_assessment_factors" => vec![
            col("cinf_table_id", V),
            col("cinf_assessment_id", V),
            col(
                "cinf_assessment_factors_json",
                if mosaic { "varchar(1000)" } else { "text" },
            ),
        ],
        "ssd_cla_care_plan" => vec![
            col(
                if mosaic {
                    "lacp_cla_care_plan_id"
                } else {
                    "lacp_table_id"
                },
                V,
            ),
            col("lacp_person_id", V),
            col("lacp_cla_care_plan_start_date", D),
            col("lacp_cla_care_plan_end_date", D),
            col("lacp_cla_care_plan_json", "varchar(1000)"),
        ],
        // A placeholder table the Liquidlogic script creates but does not fill.
        "ssd_voice_of_child" => vec![
            col("voch_table_id", V),
            col("voch_person_id", V),
            col("voch_explained_worries", "char(1)"),
        ],
        _ => Vec::new(),
    };
    if mosaic {
        c.retain(|x| x.name != "clap_person_id" && x.name != "invo_person_id");
    } else {
        c.retain(|x| x.name != "clar_cla_person_id");
    }
    c
}

/// The tables written, in order.
pub const TABLES: &[&str] = &[
    "ssd_person",
    "ssd_cla_episodes",
    "ssd_cin_episodes",
    "ssd_cla_placement",
    "ssd_legal_status",
    "ssd_cla_reviews",
    "ssd_sdq_scores",
    "ssd_missing",
    "ssd_involvements",
    "ssd_disability",
    "ssd_cla_health",
    "ssd_cla_visits",
    "ssd_cp_plans",
    "ssd_cin_plans",
    "ssd_immigration_status",
    "ssd_care_leavers",
    "ssd_voice_of_child",
    "ssd_cin_assessments",
    "ssd_assessment_factors",
    "ssd_cla_care_plan",
];

/// One table's CSV file being written.
struct Out {
    cols: Vec<&'static str>,
    w: csv::Writer<BufWriter<File>>,
    path: PathBuf,
    rows: u64,
}

impl Out {
    /// Writes a row given as (column, value) pairs; columns the system
    /// does not have are dropped.
    fn row(&mut self, values: &[(&str, String)]) -> Result<(), GenError> {
        let record: Vec<&str> = self
            .cols
            .iter()
            .map(|c| {
                values
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            })
            .collect();
        self.rows += 1;
        self.w
            .write_record(&record)
            .map_err(|e| werr(&self.path, &e))
    }
}

fn d(date: Date) -> String {
    date.to_string()
}

/// The permanence plan options of the SSD care plan (the importer's list).
const PERMANENCE: &[&str] = careprompt_import::ssd::codes::PERMANENCE_OPTIONS;

const LEGAL_DESC: &[(&str, &str)] = &[
    ("C1", "Interim care order"),
    ("C2", "Full care order"),
    ("E1", "Placement order granted"),
    (
        "V2",
        "Single period of accommodation under section 20 (Children Act 1989)",
    ),
    ("L2", "Emergency protection order (EPO)"),
    (
        "J1",
        "Remanded to local authority accommodation or to youth detention accommodation",
    ),
];
const PARTICIPATION_DESC: &[(&str, &str)] = &[
    ("PN1", "Child physically attends and speaks for him or herself (Attendance)."),
    ("PN2", "Child physically attends and an advocate speaks on his or her behalf."),
    ("PN3", "Child attends and conveys his or her view symbolically (non-verbally)."),
    ("PN5", "Child does not attend physically but briefs an advocate to speak for him or her."),
    ("PN6", "Child does not attend but conveys his or her feelings to the review by a facilitative medium."),
    ("PN7", "Child does not attend nor are his or her views conveyed to the review"),
];
const CEASED_DESC: &[(&str, &str)] = &[
    ("E2", "Died"),
    ("E3", "Care taken over by another local authority in the UK"),
    ("E7", "Sentenced to custody"),
    ("E8", "Period of being looked after ceased for any other reason (where none of the other reasons apply)"),
];

fn coded(rng: &mut Rng, list: &[(&'static str, &'static str)], desc: bool) -> String {
    let i = rng.below(list.len() as u64) as usize;
    list.get(i)
        .map(|(c, t)| if desc { t.to_string() } else { c.to_string() })
        .unwrap_or_default()
}

/// Writes the CSV extracts into `dir` (one `<table>.csv` each) and, when
/// `sql` is given, the SQL for PostgreSQL (schema `schema`). Returns the
/// rows written per table.
pub fn generate(
    config: &Config,
    dir: &Path,
    sql: Option<(&Path, &str)>,
) -> Result<Vec<(String, u64)>, GenError> {
    std::fs::create_dir_all(dir).map_err(|e| werr(dir, &e))?;
    let mut outs: Vec<Out> = Vec::new();
    for t in TABLES {
        let path = dir.join(format!("{t}.csv"));
        let f = File::create(&path).map_err(|e| werr(&path, &e))?;
        let mut w = csv::WriterBuilder::new().from_writer(BufWriter::new(f));
        let cols: Vec<&'static str> = columns(t, config.system).iter().map(|c| c.name).collect();
        w.write_record(&cols).map_err(|e| werr(&path, &e))?;
        outs.push(Out {
            cols,
            w,
            path,
            rows: 0,
        });
    }
    let mut rng = Rng::new(config.seed);
    // Assessments draw from their own stream, so the other tables are the
    // same as before they were added.
    let mut arng = Rng::new(config.seed ^ 0x4A4A_4A4A_4A4A_4A4A);
    // Care plans too: their own stream and ids.
    let mut prng = Rng::new(config.seed ^ 0x5050_5050_5050_5050);
    let as_of = config.as_of;
    let window_start = as_of.add_months(-12 * config.years);
    let span = i64::from(as_of.days() - window_start.days()).max(1);
    let desc = config.system == System::SystemC;
    let mut seq: u64 = 0;
    let mut next = |prefix: &str| {
        seq += 1;
        format!("{prefix}{seq}")
    };
    for n in 0..config.children {
        let pid = format!("{}", 100_000 + n);
        let age_days = 365 * (1 + rng.below(17) as i64) + rng.below(365) as i64;
        let dob = as_of.add_days(-age_days);
        let [person, episodes, cin, placements, legal, reviews, sdq, missing, invo, disability, health, visits, cp, cinp, immi, leavers, _voice, assess, factors, care_plans, ..] =
            outs.as_mut_slice()
        else {
            break;
        };
        person.row(&[
            ("pers_person_id", pid.clone()),
            ("pers_legacy_id", format!("L{pid}")),
            ("pers_sex", rng.pick(&["M", "F"]).to_string()),
            ("pers_dob", d(dob)),
            ("pers_upn_unknown", "UN1".to_string()),
        ])?;
        // Every child has a referral (so involvements can link to it).
        let ref_id = next("R");
        let ref_date = window_start
            .add_days(rng.below(span as u64 / 2) as i64)
            .max(dob);
        cin.row(&[
            ("cine_referral_id", ref_id.clone()),
            ("cine_person_id", pid.clone()),
            ("cine_referral_date", d(ref_date)),
        ])?;
        // Social worker involvements: 1-5 consecutive.
        let workers = 1 + rng.below(5);
        let mut at = ref_date;
        for k in 0..workers {
            let len = 60 + rng.below(400) as i64;
            let end = at.add_days(len);
            let last = k + 1 == workers || end > as_of;
            invo.row(&[
                ("invo_involvements_id", next("I")),
                ("invo_professional_id", format!("W{}", rng.below(900))),
                ("invo_professional_role_id", "CW".to_string()),
                ("invo_person_id", pid.clone()),
                ("invo_involvement_start_date", d(at)),
                (
                    "invo_involvement_end_date",
                    if last { String::new() } else { d(end) },
                ),
                (
                    "invo_worker_change_reason",
                    if k == 0 {
                        String::new()
                    } else {
                        rng.pick(&["LEFTRL", "MANAGE", "ORGRST", "CHCHAN", "OTHERS"])
                            .to_string()
                    },
                ),
                ("invo_referral_id", ref_id.clone()),
            ])?;
            if last {
                break;
            }
            at = end;
        }
        if rng.pct(8) {
            disability.row(&[
                ("disa_table_id", next("D")),
                ("disa_person_id", pid.clone()),
                (
                    "disa_disability_code",
                    rng.pick(&["AUT", "LD", "COMM", "BEH"]).to_string(),
                ),
            ])?;
        }
        if rng.pct(10) {
            let s = ref_date.add_days(30);
            if s <= as_of {
                let e = s.add_days(200 + rng.below(300) as i64);
                cp.row(&[
                    ("cppl_cp_plan_id", next("CP")),
                    ("cppl_person_id", pid.clone()),
                    ("cppl_cp_plan_start_date", d(s)),
                    (
                        "cppl_cp_plan_end_date",
                        if e <= as_of { d(e) } else { String::new() },
                    ),
                    (
                        "cppl_cp_plan_latest_category",
                        rng.pick(&["NEG", "EMO", "PHY", "SAB", "MUL"]).to_string(),
                    ),
                ])?;
            }
        }
        if rng.pct(20) {
            let s = ref_date.add_days(14);
            if s <= as_of {
                let e = s.add_days(100 + rng.below(400) as i64);
                cinp.row(&[
                    ("cinp_cin_plan_id", next("CN")),
                    ("cinp_person_id", pid.clone()),
                    ("cinp_cin_plan_start_date", d(s)),
                    (
                        "cinp_cin_plan_end_date",
                        if e <= as_of { d(e) } else { String::new() },
                    ),
                ])?;
            }
        }
        // About 40% have been looked after in the window.
        if !rng.pct(40) {
            continue;
        }
        let cla_id = next("CLA");
        let start = ref_date.add_days(rng.below(200) as i64).min(as_of);
        let ceased = if rng.pct(35) {
            Some(start.add_days(100 + rng.below(900) as i64)).filter(|e| *e < as_of)
        } else {
            None
        };
        let care_end = ceased.unwrap_or(as_of);
        // Care plans: one from the start of care, for some a second one
        // later; the permanence plan blank while none is agreed (most
        // plans of a child new to care), else one option or two (parallel
        // planning), in the system's form of the JSON.
        {
            let plans = 1 + prng.below(2);
            let mut from = start;
            for k in 0..plans {
                let to = if k + 1 == plans {
                    ceased
                } else {
                    Some(from.add_days(90 + prng.below(400) as i64)).filter(|e| *e < care_end)
                };
                let recent = i64::from(as_of.days() - from.days()) < 120;
                let mut chosen: Vec<&str> = Vec::new();
                if !(recent && prng.pct(70)) && prng.pct(85) {
                    chosen.push(prng.pick(PERMANENCE));
                    if prng.pct(15) {
                        let other = prng.pick(PERMANENCE);
                        if !chosen.contains(&other) {
                            chosen.push(other);
                        }
                    }
                }
                let json = match config.system {
                    System::SystemC => {
                        let parts: Vec<String> = PERMANENCE
                            .iter()
                            .map(|o| {
                                let v = if chosen.contains(o) { "Y" } else { "" };
                                format!("\"{o}\": \"{v}\"")
                            })
                            .collect();
                        format!("{{{}}}", parts.join(", "))
                    }
                    System::Mosaic => {
                        let parts: Vec<String> =
                            chosen.iter().map(|o| format!("\"{o}\": \"Yes\"")).collect();
                        format!("{{{}}}", parts.join(", "))
                    }
                    System::Eclipse => {
                        let parts: Vec<String> =
                            chosen.iter().map(|o| format!("\"{o}\"")).collect();
                        format!("[{}]", parts.join(", "))
                    }
                };
                let id = format!("CP{pid}-{k}");
                care_plans.row(&[
                    ("lacp_table_id", id.clone()),
                    ("lacp_cla_care_plan_id", id),
                    ("lacp_person_id", pid.clone()),
                    ("lacp_cla_care_plan_start_date", d(from)),
                    ("lacp_cla_care_plan_end_date", to.map(d).unwrap_or_default()),
                    ("lacp_cla_care_plan_json", json),
                ])?;
                match to {
                    Some(e) => from = e,
                    None => break,
                }
            }
        }
        // Placements: consecutive, 1-6.
        let count = 1 + rng.below(6);
        let mut at = start;
        let mut first_placement = String::new();
        for k in 0..count {
            let place_id = next("P");
            if k == 0 {
                first_placement = place_id.clone();
            }
            let len = 20 + rng.below(500) as i64;
            let end = at.add_days(len);
            let last = k + 1 == count || end >= care_end;
            let end_text = if last {
                ceased.map(d).unwrap_or_default()
            } else {
                d(end)
            };
            let code = if at.ymd().0 < 2015 && rng.pct(50) {
                rng.pick(&["F4", "F6", "H2", "Q2"])
            } else {
                rng.pick(&[
                    "U4", "U6", "U3", "K2", "R1", "T0", "T4", "P1", "H5", "R2", "K1",
                ])
            };
            let reason = if end_text.is_empty() {
                String::new()
            } else {
                rng.pick(&["CARPL", "CREQB", "CREQO", "LAREQ", "CHILD", "OTHER"])
                    .to_string()
            };
            placements.row(&[
                ("clap_cla_placement_id", place_id),
                ("clap_cla_id", cla_id.clone()),
                ("clap_person_id", pid.clone()),
                ("clap_cla_placement_start_date", d(at)),
                ("clap_cla_placement_type", code.to_string()),
                (
                    "clap_cla_placement_distance",
                    format!("{}.{}", rng.below(60), rng.below(10)),
                ),
                ("clap_cla_placement_end_date", end_text),
                ("clap_cla_placement_change_reason", reason),
            ])?;
            if last {
                break;
            }
            at = end;
        }
        episodes.row(&[
            ("clae_cla_episode_id", next("E")),
            ("clae_person_id", pid.clone()),
            ("clae_cla_placement_id", first_placement),
            ("clae_cla_episode_start_date", d(start)),
            ("clae_cla_episode_start_reason", "S".to_string()),
            (
                "clae_cla_primary_need_code",
                rng.pick(&["N1", "N2", "N4"]).to_string(),
            ),
            (
                "clae_cla_episode_ceased_date",
                ceased.map(d).unwrap_or_default(),
            ),
            (
                "clae_cla_episode_ceased_reason",
                if ceased.is_some() {
                    coded(&mut rng, CEASED_DESC, desc)
                } else {
                    String::new()
                },
            ),
            ("clae_cla_id", cla_id.clone()),
        ])?;
        // Legal status: one or two periods.
        let ls_change = start.add_days(30 + rng.below(200) as i64);
        let two = rng.pct(50) && ls_change < care_end;
        legal.row(&[
            ("lega_legal_status_id", next("LS")),
            ("lega_person_id", pid.clone()),
            ("lega_legal_status", coded(&mut rng, LEGAL_DESC, desc)),
            ("lega_legal_status_start_date", d(start)),
            (
                "lega_legal_status_end_date",
                if two {
                    d(ls_change)
                } else {
                    ceased.map(d).unwrap_or_default()
                },
            ),
        ])?;
        if two {
            legal.row(&[
                ("lega_legal_status_id", next("LS")),
                ("lega_person_id", pid.clone()),
                ("lega_legal_status", coded(&mut rng, LEGAL_DESC, desc)),
                ("lega_legal_status_start_date", d(ls_change)),
                (
                    "lega_legal_status_end_date",
                    ceased.map(d).unwrap_or_default(),
                ),
            ])?;
        }
        // Reviews: 20 days, 3 months, then every 6 months.
        let mut r = start.add_days(20);
        let mut step = 3;
        while r <= care_end {
            let part = if dob.whole_years_until(r) < 4 {
                "PN0".to_string()
            } else {
                coded(&mut rng, PARTICIPATION_DESC, desc)
            };
            reviews.row(&[
                ("clar_cla_review_id", next("RV")),
                ("clar_cla_id", cla_id.clone()),
                ("clar_cla_review_due_date", d(r)),
                ("clar_cla_review_date", d(r.add_days(rng.below(10) as i64))),
                (
                    "clar_cla_review_cancelled",
                    if rng.pct(3) { "Y" } else { "N" }.to_string(),
                ),
                ("clar_cla_review_participation", part),
                ("clar_cla_person_id", pid.clone()),
            ])?;
            r = r.add_months(step);
            step = 6;
        }
        // Visits every 6 weeks; statutory health checks yearly; SDQ yearly (4-16).
        let mut v = start.add_days(7);
        while v <= care_end {
            let seen = rng.pct(93);
            visits.row(&[
                ("clav_cla_visit_id", next("V")),
                ("clav_cla_id", cla_id.clone()),
                ("clav_person_id", pid.clone()),
                ("clav_cla_visit_date", d(v)),
                (
                    "clav_cla_visit_seen",
                    if seen { "Y" } else { "N" }.to_string(),
                ),
                (
                    "clav_cla_visit_seen_alone",
                    if seen && rng.pct(55) { "Y" } else { "N" }.to_string(),
                ),
            ])?;
            v = v.add_days(35 + rng.below(20) as i64);
        }
        let mut h = start.add_days(28);
        while h <= care_end {
            health.row(&[
                ("clah_health_check_id", next("H")),
                ("clah_person_id", pid.clone()),
                (
                    "clah_health_check_type",
                    rng.pick(&["HEALTH", "DENTAL", "OPTICIAN"]).to_string(),
                ),
                ("clah_health_check_date", d(h)),
                ("clah_health_check_status", "Completed".to_string()),
            ])?;
            let age = dob.whole_years_until(h);
            if (4..=16).contains(&age) && rng.pct(80) {
                sdq.row(&[
                    ("csdq_table_id", next("S")),
                    ("csdq_person_id", pid.clone()),
                    (
                        "csdq_sdq_completed_date",
                        d(h.add_days(rng.below(20) as i64).min(as_of)),
                    ),
                    ("csdq_sdq_score", format!("{}", rng.below(36))),
                    ("csdq_sdq_reason", "SDQ0".to_string()),
                ])?;
            }
            h = h.add_months(12);
        }
        // Missing episodes for some; return home interviews offered mostly.
        if rng.pct(25) {
            let k = 1 + rng.below(5);
            for _ in 0..k {
                let s = start.add_days(
                    rng.below(i64::from(care_end.days() - start.days()).max(1) as u64) as i64,
                );
                let offered = rng.pct(75);
                missing.row(&[
                    ("miss_table_id", next("M")),
                    ("miss_person_id", pid.clone()),
                    ("miss_missing_episode_start_date", d(s)),
                    (
                        "miss_missing_episode_type",
                        rng.pick(&["M", "A"]).to_string(),
                    ),
                    (
                        "miss_missing_episode_end_date",
                        d(s.add_days(rng.below(3) as i64).min(as_of)),
                    ),
                    (
                        "miss_missing_rhi_offered",
                        if offered { "Y" } else { "N" }.to_string(),
                    ),
                    (
                        "miss_missing_rhi_accepted",
                        if offered && rng.pct(60) { "Y" } else { "N" }.to_string(),
                    ),
                ])?;
            }
        }
        if rng.pct(5) {
            immi.row(&[
                ("immi_immigration_status_id", next("IM")),
                ("immi_person_id", pid.clone()),
                ("immi_immigration_status_start_date", d(start)),
                ("immi_immigration_status_end_date", String::new()),
                (
                    "immi_immigration_status",
                    if desc {
                        "Unaccompanied Asylum Seeking Child (UASC)"
                    } else {
                        "UASC"
                    }
                    .to_string(),
                ),
            ])?;
        }
        // CIN assessments (about a third of children), each with its
        // factors: a JSON list of codes, or (Mosaic) an object of Yes/No.
        if arng.pct(35) {
            let assessments = 1 + arng.below(2);
            for k in 0..assessments {
                // Ids of their own, so the other tables' ids are unchanged.
                let aid = format!("A{pid}-{k}");
                let start = ref_date.add_days(arng.below(span as u64 / 2) as i64);
                let start = if start > as_of { as_of } else { start };
                let auth = start.add_days(10 + arng.below(30) as i64);
                assess.row(&[
                    ("cina_assessment_id", aid.clone()),
                    ("cina_person_id", pid.clone()),
                    ("cina_referral_id", ref_id.clone()),
                    ("cina_assessment_start_date", d(start)),
                    ("cina_assessment_child_seen", "Y".to_string()),
                    (
                        "cina_assessment_auth_date",
                        if auth > as_of { String::new() } else { d(auth) },
                    ),
                ])?;
                let mut codes: Vec<&str> = Vec::new();
                for code in ["1B", "2B", "3A", "4A", "4B", "14A", "15A", "16A", "17A"] {
                    if arng.pct(if code == "4A" { 40 } else { 20 }) {
                        codes.push(code);
                    }
                }
                if codes.is_empty() {
                    codes.push("21");
                }
                let json = if config.system == System::Mosaic {
                    let mut parts: Vec<String> =
                        codes.iter().map(|c| format!("\"{c}\": \"Yes\"")).collect();
                    if !codes.contains(&"4A") && arng.pct(50) {
                        parts.push("\"4A\": \"No\"".to_string());
                    }
                    format!("{{{}}}", parts.join(", "))
                } else {
                    let parts: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
                    format!("[{}]", parts.join(", "))
                };
                factors.row(&[
                    ("cinf_table_id", format!("F{pid}-{k}")),
                    ("cinf_assessment_id", aid),
                    ("cinf_assessment_factors_json", json),
                ])?;
            }
        }
        if dob.whole_years_until(as_of) >= 16 && rng.pct(50) {
            leavers.row(&[
                ("clea_table_id", next("CL")),
                ("clea_person_id", pid.clone()),
                (
                    "clea_care_leaver_eligibility",
                    rng.pick(&["Eligible", "Relevant", "Former relevant"])
                        .to_string(),
                ),
                ("clea_care_leaver_in_touch", "YES".to_string()),
            ])?;
        }
    }
    if config.inject_errors {
        inject(&mut outs, as_of)?;
        inject_assessments(&mut outs, as_of)?;
    }
    let mut counts = Vec::new();
    for o in &mut outs {
        o.w.flush().map_err(|e| werr(&o.path, &e))?;
        counts.push((
            o.path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default(),
            o.rows,
        ));
    }
    drop(outs);
    if let Some((path, schema)) = sql {
        write_sql(config, dir, path, schema)?;
    }
    Ok(counts)
}

/// Bad assessment rows: factors that are not JSON (child 100000), and an
/// assessment after the evaluation date recording 4A (child 100001).
fn inject_assessments(outs: &mut [Out], as_of: Date) -> Result<(), GenError> {
    let [.., assess, factors, care_plans] = outs else {
        return Ok(());
    };
    // A care plan whose permanence plan is not JSON (child 100002).
    care_plans.row(&[
        ("lacp_table_id", "CPX1".to_string()),
        ("lacp_person_id", "100002".to_string()),
        ("lacp_cla_care_plan_start_date", d(as_of.add_days(-10))),
        ("lacp_cla_care_plan_json", "ADOPTION".to_string()),
    ])?;
    assess.row(&[
        ("cina_assessment_id", "AX1".to_string()),
        ("cina_person_id", "100000".to_string()),
        ("cina_assessment_start_date", d(as_of.add_days(-30))),
    ])?;
    factors.row(&[
        ("cinf_table_id", "FX1".to_string()),
        ("cinf_assessment_id", "AX1".to_string()),
        ("cinf_assessment_factors_json", "[\"4A\", ".to_string()),
    ])?;
    assess.row(&[
        ("cina_assessment_id", "AX2".to_string()),
        ("cina_person_id", "100001".to_string()),
        ("cina_assessment_start_date", d(as_of.add_days(20))),
    ])?;
    factors.row(&[
        ("cinf_table_id", "FX2".to_string()),
        ("cinf_assessment_id", "AX2".to_string()),
        ("cinf_assessment_factors_json", "[\"4A\"]".to_string()),
    ])?;
    Ok(())
}

/// Bad rows, each of one kind, on the first children (ids 100000-100003).
fn inject(outs: &mut [Out], as_of: Date) -> Result<(), GenError> {
    let [_person, _episodes, _cin, placements, legal, reviews, sdq, missing, ..] = outs else {
        return Ok(());
    };
    let p = |n: u32| format!("{}", 100_000 + n);
    // An orphan: a missing episode for a child not in ssd_person.
    missing.row(&[
        ("miss_table_id", "BAD-ORPHAN".into()),
        ("miss_person_id", "999999999".into()),
        ("miss_missing_episode_start_date", d(as_of.add_days(-10))),
    ])?;
    // A duplicate id: the same missing row twice, for child 0.
    for _ in 0..2 {
        missing.row(&[
            ("miss_table_id", "BAD-DUP".into()),
            ("miss_person_id", p(0)),
            ("miss_missing_episode_start_date", d(as_of.add_days(-20))),
            ("miss_missing_rhi_offered", "N".into()),
        ])?;
    }
    // Overlapping placements for child 1 (a placement covering the whole window).
    for (id, from) in [("BAD-OVERLAP-1", -80), ("BAD-OVERLAP-2", -79)] {
        placements.row(&[
            ("clap_cla_placement_id", id.into()),
            ("clap_person_id", p(1)),
            ("clap_cla_placement_start_date", d(as_of.add_months(from))),
            ("clap_cla_placement_type", "U4".into()),
        ])?;
    }
    // A row after the evaluation date (child 2): not carried.
    sdq.row(&[
        ("csdq_table_id", "BAD-FUTURE".into()),
        ("csdq_person_id", p(2)),
        ("csdq_sdq_completed_date", d(as_of.add_days(30))),
        ("csdq_sdq_score", "12".into()),
    ])?;
    // A value of the wrong type (child 3): a score that is not a number.
    sdq.row(&[
        ("csdq_table_id", "BAD-TYPE".into()),
        ("csdq_person_id", p(3)),
        ("csdq_sdq_completed_date", d(as_of.add_days(-30))),
        ("csdq_sdq_score", "high".into()),
    ])?;
    // An unmapped description.
    legal.row(&[
        ("lega_legal_status_id", "BAD-DESC".into()),
        ("lega_person_id", p(3)),
        ("lega_legal_status", "Some local status".into()),
        ("lega_legal_status_start_date", d(as_of.add_months(-90))),
        ("lega_legal_status_end_date", d(as_of.add_months(-89))),
    ])?;
    // A review for a care episode that does not exist.
    reviews.row(&[
        ("clar_cla_review_id", "BAD-NOLINK".into()),
        ("clar_cla_id", "NO-SUCH-CLA".into()),
        ("clar_cla_review_date", d(as_of.add_days(-5))),
    ])?;
    Ok(())
}

/// The SQL for PostgreSQL: the schema, one table per CSV file, and its rows
/// as `COPY ... FROM stdin` in CSV form. With `inject_errors`, values that
/// are not of their column's type are kept by making score and date
/// columns text.
fn write_sql(config: &Config, dir: &Path, path: &Path, schema: &str) -> Result<(), GenError> {
    let f = File::create(path).map_err(|e| werr(path, &e))?;
    let mut w = BufWriter::new(f);
    let mut out = |s: &str| w.write_all(s.as_bytes()).map_err(|e| werr(path, &e));
    out("-- Synthetic SSD written by careprompt-ssdgen: no record describes a real child.\n")?;
    out("SET client_min_messages = warning;\n")?;
    out(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\n"
    ))?;
    for t in TABLES {
        let cols = columns(t, config.system);
        let defs: Vec<String> = cols
            .iter()
            .map(|c| {
                let ty = if config.inject_errors && (c.sql == I) {
                    "varchar(20)"
                } else {
                    c.sql
                };
                format!("  {} {ty}", c.name)
            })
            .collect();
        out(&format!(
            "CREATE TABLE {schema}.{t} (\n{}\n);\n",
            defs.join(",\n")
        ))?;
        let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
        out(&format!(
            "COPY {schema}.{t} ({}) FROM stdin WITH (FORMAT csv);\n",
            names.join(", ")
        ))?;
        let csv_path = dir.join(format!("{t}.csv"));
        let f = File::open(&csv_path).map_err(|e| werr(&csv_path, &e))?;
        for (i, line) in BufReader::new(f).lines().enumerate() {
            let line = line.map_err(|e| werr(&csv_path, &e))?;
            if i > 0 {
                out(&line)?;
                out("\n")?;
            }
        }
        out("\\.\n")?;
    }
    w.flush().map_err(|e| werr(path, &e))
}
