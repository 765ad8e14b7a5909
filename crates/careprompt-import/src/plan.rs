//! The part of the case plan (`crates/careprompt/schema/case-plan.schema.json`) that the
//! returns can fill. Every field is optional and left out of the JSON when
//! the return does not carry it, so that rules needing it report `unknown`.
//!
//! "None" is written only where the return says it: an empty list for a
//! child the return covers and records nothing for. Every plan carries a
//! [`Coverage`] naming the fields the return carries for that child
//! (`docs/notes` pinned format: `{"source": ..., "records": [paths]}`), and
//! no explicit none is written outside it.

use serde::{Deserialize, Serialize};

/// A case plan as imported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The plan's id: the child's id.
    pub plan_id: String,
    /// The child.
    pub child: Child,
    /// Placements, oldest first (SSDA903 episodes, merged where only the
    /// legal status changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placements: Option<Vec<Placement>>,
    /// Health: SDQ scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    /// Crises: missing and away episodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crisis: Option<Crisis>,
    /// People: changes of social worker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<People>,
    /// Voice: looked-after reviews and how the child took part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice: Option<Voice>,
    /// What the return carries for this child (set by
    /// [`Plan::declare_coverage`]). Education is never in it: neither
    /// return says whether a child has a PEP, so `education` is left out
    /// (not known), never written as none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

/// The pinned source-coverage declaration: the schema paths (dotted, no
/// list indices) whose every field the source records for this child. A
/// covered field that is absent reads as its explicit none; anything
/// outside stays unknown, "not in this source".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// `ssda903`, `cin` or `ssda903+cin`.
    pub source: String,
    /// The covered paths, sorted.
    pub records: Vec<String>,
}

/// The child.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Child {
    /// SSDA903 CHILD or CIN LAchildID.
    pub id: String,
    /// YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Looked after at the as-of date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub looked_after: Option<bool>,
    /// SSDA903 LS of the current episode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_status: Option<String>,
    /// The responsible local authority (`--la-code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_local_authority: Option<String>,
    /// True when a CIN assessment recorded factor 4A.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mental_health_needs: Option<bool>,
    /// From CIN disability AUT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neurodiversity: Option<Vec<String>>,
    /// From CIN disabilities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabilities: Option<Vec<String>>,
}

/// One placement.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// `p1`, `p2`, … in date order.
    pub id: String,
    /// SSDA903 PLACE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_code: Option<String>,
    /// Grouping derived from PLACE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement_type: Option<String>,
    /// DECOM of the first episode.
    pub start_date: String,
    /// DEC of the last episode, unless it is after the as-of date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// PL_LA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_authority: Option<String>,
    /// PL_LOCATION, or PL_LA compared with `--la-code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_area: Option<bool>,
    /// PL_DISTANCE (left out when 999.9).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_miles: Option<f64>,
    /// True for T0-T4; false where PLACE says long-term or permanent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_term: Option<bool>,
    /// REASON_PLACE_CHANGE of the episode that ended the placement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_ended: Option<String>,
    /// True for CREQB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_by_carer_due_to_behaviour: Option<bool>,
}

/// Health.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// SDQ totals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdq_scores: Option<Vec<SdqScore>>,
}

/// An SDQ total difficulties score.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SdqScore {
    /// The end of the collection year (the return has no SDQ date).
    pub date: String,
    /// 0-40.
    pub total: u32,
}

/// Crises.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Crisis {
    /// Missing and away episodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_episodes: Option<Vec<MissingEpisode>>,
}

/// A missing or away-from-placement episode.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MissingEpisode {
    /// MIS_START.
    pub start_date: String,
    /// MIS_END, unless blank or after the as-of date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// `missing` (M) or `away` (A).
    pub episode_type: String,
}

/// People.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct People {
    /// Changes of social worker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_changes: Option<Vec<WorkerChange>>,
}

/// A change of allocated worker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerChange {
    /// SW_DECOM of the new social worker episode.
    pub date: String,
    /// Always `social worker`.
    pub role: String,
    /// Grouping of SW_REASON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Voice.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    /// Looked-after reviews.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviews: Option<Vec<Review>>,
}

/// A looked-after review.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// REVIEW.
    pub date: String,
    /// REVIEW_CODE PN0-PN7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participation: Option<String>,
}

impl Plan {
    /// An empty plan for `child`.
    pub fn new(child: &str) -> Plan {
        Plan {
            plan_id: child.to_string(),
            child: Child {
                id: child.to_string(),
                ..Child::default()
            },
            ..Plan::default()
        }
    }

    /// The paths this plan holds a return's record for: each list the
    /// importer wrote (empty or not) and each child fact it set. These are
    /// exactly the places an explicit none may appear.
    pub fn carried_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        let c = &self.child;
        let facts = [
            ("child.date_of_birth", c.date_of_birth.is_some()),
            ("child.looked_after", c.looked_after.is_some()),
            ("child.legal_status", c.legal_status.is_some()),
            (
                "child.home_local_authority",
                c.home_local_authority.is_some(),
            ),
            ("child.mental_health_needs", c.mental_health_needs.is_some()),
            ("child.neurodiversity", c.neurodiversity.is_some()),
            ("child.disabilities", c.disabilities.is_some()),
            ("placements", self.placements.is_some()),
            (
                "health.sdq_scores",
                self.health.as_ref().is_some_and(|h| h.sdq_scores.is_some()),
            ),
            (
                "crisis.missing_episodes",
                self.crisis
                    .as_ref()
                    .is_some_and(|c| c.missing_episodes.is_some()),
            ),
            (
                "people.worker_changes",
                self.people
                    .as_ref()
                    .is_some_and(|p| p.worker_changes.is_some()),
            ),
            (
                "voice.reviews",
                self.voice.as_ref().is_some_and(|v| v.reviews.is_some()),
            ),
        ];
        for (path, carried) in facts {
            if carried {
                out.push(path.to_string());
            }
        }
        out.sort();
        out
    }

    /// Sets [`Plan::coverage`] to what the plan carries, from `source`.
    pub fn declare_coverage(&mut self, source: &str) {
        self.coverage = Some(Coverage {
            source: source.to_string(),
            records: self.carried_paths(),
        });
    }

    /// The plan as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The plan as one line of JSON.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
