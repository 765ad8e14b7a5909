// Launch the real Chromium (Debian's /usr/bin/chromium) through playwright-core,
// and watch every request a page or the extension makes.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Quiet, offline-minded flags: nothing here should talk to the network by itself.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--metrics-recording-only',
];

/** A fresh browser context with its own user-data-dir. Call close() when done. */
export async function launch({ extensionDir } = {}) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'careprompt-chromium-'));
  const args = [...CHROMIUM_ARGS];
  let headless = true;
  if (extensionDir) {
    // Extensions need the new headless mode, which playwright enables when
    // headless is false and --headless=new is passed by hand.
    headless = false;
    args.push('--headless=new', `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  }
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless,
    args,
    ignoreDefaultArgs: extensionDir ? ['--disable-extensions'] : [],
    viewport: { width: 1200, height: 900 },
    serviceWorkers: 'allow',
  });
  const requests = [];
  // The context sees the requests of all its pages and service workers.
  context.on('request', (request) => requests.push(request.url()));
  return {
    context,
    requests,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The requests that went anywhere but `allowedOrigins` (plus the browser's own
 * inert schemes). An empty list means nothing left the machine.
 */
export function foreignRequests(requests, allowedOrigins) {
  const ok = (url) => {
    if (/^(data|blob|about|chrome-extension):/.test(url)) {
      if (!url.startsWith('chrome-extension:')) return true;
      return allowedOrigins.some((o) => url.startsWith(o));
    }
    return allowedOrigins.some((o) => url === o || url.startsWith(o + '/'));
  };
  return [...new Set(requests)].filter((u) => !ok(u));
}
