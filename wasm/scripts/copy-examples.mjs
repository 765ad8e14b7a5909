// Copies the example plans (examples/plans/**/*.json) next to the pages and
// writes an index the pages read: examples/index.json.
// Usage: node scripts/copy-examples.mjs REPO_ROOT DEST_DIR
import { mkdir, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const [root, dest] = process.argv.slice(2);
if (!root || !dest) {
  console.error('usage: copy-examples.mjs REPO_ROOT DEST_DIR');
  process.exit(2);
}

async function walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

function titleOf(file, plan) {
  const base = file.split('/').pop().replace(/\.json$/, '');
  const m = base.match(/^([a-z]+-\d+)-(.*)$/i);
  const words = (m ? m[2] : base).replace(/[-_]+/g, ' ');
  const id = plan && typeof plan.plan_id === 'string' ? plan.plan_id : m ? m[1].toUpperCase() : '';
  return id ? `${id} — ${words}` : words;
}

const srcDir = join(root, 'examples', 'plans');
const plansDest = join(dest, 'plans');
await rm(dest, { recursive: true, force: true });
await mkdir(plansDest, { recursive: true });
const plans = [];
for (const path of await walk(srcDir)) {
  if (!path.endsWith('.json')) continue;
  const rel = relative(srcDir, path).split(sep).join('/');
  let plan = null;
  try {
    plan = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    // Deliberately broken examples are still worth showing.
  }
  await mkdir(join(plansDest, ...rel.split('/').slice(0, -1)), { recursive: true });
  await copyFile(path, join(plansDest, ...rel.split('/')));
  plans.push({ file: `plans/${rel}`, title: titleOf(rel, plan) });
}
await writeFile(join(dest, 'index.json'), JSON.stringify({ plans }, null, 2) + '\n');
console.error(`[careprompt-wasm] copied ${plans.length} example plans to ${dest}`);
