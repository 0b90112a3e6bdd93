// A form-js number field that never silently changes a number. form-js's own field reads a comma
// as a decimal point, so `50,000` became 50. This one reads `50,000` / `50,000.50` / `５０，０００` as
// the number they mean (lib/numbers.js, the server's rule) and refuses anything ambiguous (`1,2`)
// or beyond what a number holds exactly (more than 15 significant digits) at the field with a
// message; the form then does not submit (its value is form-js's 'NaN' marker,
// which form-js's validator reports). Read-only values are shown with thousands separators.
import { Numberfield, Label, Description, Errors } from '@bpmn-io/form-js-viewer';
import { createElement as h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { MAX_SIGNIFICANT, groupDigits, parseNumberText, significantDigits } from './numbers';

const TEXTS = {
  format: {
    zh: '请输入数字，如 50000 或 50,000.50（逗号只能用作千位分隔符，每三位一个）。',
    en: 'Enter a number such as 50000 or 50,000.50 (commas only between groups of three digits).',
  },
  precision: {
    zh: `最多 ${MAX_SIGNIFICANT} 位有效数字。`,
    en: `At most ${MAX_SIGNIFICANT} significant digits.`,
  },
};
const FORM_JS_NAN = 'Value is not a number.';

function message(why) {
  return (document.documentElement.lang || 'zh').startsWith('en') ? TEXTS[why].en : TEXTS[why].zh;
}

function toValue(field, plain) {
  return field.serializeToString ? plain : Number(plain);
}

function shown(value, readonly) {
  if (value === null || value === undefined || value === 'NaN') return '';
  return readonly ? groupDigits(value) : String(value);
}

export function LzNumberfield(props) {
  const { field, value, errors = [], domId, onChange, onBlur, onFocus, readonly, disabled } = props;
  const { label, description, validate = {} } = field;
  const [text, setText] = useState(shown(value, readonly));
  const [bad, setBad] = useState(null); // null, or why the text is refused: 'format' / 'precision'
  const [left, setLeft] = useState(false); // the message waits until the field is left (or submitted)
  const sent = useRef(value);

  // a value set from outside (import, another field's effect) replaces what is shown
  useEffect(() => {
    if (value === sent.current) return;
    sent.current = value;
    if (value !== 'NaN') { setText(shown(value, readonly)); setBad(null); }
  }, [value, readonly]);

  const onInput = (event) => {
    const typed = event.target.value;
    setText(typed);
    let next = null;
    let why = null;
    if (typed.trim()) {
      const plain = parseNumberText(typed);
      if (plain === null) why = 'format';
      else if (!field.serializeToString && significantDigits(plain) > MAX_SIGNIFICANT) why = 'precision';
      next = why ? 'NaN' : toValue(field, plain);
    }
    setBad(why);
    sent.current = next;
    onChange({ field, value: next });
  };

  const shownErrors = bad && (left || errors.length) ? [message(bad)] : errors.filter((e) => e !== FORM_JS_NAN);
  const errorId = `${domId}-error-message`;
  const classes = ['fjs-form-field', 'fjs-form-field-number', 'lz-number'];
  if (shownErrors.length) classes.push('fjs-has-errors');
  if (readonly) classes.push('fjs-readonly');
  if (disabled) classes.push('fjs-disabled');
  return h('div', { class: classes.join(' ') },
    h(Label, { htmlFor: domId, label, required: validate.required }),
    h('div', { class: `fjs-input-group${readonly ? ' fjs-readonly' : ''}${disabled ? ' fjs-disabled' : ''}` },
      h('input', {
        class: 'fjs-input', id: domId, type: 'text', inputMode: 'decimal', autoComplete: 'off',
        value: text, readOnly: readonly, disabled, required: validate.required,
        'aria-invalid': shownErrors.length > 0, 'aria-describedby': `${domId}-description ${errorId}`,
        onInput, onBlur: () => { setLeft(true); if (onBlur) onBlur(); }, onFocus: () => onFocus && onFocus(),
      })),
    h(Description, { id: `${domId}-description`, description }),
    h(Errors, { id: errorId, errors: shownErrors }));
}

LzNumberfield.config = { ...Numberfield.config };

// additionalModules entry: replaces form-js's number field in every form this page renders.
class RegisterNumberfield {
  constructor(formFields) { formFields.register('number', LzNumberfield); }
}
RegisterNumberfield.$inject = ['formFields'];
export const numberFieldModule = { __init__: ['lzNumberField'], lzNumberField: ['type', RegisterNumberfield] };
