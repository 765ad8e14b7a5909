//! A seeded, deterministic generator of valid case plans.
//!
//! [`plan`] builds a plan that fits `crates/careprompt/schema/case-plan.schema.json` and is
//! complete for every field the pack's rules read (so that no rule is left
//! `unknown` by a gap the generator made: the only absences are the open
//! ends of records, such as a current placement's `end_date`). "None" is
//! said explicitly, as docs/absence.md asks: `[]` for a list, `null` for no
//! PEP, no EHCP, no planned school move, no lead professional, or a child
//! not yet medically fit for discharge. (So the one rule a generated plan
//! can leave `unknown` is CMH-STA-02, on a plan with no EHCP (`null`) but
//! an open EHCP statutory process: whether the EHCP work is progressing is
//! then not known, as careprompt reads it.) Plans start
//! from a small base and grow one list element at a time, picking lists at
//! random (placements, A&E attendances, reviews, agencies, ...), until they
//! reach the size asked for. The same seed and size always give the same
//! bytes. Dates are spread over the five years before [`crate::AS_OF`], with
//! more of them recent, so that rules about recent events fire on some plans
//! and not on others.

use serde_json::{json, Map, Value};

/// SplitMix64: small, fast, and stable across versions (no `rand` crate).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
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

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One of `items` (the first when `items` is empty is impossible: callers pass non-empty slices).
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or_default()
    }

    /// A date up to about five years before the evaluation date, with half
    /// of them in the last 14 months.
    pub fn past_date(&mut self) -> String {
        let days = if self.chance(0.5) {
            self.below(420)
        } else {
            self.below(1800)
        };
        date_ago(days as i64)
    }

    /// A date within the last `max_days` days.
    pub fn recent_date(&mut self, max_days: u64) -> String {
        date_ago(self.below(max_days) as i64)
    }
}

/// The date `days` days before [`crate::AS_OF`], as `YYYY-MM-DD`.
pub fn date_ago(days: i64) -> String {
    crate::as_of().add_days(-days).to_string()
}

fn b(rng: &mut Rng, p: f64) -> Value {
    Value::Bool(rng.chance(p))
}

const AUTHORITIES: &[&str] = &["Northshire", "Southvale", "Eastmoor", "Westbridge"];

/// The lists a plan grows, each with a weight (how often it is picked) and
/// a maker of one element.
type Maker = fn(&mut Rng) -> Value;
const LISTS: &[(&[&str], u64, Maker)] = &[
    (&["placements"], 6, placement_ended),
    (&["crisis", "ae_attendances"], 5, ae_attendance),
    (&["crisis", "missing_episodes"], 4, missing_episode),
    (&["crisis", "arrests"], 2, dated),
    (&["crisis", "self_harm_incidents"], 2, dated),
    (&["voice", "reviews"], 5, review),
    (&["voice", "wishes_and_feelings"], 4, wishes),
    (&["people", "agencies"], 5, agency),
    (&["people", "advocates"], 2, advocate),
    (&["people", "worker_changes"], 3, worker_change),
    (&["people", "practitioner_relationships"], 3, relationship),
    (&["health", "diagnoses"], 3, diagnosis),
    (&["health", "medications"], 3, medication),
    (&["health", "sdq_scores"], 3, sdq),
    (&["health", "inpatient_episodes"], 1, inpatient),
    (&["health", "mental_health_act_sections"], 1, mha_section),
    (&["statutory", "processes"], 2, process),
    (&["education", "school_moves"], 2, school_move),
    (&["education", "education_plan_changes"], 2, plan_change),
    (&["education", "exclusions"], 2, exclusion),
    (&["family", "carer_support_offered"], 2, carer_support),
    (&["engagement", "offers"], 4, offer),
    (&["engagement", "therapeutic_work"], 2, therapeutic_work),
    (&["health", "health_checks"], 2, health_check),
    (&["statutory", "visits"], 3, visit),
    (&["statutory", "child_protection_plans"], 1, plan_period),
    (&["statutory", "child_in_need_plans"], 1, plan_period),
];

fn dated(rng: &mut Rng) -> Value {
    json!({ "date": rng.past_date() })
}

fn placement_ended(rng: &mut Rng) -> Value {
    let start = rng.below(1800) as i64 + 30;
    let end = (start - 14 - rng.below(400) as i64).max(0);
    let carer = rng.chance(0.25);
    let reason = if carer && rng.chance(0.7) {
        "CREQB"
    } else {
        rng.pick(&[
            "CARPL", "CLOSE", "STAND", "CREQO", "CHILD", "LAREQ", "OTHER",
        ])
    };
    let la = rng.pick(AUTHORITIES);
    json!({
        "id": format!("PL-{}", rng.below(100_000)),
        "place_code": rng.pick(&["U1", "U4", "U6", "K2", "R1", "P1"]),
        "placement_type": rng.pick(&["foster_care", "kinship_care", "residential", "supported_accommodation"]),
        "start_date": date_ago(start),
        "end_date": date_ago(end),
        "local_authority": la,
        "out_of_area": la != "Northshire",
        "distance_miles": (rng.below(400) as f64) / 10.0,
        "emergency": rng.chance(0.3),
        "short_term": rng.chance(0.4),
        "reason_ended": reason,
        "ended_by_carer_due_to_behaviour": carer,
    })
}

fn placement_current(rng: &mut Rng) -> Value {
    let la = if rng.chance(0.8) {
        "Northshire"
    } else {
        rng.pick(AUTHORITIES)
    };
    json!({
        "id": "PL-CURRENT",
        "place_code": rng.pick(&["U4", "U6", "K2", "R1"]),
        "placement_type": rng.pick(&["foster_care", "kinship_care", "residential"]),
        "start_date": rng.past_date(),
        "local_authority": la,
        "out_of_area": la != "Northshire",
        "distance_miles": (rng.below(400) as f64) / 10.0,
        "emergency": rng.chance(0.2),
        "short_term": rng.chance(0.3),
    })
}

fn ae_attendance(rng: &mut Rng) -> Value {
    json!({
        "date": rng.past_date(),
        "mental_health_crisis": b(rng, 0.6),
        "other_medical_need": b(rng, 0.3),
        "used_as_place_of_safety": b(rng, 0.2),
    })
}

fn missing_episode(rng: &mut Rng) -> Value {
    let start = if rng.chance(0.4) {
        rng.below(100)
    } else {
        rng.below(1500)
    } as i64;
    json!({
        "start_date": date_ago(start),
        "end_date": date_ago((start - rng.below(3) as i64).max(0)),
        "episode_type": rng.pick(&["missing", "away"]),
        "return_interview_offered": b(rng, 0.8),
        "return_interview_accepted": b(rng, 0.7),
    })
}

fn review(rng: &mut Rng) -> Value {
    json!({
        "date": rng.past_date(),
        "participation": rng.pick(&["PN0", "PN1", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]),
    })
}

fn wishes(rng: &mut Rng) -> Value {
    json!({
        "date": rng.past_date(),
        "method": rng.pick(&["direct work", "advocate", "review meeting", "letter", "app"]),
    })
}

fn agency(rng: &mut Rng) -> Value {
    let ty = rng.pick(&[
        "children_social_care",
        "camhs",
        "school",
        "virtual_school",
        "police",
        "youth_justice",
        "health",
        "voluntary",
        "housing",
    ]);
    json!({
        "name": format!("{} team {}", ty.replace('_', " "), rng.below(50)),
        "agency_type": ty,
        "local_authority": rng.pick(AUTHORITIES),
        "is_lead": b(rng, 0.1),
    })
}

fn advocate(rng: &mut Rng) -> Value {
    json!({
        "service": rng.pick(&["independent advocacy service", "school", "CAMHS", "youth offending team"]),
        "role": rng.pick(&["independent advocate", "designated teacher", "participation worker", "mentor"]),
        "known_to_other_advocates": b(rng, 0.7),
    })
}

fn worker_change(rng: &mut Rng) -> Value {
    json!({
        "date": rng.past_date(),
        "role": rng.pick(&["social worker", "CAMHS clinician", "personal adviser", "youth worker"]),
        "reason": rng.pick(&["organisational", "staff_left", "child_requested", "other"]),
    })
}

fn relationship(rng: &mut Rng) -> Value {
    json!({
        "practitioner_role": rng.pick(&["youth worker", "school mentor", "CAMHS clinician", "social worker"]),
        "agency": rng.pick(&["youth service", "secondary school", "CAMHS", "children's social care"]),
        "since": rng.past_date(),
        "positive": b(rng, 0.7),
        "ongoing": b(rng, 0.6),
        "at_risk_of_ending": b(rng, 0.2),
    })
}

fn diagnosis(rng: &mut Rng) -> Value {
    json!({
        "condition": rng.pick(&["anxiety", "depression", "ADHD", "autism", "PTSD", "asthma"]),
        "category": rng.pick(&["mental_health", "neurodevelopmental", "physical", "other"]),
        "formal": b(rng, 0.7),
        "date": rng.past_date(),
        "parent_carer_view_differs": b(rng, 0.15),
    })
}

fn medication(rng: &mut Rng) -> Value {
    let mut m = json!({
        "name": rng.pick(&["methylphenidate", "sertraline", "melatonin", "fluoxetine", "atomoxetine"]),
        "purpose": rng.pick(&["ADHD symptoms", "low mood", "sleep", "anxiety"]),
        "formal_diagnosis": b(rng, 0.7),
        "start_date": rng.past_date(),
        "last_reviewed": rng.past_date(),
        "setting_protocol_requires_diagnosis": b(rng, 0.4),
    });
    if rng.chance(0.4) {
        if let Some(o) = m.as_object_mut() {
            o.insert("end_date".into(), Value::String(rng.past_date()));
        }
    }
    m
}

fn sdq(rng: &mut Rng) -> Value {
    json!({ "date": rng.past_date(), "total": rng.below(41) })
}

fn inpatient(rng: &mut Rng) -> Value {
    let la = rng.pick(AUTHORITIES);
    let mut o = Map::new();
    o.insert("admitted".into(), Value::String(rng.past_date()));
    // Not (yet) medically fit is recorded as `null`, never left out.
    let fit = if rng.chance(0.5) {
        Value::String(rng.recent_date(120))
    } else {
        Value::Null
    };
    o.insert("medically_fit_for_discharge".into(), fit);
    if rng.chance(0.5) {
        o.insert("discharged".into(), Value::String(rng.recent_date(60)));
    }
    o.insert("hospital_local_authority".into(), Value::String(la.into()));
    o.insert("out_of_area".into(), Value::Bool(la != "Northshire"));
    o.insert(
        "discharge_delay_reason".into(),
        Value::String(rng.pick(&["no_placement", "clinical", "other"]).into()),
    );
    o.insert("discharge_placement_identified".into(), b(rng, 0.5));
    Value::Object(o)
}

fn mha_section(rng: &mut Rng) -> Value {
    let mut o = Map::new();
    o.insert(
        "section".into(),
        Value::String(rng.pick(&["2", "3", "136"]).into()),
    );
    o.insert("start_date".into(), Value::String(rng.past_date()));
    if rng.chance(0.7) {
        o.insert("end_date".into(), Value::String(rng.recent_date(300)));
    }
    Value::Object(o)
}

fn process(rng: &mut Rng) -> Value {
    let mut o = Map::new();
    let ty = rng.pick(&[
        "care_order",
        "interim_care_order",
        "section_20",
        "mental_health_act",
        "detention_and_training_order",
        "ehcp",
        "child_protection_plan",
        "youth_rehabilitation_order",
    ]);
    o.insert("process_type".into(), Value::String(ty.into()));
    o.insert("start_date".into(), Value::String(rng.past_date()));
    if rng.chance(0.5) {
        o.insert("end_date".into(), Value::String(rng.recent_date(400)));
    }
    o.insert(
        "responsible_authority".into(),
        Value::String(rng.pick(AUTHORITIES).into()),
    );
    Value::Object(o)
}

fn school_move(rng: &mut Rng) -> Value {
    json!({
        "date": if rng.chance(0.4) { rng.recent_date(150) } else { rng.past_date() },
        "transition_to_secondary": b(rng, 0.4),
        "transition_support_planned": b(rng, 0.6),
        "fresh_start_requested": b(rng, 0.2),
    })
}

fn plan_change(rng: &mut Rng) -> Value {
    json!({
        "date": rng.past_date(),
        "description": rng.pick(&["reduced timetable", "alternative provision two days a week", "one-to-one support in lessons", "change of key worker"]),
        "virtual_school_consulted": b(rng, 0.6),
    })
}

fn exclusion(rng: &mut Rng) -> Value {
    json!({ "date": rng.past_date(), "exclusion_type": rng.pick(&["suspension", "suspension", "permanent"]) })
}

fn carer_support(rng: &mut Rng) -> Value {
    json!({
        "date": rng.past_date(),
        "support_type": rng.pick(&["therapeutic parenting consultation", "respite", "training", "out-of-hours line"]),
    })
}

fn therapeutic_work(rng: &mut Rng) -> Value {
    let start = 30 + rng.below(700) as i64;
    json!({
        "service": rng.pick(&["CAMHS", "play therapy", "trauma-focused CBT", "family therapy"]),
        "start_date": date_ago(start),
        "status": rng.pick(&["ongoing", "paused", "stopped", "completed"]),
        "status_date": date_ago(rng.below(start as u64) as i64),
    })
}

fn health_check(rng: &mut Rng) -> Value {
    json!({
        "date": rng.past_date(),
        "check_type": rng.pick(&["annual health assessment", "dental", "immunisations"]),
        "status": rng.pick(&["completed", "overdue", "refused"]),
    })
}

fn visit(rng: &mut Rng) -> Value {
    let seen = rng.chance(0.9);
    json!({
        "date": if rng.chance(0.4) { rng.recent_date(200) } else { rng.past_date() },
        "seen": seen,
        "seen_alone": seen && rng.chance(0.5),
    })
}

fn plan_period(rng: &mut Rng) -> Value {
    let start = 30 + rng.below(1500) as i64;
    let mut o = Map::new();
    o.insert("start_date".into(), Value::String(date_ago(start)));
    if rng.chance(0.6) {
        o.insert(
            "end_date".into(),
            Value::String(date_ago(rng.below(start as u64) as i64)),
        );
    }
    o.insert(
        "category".into(),
        Value::String(
            rng.pick(&["neglect", "emotional abuse", "physical abuse", "N1"])
                .into(),
        ),
    );
    Value::Object(o)
}

fn offer(rng: &mut Rng) -> Value {
    let declined = rng.chance(0.4);
    json!({
        "service": rng.pick(&["CAMHS therapy", "mentoring", "youth club", "tutoring"]),
        "offer_type": rng.pick(&["therapy", "mentoring", "education_support", "youth_work", "other"]),
        "date": rng.past_date(),
        "accepted": !declined && rng.chance(0.8),
        "declined": declined,
    })
}

/// The base plan: every object the rules read, with empty lists.
fn base(rng: &mut Rng, seed: u64) -> Value {
    let looked_after = rng.chance(0.8);
    let age_days = 365 * 2 + rng.below(365 * 15) as i64;
    let dob = date_ago(age_days);
    // The national curriculum year group, roughly from the age (a child of
    // 10 is mostly in year 5 or 6), sometimes a year out either way.
    let age = age_days / 365;
    let out_by = match rng.below(5) {
        3 => 1,
        4 => -1,
        _ => 0,
    };
    let year_group = (age - 5 + out_by).clamp(0, 13);
    let mut neuro = Vec::new();
    if rng.chance(0.3) {
        neuro.push(Value::String(
            rng.pick(&["adhd", "autism", "dyslexia"]).into(),
        ));
    }
    let mut education = json!({
        "school": { "name": "local school", "phase": rng.pick(&["primary", "secondary", "special"]), "local_authority": "Northshire" },
        "virtual_school": { "involved": rng.chance(0.7), "notified_date": rng.past_date() },
        "ehcp": if rng.chance(0.7) {
            json!({ "in_place": rng.chance(0.3), "last_reviewed": rng.past_date(), "progressing": rng.chance(0.5) })
        } else {
            Value::Null
        },
        "school_moves": [],
        "education_plan_changes": [],
        "exclusions": [],
        "behaviour_policy_adapted": rng.chance(0.6),
        "settled": rng.chance(0.6),
        "year_group": year_group,
        "pep": Value::Null,
        "planned_school_move": Value::Null,
    });
    // "None" is said explicitly: a child with no PEP or no planned move has `null`.
    if let Some(o) = education.as_object_mut() {
        if rng.chance(0.85) {
            o.insert(
                "pep".into(),
                json!({ "in_place": rng.chance(0.8), "last_reviewed": rng.past_date() }),
            );
        }
        if rng.chance(0.3) {
            o.insert(
                "planned_school_move".into(),
                json!({
                    // Mostly ahead; some in the last term or earlier.
                    "date": date_ago(rng.below(400) as i64 - 200),
                    "transition_to_secondary": rng.chance(0.5),
                    "transition_support_planned": rng.chance(0.5),
                    "fresh_start_requested": rng.chance(0.3),
                }),
            );
        }
    }
    let mut people = json!({
        "agencies": [],
        "advocates": [],
        "worker_changes": [],
        "practitioner_relationships": [],
        "roles_and_responsibilities_agreed": rng.chance(0.7),
        "duty_of_care_agreed": rng.chance(0.7),
        "lead_professional": Value::Null,
    });
    if rng.chance(0.7) {
        if let Some(o) = people.as_object_mut() {
            o.insert(
                "lead_professional".into(),
                json!({ "name_or_role": "allocated social worker", "agency": "children's social care", "assigned_date": rng.past_date() }),
            );
        }
    }
    let mut placements = Vec::new();
    if rng.chance(0.9) {
        placements.push(placement_current(rng));
    }
    json!({
        "plan_id": format!("GEN-{seed:08x}"),
        "child": {
            "id": format!("CHILD-{}", rng.below(1_000_000)),
            "date_of_birth": dob,
            "looked_after": looked_after,
            "legal_status": rng.pick(&["C1", "C2", "V2", "V3", "E1", "J1"]),
            "home_local_authority": "Northshire",
            "mental_health_needs": rng.chance(0.6),
            "developmental_trauma": rng.chance(0.4),
            "neurodiversity": neuro,
            "disabilities": [],
            "uasc": rng.chance(0.1),
            "care_leaver": rng.chance(0.1),
        },
        "placements": placements,
        "health": {
            "diagnoses": [],
            "medications": [],
            "growth_or_physical_change_noted": rng.past_date(),
            "camhs": { "involved": rng.chance(0.6), "referral_date": rng.past_date(), "open": rng.chance(0.5) },
            "inpatient_episodes": [],
            "mental_health_act_sections": [],
            "sdq_scores": [],
        },
        "crisis": { "ae_attendances": [], "missing_episodes": [], "arrests": [], "self_harm_incidents": [] },
        "behaviour": { "challenging": rng.chance(0.4), "escalating": rng.chance(0.3), "escalation_noted": rng.past_date() },
        "people": people,
        "statutory": {
            "processes": [],
            "care_plan": { "last_reviewed": rng.past_date() },
            "visits": [],
        },
        "education": education,
        "family": {
            "parents_involved_in_planning": rng.chance(0.7),
            "last_involved_in_planning": rng.past_date(),
            "consent_to_recommended_treatment": rng.pick(&["given", "refused", "pending", "not_needed"]),
            "foster_carer_advocating": rng.chance(0.3),
            "foster_carer_has_parental_responsibility": rng.chance(0.2),
            "carer_support_offered": [],
        },
        "voice": { "wishes_and_feelings": [], "views_considered_in_plan": rng.chance(0.8), "reviews": [] },
        "engagement": { "offers": [], "therapeutic_work": [] },
    })
}

/// The list at `path`, made (empty) if the plan does not have it yet: the
/// base plan leaves out the lists no rule reads (health checks, child
/// protection and child in need plans), which are then not known unless
/// the generator adds an element to them.
fn list_mut<'v>(plan: &'v mut Value, path: &[&str]) -> Option<&'v mut Vec<Value>> {
    let mut v = plan;
    for key in path {
        v = v
            .as_object_mut()?
            .entry(*key)
            .or_insert_with(|| Value::Array(Vec::new()));
    }
    v.as_array_mut()
}

/// A plan as a `serde_json::Value`, of about `target_bytes` bytes when
/// written compactly (never less, unless the base plan alone is larger).
pub fn plan_value(seed: u64, target_bytes: usize) -> Value {
    let mut rng = Rng::new(seed);
    let mut plan = base(&mut rng, seed);
    let mut size = serde_json::to_vec(&plan)
        .map(|v| v.len())
        .unwrap_or_default();
    let total: u64 = LISTS.iter().map(|l| l.1).sum();
    // A couple of elements in most lists first, so that small plans vary too.
    for (path, _, make) in LISTS {
        if size >= target_bytes {
            break;
        }
        if rng.chance(0.5) {
            let el = make(&mut rng);
            size += serde_json::to_vec(&el).map(|v| v.len()).unwrap_or_default() + 1;
            if let Some(list) = list_mut(&mut plan, path) {
                list.push(el);
            }
        }
    }
    loop {
        if size >= target_bytes {
            // The running estimate can be a byte or two out (the first
            // element of a list adds no comma): check the real size.
            size = serde_json::to_vec(&plan)
                .map(|v| v.len())
                .unwrap_or_default();
            if size >= target_bytes {
                break;
            }
        }
        let mut r = rng.below(total);
        let mut chosen = None;
        for (path, w, make) in LISTS {
            if r < *w {
                chosen = Some((path, make));
                break;
            }
            r -= w;
        }
        let Some((path, make)) = chosen else { break };
        let el = make(&mut rng);
        size += serde_json::to_vec(&el).map(|v| v.len()).unwrap_or_default() + 1;
        if let Some(list) = list_mut(&mut plan, path) {
            list.push(el);
        }
    }
    plan
}

/// A plan's compact JSON bytes, of about `target_bytes` bytes.
pub fn plan(seed: u64, target_bytes: usize) -> Vec<u8> {
    serde_json::to_vec(&plan_value(seed, target_bytes)).unwrap_or_default()
}

/// The benchmark's plan sizes, in bytes.
pub const SIZES: [(&str, usize); 3] = [("2KB", 2_000), ("5KB", 5_000), ("10KB", 10_000)];

/// The size of the `i`th plan of a cohort: 2, 5 or 10 KB, in a mix that
/// favours the smaller plans (half 2 KB, a third 5 KB, a sixth 10 KB).
pub fn cohort_size(i: u64) -> usize {
    match i % 6 {
        0..=2 => 2_000,
        3 | 4 => 5_000,
        _ => 10_000,
    }
}
