// The example plans and rule test files copied next to the pages at build
// time (scripts/copy-examples.mjs writes examples/index.json).
export async function loadExampleIndex(base = new URL('../examples/', import.meta.url)) {
  try {
    const res = await fetch(new URL('index.json', base));
    if (!res.ok) return { plans: [], ruleTests: [] };
    const index = await res.json();
    return { plans: index.plans ?? [], ruleTests: index.ruleTests ?? [], base };
  } catch {
    return { plans: [], ruleTests: [], base };
  }
}

export async function loadExampleText(index, file) {
  const res = await fetch(new URL(file, index.base));
  if (!res.ok) throw new Error(`could not load ${file}: ${res.status}`);
  return res.text();
}

/** Today's date in the browser's time zone as YYYY-MM-DD (a default the user can change). */
export function todayLocal() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
