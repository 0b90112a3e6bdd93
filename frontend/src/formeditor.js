// The form designer (designer/templates/designer/form_editor.html): form-js FormEditor on one form
// of a process, a preview with the form-js viewer, and "save to draft" (validated on the server
// with forms.validate.check_schema; problems are listed). window.lzFormEditor is the editor.
import { FormEditor } from '@bpmn-io/form-js-editor';
import { Form } from '@bpmn-io/form-js-viewer';

import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { request } from './lib/http';
import './lib/calendar';


function setStatus(page, text, kind = 'info') {
  const el = page.querySelector('.lz-status');
  el.textContent = text;
  el.className = `lz-status lz-status-${kind}`;
}

function showProblems(page, problems) {
  const list = page.querySelector('.lz-problems');
  list.innerHTML = '';
  list.hidden = !problems.length;
  problems.forEach((p) => {
    const li = document.createElement('li');
    li.textContent = p;
    list.appendChild(li);
  });
}

async function init(page) {
  const msg = JSON.parse(page.querySelector('script.lz-messages').textContent);
  const url = page.dataset.formUrl;
  const loaded = await request('GET', url);
  if (!loaded.ok) {
    setStatus(page, (loaded.body && loaded.body.error && loaded.body.error.message) || msg.loadFailed, 'error');
    return;
  }
  const editor = new FormEditor({ container: page.querySelector('.lz-form-editor') });
  await editor.importSchema(loaded.body.schema);
  window.lzFormEditor = editor;
  setStatus(page, msg[loaded.body.source] || '');

  const previewBox = page.querySelector('.lz-form-preview');
  const editBox = page.querySelector('.lz-form-editor');
  const tabEdit = page.querySelector('.lz-tab-edit');
  const tabPreview = page.querySelector('.lz-tab-preview');
  let preview = null;
  tabPreview.addEventListener('click', async () => {
    if (preview) preview.destroy();
    previewBox.innerHTML = '';
    preview = new Form({ container: previewBox });
    await preview.importSchema(editor.saveSchema(), {});
    editBox.hidden = true;
    previewBox.hidden = false;
    tabPreview.setAttribute('aria-selected', 'true');
    tabEdit.setAttribute('aria-selected', 'false');
  });
  tabEdit.addEventListener('click', () => {
    editBox.hidden = false;
    previewBox.hidden = true;
    tabPreview.setAttribute('aria-selected', 'false');
    tabEdit.setAttribute('aria-selected', 'true');
  });

  page.querySelector('.lz-save').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const r = await request('PUT', url, { schema: editor.saveSchema() });
      if (r.ok) {
        showProblems(page, []);
        setStatus(page, msg.saved, 'ok');
      } else {
        const fields = (r.body && r.body.error && r.body.error.fields) || {};
        const problems = Object.values(fields).flatMap((v) => String(v).split('; '));
        showProblems(page, problems.length ? problems : [(r.body && r.body.error && r.body.error.message) || `HTTP ${r.status}`]);
        setStatus(page, msg.invalid, 'error');
      }
    } finally {
      button.disabled = false;
    }
  });
  page.classList.add('lz-ready');
}

const page = document.querySelector('#lz-form-designer');
if (page) {
  init(page).catch((e) => { setStatus(page, String(e), 'error'); window.lzInitError = String(e); });
}
