// The expected results, computed in Node with the same package the pages use.
import * as cp from '@careprompt/careprompt';

let pack;
export async function pack_() {
  if (!pack) {
    await cp.init();
    pack = cp.builtin();
  }
  return pack;
}

/** The report for `plan` (text, bytes or object) as of `asOf`; fails the test on error. */
export async function expectedReport(plan, asOf) {
  const r = (await pack_()).check(plan, { asOf });
  if (!r.ok) throw new Error(`the plan does not check: ${r.json}`);
  return r.report;
}

export const idsWith = (report, outcome) => report.outcomes.filter((o) => o.outcome === outcome).map((o) => o.rule).sort();
export { cp };
