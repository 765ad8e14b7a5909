//! SSD values onto the case plan: DfE codes, the lookup descriptions some
//! deployments hold instead (Liquidlogic writes descriptions in
//! `lega_legal_status`, `clar_cla_review_participation`,
//! `clae_cla_episode_ceased_reason` and `immi_immigration_status`), and the
//! placement codes retired in 2015.
//!
//! Descriptions are matched after normalising: lower case, every run of
//! characters other than letters and digits read as one space. Sources:
//! the SSD code lists (data-to-insight/ssd-data-model, `data/`), the SSD
//! table specifications, and the SSDA903 guidance.

use crate::codes as dfe;

/// `text` in lower case with every run of non-alphanumeric characters as
/// one space, trimmed.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(ch.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

fn code_or(text: &str, codes: &[&'static str]) -> Option<&'static str> {
    let upper = text.trim().to_ascii_uppercase();
    codes.iter().copied().find(|c| *c == upper)
}

/// A legal status code (C1 … J3) from a code, or from its description.
pub fn legal_status(text: &str) -> Option<&'static str> {
    if let Some(code) = code_or(text, dfe::LEGAL_STATUS) {
        return Some(code);
    }
    let n = normalise(text);
    // A description may start with its code: "C2 - Full care order".
    if let Some((head, _)) = n.split_once(' ') {
        if let Some(code) = code_or(head, dfe::LEGAL_STATUS) {
            return Some(code);
        }
    }
    Some(match n.as_str() {
        "interim care order" | "interim care order s38" | "ico" => "C1",
        "full care order" | "care order" | "care order s31" | "section 31" => "C2",
        "freeing order granted" | "freeing order" => "D1",
        "placement order granted" | "placement order" => "E1",
        "single period of accommodation under section 20 children act 1989"
        | "single period of accommodation under section 20"
        | "accommodated under section 20"
        | "section 20"
        | "s20"
        | "voluntary accommodation s20" => "V2",
        "accommodated under an agreed series of short term breaks when individual episodes of care are recorded"
        | "short breaks individual episodes" => "V3",
        "accommodated under an agreed series of short term breaks when agreements are recorded not individual episodes of care"
        | "short breaks agreements" => "V4",
        "under police protection and in local authority accommodation" | "police protection" => "L1",
        "emergency protection order epo" | "emergency protection order" | "epo" => "L2",
        "under child assessment order and in local authority accommodation"
        | "child assessment order" => "L3",
        "remanded to local authority accommodation or to youth detention accommodation"
        | "remanded to local authority accommodation"
        | "remand" => "J1",
        "placed in local authority accommodation under the police and criminal evidence act 1984 including secure accommodation however this would not necessarily be accommodation where the child would be detained"
        | "pace" | "police and criminal evidence act 1984" => "J2",
        "sentenced to youth rehabilitation order" | "youth rehabilitation order" => "J3",
        _ => return None,
    })
}

/// A review participation code (PN0 … PN7) from a code or its description.
pub fn participation(text: &str) -> Option<&'static str> {
    if let Some(code) = code_or(text, dfe::REVIEW_CODE) {
        return Some(code);
    }
    let n = normalise(text);
    if let Some((head, _)) = n.split_once(' ') {
        if let Some(code) = code_or(head, dfe::REVIEW_CODE) {
            return Some(code);
        }
    }
    Some(match n.as_str() {
        "child aged under 4 at the time of the review" | "under 4" => "PN0",
        "child physically attends and speaks for him or herself"
        | "child physically attends and speaks for him or herself attendance"
        | "attends and speaks for self" => "PN1",
        "child physically attends and an advocate speaks on his or her behalf"
        | "attends and advocate speaks" => "PN2",
        "child attends and conveys his or her view symbolically"
        | "child attends and conveys his or her view symbolically non verbally"
        | "attends and conveys views symbolically" => "PN3",
        "child physically attends but does not speak for him or herself does not convey his or her view symbolically non verbally and does not ask an advocate to speak for him or her"
        | "attends but does not contribute" => "PN4",
        "child does not attend physically but briefs an advocate to speak for him or her"
        | "does not attend briefs an advocate" => "PN5",
        "child does not attend but conveys his or her feelings to the review by a facilitative medium"
        | "does not attend conveys views" => "PN6",
        "child does not attend nor are his or her views conveyed to the review"
        | "does not attend and views not conveyed" => "PN7",
        _ => return None,
    })
}

/// A reason-episode-ceased code (X1, E11 …) from a code or its description.
pub fn ceased_reason(text: &str) -> Option<&'static str> {
    if let Some(code) = code_or(text, dfe::REC) {
        return Some(code);
    }
    let n = normalise(text);
    if let Some((head, _)) = n.split_once(' ') {
        if let Some(code) = code_or(head, dfe::REC) {
            return Some(code);
        }
    }
    Some(match n.as_str() {
        "episode ceases and new episode begins on same day for any reason" => "X1",
        "adopted application for an adoption order unopposed" => "E11",
        "adopted consent dispensed with by the court" => "E12",
        "died" => "E2",
        "care taken over by another local authority in the uk" => "E3",
        "sentenced to custody" => "E7",
        "age assessment determined child is aged 18 or over and e5 e6 and e7 do not apply such as an unaccompanied asylum seeking child uasc whose age has been disputed" => "E9",
        "period of being looked after ceased for any other reason where none of the other reasons apply" => "E8",
        _ => return None,
    })
}

/// How a placement type code maps: the schema's place code (when it has
/// it), its placement type, and whether it is short-term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceMapping {
    /// The code for `place_code`, when the schema's list has it.
    pub place_code: Option<&'static str>,
    /// The schema's `placement_type`.
    pub placement_type: &'static str,
    /// `short_term`, when the code says.
    pub short_term: Option<bool>,
    /// True for a code retired in 2015 (or earlier).
    pub pre_2015: bool,
}

/// Placement codes used before the 2015 return, with the placement type they
/// correspond to: A1/A2 placed for adoption, F1-F6 fostering (F1-F3 with
/// relatives or friends; F1, F2, F4 and F5 long-term or FFA), H1 secure
/// unit, H2 homes and hostels, H3 hostels and other supportive settings,
/// H4 residential schools, M2/M3 missing from placement, Q1 fostering with
/// relatives or friends and Q2 with other carers.
const PRE_2015: &[(&str, &str, Option<bool>)] = &[
    ("A1", "other", Some(false)),
    ("A2", "other", Some(false)),
    ("F1", "kinship_care", Some(false)),
    ("F2", "kinship_care", Some(false)),
    ("F3", "kinship_care", None),
    ("F4", "foster_care", Some(false)),
    ("F5", "foster_care", Some(false)),
    ("F6", "foster_care", None),
    ("H1", "secure", None),
    ("H2", "residential", None),
    ("H3", "supported_accommodation", None),
    ("H4", "residential", None),
    ("M2", "other", None),
    ("M3", "other", None),
    ("Q1", "kinship_care", None),
    ("Q2", "foster_care", None),
];

/// The mapping of a placement type code (current or pre-2015).
pub fn placement(text: &str) -> Option<PlaceMapping> {
    let code = text.trim().to_ascii_uppercase();
    if let Some(p) = dfe::place_code(&code) {
        return Some(PlaceMapping {
            place_code: p.in_schema.then_some(p.code),
            placement_type: p.placement_type,
            short_term: p.short_term,
            pre_2015: false,
        });
    }
    PRE_2015
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, placement_type, short_term)| PlaceMapping {
            place_code: None,
            placement_type,
            short_term: *short_term,
            pre_2015: true,
        })
}

/// A placement change reason code (CARPL … OTHER).
pub fn change_reason(text: &str) -> Option<&'static str> {
    code_or(text, dfe::REASON_PLACE_CHANGE)
}

/// A missing-episode type: `missing` (M or "missing") or `away` (A, "away",
/// "absent", "away from placement without authorisation").
pub fn missing_type(text: &str) -> Option<&'static str> {
    let n = normalise(text);
    Some(match n.as_str() {
        "m" | "missing" | "missing from care" | "missing from home" => "missing",
        "a" | "away" | "absent" | "away from placement without authorisation" => "away",
        _ => return None,
    })
}

/// A Y/N flag: Y, Yes, 1, True → true; N, No, 0, False → false.
pub fn flag(text: &str) -> Option<bool> {
    match normalise(text).as_str() {
        "y" | "yes" | "1" | "true" | "t" => Some(true),
        "n" | "no" | "0" | "false" | "f" => Some(false),
        _ => None,
    }
}

/// The permanence plan options of the SSD care plan (`lacp_cla_care_plan_json`),
/// as the schema names them.
pub const PERMANENCE_OPTIONS: &[&str] = &[
    "REMAINSUP",
    "RETURN1M",
    "RETURN6M",
    "RETURNEV",
    "LTRELFR",
    "LTFOST18",
    "RESPLMT",
    "SUPPLIV",
    "ADOPTION",
    "OTHERPLN",
];

/// What a care plan's permanence plan value records.
#[derive(Debug, PartialEq, Eq)]
pub enum Permanence {
    /// The options ticked, in the order of [`PERMANENCE_OPTIONS`] (empty:
    /// no permanence plan agreed).
    Options(Vec<&'static str>),
    /// Options were ticked, but some are not permanence plan options (how
    /// many such keys).
    Unmapped(usize),
    /// Not JSON, or JSON of another shape.
    Malformed,
}

/// Reads `lacp_cla_care_plan_json`. The SSD standard form is an object with
/// every option as a key (`{"REMAINSUP": "", "ADOPTION": "Y", ...}`), an option
/// ticked when its value is non-empty and not a no (`N`, `No`, `0`, `false`,
/// `null`); a list of option codes (`["ADOPTION", "LTFOST18"]`) and an empty
/// value are read too (empty: nothing ticked).
pub fn permanence_options(text: &str) -> Permanence {
    let text = text.trim();
    if text.is_empty() {
        return Permanence::Options(Vec::new());
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Permanence::Malformed;
    };
    let mut ticked: Vec<String> = Vec::new();
    match value {
        serde_json::Value::Array(items) => {
            for item in items {
                match item {
                    serde_json::Value::String(code) => {
                        ticked.push(code.trim().to_ascii_uppercase())
                    }
                    _ => return Permanence::Malformed,
                }
            }
        }
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let yes = match &v {
                    serde_json::Value::Null => false,
                    serde_json::Value::Bool(b) => *b,
                    serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
                    serde_json::Value::String(t) => {
                        let t = normalise(t);
                        !(t.is_empty() || matches!(t.as_str(), "n" | "no" | "0" | "false" | "f"))
                    }
                    _ => return Permanence::Malformed,
                };
                if yes {
                    ticked.push(key.trim().to_ascii_uppercase());
                }
            }
        }
        _ => return Permanence::Malformed,
    }
    let unknown = ticked
        .iter()
        .filter(|c| !PERMANENCE_OPTIONS.contains(&c.as_str()))
        .count();
    if unknown > 0 {
        return Permanence::Unmapped(unknown);
    }
    Permanence::Options(
        PERMANENCE_OPTIONS
            .iter()
            .copied()
            .filter(|o| ticked.iter().any(|t| t == o))
            .collect(),
    )
}

/// The schema's worker-change reason from `invo_worker_change_reason`
/// (the SSDA903 SW_REASON codes).
pub fn worker_change_reason(text: &str) -> Option<&'static str> {
    dfe::sw_reason(text.trim().to_ascii_uppercase().as_str())
}

/// Whether an immigration status says the child is an unaccompanied asylum
/// seeking child; `None` when the status is not one the importer knows.
pub fn uasc(text: &str) -> Option<bool> {
    let n = normalise(text);
    if n == "uasc"
        || n.contains("unaccompanied asylum seeking")
        || n.contains("unaccompanied asylum seeker")
    {
        return Some(true);
    }
    const OTHER: &[&str] = &[
        "british citizen",
        "citizen",
        "settled status",
        "pre settled status",
        "indefinite leave to remain",
        "limited leave to remain",
        "refugee status",
        "refugee",
        "humanitarian protection",
        "asylum seeker",
        "no recourse to public funds",
        "eu settlement scheme",
        "leave to remain",
        "discretionary leave",
        "section 67 leave",
    ];
    OTHER.contains(&n.as_str()).then_some(false)
}

/// Whether a care-leaver eligibility says the young person is a care
/// leaver (eligible, relevant, former relevant, qualifying).
pub fn care_leaver(text: &str) -> Option<bool> {
    let n = normalise(text);
    const YES: &[&str] = &[
        "eligible",
        "relevant",
        "former relevant",
        "qualifying",
        "eligible child",
        "relevant child",
        "former relevant child",
        "qualifying care leaver",
    ];
    if YES.contains(&n.as_str()) {
        return Some(true);
    }
    if n == "not eligible" || n == "none" {
        return Some(false);
    }
    None
}

/// The schema's word for a disability code, as for the CIN census; `NONE`
/// maps to no word.
pub fn disability(text: &str) -> Option<Option<&'static str>> {
    dfe::disability(text.trim().to_ascii_uppercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanence_plans_in_every_form() {
        use super::Permanence::{Malformed, Options, Unmapped};
        let standard = r#"{"REMAINSUP": "", "RETURN1M": "", "RETURN6M": "", "RETURNEV": "", "LTRELFR": "", "LTFOST18": "Y", "RESPLMT": "", "SUPPLIV": "", "ADOPTION": "Yes", "OTHERPLN": "N"}"#;
        assert_eq!(
            permanence_options(standard),
            Options(vec!["LTFOST18", "ADOPTION"])
        );
        let none = r#"{"REMAINSUP": "", "ADOPTION": null, "OTHERPLN": "No"}"#;
        assert_eq!(permanence_options(none), Options(vec![]));
        assert_eq!(permanence_options(""), Options(vec![]));
        assert_eq!(
            permanence_options(r#"["adoption", "RETURNEV"]"#),
            Options(vec!["RETURNEV", "ADOPTION"])
        );
        assert_eq!(
            permanence_options(r#"{"KINSHIP": "Y", "ADOPTION": "Y"}"#),
            Unmapped(1)
        );
        assert_eq!(permanence_options("ADOPTION"), Malformed);
        assert_eq!(permanence_options(r#"{"ADOPTION": ["Y"]}"#), Malformed);
        assert_eq!(permanence_options("[1]"), Malformed);
    }

    #[test]
    fn normalises() {
        assert_eq!(normalise("  Full Care-Order (S31) "), "full care order s31");
    }

    #[test]
    fn legal_status_codes_and_descriptions() {
        assert_eq!(legal_status("c2"), Some("C2"));
        assert_eq!(legal_status("Full care order"), Some("C2"));
        assert_eq!(legal_status("C1 - Interim care order"), Some("C1"));
        assert_eq!(
            legal_status("Single period of accommodation under section 20 (Children Act 1989)"),
            Some("V2")
        );
        assert_eq!(legal_status("Emergency protection order (EPO)"), Some("L2"));
        assert_eq!(legal_status("Something else"), None);
    }

    #[test]
    fn participation_descriptions() {
        assert_eq!(participation("PN7"), Some("PN7"));
        assert_eq!(
            participation("Child does not attend nor are his or her views conveyed to the review"),
            Some("PN7")
        );
        assert_eq!(
            participation("Child physically attends and speaks for him or herself (Attendance)."),
            Some("PN1")
        );
        assert_eq!(participation("PN9"), None);
    }

    #[test]
    fn ceased_reasons() {
        assert_eq!(ceased_reason("E41"), Some("E41"));
        assert_eq!(ceased_reason("Died"), Some("E2"));
        assert_eq!(ceased_reason("Sentenced to custody"), Some("E7"));
        assert_eq!(ceased_reason("whatever"), None);
    }

    #[test]
    fn placements_current_and_pre_2015() {
        let u6 = placement("U6");
        assert_eq!(u6.map(|p| p.placement_type), Some("foster_care"));
        assert_eq!(u6.and_then(|p| p.place_code), Some("U6"));
        let f4 = placement("F4");
        assert_eq!(f4.map(|p| p.pre_2015), Some(true));
        assert_eq!(f4.and_then(|p| p.place_code), None);
        assert_eq!(f4.and_then(|p| p.short_term), Some(false));
        assert_eq!(placement("K3").and_then(|p| p.place_code), None);
        assert_eq!(placement("ZZ"), None);
    }

    #[test]
    fn flags_types_and_statuses() {
        assert_eq!(flag("Y"), Some(true));
        assert_eq!(flag("no"), Some(false));
        assert_eq!(flag("maybe"), None);
        assert_eq!(missing_type("M"), Some("missing"));
        assert_eq!(missing_type("Away"), Some("away"));
        assert_eq!(
            uasc("Unaccompanied Asylum Seeking Child (UASC)"),
            Some(true)
        );
        assert_eq!(uasc("British citizen"), Some(false));
        assert_eq!(uasc("Something"), None);
        assert_eq!(care_leaver("Former relevant"), Some(true));
        assert_eq!(worker_change_reason("leftrl"), Some("staff_left"));
        assert_eq!(disability("NONE"), Some(None));
    }
}
