//! The evaluation floor: the whole pack written by hand in Rust over a
//! `serde_json::Value`, with the same three-valued answers as careprompt
//! (a rule whose data is missing is `unknown`, not `clear`).
//!
//! Nothing is interpreted: each rule is a Rust function of plain field
//! look-ups, string comparisons against precomputed [`Cutoffs`], and loops
//! over lists. This is what a careful programmer would write for one fixed
//! pack, and so the least an engine that reads rules at run time can cost.

use careprompt::{OutcomeKind, Truth};
use serde_json::Value;

use crate::Cutoffs;

const T: Truth = Truth::True;
const F: Truth = Truth::False;
const U: Truth = Truth::Unknown;

/// Kleene `and`, left to right, stopping at the first `False`.
macro_rules! all {
    ($($e:expr),+ $(,)?) => {{
        'all: {
            let mut r = T;
            $(
                match $e {
                    Truth::False => break 'all F,
                    Truth::Unknown => r = U,
                    Truth::True => {}
                }
            )+
            r
        }
    }};
}

/// Kleene `or`, left to right, stopping at the first `True`.
macro_rules! either {
    ($($e:expr),+ $(,)?) => {{
        'either: {
            let mut r = F;
            $(
                match $e {
                    Truth::True => break 'either T,
                    Truth::Unknown => r = U,
                    Truth::False => {}
                }
            )+
            r
        }
    }};
}

fn tb(b: bool) -> Truth {
    if b {
        T
    } else {
        F
    }
}

/// The value at `path`: `None` when it is absent (not known), `Some(Null)`
/// when it is recorded as none. A field below a `null` or a non-object is
/// absent, as careprompt reads it.
#[inline]
fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut n = v;
    for k in path {
        n = n.get(*k)?;
    }
    Some(n)
}

#[inline]
fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key)
}

#[inline]
fn beq(v: Option<&Value>, want: bool) -> Truth {
    match v {
        Some(Value::Bool(b)) => tb(*b == want),
        _ => U,
    }
}

#[inline]
fn seq(v: Option<&Value>, want: &str) -> Truth {
    match v {
        Some(Value::String(s)) => tb(s == want),
        _ => U,
    }
}

#[inline]
fn sin(v: Option<&Value>, set: &[&str]) -> Truth {
    match v {
        Some(Value::String(s)) => tb(set.contains(&s.as_str())),
        _ => U,
    }
}

#[inline]
fn sne(a: Option<&Value>, b: Option<&Value>) -> Truth {
    match (a, b) {
        (Some(Value::String(a)), Some(Value::String(b))) => tb(a != b),
        _ => U,
    }
}

/// `cut <= date <= as_of`.
#[inline]
fn within(v: Option<&Value>, cut: &str, as_of: &str) -> Truth {
    match v {
        Some(Value::String(d)) => tb(cut <= d.as_str() && d.as_str() <= as_of),
        _ => U,
    }
}

/// `date < cut` ("more than ... ago").
#[inline]
fn before(v: Option<&Value>, cut: &str) -> Truth {
    match v {
        Some(Value::String(d)) => tb(d.as_str() < cut),
        _ => U,
    }
}

#[inline]
fn dcmp(a: Option<&Value>, b: Option<&Value>, f: fn(&str, &str) -> bool) -> Truth {
    match (a, b) {
        (Some(Value::String(a)), Some(Value::String(b))) => tb(f(a, b)),
        _ => U,
    }
}

#[inline]
fn num_ge(v: Option<&Value>, k: f64) -> Truth {
    match v.and_then(Value::as_f64) {
        Some(x) => tb(x >= k),
        None => U,
    }
}

/// `F missing`: unknown when absent, true when recorded as none (`null`
/// or an empty list), false for any other value.
#[inline]
fn missing(v: Option<&Value>) -> Truth {
    match v {
        None => U,
        Some(Value::Null) => T,
        Some(Value::Array(items)) => tb(items.is_empty()),
        Some(_) => F,
    }
}

/// `F exists`: the negation of [`missing`] (unknown when absent).
#[inline]
fn exists(v: Option<&Value>) -> Truth {
    missing(v).not()
}

/// `end_date missing` (or `discharged missing`) on the end of a record:
/// left out or `null`, the record is open (the one kept convention).
#[inline]
fn open(v: Option<&Value>) -> Truth {
    tb(matches!(v, None | Some(Value::Null)))
}

/// `end_date exists` on the end of a record (false when open).
#[inline]
fn ended(v: Option<&Value>) -> Truth {
    open(v).not()
}

/// `any list where f`: unknown when the list is missing.
#[inline]
fn any(list: Option<&Value>, f: impl Fn(&Value) -> Truth) -> Truth {
    let Some(Value::Array(items)) = list else {
        return U;
    };
    let mut r = F;
    for item in items {
        match f(item) {
            Truth::True => return T,
            Truth::Unknown => r = U,
            Truth::False => {}
        }
    }
    r
}

#[inline]
fn none(list: Option<&Value>, f: impl Fn(&Value) -> Truth) -> Truth {
    any(list, f).not()
}

/// `count list where f >= k`, with the elements whose answer is unknown
/// counted as "maybe".
#[inline]
fn count_ge(list: Option<&Value>, f: impl Fn(&Value) -> Truth, k: usize) -> Truth {
    let Some(Value::Array(items)) = list else {
        return U;
    };
    let (mut yes, mut maybe) = (0, 0);
    for item in items {
        match f(item) {
            Truth::True => yes += 1,
            Truth::Unknown => maybe += 1,
            Truth::False => {}
        }
    }
    if yes >= k {
        T
    } else if yes + maybe < k {
        F
    } else {
        U
    }
}

#[inline]
fn len_ge(list: Option<&Value>, k: usize) -> Truth {
    match list {
        Some(Value::Array(items)) => tb(items.len() >= k),
        _ => U,
    }
}

// Definitions.

fn has_mental_health_needs(p: &Value) -> Truth {
    either!(
        beq(at(p, &["child", "mental_health_needs"]), true),
        any(at(p, &["health", "diagnoses"]), |d| seq(
            get(d, "category"),
            "mental_health"
        )),
        beq(at(p, &["health", "camhs", "involved"]), true),
    )
}

fn looked_after(p: &Value) -> Truth {
    beq(at(p, &["child", "looked_after"]), true)
}

fn looked_after_with_mh(p: &Value) -> Truth {
    all!(looked_after(p), has_mental_health_needs(p))
}

fn trauma_or_neurodiversity(p: &Value) -> Truth {
    either!(
        beq(at(p, &["child", "developmental_trauma"]), true),
        match at(p, &["child", "neurodiversity"]) {
            Some(Value::Array(l)) => tb(!l.is_empty()),
            _ => U,
        },
    )
}

fn current_placement_out_of_area(p: &Value) -> Truth {
    let home = at(p, &["child", "home_local_authority"]);
    any(get(p, "placements"), |pl| {
        all!(
            open(get(pl, "end_date")),
            either!(
                beq(get(pl, "out_of_area"), true),
                sne(get(pl, "local_authority"), home)
            ),
        )
    })
}

fn processes(p: &Value) -> Option<&Value> {
    at(p, &["statutory", "processes"])
}

fn care_order_in_force(p: &Value) -> Truth {
    either!(
        sin(at(p, &["child", "legal_status"]), &["C1", "C2"]),
        any(processes(p), |x| all!(
            sin(
                get(x, "process_type"),
                &["care_order", "interim_care_order"]
            ),
            open(get(x, "end_date"))
        )),
    )
}

fn mha_section_in_force(p: &Value) -> Truth {
    either!(
        any(at(p, &["health", "mental_health_act_sections"]), |s| {
            open(get(s, "end_date"))
        }),
        any(processes(p), |x| all!(
            seq(get(x, "process_type"), "mental_health_act"),
            open(get(x, "end_date"))
        )),
    )
}

fn dto_in_force(p: &Value) -> Truth {
    any(processes(p), |x| {
        all!(
            seq(get(x, "process_type"), "detention_and_training_order"),
            open(get(x, "end_date"))
        )
    })
}

fn ehcp_in_place(p: &Value) -> Truth {
    either!(
        beq(at(p, &["education", "ehcp", "in_place"]), true),
        any(processes(p), |x| all!(
            seq(get(x, "process_type"), "ehcp"),
            open(get(x, "end_date"))
        )),
    )
}

fn age_ge(p: &Value, c: &Cutoffs, dob_cut: &str) -> Truth {
    match at(p, &["child", "date_of_birth"]) {
        // A birth date after the evaluation date gives no age.
        Some(Value::String(d)) if d.as_str() > c.as_of.as_str() => U,
        Some(Value::String(d)) => tb(d.as_str() <= dob_cut),
        _ => U,
    }
}

fn approaching_secondary_transition(p: &Value, c: &Cutoffs) -> Truth {
    either!(
        match at(p, &["education", "year_group"]).and_then(Value::as_f64) {
            Some(y) => tb(y == 6.0),
            None => U,
        },
        all!(
            // age = 10: at least 10 and not at least 11.
            age_ge(p, c, &c.dob10),
            age_ge(p, c, &c.dob11).not(),
            seq(at(p, &["education", "school", "phase"]), "primary"),
        ),
    )
}

fn frequent_recent_crises(p: &Value, c: &Cutoffs) -> Truth {
    either!(
        count_ge(
            at(p, &["crisis", "missing_episodes"]),
            |x| within(get(x, "start_date"), &c.m3, &c.as_of),
            3
        ),
        count_ge(
            at(p, &["crisis", "arrests"]),
            |x| within(get(x, "date"), &c.m3, &c.as_of),
            2
        ),
        count_ge(
            at(p, &["crisis", "self_harm_incidents"]),
            |x| within(get(x, "date"), &c.m3, &c.as_of),
            2
        ),
    )
}

fn care_order_and_section(p: &Value) -> Truth {
    all!(care_order_in_force(p), mha_section_in_force(p))
}

fn inpatient_out_of_area(p: &Value) -> Truth {
    let home = at(p, &["child", "home_local_authority"]);
    any(at(p, &["health", "inpatient_episodes"]), |x| {
        all!(
            open(get(x, "discharged")),
            either!(
                beq(get(x, "out_of_area"), true),
                sne(get(x, "hospital_local_authority"), home)
            )
        )
    })
}

fn placed_out_of_area_with_mh(p: &Value) -> Truth {
    all!(looked_after_with_mh(p), current_placement_out_of_area(p))
}

fn duties_may_compete(p: &Value) -> Truth {
    either!(
        care_order_and_section(p),
        inpatient_out_of_area(p),
        placed_out_of_area_with_mh(p),
    )
}

fn long_current_placement(p: &Value, c: &Cutoffs) -> Truth {
    any(get(p, "placements"), |x| {
        all!(
            open(get(x, "end_date")),
            before(get(x, "start_date"), &c.m12)
        )
    })
}

fn no_recent_worker_change(p: &Value, c: &Cutoffs) -> Truth {
    none(at(p, &["people", "worker_changes"]), |x| {
        within(get(x, "date"), &c.m12, &c.as_of)
    })
}

// Rules, one function each.

/// CMH-CRI-01.
pub fn cri_01(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        looked_after(p),
        count_ge(
            get(p, "placements"),
            |x| all!(
                either!(
                    beq(get(x, "emergency"), true),
                    beq(get(x, "short_term"), true)
                ),
                within(get(x, "start_date"), &c.m12, &c.as_of)
            ),
            3
        ),
    )
}

/// CMH-CRI-02.
pub fn cri_02(p: &Value, c: &Cutoffs) -> Truth {
    count_ge(
        at(p, &["crisis", "ae_attendances"]),
        |x| {
            all!(
                beq(get(x, "mental_health_crisis"), true),
                beq(get(x, "other_medical_need"), false),
                within(get(x, "date"), &c.m6, &c.as_of)
            )
        },
        2,
    )
}

/// CMH-CRI-03.
pub fn cri_03(p: &Value, c: &Cutoffs) -> Truth {
    all!(has_mental_health_needs(p), frequent_recent_crises(p, c))
}

/// CMH-CRI-04.
pub fn cri_04(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        has_mental_health_needs(p),
        frequent_recent_crises(p, c),
        any(at(p, &["engagement", "therapeutic_work"]), |x| all!(
            sin(get(x, "status"), &["paused", "stopped"]),
            within(get(x, "status_date"), &c.m3, &c.as_of)
        )),
    )
}

/// CMH-EDU-01.
pub fn edu_01(p: &Value, _c: &Cutoffs) -> Truth {
    all!(
        looked_after_with_mh(p),
        beq(at(p, &["education", "virtual_school", "involved"]), false)
    )
}

/// CMH-EDU-02.
pub fn edu_02(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        looked_after_with_mh(p),
        any(at(p, &["education", "education_plan_changes"]), |x| all!(
            beq(get(x, "virtual_school_consulted"), false),
            within(get(x, "date"), &c.m12, &c.as_of)
        )),
    )
}

/// CMH-EDU-03.
pub fn edu_03(p: &Value, _c: &Cutoffs) -> Truth {
    all!(
        trauma_or_neurodiversity(p),
        beq(at(p, &["education", "behaviour_policy_adapted"]), false)
    )
}

fn school_move(p: &Value, c: &Cutoffs, secondary: bool) -> Truth {
    let planned = at(p, &["education", "planned_school_move"]);
    either!(
        all!(
            exists(planned),
            beq(
                planned.and_then(|m| get(m, "transition_to_secondary")),
                secondary
            ),
            beq(
                planned.and_then(|m| get(m, "transition_support_planned")),
                false
            ),
            before(planned.and_then(|m| get(m, "date")), &c.term).not(),
        ),
        any(at(p, &["education", "school_moves"]), |x| all!(
            beq(get(x, "transition_to_secondary"), secondary),
            beq(get(x, "transition_support_planned"), false),
            within(get(x, "date"), &c.term, &c.as_of)
        )),
    )
}

/// CMH-EDU-04.
pub fn edu_04(p: &Value, c: &Cutoffs) -> Truth {
    school_move(p, c, true)
}

/// CMH-EDU-05.
pub fn edu_05(p: &Value, c: &Cutoffs) -> Truth {
    school_move(p, c, false)
}

/// CMH-EDU-06.
pub fn edu_06(p: &Value, c: &Cutoffs) -> Truth {
    let pep = at(p, &["education", "pep"]);
    all!(
        looked_after(p),
        age_ge(p, c, &c.dob3),
        either!(
            missing(pep),
            beq(pep.and_then(|x| get(x, "in_place")), false)
        ),
    )
}

/// CMH-EDU-07.
pub fn edu_07(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        looked_after(p),
        exists(at(p, &["education", "pep"])),
        beq(at(p, &["education", "pep", "in_place"]), true),
        before(at(p, &["education", "pep", "last_reviewed"]), &c.term),
    )
}

/// CMH-EDU-08.
pub fn edu_08(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        has_mental_health_needs(p),
        approaching_secondary_transition(p, c)
    )
}

/// CMH-ENG-01.
pub fn eng_01(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        any(at(p, &["engagement", "offers"]), |x| all!(
            seq(get(x, "offer_type"), "therapy"),
            beq(get(x, "declined"), true),
            within(get(x, "date"), &c.m12, &c.as_of)
        )),
        none(at(p, &["family", "carer_support_offered"]), |x| within(
            get(x, "date"),
            &c.m12,
            &c.as_of
        )),
    )
}

/// CMH-ENG-02.
pub fn eng_02(p: &Value, c: &Cutoffs) -> Truth {
    count_ge(
        at(p, &["engagement", "offers"]),
        |x| {
            all!(
                beq(get(x, "declined"), true),
                within(get(x, "date"), &c.m12, &c.as_of)
            )
        },
        2,
    )
}

/// CMH-FAM-01.
pub fn fam_01(p: &Value, _c: &Cutoffs) -> Truth {
    beq(at(p, &["family", "parents_involved_in_planning"]), false)
}

/// CMH-FAM-02.
pub fn fam_02(p: &Value, _c: &Cutoffs) -> Truth {
    sin(
        at(p, &["family", "consent_to_recommended_treatment"]),
        &["refused", "pending"],
    )
}

/// CMH-FAM-03.
pub fn fam_03(p: &Value, _c: &Cutoffs) -> Truth {
    all!(
        any(get(p, "placements"), |x| all!(
            open(get(x, "end_date")),
            sin(get(x, "placement_type"), &["foster_care", "kinship_care"])
        )),
        beq(at(p, &["family", "foster_carer_advocating"]), true),
        beq(
            at(p, &["family", "foster_carer_has_parental_responsibility"]),
            false
        ),
    )
}

/// CMH-FAM-04.
pub fn fam_04(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        beq(at(p, &["family", "parents_involved_in_planning"]), true),
        before(at(p, &["family", "last_involved_in_planning"]), &c.m6),
    )
}

/// CMH-MAW-01.
pub fn maw_01(p: &Value, _c: &Cutoffs) -> Truth {
    let agencies = at(p, &["people", "agencies"]);
    all!(
        len_ge(agencies, 4),
        missing(at(p, &["people", "lead_professional"])),
        none(agencies, |x| beq(get(x, "is_lead"), true)),
    )
}

/// CMH-MAW-02.
pub fn maw_02(p: &Value, _c: &Cutoffs) -> Truth {
    let advocates = at(p, &["people", "advocates"]);
    all!(
        len_ge(advocates, 2),
        any(advocates, |x| beq(
            get(x, "known_to_other_advocates"),
            false
        ))
    )
}

/// CMH-MAW-03.
pub fn maw_03(p: &Value, _c: &Cutoffs) -> Truth {
    len_ge(at(p, &["people", "agencies"]), 4)
}

/// CMH-MAW-04.
pub fn maw_04(p: &Value, _c: &Cutoffs) -> Truth {
    all!(
        len_ge(at(p, &["people", "agencies"]), 2),
        beq(
            at(p, &["people", "roles_and_responsibilities_agreed"]),
            true
        ),
    )
}

/// CMH-MED-01.
pub fn med_01(p: &Value, _c: &Cutoffs) -> Truth {
    any(at(p, &["health", "medications"]), |x| {
        all!(
            open(get(x, "end_date")),
            beq(get(x, "formal_diagnosis"), false),
            beq(get(x, "setting_protocol_requires_diagnosis"), true)
        )
    })
}

/// CMH-MED-02.
pub fn med_02(p: &Value, _c: &Cutoffs) -> Truth {
    let growth = at(p, &["health", "growth_or_physical_change_noted"]);
    let escalating = at(p, &["behaviour", "escalating"]);
    let noted = at(p, &["behaviour", "escalation_noted"]);
    any(at(p, &["health", "medications"]), |x| {
        let reviewed = get(x, "last_reviewed");
        all!(
            open(get(x, "end_date")),
            either!(
                dcmp(reviewed, growth, |a, b| a < b),
                all!(beq(escalating, true), dcmp(reviewed, noted, |a, b| a < b)),
            ),
        )
    })
}

/// CMH-MED-03.
pub fn med_03(p: &Value, _c: &Cutoffs) -> Truth {
    any(at(p, &["health", "diagnoses"]), |x| {
        beq(get(x, "parent_carer_view_differs"), true)
    })
}

/// CMH-MED-04.
pub fn med_04(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        any(at(p, &["health", "sdq_scores"]), |x| all!(
            num_ge(get(x, "total"), 17.0),
            within(get(x, "date"), &c.m12, &c.as_of)
        )),
        beq(at(p, &["health", "camhs", "involved"]), false),
    )
}

/// CMH-PLA-01.
pub fn pla_01(p: &Value, _c: &Cutoffs) -> Truth {
    any(at(p, &["health", "inpatient_episodes"]), |x| {
        all!(
            exists(get(x, "medically_fit_for_discharge")),
            open(get(x, "discharged")),
            seq(get(x, "discharge_delay_reason"), "no_placement")
        )
    })
}

/// CMH-PLA-02.
pub fn pla_02(p: &Value, _c: &Cutoffs) -> Truth {
    all!(
        looked_after(p),
        any(at(p, &["health", "inpatient_episodes"]), |x| all!(
            open(get(x, "discharged")),
            missing(get(x, "medically_fit_for_discharge")),
            beq(get(x, "discharge_placement_identified"), false)
        )),
    )
}

/// CMH-REL-01.
pub fn rel_01(p: &Value, _c: &Cutoffs) -> Truth {
    any(at(p, &["people", "practitioner_relationships"]), |x| {
        all!(
            beq(get(x, "positive"), true),
            beq(get(x, "ongoing"), true),
            beq(get(x, "at_risk_of_ending"), true)
        )
    })
}

/// CMH-REL-02.
pub fn rel_02(p: &Value, c: &Cutoffs) -> Truth {
    count_ge(
        at(p, &["people", "worker_changes"]),
        |x| {
            all!(
                sin(get(x, "reason"), &["organisational", "staff_left"]),
                within(get(x, "date"), &c.m12, &c.as_of)
            )
        },
        2,
    )
}

/// CMH-REL-03.
pub fn rel_03(p: &Value, c: &Cutoffs) -> Truth {
    any(at(p, &["people", "practitioner_relationships"]), |x| {
        all!(
            beq(get(x, "positive"), true),
            beq(get(x, "ongoing"), true),
            before(get(x, "since"), &c.m6)
        )
    })
}

/// CMH-REL-04.
pub fn rel_04(p: &Value, c: &Cutoffs) -> Truth {
    any(at(p, &["people", "worker_changes"]), |x| {
        all!(
            seq(get(x, "reason"), "child_requested"),
            within(get(x, "date"), &c.m12, &c.as_of)
        )
    })
}

/// CMH-STA-01.
pub fn sta_01(p: &Value, _c: &Cutoffs) -> Truth {
    care_order_and_section(p)
}

/// CMH-STA-02.
pub fn sta_02(p: &Value, _c: &Cutoffs) -> Truth {
    all!(
        ehcp_in_place(p),
        dto_in_force(p),
        beq(at(p, &["education", "ehcp", "progressing"]), true).not()
    )
}

/// CMH-STA-03.
pub fn sta_03(p: &Value, _c: &Cutoffs) -> Truth {
    placed_out_of_area_with_mh(p)
}

/// CMH-STA-04.
pub fn sta_04(p: &Value, _c: &Cutoffs) -> Truth {
    inpatient_out_of_area(p)
}

/// CMH-STA-05.
pub fn sta_05(p: &Value, _c: &Cutoffs) -> Truth {
    all!(
        duties_may_compete(p),
        beq(at(p, &["people", "duty_of_care_agreed"]), true),
        beq(
            at(p, &["people", "roles_and_responsibilities_agreed"]),
            true
        ),
    )
}

/// CMH-STB-01.
pub fn stb_01(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        long_current_placement(p, c),
        beq(at(p, &["behaviour", "challenging"]), true),
    )
}

/// CMH-STB-02.
pub fn stb_02(p: &Value, c: &Cutoffs) -> Truth {
    count_ge(
        get(p, "placements"),
        |x| {
            all!(
                ended(get(x, "end_date")),
                within(get(x, "end_date"), &c.m12, &c.as_of),
                either!(
                    seq(get(x, "reason_ended"), "CREQB"),
                    beq(get(x, "ended_by_carer_due_to_behaviour"), true)
                )
            )
        },
        2,
    )
}

/// CMH-STB-03.
pub fn stb_03(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        exists(at(p, &["people", "lead_professional"])),
        before(
            at(p, &["people", "lead_professional", "assigned_date"]),
            &c.m12
        ),
        no_recent_worker_change(p, c),
    )
}

/// CMH-STB-04.
pub fn stb_04(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        looked_after(p),
        long_current_placement(p, c),
        no_recent_worker_change(p, c),
    )
}

/// CMH-VOI-01.
pub fn voi_01(p: &Value, _c: &Cutoffs) -> Truth {
    let noted = at(p, &["behaviour", "escalation_noted"]);
    all!(
        beq(at(p, &["behaviour", "escalating"]), true),
        none(at(p, &["voice", "wishes_and_feelings"]), |x| dcmp(
            get(x, "date"),
            noted,
            |a, b| a >= b
        )),
    )
}

/// CMH-VOI-02.
pub fn voi_02(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        looked_after(p),
        none(at(p, &["voice", "wishes_and_feelings"]), |x| within(
            get(x, "date"),
            &c.m6,
            &c.as_of
        )),
    )
}

/// CMH-VOI-03.
pub fn voi_03(p: &Value, c: &Cutoffs) -> Truth {
    any(at(p, &["voice", "reviews"]), |x| {
        all!(
            seq(get(x, "participation"), "PN7"),
            within(get(x, "date"), &c.m6, &c.as_of)
        )
    })
}

/// CMH-VOI-04.
pub fn voi_04(p: &Value, _c: &Cutoffs) -> Truth {
    beq(at(p, &["voice", "views_considered_in_plan"]), false)
}

/// CMH-REC-01.
pub fn rec_01(p: &Value, c: &Cutoffs) -> Truth {
    any(at(p, &["crisis", "missing_episodes"]), |x| {
        all!(
            within(get(x, "start_date"), &c.m3, &c.as_of),
            either!(
                beq(get(x, "return_interview_offered"), false),
                beq(get(x, "return_interview_accepted"), false)
            )
        )
    })
}

/// CMH-REC-02.
pub fn rec_02(p: &Value, c: &Cutoffs) -> Truth {
    all!(
        looked_after(p),
        any(at(p, &["statutory", "visits"]), |x| within(
            get(x, "date"),
            &c.m6,
            &c.as_of
        )),
        none(at(p, &["statutory", "visits"]), |x| {
            all!(
                within(get(x, "date"), &c.m6, &c.as_of),
                beq(get(x, "seen_alone"), true)
            )
        }),
    )
}

/// A rule of the floor.
pub type Rule = fn(&Value, &Cutoffs) -> Truth;

/// Every rule of the pack, by id, in the order [`pack`] answers them.
pub const PACK: &[(&str, Rule)] = &[
    ("CMH-CRI-01", cri_01),
    ("CMH-CRI-02", cri_02),
    ("CMH-CRI-03", cri_03),
    ("CMH-CRI-04", cri_04),
    ("CMH-EDU-01", edu_01),
    ("CMH-EDU-02", edu_02),
    ("CMH-EDU-03", edu_03),
    ("CMH-EDU-04", edu_04),
    ("CMH-EDU-05", edu_05),
    ("CMH-EDU-06", edu_06),
    ("CMH-EDU-07", edu_07),
    ("CMH-EDU-08", edu_08),
    ("CMH-ENG-01", eng_01),
    ("CMH-ENG-02", eng_02),
    ("CMH-FAM-01", fam_01),
    ("CMH-FAM-02", fam_02),
    ("CMH-FAM-03", fam_03),
    ("CMH-FAM-04", fam_04),
    ("CMH-MAW-01", maw_01),
    ("CMH-MAW-02", maw_02),
    ("CMH-MAW-03", maw_03),
    ("CMH-MAW-04", maw_04),
    ("CMH-MED-01", med_01),
    ("CMH-MED-02", med_02),
    ("CMH-MED-03", med_03),
    ("CMH-MED-04", med_04),
    ("CMH-PLA-01", pla_01),
    ("CMH-PLA-02", pla_02),
    ("CMH-REC-01", rec_01),
    ("CMH-REC-02", rec_02),
    ("CMH-REL-01", rel_01),
    ("CMH-REL-02", rel_02),
    ("CMH-REL-03", rel_03),
    ("CMH-REL-04", rel_04),
    ("CMH-STA-01", sta_01),
    ("CMH-STA-02", sta_02),
    ("CMH-STA-03", sta_03),
    ("CMH-STA-04", sta_04),
    ("CMH-STA-05", sta_05),
    ("CMH-STB-01", stb_01),
    ("CMH-STB-02", stb_02),
    ("CMH-STB-03", stb_03),
    ("CMH-STB-04", stb_04),
    ("CMH-VOI-01", voi_01),
    ("CMH-VOI-02", voi_02),
    ("CMH-VOI-03", voi_03),
    ("CMH-VOI-04", voi_04),
];

fn kind(t: Truth) -> OutcomeKind {
    match t {
        Truth::True => OutcomeKind::Fires,
        Truth::False => OutcomeKind::Clear,
        Truth::Unknown => OutcomeKind::Unknown,
    }
}

/// Every rule of the pack decided on `p`, in the order of [`PACK`]: direct
/// calls, no table look-ups, so the compiler can inline them.
pub fn pack(p: &Value, c: &Cutoffs) -> Vec<OutcomeKind> {
    vec![
        kind(cri_01(p, c)),
        kind(cri_02(p, c)),
        kind(cri_03(p, c)),
        kind(cri_04(p, c)),
        kind(edu_01(p, c)),
        kind(edu_02(p, c)),
        kind(edu_03(p, c)),
        kind(edu_04(p, c)),
        kind(edu_05(p, c)),
        kind(edu_06(p, c)),
        kind(edu_07(p, c)),
        kind(edu_08(p, c)),
        kind(eng_01(p, c)),
        kind(eng_02(p, c)),
        kind(fam_01(p, c)),
        kind(fam_02(p, c)),
        kind(fam_03(p, c)),
        kind(fam_04(p, c)),
        kind(maw_01(p, c)),
        kind(maw_02(p, c)),
        kind(maw_03(p, c)),
        kind(maw_04(p, c)),
        kind(med_01(p, c)),
        kind(med_02(p, c)),
        kind(med_03(p, c)),
        kind(med_04(p, c)),
        kind(pla_01(p, c)),
        kind(pla_02(p, c)),
        kind(rec_01(p, c)),
        kind(rec_02(p, c)),
        kind(rel_01(p, c)),
        kind(rel_02(p, c)),
        kind(rel_03(p, c)),
        kind(rel_04(p, c)),
        kind(sta_01(p, c)),
        kind(sta_02(p, c)),
        kind(sta_03(p, c)),
        kind(sta_04(p, c)),
        kind(sta_05(p, c)),
        kind(stb_01(p, c)),
        kind(stb_02(p, c)),
        kind(stb_03(p, c)),
        kind(stb_04(p, c)),
        kind(voi_01(p, c)),
        kind(voi_02(p, c)),
        kind(voi_03(p, c)),
        kind(voi_04(p, c)),
    ]
}

/// The [`crate::SUBSET`] decided on `p` as fires / does not fire, in that
/// order (what the peers answer).
pub fn subset(p: &Value, c: &Cutoffs) -> Vec<bool> {
    let f = |t: Truth| t == T;
    vec![
        f(cri_01(p, c)),
        f(cri_02(p, c)),
        f(cri_03(p, c)),
        f(edu_01(p, c)),
        f(edu_02(p, c)),
        f(edu_03(p, c)),
        f(edu_04(p, c)),
        f(edu_06(p, c)),
        f(edu_07(p, c)),
        f(eng_01(p, c)),
        f(eng_02(p, c)),
        f(fam_02(p, c)),
        f(fam_04(p, c)),
        f(med_01(p, c)),
        f(med_04(p, c)),
        f(maw_01(p, c)),
        f(maw_02(p, c)),
        f(pla_01(p, c)),
        f(rel_02(p, c)),
        f(rel_03(p, c)),
        f(stb_01(p, c)),
        f(stb_02(p, c)),
        f(voi_02(p, c)),
        f(voi_03(p, c)),
    ]
}
