//! The SSD tables the importer reads, and the columns of each it uses,
//! by their SSD names (v1.4.5). Columns are found by name; a table may lack
//! any column that is not marked required, and the plan fields it feeds
//! are then left out (unknown).

/// What a column holds, for checking values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or a code.
    Text,
    /// A date or date-time (only the date is kept).
    Date,
    /// A number.
    Number,
    /// A Y/N flag.
    Flag,
}

/// A column of an SSD table.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The SSD column name.
    pub name: &'static str,
    /// Another name some systems give the same column (Mosaic names the
    /// care plan's row id `lacp_cla_care_plan_id`), or `None`.
    pub also: Option<&'static str>,
    /// What it holds.
    pub kind: Kind,
    /// Whether the table cannot be used without it.
    pub required: bool,
}

/// An SSD table the importer reads.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// The SSD table name.
    pub name: &'static str,
    /// The columns used, in a fixed order (the importer refers to them by
    /// position in this list).
    pub columns: &'static [Column],
}

const fn c(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        also: None,
        kind,
        required: false,
    }
}

const fn r(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        also: None,
        kind,
        required: true,
    }
}

/// A required column that some systems name differently.
const fn r_or(name: &'static str, also: &'static str, kind: Kind) -> Column {
    Column {
        name,
        also: Some(also),
        kind,
        required: true,
    }
}

impl Column {
    /// Whether `header` (lower case) names this column.
    pub fn is_named(&self, header: &str) -> bool {
        header == self.name || self.also == Some(header)
    }
}

use Kind::{Date, Flag, Number, Text};

/// `ssd_person`: one row per child (required).
pub const PERSON: Table = Table {
    name: "ssd_person",
    columns: &[r("pers_person_id", Text), c("pers_dob", Date)],
};
/// `ssd_cla_episodes`: periods of care, the link from care (`clae_cla_id`)
/// and placements to the child.
pub const CLA_EPISODES: Table = Table {
    name: "ssd_cla_episodes",
    columns: &[
        r("clae_cla_episode_id", Text),
        r("clae_person_id", Text),
        r("clae_cla_episode_start_date", Date),
        c("clae_cla_episode_ceased_date", Date),
        c("clae_cla_episode_ceased_reason", Text),
        c("clae_cla_id", Text),
        c("clae_cla_placement_id", Text),
    ],
};
/// `ssd_cin_episodes`: referrals, used only to link involvements to the
/// child where `ssd_involvements` has no person column.
pub const CIN_EPISODES: Table = Table {
    name: "ssd_cin_episodes",
    columns: &[r("cine_referral_id", Text), r("cine_person_id", Text)],
};
/// `ssd_cla_placement`: placements.
pub const PLACEMENT: Table = Table {
    name: "ssd_cla_placement",
    columns: &[
        r("clap_cla_placement_id", Text),
        c("clap_person_id", Text),
        c("clap_cla_id", Text),
        r("clap_cla_placement_start_date", Date),
        c("clap_cla_placement_end_date", Date),
        c("clap_cla_placement_type", Text),
        c("clap_cla_placement_distance", Number),
        c("clap_cla_placement_change_reason", Text),
    ],
};
/// `ssd_legal_status`: legal status history.
pub const LEGAL_STATUS: Table = Table {
    name: "ssd_legal_status",
    columns: &[
        r("lega_legal_status_id", Text),
        r("lega_person_id", Text),
        r("lega_legal_status", Text),
        r("lega_legal_status_start_date", Date),
        c("lega_legal_status_end_date", Date),
    ],
};
/// `ssd_cla_reviews`: looked-after reviews.
pub const REVIEWS: Table = Table {
    name: "ssd_cla_reviews",
    columns: &[
        r("clar_cla_review_id", Text),
        c("clar_cla_id", Text),
        c("clar_cla_person_id", Text),
        r("clar_cla_review_date", Date),
        c("clar_cla_review_cancelled", Flag),
        c("clar_cla_review_participation", Text),
    ],
};
/// `ssd_sdq_scores`: dated SDQ total difficulties scores.
pub const SDQ: Table = Table {
    name: "ssd_sdq_scores",
    columns: &[
        r("csdq_table_id", Text),
        r("csdq_person_id", Text),
        r("csdq_sdq_completed_date", Date),
        r("csdq_sdq_score", Number),
    ],
};
/// `ssd_missing`: missing episodes and return home interviews.
pub const MISSING: Table = Table {
    name: "ssd_missing",
    columns: &[
        r("miss_table_id", Text),
        r("miss_person_id", Text),
        r("miss_missing_episode_start_date", Date),
        c("miss_missing_episode_type", Text),
        c("miss_missing_episode_end_date", Date),
        c("miss_missing_rhi_offered", Flag),
        c("miss_missing_rhi_accepted", Flag),
    ],
};
/// `ssd_involvements`: worker involvements.
pub const INVOLVEMENTS: Table = Table {
    name: "ssd_involvements",
    columns: &[
        r("invo_involvements_id", Text),
        c("invo_person_id", Text),
        c("invo_referral_id", Text),
        c("invo_professional_role_id", Text),
        r("invo_involvement_start_date", Date),
        c("invo_involvement_end_date", Date),
        c("invo_worker_change_reason", Text),
    ],
};
/// `ssd_disability`: disability codes.
pub const DISABILITY: Table = Table {
    name: "ssd_disability",
    columns: &[
        r("disa_table_id", Text),
        r("disa_person_id", Text),
        r("disa_disability_code", Text),
    ],
};
/// `ssd_cla_health`: health assessments and checks.
pub const HEALTH: Table = Table {
    name: "ssd_cla_health",
    columns: &[
        r("clah_health_check_id", Text),
        r("clah_person_id", Text),
        c("clah_health_check_type", Text),
        r("clah_health_check_date", Date),
        c("clah_health_check_status", Text),
    ],
};
/// `ssd_cla_visits`: statutory visits to looked-after children.
pub const VISITS: Table = Table {
    name: "ssd_cla_visits",
    columns: &[
        r("clav_cla_visit_id", Text),
        r("clav_person_id", Text),
        r("clav_cla_visit_date", Date),
        c("clav_cla_visit_seen", Flag),
        c("clav_cla_visit_seen_alone", Flag),
    ],
};
/// `ssd_cp_plans`: child protection plans.
pub const CP_PLANS: Table = Table {
    name: "ssd_cp_plans",
    columns: &[
        r("cppl_cp_plan_id", Text),
        r("cppl_person_id", Text),
        r("cppl_cp_plan_start_date", Date),
        c("cppl_cp_plan_end_date", Date),
        c("cppl_cp_plan_latest_category", Text),
    ],
};
/// `ssd_cin_plans`: child-in-need plans.
pub const CIN_PLANS: Table = Table {
    name: "ssd_cin_plans",
    columns: &[
        r("cinp_cin_plan_id", Text),
        r("cinp_person_id", Text),
        r("cinp_cin_plan_start_date", Date),
        c("cinp_cin_plan_end_date", Date),
    ],
};
/// `ssd_immigration_status`: immigration status history (UASC).
pub const IMMIGRATION: Table = Table {
    name: "ssd_immigration_status",
    columns: &[
        r("immi_immigration_status_id", Text),
        r("immi_person_id", Text),
        r("immi_immigration_status", Text),
        r("immi_immigration_status_start_date", Date),
        c("immi_immigration_status_end_date", Date),
    ],
};
/// `ssd_care_leavers`: care leavers.
pub const CARE_LEAVERS: Table = Table {
    name: "ssd_care_leavers",
    columns: &[
        r("clea_table_id", Text),
        r("clea_person_id", Text),
        c("clea_care_leaver_eligibility", Text),
    ],
};
/// `ssd_cin_assessments`: child-in-need assessments, read to link
/// assessment factors to the child and to date them.
pub const CIN_ASSESSMENTS: Table = Table {
    name: "ssd_cin_assessments",
    columns: &[
        r("cina_assessment_id", Text),
        r("cina_person_id", Text),
        c("cina_assessment_start_date", Date),
        c("cina_assessment_auth_date", Date),
    ],
};
/// `ssd_assessment_factors`: the factors identified at an assessment, as
/// JSON (a list of codes, or an object of code to Yes/No).
pub const ASSESSMENT_FACTORS: Table = Table {
    name: "ssd_assessment_factors",
    columns: &[
        r("cinf_table_id", Text),
        r("cinf_assessment_id", Text),
        c("cinf_assessment_factors_json", Text),
    ],
};
/// `ssd_cla_care_plan`: the looked-after child's care plan periods, each
/// with its permanence plan (a JSON object of the options ticked, or a list).
pub const CARE_PLAN: Table = Table {
    name: "ssd_cla_care_plan",
    columns: &[
        r_or("lacp_table_id", "lacp_cla_care_plan_id", Text),
        r("lacp_person_id", Text),
        r("lacp_cla_care_plan_start_date", Date),
        c("lacp_cla_care_plan_end_date", Date),
        c("lacp_cla_care_plan_json", Text),
    ],
};

/// Every table read, in reading order: the person table first, then the
/// tables that link care episodes and referrals to children, then the rest
/// (assessments before the factors linked to them).
pub const TABLES: &[Table] = &[
    PERSON,
    CLA_EPISODES,
    CIN_EPISODES,
    PLACEMENT,
    LEGAL_STATUS,
    REVIEWS,
    SDQ,
    MISSING,
    INVOLVEMENTS,
    DISABILITY,
    HEALTH,
    VISITS,
    CP_PLANS,
    CIN_PLANS,
    IMMIGRATION,
    CARE_LEAVERS,
    CIN_ASSESSMENTS,
    ASSESSMENT_FACTORS,
    CARE_PLAN,
];

/// Positions in [`TABLES`].
pub mod t {
    /// `ssd_person`.
    pub const PERSON: usize = 0;
    /// `ssd_cla_episodes`.
    pub const CLA_EPISODES: usize = 1;
    /// `ssd_cin_episodes`.
    pub const CIN_EPISODES: usize = 2;
    /// `ssd_cla_placement`.
    pub const PLACEMENT: usize = 3;
    /// `ssd_legal_status`.
    pub const LEGAL_STATUS: usize = 4;
    /// `ssd_cla_reviews`.
    pub const REVIEWS: usize = 5;
    /// `ssd_sdq_scores`.
    pub const SDQ: usize = 6;
    /// `ssd_missing`.
    pub const MISSING: usize = 7;
    /// `ssd_involvements`.
    pub const INVOLVEMENTS: usize = 8;
    /// `ssd_disability`.
    pub const DISABILITY: usize = 9;
    /// `ssd_cla_health`.
    pub const HEALTH: usize = 10;
    /// `ssd_cla_visits`.
    pub const VISITS: usize = 11;
    /// `ssd_cp_plans`.
    pub const CP_PLANS: usize = 12;
    /// `ssd_cin_plans`.
    pub const CIN_PLANS: usize = 13;
    /// `ssd_immigration_status`.
    pub const IMMIGRATION: usize = 14;
    /// `ssd_care_leavers`.
    pub const CARE_LEAVERS: usize = 15;
    /// `ssd_cin_assessments` (read before the factors that link to it).
    pub const CIN_ASSESSMENTS: usize = 16;
    /// `ssd_assessment_factors`.
    pub const ASSESSMENT_FACTORS: usize = 17;
    /// `ssd_cla_care_plan`.
    pub const CARE_PLAN: usize = 18;
}
