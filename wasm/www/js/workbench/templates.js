// Starting points for a pack: a small new pack (one rule, its constant, its
// tests and a base plan), a local pack built on the built-in pack (the
// repository's Fictional Borough example) and a copy of the built-in pack.
import { EXAMPLE_LOCAL_PACK } from './example-local-pack.js';

const NEW_PACK = {
  'pack.toml': `# The manifest of this pack (docs/packs.md). Give it your own name and
# raise the version whenever the pack changes.
[pack]
name = "new-local-pack"
version = "0.1.0"
description = "A new careprompt pack: say here what it is for."
# Every .cpr file outside tests/ is one of the pack's rules files, and every
# .test.toml file one of its tests (list them as rules = [...] and
# tests = [...] to choose). Add extends = "jtai-childrens-mental-health"
# to build on the built-in pack.
`,
  'rules.cpr': `# The rules of this pack. Each rule states one learning point as a
# condition on the case plan; the tests in tests/ try it on plans.

# The age from which the pack expects the Virtual School to be involved:
# a local starting point (funded early education starts at 3).
const virtual_school_from_age = 3

rule NEW-EDU-01 {
  title "Virtual School not involved for a looked-after child"
  theme "Education"
  kind practice
  severity medium
  when
    child.looked_after
    and age of child.date_of_birth >= virtual_school_from_age
    and education.virtual_school.involved = false
  prompt "The plan records that the Virtual School is not involved in this looked-after child's education."
  next "Ask the Virtual School to join the next review of the child's education plan."
}
`,
  'tests/rules.test.toml': `# Tests for rules.cpr: each case starts from the base plan, changes one
# thing, and says what the rule should conclude.
as_of = 2026-11-26
base = "fixtures/base.json"

[[case]]
name = "NEW-EDU-01 is clear when the Virtual School is involved"
[case.expect]
"NEW-EDU-01" = "clear"

[[case]]
name = "NEW-EDU-01 fires when the Virtual School is not involved"
[case.set]
"education.virtual_school.involved" = false
[case.expect]
"NEW-EDU-01" = "fires"

[[case]]
name = "NEW-EDU-01 is unknown when the plan does not say"
remove = ["education.virtual_school.involved"]
[case.expect]
"NEW-EDU-01" = "unknown"
[case.expect_missing]
"NEW-EDU-01" = ["education.virtual_school.involved"]
`,
  'tests/fixtures/base.json': `{
  "plan_id": "TEMPLATE-BASE",
  "child": {
    "date_of_birth": "2014-03-02",
    "looked_after": true
  },
  "education": {
    "virtual_school": { "involved": true }
  }
}
`,
};

/** The templates offered, by id: { label, files() -> [{ name, text }] }. */
export function templates(engine) {
  return {
    new: {
      label: 'A new pack: one rule, its tests and a base plan',
      files: () => Object.entries(NEW_PACK).map(([name, text]) => ({ name, text })),
    },
    local: {
      label: 'A local pack built on the built-in pack (the Fictional Borough example)',
      files: () => Object.entries(EXAMPLE_LOCAL_PACK).map(([name, text]) => ({ name, text })),
    },
    builtin: {
      label: "A copy of the built-in children's mental health pack",
      files: () => [...engine.builtinSources(), ...engine.builtinTests()],
    },
  };
}
