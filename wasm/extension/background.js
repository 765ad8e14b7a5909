// The extension's service worker: holds the careprompt engine (WebAssembly,
// loaded from the extension's own files) and checks the plans the content
// script sends it. It makes no network request and stores nothing.
import { init, builtin } from './engine/careprompt.js';

let rulesPromise = null;
let mappingPromise = null;

function rules() {
  if (!rulesPromise) {
    rulesPromise = (async () => {
      await init();
      return builtin();
    })();
    rulesPromise.catch(() => {
      rulesPromise = null;
    });
  }
  return rulesPromise;
}

function mapping() {
  if (!mappingPromise) {
    mappingPromise = fetch(chrome.runtime.getURL('mapping.json')).then((res) => res.json());
    mappingPromise.catch(() => {
      mappingPromise = null;
    });
  }
  return mappingPromise;
}

async function handle(message) {
  switch (message && message.type) {
    case 'careprompt:mapping':
      return { ok: true, mapping: await mapping() };
    case 'careprompt:check': {
      const r = await rules();
      const result = r.check(String(message.plan ?? ''), { asOf: String(message.asOf ?? '') });
      return result.ok ? { ok: true, report: result.report } : { ok: false, error: result.error };
    }
    default:
      return { ok: false, error: { kind: 'argument', message: 'unknown message', line: 0, column: 0 } };
  }
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only this extension's own content scripts may ask.
  if (sender.id !== chrome.runtime.id) return false;
  handle(message).then(sendResponse, (e) =>
    sendResponse({ ok: false, error: { kind: 'engine', message: String(e && e.message ? e.message : e), line: 0, column: 0 } }),
  );
  return true; // the response is asynchronous
});

chrome.action.onClicked.addListener((tab) => {
  if (tab.id !== undefined) chrome.tabs.sendMessage(tab.id, { type: 'careprompt:toggle' }).catch(() => {});
});
