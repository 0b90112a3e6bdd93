// The libraries' own English UI strings in the user's language (the page's <html lang>). form-js and
// the properties panel call lzT through the build's rewrite (libtext-plugin.mjs); bpmn-js through
// its translate module (designer/i18n.js). A text with parts ("Remove {1}") is matched as a pattern
// and its parts are translated too ("Remove Select" → "移除下拉选择").
import ZH from './libtext.zh.json';

const zh = () => (document.documentElement.lang || '').toLowerCase().startsWith('zh');

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PATTERNS = Object.keys(ZH).filter((k) => k.includes('{')).map((k) => [
  new RegExp(`^${k.split(/\{\d+\}/).map(escape).join('(.+?)')}$`, 's'), ZH[k]]);

export function lzT(text) {
  if (typeof text !== 'string' || !zh()) return text;
  if (Object.prototype.hasOwnProperty.call(ZH, text)) return ZH[text];
  for (const [re, target] of PATTERNS) {
    const m = text.match(re);
    if (m) return target.replace(/\{(\d+)\}/g, (_, n) => lzT(m[Number(n)]));
  }
  return text;
}
