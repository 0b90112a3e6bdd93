// The form-js file field (`filepicker`) as Liuzhuan stores it: each chosen file is uploaded at once
// (POST /api/v1/files) and the field's value is the list of references the server answered,
// [{id, name, size, sha256, content_type}] — the form data never holds file contents. Images and PDFs
// are previewed under the field (GET /api/v1/files/<id>, which only readers who may see the field get).
// The field's own limits (`accept`, `multiple`, properties.maxSizeMb / maxFiles) are checked here for
// a quick answer and again by the server (422 at the field).
import { FilePicker, Label, Description, Errors } from '@bpmn-io/form-js-viewer';
import { createElement as h } from 'preact';
import { useState } from 'preact/hooks';

import { csrfToken } from './http';

const TEXTS = {
  zh: { choose: '选择文件…', remove: '移除', uploading: '正在上传…', tooLarge: '文件过大（最大 {mb} MB）：{name}',
    tooMany: '最多 {n} 个文件', failed: '上传失败：{name}', open: '打开', none: '无附件' },
  en: { choose: 'Choose files…', remove: 'Remove', uploading: 'Uploading…', tooLarge: 'Too large (at most {mb} MB): {name}',
    tooMany: 'At most {n} file(s)', failed: 'Upload failed: {name}', open: 'Open', none: 'No files' },
};

function text(key, params = {}) {
  const lang = (document.documentElement.lang || 'zh').startsWith('en') ? 'en' : 'zh';
  return TEXTS[lang][key].replace(/\{(\w+)\}/g, (_, k) => params[k]);
}

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function fileUrl(ref) { return `/api/v1/files/${encodeURIComponent(ref.id)}`; }

function Preview({ file }) {
  const type = file.content_type || '';
  if (/^image\/(png|jpeg|gif|webp)$/.test(type)) {
    return h('a', { href: fileUrl(file), target: '_blank', rel: 'noopener' },
      h('img', { class: 'lz-file-preview', src: fileUrl(file), alt: file.name, loading: 'lazy' }));
  }
  if (type === 'application/pdf') {
    return h('iframe', { class: 'lz-file-preview lz-file-pdf', src: fileUrl(file), title: file.name });
  }
  return null;
}

async function upload(file) {
  const body = new FormData();
  body.append('file', file, file.name);
  const r = await fetch('/api/v1/files', { method: 'POST', body, credentials: 'same-origin',
    headers: { 'X-CSRFToken': csrfToken(), Accept: 'application/json' } });
  let payload = null;
  try { payload = await r.json(); } catch (e) { payload = null; }
  return { ok: r.ok, body: payload };
}

export function LzFilefield(props) {
  const { field, value, errors = [], domId, onChange, readonly, disabled } = props;
  const { label, description, validate = {}, accept, multiple } = field;
  const props_ = field.properties || {};
  const files = Array.isArray(value) ? value : [];
  const [busy, setBusy] = useState(false);
  const [own, setOwn] = useState([]);

  const onPick = async (event) => {
    const picked = Array.from(event.target.files || []);
    event.target.value = '';
    const problems = [];
    const maxMb = parseFloat(props_.maxSizeMb);
    const most = multiple ? parseInt(props_.maxFiles, 10) : 1;
    let next = multiple ? files.slice() : [];
    setBusy(true);
    for (const file of picked) {
      if (!Number.isNaN(maxMb) && file.size > maxMb * 1024 * 1024) {
        problems.push(text('tooLarge', { mb: maxMb, name: file.name }));
        continue;
      }
      if (!Number.isNaN(most) && next.length >= most) { problems.push(text('tooMany', { n: most })); break; }
      const r = await upload(file);
      if (r.ok) next = next.concat([r.body]);
      else {
        const why = r.body && r.body.error && Object.values(r.body.error.fields || {})[0];
        problems.push(why ? `${file.name}: ${why}` : text('failed', { name: file.name }));
      }
    }
    setBusy(false);
    setOwn(problems);
    onChange({ field, value: next.length ? next : null });
  };

  const remove = (id) => {
    const next = files.filter((f) => f.id !== id);
    onChange({ field, value: next.length ? next : null });
  };

  const shownErrors = own.concat(errors);
  const classes = ['fjs-form-field', 'fjs-form-field-filepicker', 'lz-files'];
  if (shownErrors.length) classes.push('fjs-has-errors');
  if (readonly) classes.push('fjs-readonly');
  const errorId = `${domId}-error-message`;
  return h('div', { class: classes.join(' ') },
    h(Label, { htmlFor: domId, label, required: validate.required }),
    !readonly && !disabled ? h('input', {
      class: 'fjs-input lz-file-input', id: domId, type: 'file', accept: accept || undefined,
      multiple: !!multiple, disabled: busy, 'aria-describedby': `${domId}-description ${errorId}`, onChange: onPick,
    }) : null,
    busy ? h('p', { class: 'muted' }, text('uploading')) : null,
    readonly && !files.length ? h('p', { class: 'muted' }, text('none')) : null,
    h('ul', { class: 'lz-file-list' }, files.map((f) => h('li', { key: f.id, class: 'lz-file' },
      h('a', { href: `${fileUrl(f)}?download=1`, class: 'lz-file-name' }, f.name),
      h('small', { class: 'muted' }, ` ${sizeText(f.size)} · SHA-256 ${String(f.sha256).slice(0, 12)}…`),
      !readonly && !disabled ? h('button', { type: 'button', class: 'link lz-file-remove',
        onClick: () => remove(f.id) }, text('remove')) : null,
      h(Preview, { file: f })))),
    h(Description, { id: `${domId}-description`, description }),
    h(Errors, { id: errorId, errors: shownErrors }));
}

LzFilefield.config = { ...FilePicker.config, emptyValue: null };

class RegisterFilefield {
  constructor(formFields) { formFields.register('filepicker', LzFilefield); }
}
RegisterFilefield.$inject = ['formFields'];
export const fileFieldModule = { __init__: ['lzFileField'], lzFileField: ['type', RegisterFilefield] };
