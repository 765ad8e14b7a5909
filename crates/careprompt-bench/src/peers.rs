//! The pack's [`crate::SUBSET`] written for three peer engines, each used
//! on its documented fast path:
//!
//! - **datalogic-rs** (JSONLogic): rules compiled once to `Logic`; a plan
//!   parsed once to `ParsedData`; rules evaluated in a reused `Session`
//!   (its arena reset after each plan).
//! - **zen-expression** (ZEN): rules compiled once to `Expression`; a plan
//!   deserialised once to a `Variable` and wrapped in a `Scope`; one `VM`
//!   reused for every evaluation.
//! - **cel** (CEL): rules compiled once to `Program` against one shared
//!   `Env`; a plan converted once to a CEL value and bound as `plan` in a
//!   `Context`.
//!
//! Dates are ISO strings compared with precomputed cutoff strings written
//! into the rules ([`Cutoffs`]). ZEN cannot order strings (its `<` takes
//! numbers and dates only), so its date tests go through its `d()` date
//! function, as the ZEN documentation does them.
//!
//! A rule fires when it evaluates to `true`; false or null is "does not
//! fire", which is how careprompt's `clear` and `unknown` both map for a
//! peer (an evaluation error fails the gate).
//!
//! Generated plans say "none" explicitly (`null` for no PEP, no planned
//! school move, no lead professional, not yet medically fit for
//! discharge), so the peers test those fields against `null`: CEL's
//! `has()` is true of a key that holds `null`, and so is not used for them.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::Cutoffs;

/// One rule in each peer's language.
#[derive(Clone, Debug)]
pub struct PeerRule {
    /// The careprompt rule id.
    pub id: &'static str,
    /// JSONLogic.
    pub jsonlogic: Value,
    /// A ZEN expression.
    pub zen: String,
    /// A CEL expression over the variable `plan`.
    pub cel: String,
}

fn var(p: &str) -> Value {
    json!({ "var": p })
}

fn is(p: &str, b: bool) -> Value {
    json!({ "===": [var(p), b] })
}

fn jl_within(p: &str, cut: &str, c: &Cutoffs) -> Value {
    json!({ "<=": [cut, var(p), c.as_of] })
}

fn jl_count(list: &str, cond: Value) -> Value {
    json!({ "reduce": [{ "filter": [var(list), cond] }, { "+": [{ "var": "accumulator" }, 1] }, 0] })
}

fn jl_len(list: &str) -> Value {
    json!({ "reduce": [var(list), { "+": [{ "var": "accumulator" }, 1] }, 0] })
}

fn zw(field: &str, cut: &str, c: &Cutoffs) -> String {
    format!(
        "(d({field}) >= d('{cut}') and d({field}) <= d('{}'))",
        c.as_of
    )
}

fn cw(field: &str, cut: &str, c: &Cutoffs) -> String {
    format!("({field} >= '{cut}' && {field} <= '{}')", c.as_of)
}

/// The [`crate::SUBSET`], in that order, with cutoffs for `c`.
pub fn rules(c: &Cutoffs) -> Vec<PeerRule> {
    let zen_has_mh = "(child.mental_health_needs == true or some(health.diagnoses, #.category == 'mental_health') or health.camhs.involved == true)";
    let cel_has_mh = "(plan.child.mental_health_needs == true || plan.health.diagnoses.exists(x, x.category == 'mental_health') || plan.health.camhs.involved == true)";
    let jl_la_mh = json!({ "and": [is("child.looked_after", true), jl_has_mh()] });
    let zen_la_mh = format!("(child.looked_after == true and {zen_has_mh})");
    let cel_la_mh = format!("(plan.child.looked_after == true && {cel_has_mh})");
    vec![
        PeerRule {
            id: "CMH-CRI-01",
            jsonlogic: json!({ "and": [
                is("child.looked_after", true),
                { ">=": [jl_count("placements", json!({ "and": [
                    { "or": [is("emergency", true), is("short_term", true)] },
                    jl_within("start_date", &c.m12, c),
                ]})), 3] },
            ]}),
            zen: format!(
                "child.looked_after == true and count(placements, (#.emergency == true or #.short_term == true) and {}) >= 3",
                zw("#.start_date", &c.m12, c)
            ),
            cel: format!(
                "plan.child.looked_after == true && plan.placements.filter(x, (x.emergency == true || x.short_term == true) && {}).size() >= 3",
                cw("x.start_date", &c.m12, c)
            ),
        },
        PeerRule {
            id: "CMH-CRI-02",
            jsonlogic: json!({ ">=": [jl_count("crisis.ae_attendances", json!({ "and": [
                is("mental_health_crisis", true), is("other_medical_need", false), jl_within("date", &c.m6, c),
            ]})), 2] }),
            zen: format!(
                "count(crisis.ae_attendances, #.mental_health_crisis == true and #.other_medical_need == false and {}) >= 2",
                zw("#.date", &c.m6, c)
            ),
            cel: format!(
                "plan.crisis.ae_attendances.filter(x, x.mental_health_crisis == true && x.other_medical_need == false && {}).size() >= 2",
                cw("x.date", &c.m6, c)
            ),
        },
        PeerRule {
            id: "CMH-CRI-03",
            jsonlogic: json!({ "and": [jl_has_mh(), { "or": [
                { ">=": [jl_count("crisis.missing_episodes", jl_within("start_date", &c.m3, c)), 3] },
                { ">=": [jl_count("crisis.arrests", jl_within("date", &c.m3, c)), 2] },
                { ">=": [jl_count("crisis.self_harm_incidents", jl_within("date", &c.m3, c)), 2] },
            ]}]}),
            zen: format!(
                "{zen_has_mh} and (count(crisis.missing_episodes, {}) >= 3 or count(crisis.arrests, {}) >= 2 or count(crisis.self_harm_incidents, {}) >= 2)",
                zw("#.start_date", &c.m3, c),
                zw("#.date", &c.m3, c),
                zw("#.date", &c.m3, c)
            ),
            cel: format!(
                "{cel_has_mh} && (plan.crisis.missing_episodes.filter(x, {}).size() >= 3 || plan.crisis.arrests.filter(x, {}).size() >= 2 || plan.crisis.self_harm_incidents.filter(x, {}).size() >= 2)",
                cw("x.start_date", &c.m3, c),
                cw("x.date", &c.m3, c),
                cw("x.date", &c.m3, c)
            ),
        },
        PeerRule {
            id: "CMH-EDU-01",
            jsonlogic: json!({ "and": [jl_la_mh.clone(), is("education.virtual_school.involved", false)] }),
            zen: format!("{zen_la_mh} and education.virtual_school.involved == false"),
            cel: format!("{cel_la_mh} && plan.education.virtual_school.involved == false"),
        },
        PeerRule {
            id: "CMH-EDU-02",
            jsonlogic: json!({ "and": [jl_la_mh.clone(), { "some": [var("education.education_plan_changes"), { "and": [
                is("virtual_school_consulted", false), jl_within("date", &c.m12, c),
            ]}]}]}),
            zen: format!(
                "{zen_la_mh} and some(education.education_plan_changes, #.virtual_school_consulted == false and {})",
                zw("#.date", &c.m12, c)
            ),
            cel: format!(
                "{cel_la_mh} && plan.education.education_plan_changes.exists(x, x.virtual_school_consulted == false && {})",
                cw("x.date", &c.m12, c)
            ),
        },
        PeerRule {
            id: "CMH-EDU-03",
            jsonlogic: json!({ "and": [
                { "or": [is("child.developmental_trauma", true), { "!!": [var("child.neurodiversity")] }] },
                is("education.behaviour_policy_adapted", false),
            ]}),
            zen: "(child.developmental_trauma == true or len(child.neurodiversity) > 0) and education.behaviour_policy_adapted == false".into(),
            cel: "(plan.child.developmental_trauma == true || size(plan.child.neurodiversity) > 0) && plan.education.behaviour_policy_adapted == false".into(),
        },
        PeerRule {
            id: "CMH-EDU-04",
            jsonlogic: json!({ "or": [
                { "and": [
                    { "!!": [var("education.planned_school_move")] },
                    is("education.planned_school_move.transition_to_secondary", true),
                    is("education.planned_school_move.transition_support_planned", false),
                    { ">=": [var("education.planned_school_move.date"), c.term] },
                ]},
                { "some": [var("education.school_moves"), { "and": [
                    is("transition_to_secondary", true), is("transition_support_planned", false), jl_within("date", &c.term, c),
                ]}]},
            ]}),
            zen: format!(
                "(education.planned_school_move != null and education.planned_school_move.transition_to_secondary == true and education.planned_school_move.transition_support_planned == false and d(education.planned_school_move.date) >= d('{}')) or some(education.school_moves, #.transition_to_secondary == true and #.transition_support_planned == false and {})",
                c.term,
                zw("#.date", &c.term, c)
            ),
            cel: format!(
                "(plan.education.planned_school_move != null && plan.education.planned_school_move.transition_to_secondary == true && plan.education.planned_school_move.transition_support_planned == false && plan.education.planned_school_move.date >= '{}') || plan.education.school_moves.exists(x, x.transition_to_secondary == true && x.transition_support_planned == false && {})",
                c.term,
                cw("x.date", &c.term, c)
            ),
        },
        PeerRule {
            id: "CMH-EDU-06",
            jsonlogic: json!({ "and": [
                is("child.looked_after", true),
                { "<=": [var("child.date_of_birth"), c.dob3] },
                { "or": [{ "!": [var("education.pep")] }, is("education.pep.in_place", false)] },
            ]}),
            zen: format!(
                "child.looked_after == true and d(child.date_of_birth) <= d('{}') and (education.pep == null or education.pep.in_place == false)",
                c.dob3
            ),
            cel: format!(
                "plan.child.looked_after == true && plan.child.date_of_birth <= '{}' && (plan.education.pep == null || plan.education.pep.in_place == false)",
                c.dob3
            ),
        },
        PeerRule {
            id: "CMH-EDU-07",
            jsonlogic: json!({ "and": [
                is("child.looked_after", true),
                is("education.pep.in_place", true),
                { "<": [var("education.pep.last_reviewed"), c.term] },
            ]}),
            zen: format!(
                "child.looked_after == true and education.pep.in_place == true and d(education.pep.last_reviewed) < d('{}')",
                c.term
            ),
            cel: format!(
                "plan.child.looked_after == true && plan.education.pep != null && plan.education.pep.in_place == true && plan.education.pep.last_reviewed < '{}'",
                c.term
            ),
        },
        PeerRule {
            id: "CMH-ENG-01",
            jsonlogic: json!({ "and": [
                { "some": [var("engagement.offers"), { "and": [
                    { "===": [var("offer_type"), "therapy"] }, is("declined", true), jl_within("date", &c.m12, c),
                ]}]},
                { "none": [var("family.carer_support_offered"), jl_within("date", &c.m12, c)] },
            ]}),
            zen: format!(
                "some(engagement.offers, #.offer_type == 'therapy' and #.declined == true and {}) and none(family.carer_support_offered, {})",
                zw("#.date", &c.m12, c),
                zw("#.date", &c.m12, c)
            ),
            cel: format!(
                "plan.engagement.offers.exists(x, x.offer_type == 'therapy' && x.declined == true && {}) && !plan.family.carer_support_offered.exists(x, {})",
                cw("x.date", &c.m12, c),
                cw("x.date", &c.m12, c)
            ),
        },
        PeerRule {
            id: "CMH-ENG-02",
            jsonlogic: json!({ ">=": [jl_count("engagement.offers", json!({ "and": [
                is("declined", true), jl_within("date", &c.m12, c),
            ]})), 2] }),
            zen: format!("count(engagement.offers, #.declined == true and {}) >= 2", zw("#.date", &c.m12, c)),
            cel: format!("plan.engagement.offers.filter(x, x.declined == true && {}).size() >= 2", cw("x.date", &c.m12, c)),
        },
        PeerRule {
            id: "CMH-FAM-02",
            jsonlogic: json!({ "in": [var("family.consent_to_recommended_treatment"), ["refused", "pending"]] }),
            zen: "family.consent_to_recommended_treatment in ['refused', 'pending']".into(),
            cel: "plan.family.consent_to_recommended_treatment in ['refused', 'pending']".into(),
        },
        PeerRule {
            id: "CMH-FAM-04",
            jsonlogic: json!({ "and": [
                is("family.parents_involved_in_planning", true),
                { "<": [var("family.last_involved_in_planning"), c.m6] },
            ]}),
            zen: format!(
                "family.parents_involved_in_planning == true and d(family.last_involved_in_planning) < d('{}')",
                c.m6
            ),
            cel: format!(
                "plan.family.parents_involved_in_planning == true && plan.family.last_involved_in_planning < '{}'",
                c.m6
            ),
        },
        PeerRule {
            id: "CMH-MED-01",
            jsonlogic: json!({ "some": [var("health.medications"), { "and": [
                { "!": [var("end_date")] }, is("formal_diagnosis", false), is("setting_protocol_requires_diagnosis", true),
            ]}]}),
            zen: "some(health.medications, #.end_date == null and #.formal_diagnosis == false and #.setting_protocol_requires_diagnosis == true)".into(),
            cel: "plan.health.medications.exists(x, !has(x.end_date) && x.formal_diagnosis == false && x.setting_protocol_requires_diagnosis == true)".into(),
        },
        PeerRule {
            id: "CMH-MED-04",
            jsonlogic: json!({ "and": [
                { "some": [var("health.sdq_scores"), { "and": [{ ">=": [var("total"), 17] }, jl_within("date", &c.m12, c)] }] },
                is("health.camhs.involved", false),
            ]}),
            zen: format!(
                "some(health.sdq_scores, #.total >= 17 and {}) and health.camhs.involved == false",
                zw("#.date", &c.m12, c)
            ),
            cel: format!(
                "plan.health.sdq_scores.exists(x, x.total >= 17 && {}) && plan.health.camhs.involved == false",
                cw("x.date", &c.m12, c)
            ),
        },
        PeerRule {
            id: "CMH-MAW-01",
            jsonlogic: json!({ "and": [
                { ">=": [jl_len("people.agencies"), 4] },
                { "!": [var("people.lead_professional")] },
                { "none": [var("people.agencies"), is("is_lead", true)] },
            ]}),
            zen: "len(people.agencies) >= 4 and people.lead_professional == null and none(people.agencies, #.is_lead == true)".into(),
            cel: "size(plan.people.agencies) >= 4 && plan.people.lead_professional == null && !plan.people.agencies.exists(x, x.is_lead == true)".into(),
        },
        PeerRule {
            id: "CMH-MAW-02",
            jsonlogic: json!({ "and": [
                { ">=": [jl_len("people.advocates"), 2] },
                { "some": [var("people.advocates"), is("known_to_other_advocates", false)] },
            ]}),
            zen: "len(people.advocates) >= 2 and some(people.advocates, #.known_to_other_advocates == false)".into(),
            cel: "size(plan.people.advocates) >= 2 && plan.people.advocates.exists(x, x.known_to_other_advocates == false)".into(),
        },
        PeerRule {
            id: "CMH-PLA-01",
            jsonlogic: json!({ "some": [var("health.inpatient_episodes"), { "and": [
                { "!!": [var("medically_fit_for_discharge")] },
                { "!": [var("discharged")] },
                { "===": [var("discharge_delay_reason"), "no_placement"] },
            ]}]}),
            zen: "some(health.inpatient_episodes, #.medically_fit_for_discharge != null and #.discharged == null and #.discharge_delay_reason == 'no_placement')".into(),
            cel: "plan.health.inpatient_episodes.exists(x, has(x.medically_fit_for_discharge) && x.medically_fit_for_discharge != null && !has(x.discharged) && x.discharge_delay_reason == 'no_placement')".into(),
        },
        PeerRule {
            id: "CMH-REL-02",
            jsonlogic: json!({ ">=": [jl_count("people.worker_changes", json!({ "and": [
                { "in": [var("reason"), ["organisational", "staff_left"]] }, jl_within("date", &c.m12, c),
            ]})), 2] }),
            zen: format!(
                "count(people.worker_changes, #.reason in ['organisational', 'staff_left'] and {}) >= 2",
                zw("#.date", &c.m12, c)
            ),
            cel: format!(
                "plan.people.worker_changes.filter(x, x.reason in ['organisational', 'staff_left'] && {}).size() >= 2",
                cw("x.date", &c.m12, c)
            ),
        },
        PeerRule {
            id: "CMH-REL-03",
            jsonlogic: json!({ "some": [var("people.practitioner_relationships"), { "and": [
                is("positive", true), is("ongoing", true), { "<": [var("since"), c.m6] },
            ]}]}),
            zen: format!(
                "some(people.practitioner_relationships, #.positive == true and #.ongoing == true and d(#.since) < d('{}'))",
                c.m6
            ),
            cel: format!(
                "plan.people.practitioner_relationships.exists(x, x.positive == true && x.ongoing == true && x.since < '{}')",
                c.m6
            ),
        },
        PeerRule {
            id: "CMH-STB-01",
            jsonlogic: json!({ "and": [
                { "some": [var("placements"), { "and": [{ "!": [var("end_date")] }, { "<": [var("start_date"), c.m12] }] }] },
                is("behaviour.challenging", true),
            ]}),
            zen: format!(
                "some(placements, #.end_date == null and d(#.start_date) < d('{}')) and behaviour.challenging == true",
                c.m12
            ),
            cel: format!(
                "plan.placements.exists(x, !has(x.end_date) && x.start_date < '{}') && plan.behaviour.challenging == true",
                c.m12
            ),
        },
        PeerRule {
            id: "CMH-STB-02",
            jsonlogic: json!({ ">=": [jl_count("placements", json!({ "and": [
                { "!!": [var("end_date")] },
                jl_within("end_date", &c.m12, c),
                { "or": [{ "===": [var("reason_ended"), "CREQB"] }, is("ended_by_carer_due_to_behaviour", true)] },
            ]})), 2] }),
            zen: format!(
                "count(placements, #.end_date != null and {} and (#.reason_ended == 'CREQB' or #.ended_by_carer_due_to_behaviour == true)) >= 2",
                zw("#.end_date", &c.m12, c)
            ),
            cel: format!(
                "plan.placements.filter(x, has(x.end_date) && {} && ((has(x.reason_ended) && x.reason_ended == 'CREQB') || (has(x.ended_by_carer_due_to_behaviour) && x.ended_by_carer_due_to_behaviour == true))).size() >= 2",
                cw("x.end_date", &c.m12, c)
            ),
        },
        PeerRule {
            id: "CMH-VOI-02",
            jsonlogic: json!({ "and": [
                is("child.looked_after", true),
                { "none": [var("voice.wishes_and_feelings"), jl_within("date", &c.m6, c)] },
            ]}),
            zen: format!(
                "child.looked_after == true and none(voice.wishes_and_feelings, {})",
                zw("#.date", &c.m6, c)
            ),
            cel: format!(
                "plan.child.looked_after == true && !plan.voice.wishes_and_feelings.exists(x, {})",
                cw("x.date", &c.m6, c)
            ),
        },
        PeerRule {
            id: "CMH-VOI-03",
            jsonlogic: json!({ "some": [var("voice.reviews"), { "and": [
                { "===": [var("participation"), "PN7"] }, jl_within("date", &c.m6, c),
            ]}]}),
            zen: format!("some(voice.reviews, #.participation == 'PN7' and {})", zw("#.date", &c.m6, c)),
            cel: format!("plan.voice.reviews.exists(x, x.participation == 'PN7' && {})", cw("x.date", &c.m6, c)),
        },
    ]
}

fn jl_has_mh() -> Value {
    json!({ "or": [
        is("child.mental_health_needs", true),
        { "some": [var("health.diagnoses"), { "===": [var("category"), "mental_health"] }] },
        is("health.camhs.involved", true),
    ]})
}

/// An error from a peer engine, as text.
pub type PeerError = String;

/// datalogic-rs (JSONLogic).
pub struct Datalogic {
    engine: datalogic_rs::Engine,
    rules: Vec<datalogic_rs::Logic>,
}

impl Datalogic {
    /// Compiles `rules`' JSONLogic.
    pub fn compile(rules: &[PeerRule]) -> Result<Datalogic, PeerError> {
        let engine = datalogic_rs::Engine::new();
        let compiled = rules
            .iter()
            .map(|r| {
                engine
                    .compile(r.jsonlogic.to_string().as_str())
                    .map_err(|e| format!("{}: {e}", r.id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Datalogic {
            engine,
            rules: compiled,
        })
    }

    /// A session to evaluate in (reuse it for every plan).
    pub fn session(&self) -> datalogic_rs::Session<'_> {
        self.engine.session()
    }

    /// Parses plan bytes once.
    pub fn parse(bytes: &[u8]) -> Result<datalogic_rs::ParsedData, PeerError> {
        let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
        datalogic_rs::ParsedData::from_json(text).map_err(|e| e.to_string())
    }

    /// Every rule on a parsed plan: true where it fires.
    pub fn eval(
        &self,
        session: &mut datalogic_rs::Session<'_>,
        data: &datalogic_rs::ParsedData,
    ) -> Result<Vec<bool>, PeerError> {
        let mut out = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let fired = session
                .eval_borrowed(rule, data)
                .map_err(|e| e.to_string())?
                .as_bool()
                == Some(true);
            out.push(fired);
        }
        session.reset();
        Ok(out)
    }
}

/// zen-expression (ZEN).
pub struct Zen {
    rules: Vec<zen_expression::Expression<zen_expression::expression::Standard>>,
}

impl Zen {
    /// Compiles `rules`' ZEN expressions.
    pub fn compile(rules: &[PeerRule]) -> Result<Zen, PeerError> {
        let compiled = rules
            .iter()
            .map(|r| {
                zen_expression::compile_expression(&r.zen).map_err(|e| format!("{}: {e}", r.id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Zen { rules: compiled })
    }

    /// A VM to evaluate in (reuse it for every plan).
    pub fn vm() -> zen_expression::vm::VM {
        zen_expression::vm::VM::new()
    }

    /// Parses plan bytes once into a scope.
    pub fn parse(bytes: &[u8]) -> Result<zen_expression::Scope, PeerError> {
        let v: zen_expression::Variable =
            serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        Ok(zen_expression::Scope::new(v))
    }

    /// Every rule on a parsed plan: true where it fires.
    pub fn eval(
        &self,
        vm: &mut zen_expression::vm::VM,
        scope: &zen_expression::Scope,
    ) -> Result<Vec<bool>, PeerError> {
        let mut out = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let v = rule
                .evaluate_with_scope(scope, vm)
                .map_err(|e| e.to_string())?;
            out.push(v.as_bool() == Some(true));
        }
        Ok(out)
    }
}

/// cel (CEL).
pub struct Cel {
    env: Arc<cel::Env>,
    rules: Vec<cel::Program>,
}

impl Cel {
    /// Compiles `rules`' CEL expressions.
    pub fn compile(rules: &[PeerRule]) -> Result<Cel, PeerError> {
        let env = Arc::new(cel::Env::stdlib());
        let compiled = rules
            .iter()
            .map(|r| env.compile(&r.cel).map_err(|e| format!("{}: {e}", r.id)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Cel {
            env,
            rules: compiled,
        })
    }

    /// Parses plan bytes once into a context with the plan bound as `plan`.
    pub fn parse(&self, bytes: &[u8]) -> Result<cel::Context<'static, 'static>, PeerError> {
        let json: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let value = cel::to_value(&json).map_err(|e| e.to_string())?;
        let mut ctx = cel::Context::with_env(Arc::clone(&self.env));
        ctx.add_variable_from_value("plan", value);
        Ok(ctx)
    }

    /// Every rule on a parsed plan: true where it fires.
    pub fn eval(&self, ctx: &cel::Context<'_, '_>) -> Result<Vec<bool>, PeerError> {
        let mut out = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let v = rule.execute(ctx).map_err(|e| e.to_string())?;
            out.push(v == cel::Value::Bool(true));
        }
        Ok(out)
    }
}
