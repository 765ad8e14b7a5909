//! Code lists of the SSDA903 return and the CIN census, and how codes map
//! onto the case plan.
//!
//! Sources: the DfE code lists as published with the SSDA903 and CIN census
//! guidance, as encoded in the validators of data-to-insight
//! (csc-validator-be-903 rule 146 for 2022/23, 2024/25 and 2025/26 PLACE
//! codes; rule SW13STG1 for SW_REASON; csc-validator-be-cin rule 8866 for
//! ReferralSource) and in data-to-insight/ssd-data-model (placement types,
//! legal status, assessment factors).

/// What a PLACE code means for the plan, and the collection years it is valid in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceCode {
    /// The code.
    pub code: &'static str,
    /// The schema's `placement_type` for it.
    pub placement_type: &'static str,
    /// `short_term`: true for temporary placements (T0-T4), false where the
    /// code says the placement is long-term or permanent, unknown otherwise.
    pub short_term: Option<bool>,
    /// The first collection year (by the year its 31 March falls in) the code is valid in.
    pub valid_from_year: Option<i32>,
    /// The first collection year the code is no longer valid in (retired).
    pub retired_from_year: Option<i32>,
    /// Whether the case-plan schema's `place_code` list has the code.
    pub in_schema: bool,
}

const fn place(
    code: &'static str,
    placement_type: &'static str,
    short_term: Option<bool>,
) -> PlaceCode {
    PlaceCode {
        code,
        placement_type,
        short_term,
        valid_from_year: None,
        retired_from_year: None,
        in_schema: true,
    }
}

const fn retired(mut p: PlaceCode, year: i32) -> PlaceCode {
    p.retired_from_year = Some(year);
    p
}

const fn new_code(mut p: PlaceCode, year: i32) -> PlaceCode {
    p.valid_from_year = Some(year);
    p.in_schema = false;
    p
}

/// SSDA903 PLACE codes. H5, P2 and Z1 are retired from the 2025/26 return
/// (year ending 31 March 2026); K3 appears from 2024/25 and Z11-Z14 from
/// 2025/26, and the schema's `place_code` list does not have them yet.
pub const PLACE_CODES: &[PlaceCode] = &[
    place("A3", "other", Some(false)),
    place("A4", "other", Some(false)),
    place("A5", "other", Some(false)),
    place("A6", "other", Some(false)),
    retired(place("H5", "supported_accommodation", None), 2026),
    place("K1", "secure", None),
    place("K2", "residential", None),
    new_code(place("K3", "supported_accommodation", None), 2025),
    place("P1", "with_parents", None),
    retired(place("P2", "other", None), 2026),
    place("P3", "other", None),
    place("R1", "residential", None),
    place("R2", "hospital_inpatient", None),
    place("R3", "other", None),
    place("R5", "secure", None),
    place("S1", "residential", None),
    place("T0", "other", Some(true)),
    place("T1", "hospital_inpatient", Some(true)),
    place("T2", "other", Some(true)),
    place("T3", "other", Some(true)),
    place("T4", "other", Some(true)),
    place("U1", "kinship_care", Some(false)),
    place("U2", "kinship_care", Some(false)),
    place("U3", "kinship_care", None),
    place("U4", "foster_care", Some(false)),
    place("U5", "foster_care", Some(false)),
    place("U6", "foster_care", None),
    retired(place("Z1", "other", None), 2026),
    new_code(place("Z11", "other", None), 2026),
    new_code(place("Z12", "other", None), 2026),
    new_code(place("Z13", "other", None), 2026),
    new_code(place("Z14", "other", None), 2026),
];

/// The PLACE code `code`, if it is one.
pub fn place_code(code: &str) -> Option<&'static PlaceCode> {
    PLACE_CODES.iter().find(|p| p.code == code)
}

/// SSDA903 legal status (LS) codes, as in the schema.
pub const LEGAL_STATUS: &[&str] = &[
    "C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3",
];

/// SSDA903 reason for new episode (RNE): S started to be looked after; L
/// change of legal status only; P change of placement and carer(s) only; T
/// change of placement (same carers) only; B change of legal status and
/// placement and carer(s); U change of legal status and placement (same
/// carers).
pub const RNE: &[&str] = &["S", "L", "P", "T", "B", "U"];

/// SSDA903 reason episode ceased (REC). X1: a new episode begins the same
/// day; the E codes end the period of care.
pub const REC: &[&str] = &[
    "X1", "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E41", "E43", "E44", "E45",
    "E46", "E47", "E48", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E99",
];

/// SSDA903 REASON_PLACE_CHANGE codes, as in the schema.
pub const REASON_PLACE_CHANGE: &[&str] = &[
    "CARPL", "CLOSE", "ALLEG", "STAND", "CUSTOD", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ",
    "PLACE", "OTHER",
];

/// SSDA903 REVIEW_CODE (participation in the review).
pub const REVIEW_CODE: &[&str] = &["PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"];

/// The schema's `reason` for a change of worker, from SSDA903 SW_REASON:
/// MANAGE (management decision), ORGRST (organisational restructure) and
/// TSPROC (transfer between teams as part of a process) are organisational;
/// LEFTRL (worker left the role) and FCONTA (fixed-term contract ended) are
/// staff leaving; CHCHAN (child asked for the change) is child_requested;
/// ABSENC (worker absent), PCCHAN (parent or carer asked), SWDIED and OTHERS
/// are other.
pub fn sw_reason(code: &str) -> Option<&'static str> {
    Some(match code {
        "MANAGE" | "ORGRST" | "TSPROC" => "organisational",
        "LEFTRL" | "FCONTA" => "staff_left",
        "CHCHAN" => "child_requested",
        "ABSENC" | "PCCHAN" | "SWDIED" | "OTHERS" => "other",
        _ => return None,
    })
}

/// CIN census ReferralSource codes (csc-validator-be-cin rule 8866).
pub const REFERRAL_SOURCE: &[&str] = &[
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C",
    "5D", "6", "7", "8", "9", "10",
];

/// The ReferralSource code for "Health services – A&E (emergency department)".
pub const REFERRAL_FROM_AE: &str = "3E";

/// CIN census assessment factors (ssd-data-model, item ssd065).
pub const ASSESSMENT_FACTORS: &[&str] = &[
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6A",
    "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A",
    "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A", "23A", "24A",
];

/// Assessment factor 4A: concerns about the mental health of the child.
pub const FACTOR_CHILD_MENTAL_HEALTH: &str = "4A";

/// The schema's word for a CIN census disability code; `NONE` maps to no
/// word (the child has no disability: an empty list).
pub fn disability(code: &str) -> Option<Option<&'static str>> {
    Some(Some(match code {
        "AUT" => "autism",
        "BEH" => "behaviour",
        "COMM" => "communication",
        "CON" => "consciousness",
        "DDA" => "disability_discrimination_act_other",
        "HAND" => "hand_function",
        "HEAR" => "hearing_impairment",
        "INC" => "continence",
        "LD" => "learning_disability",
        "MOB" => "mobility",
        "PC" => "personal_care",
        "VIS" => "visual_impairment",
        "NONE" => return Some(None),
        _ => return None,
    }))
}
