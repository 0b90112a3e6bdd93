// The worklist's browser side: form-js viewer for start/task forms, htmx for partial page updates.
// Pages call window.LZ.*; see worklist/templates. The bpmn-js diagram viewer is a bundle of its own
// (diagram.js), loaded only by pages that show a diagram, so the inbox and task pages stay small.
import 'htmx.org';
import { Form } from '@bpmn-io/form-js-viewer';

import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { csrfToken, request } from './lib/http';
import { numberFieldModule } from './lib/numberfield';
import { fileFieldModule, fileUrl } from './lib/filefield';
import { signaturePad } from './lib/signature';
import './lib/calendar';

// form-js's calendar (flatpickr): no native phone input, in the user's language. form-js's own
// texts ("Select", "Field is required.", "Add new") go through lzT (libtext-plugin.mjs).

// htmx requests carry the CSRF token like every form post does.
document.addEventListener('htmx:configRequest', (event) => {
  event.detail.headers['X-CSRFToken'] = csrfToken();
});

// Every component of a form-js schema, nested ones (groups, dynamic lists) included.
function components(schema) {
  const out = [];
  const walk = (list) => (list || []).forEach((c) => { out.push(c); walk(c.components); });
  walk(schema.components);
  return out;
}

// Labels in the user's language: a component may carry properties.label_en / label_zh.
function localise(schema, locale) {
  const copy = JSON.parse(JSON.stringify(schema));
  components(copy).forEach((c) => {
    const label = c.properties && c.properties[`label_${locale}`];
    if (label) {
      c.label = label;
      if (c.dateLabel) c.dateLabel = label; // a datetime field shows dateLabel, not label
    }
  });
  return copy;
}

// Field permissions of a task node: with options.editable (a list of keys), every other field is
// shown read-only (form-js `readonly`), so an approver sees the whole form but changes only those.
// Lists (dynamiclist) a user may not change lose their add/remove buttons too.
function restrict(schema, editable, readOnly) {
  const allowed = Array.isArray(editable) ? new Set(editable) : null;
  components(schema).forEach((c) => {
    if ((allowed && c.key && !allowed.has(c.key)) || (readOnly && c.key)) {
      c.readonly = true;
      // as on the server, a field nobody may change here is not required here (nothing to fill in)
      if (c.validate && c.validate.required) c.validate = { ...c.validate, required: false };
    }
    if (c.type === 'dynamiclist' && (readOnly || (allowed && !allowed.has(c.path)))) c.allowAddRemove = false;
  });
  return schema;
}

async function renderForm(container, schema, data, options = {}) {
  const form = new Form({ container, properties: { readOnly: !!options.readOnly },
    additionalModules: [numberFieldModule, fileFieldModule] });
  const prepared = restrict(localise(schema, options.locale || document.documentElement.lang), options.editable,
    !!options.readOnly);
  await form.importSchema(prepared, data || {});
  return form;
}

// Server-side 422 field messages ({"lines[0].amount": "..."} or {"amount": "..."}) shown at the
// fields; messages for keys the form does not show are returned so the page can list them.
function showErrors(form, schema, fields) {
  const byKey = {};
  components(schema).forEach((c) => { if (c.key) byKey[c.key] = c.id; });
  const errors = {};
  const rest = {};
  Object.entries(fields || {}).forEach(([path, message]) => {
    const key = path.split(/[.[]/)[0];
    if (byKey[key]) errors[byKey[key]] = [].concat(errors[byKey[key]] || [], message);
    else rest[path] = message;
  });
  form._setState({ errors });
  return rest;
}

// A JSON request to the API with the session cookie and the CSRF token.
const api = request;

window.LZ = Object.assign(window.LZ || {}, { renderForm, showErrors, api, csrfToken, components, signaturePad,
  fileUrl });
