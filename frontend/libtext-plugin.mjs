// esbuild plugin: form-js (viewer and editor) and @bpmn-io/properties-panel print hard-coded English
// UI strings (form-js 1.x has no translate module for them). At bundle time, every string literal
// of those files that is a key of src/lib/libtext.zh.json, and every template literal starting like
// a key with placeholders ("Remove {1}"), becomes a call of lzT (src/lib/libtext.js), which returns
// the Chinese text when the page is in Chinese (<html lang>) and the English one otherwise.
// Literals used as data are left alone: object keys, compared values (===, case), member names.
import { readFileSync } from 'node:fs';

const LIBRARY = /node_modules[\\/]@bpmn-io[\\/](form-js-viewer|form-js-editor|properties-panel)[\\/]dist[\\/]index\.es(m)?\.js$/;
const RUNTIME = new URL('./src/lib/libtext.js', import.meta.url).pathname;

export function rewrite(source, zh) {
  const keys = new Set(Object.keys(zh).filter((k) => !k.includes('{')));
  const prefixes = [...new Set(Object.keys(zh).filter((k) => k.includes('{')).map((k) => k.slice(0, k.indexOf('{'))))];
  let count = 0;
  // whole string literals only (one inside another string, e.g. JSON text, is not a token)
  let out = source.replace(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"/g, (match, single, double, offset) => {
    const text = single ?? double;
    if (!keys.has(text)) return match;
    const before = source.slice(Math.max(0, offset - 10), offset).trimEnd();
    if (/prefix\s*=$/.test(before)) return match; // an id prefix (Form_1), not a text
    const after = source.slice(offset + match.length).trimStart();
    if (/(===?|!==?|\[|\bcase|\bin)$/.test(before) || /^(===?|!==?|in\b)/.test(after)) return match;
    if (after.startsWith(':') && /[{,]$/.test(before)) return match; // an object key
    if (/^\s*(from|import)\b/.test(source.slice(Math.max(0, offset - 12), offset))) return match;
    count += 1;
    return `__lzT(${match})`;
  });
  out = out.replace(/(^|[^\w$)\]])`((?:[^`\\$]|\\.|\$(?!\{))*)\$\{/g, (match, lead, head, offset) => {
    if (!prefixes.some((p) => p && head.startsWith(p))) return match;
    // wrap the whole template literal: find its closing backtick (no nested templates in these)
    const start = offset + lead.length;
    let i = start + 1;
    let depth = 0;
    for (; i < out.length; i += 1) {
      const c = out[i];
      if (c === '\\') { i += 1; continue; }
      if (c === '{' && out[i - 1] === '$') depth += 1;
      else if (c === '}' && depth) depth -= 1;
      else if (c === '`' && !depth) break;
    }
    wrapped.push([start, i + 1]);
    return match;
  });
  // apply the template wraps from the end so offsets stay valid
  wrapped.sort((a, b) => b[0] - a[0]).forEach(([s, e]) => {
    out = `${out.slice(0, s)}__lzT(${out.slice(s, e)})${out.slice(e)}`;
    count += 1;
  });
  wrapped.length = 0;
  return { code: `import { lzT as __lzT } from ${JSON.stringify(RUNTIME)};\n${out}`, count };
}
const wrapped = [];

export const libtextPlugin = {
  name: 'lz-libtext',
  setup(build) {
    const zh = JSON.parse(readFileSync(new URL('./src/lib/libtext.zh.json', import.meta.url)));
    build.onLoad({ filter: LIBRARY }, (args) => {
      const { code } = rewrite(readFileSync(args.path, 'utf8'), zh);
      return { contents: code, loader: 'js', resolveDir: args.path.replace(/[\\/][^\\/]*$/, '') };
    });
  },
};
