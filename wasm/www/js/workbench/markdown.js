// The engine's hover and completion texts are short Markdown: code fences,
// `code`, **bold** and paragraphs. This renders that subset as DOM nodes
// (text only, never HTML from the text).

function inline(parent, text) {
  const re = /(`[^`]+`|\*\*[^*]+\*\*)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    const tok = m[0];
    const el = document.createElement(tok.startsWith('`') ? 'code' : 'strong');
    el.textContent = tok.startsWith('`') ? tok.slice(1, -1) : tok.slice(2, -2);
    parent.append(el);
    last = m.index + tok.length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** A <div> holding `markdown` rendered. */
export function renderMarkdown(markdown, className = 'md') {
  const root = document.createElement('div');
  root.className = className;
  const lines = markdown.split('\n');
  let para = [];
  const flush = () => {
    if (para.length) {
      const p = document.createElement('p');
      inline(p, para.join(' '));
      root.append(p);
      para = [];
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      flush();
      const code = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      const pre = document.createElement('pre');
      pre.textContent = code.join('\n');
      root.append(pre);
    } else if (/^\s*$/.test(line) || /^---+$/.test(line)) {
      flush();
    } else if (/^\s*[-*] /.test(line)) {
      flush();
      const p = document.createElement('p');
      p.className = 'item';
      inline(p, '• ' + line.replace(/^\s*[-*] /, ''));
      root.append(p);
    } else {
      para.push(line);
    }
  }
  flush();
  return root;
}
