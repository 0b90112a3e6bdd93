// Reading a number the way people type it, the same rule as the server's forms/numbers.py:
// `50000`, `50,000`, `50,000.50`, `-1,234.5`, full-width `５０，０００`. Never guesses: `1,2`,
// `12,34` or `1.234,56` (a comma that is not a thousands separator) are not numbers (null).
const WIDE = { '，': ',', '．': '.', '－': '-', '＋': '+', '−': '-' };
const NUMBER_TEXT = /^[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?$|^[+-]?\.[0-9]+$/;

export function normalise(text) {
  return String(text)
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48))
    .replace(/[，．－＋−]/g, (c) => WIDE[c])
    .trim();
}

// The plain digits ("50000.50") the text means, or null.
export function parseNumberText(text) {
  const plain = normalise(text);
  if (!NUMBER_TEXT.test(plain)) return null;
  return plain.replace(/,/g, '').replace(/^\+/, '');
}

// A JavaScript number holds 15 significant digits exactly; more may come back changed
// (12345678901234567.89 as 12345678901234568), so the field refuses them, as the server does
// (forms/numbers.py MAX_SIGNIFICANT).
export const MAX_SIGNIFICANT = 15;

export function significantDigits(plain) {
  return plain.replace(/^[+-]/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
}

// 50000.5 -> "50,000.5": a stored value shown with thousands separators (read-only fields).
export function groupDigits(value) {
  if (value === null || value === undefined || value === '') return '';
  const text = String(value);
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(text)) return text;
  const [whole, frac] = text.split('.');
  const grouped = whole.replace(/\B(?=([0-9]{3})+(?![0-9]))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
