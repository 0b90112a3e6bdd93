// The process designer (designer/templates/designer/modeler.html): bpmn-js Modeler with the
// properties panel and the Liuzhuan provider (lz: elements, DESIGN.md §2). Save draft, validate
// (problems listed and marked on the canvas) and deploy go to the designer's JSON endpoints.
// The modeler is exposed as window.lzModeler (the browser tests draw through its API).
import Modeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';

import lzModdle from './designer/lz.json';
import LzPropertiesProvider from './designer/LzPropertiesProvider';
import VariableRefsModule from './designer/variableRefs';
import PrefixGuardModule from './designer/prefixes';
import { extension } from './designer/lzModel';
import { t, translate } from './designer/i18n';
import { request } from './lib/http';


// A new process: one start event, executable, with the Liuzhuan process settings.
export function newDiagram(key, name) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:lz="urn:liuzhuan:bpmn:1" id="defs_${key}" targetNamespace="urn:liuzhuan:processes">
  <bpmn:process id="${key}" name="${name}" isExecutable="true">
    <bpmn:extensionElements><lz:process mode="fixed" /></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_${key}">
    <bpmndi:BPMNPlane id="plane_${key}" bpmnElement="${key}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="172" y="182" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}

// The context the Liuzhuan provider reads: organisation options, forms, links.
function createContext(page) {
  const ctx = {
    key: page.dataset.key || '',
    org: {},
    forms: {},
    formKeys: [],
    formUrl: (formKey) => (ctx.key ? page.dataset.formUrl.replace('__KEY__', ctx.key).replace('__FORM__', formKey) : null),
    startFormKey: () => null,
  };
  return ctx;
}

export function createModeler(page) {
  const ctx = createContext(page);
  const modeler = new Modeler({
    container: page.querySelector('.lz-canvas'),
    propertiesPanel: {
      parent: page.querySelector('.lz-properties'),
      // the groups an admin needs first are open from the start
      layout: { groups: Object.fromEntries(['general', 'lz-process', 'lz-approval', 'lz-assignees', 'lz-form',
        'lz-condition'].map((id) => [id, { open: true }])) },
    },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, VariableRefsModule, PrefixGuardModule,
      { __init__: ['lzPropertiesProvider'], lzPropertiesProvider: ['type', LzPropertiesProvider],
        lzContext: ['value', ctx] },
      { translate: ['value', translate] },
    ],
    moddleExtensions: { lz: lzModdle, camunda: camundaModdle },
  });
  const registry = modeler.get('elementRegistry');
  ctx.startFormKey = () => {
    const start = registry.find((e) => is(e, 'bpmn:StartEvent') && extension(getBusinessObject(e), 'lz:Form'));
    return start ? extension(getBusinessObject(start), 'lz:Form').get('key') : null;
  };
  return { modeler, ctx };
}

// ------------------------------------------------------------------ the page

// The whole diagram in view, never enlarged beyond 100 %, centred right of the palette.
const PALETTE_WIDTH = 90;

function fitDiagram(canvas) {
  canvas.zoom('fit-viewport');
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height) return;
  const free = { width: outer.width - PALETTE_WIDTH - 40, height: outer.height - 40 };
  const scale = Math.min(1, free.width / inner.width, free.height / inner.height);
  const left = PALETTE_WIDTH + (outer.width - PALETTE_WIDTH - inner.width * scale) / 2;
  const top = (outer.height - inner.height * scale) / 2;
  canvas.viewbox({ x: inner.x - left / scale, y: inner.y - top / scale,
    width: outer.width / scale, height: outer.height / scale });
}

function processId(modeler) {
  const root = modeler.get('canvas').getRootElement();
  const bo = getBusinessObject(root);
  if (is(bo, 'bpmn:Process')) return bo.id;
  const participant = (bo.get('participants') || []).find((p) => p.processRef);
  return participant ? participant.processRef.id : '';
}

function setStatus(page, text, kind = 'info') {
  const el = page.querySelector('.lz-status');
  el.textContent = text;
  el.className = `lz-status lz-status-${kind}`;
}

function showProblems(page, modeler, problems) {
  const canvas = modeler.get('canvas');
  const registry = modeler.get('elementRegistry');
  registry.forEach((e) => canvas.removeMarker(e.id, 'lz-problem'));
  const list = page.querySelector('.lz-problems');
  list.innerHTML = '';
  list.hidden = !problems.length;
  problems.forEach((p) => {
    const li = document.createElement('li');
    const onCanvas = p.element_id && registry.get(p.element_id);
    if (onCanvas) canvas.addMarker(p.element_id, 'lz-problem');
    const id = document.createElement(onCanvas ? 'button' : 'code');
    id.textContent = p.element_id || t('Process');
    id.className = 'lz-problem-id';
    if (onCanvas) {
      id.type = 'button';
      id.addEventListener('click', () => {
        modeler.get('selection').select(onCanvas);
        canvas.scrollToElement(onCanvas);
      });
    }
    li.appendChild(id);
    li.appendChild(document.createTextNode(` ${p.message}`));
    list.appendChild(li);
  });
}

async function init(page) {
  const { modeler, ctx } = createModeler(page);
  window.lzModeler = modeler;
  const urls = page.dataset;
  const msg = JSON.parse(page.querySelector('script.lz-messages').textContent);
  const [org, source] = await Promise.all([
    request('GET', urls.orgUrl),
    ctx.key ? request('GET', urls.sourceUrl) : Promise.resolve({ ok: true, body: null }),
  ]);
  ctx.org = (org.body) || {};
  ctx.formKeys = ctx.org.form_keys || [];
  ctx.forms = { ...(ctx.org.library_forms || {}) };
  let xml;
  if (source.body && source.ok) {
    xml = source.body.bpmn_xml;
    Object.assign(ctx.forms, source.body.forms || {});
    const where = source.body.source === 'draft' ? msg.fromDraft : msg.fromVersion.replace('{version}', source.body.version);
    setStatus(page, where);
    page.querySelector('.lz-discard').hidden = source.body.source !== 'draft';
  } else if (ctx.key) {
    setStatus(page, (source.body && source.body.error && source.body.error.message) || msg.loadFailed, 'error');
    return;
  } else {
    const suffix = Math.random().toString(36).slice(2, 8);
    xml = newDiagram(`process_${suffix}`, msg.newName);
    setStatus(page, msg.newProcess);
  }
  const result = await modeler.importXML(xml);
  window.lzImportWarnings = result.warnings.map((w) => w.message);
  if (result.warnings.length) {
    // what bpmn-js could not read is not kept on save: say so instead of losing it silently
    const list = page.querySelector('.lz-warnings');
    list.hidden = false;
    list.querySelector('summary').textContent = msg.importWarnings.replace('{n}', result.warnings.length);
    result.warnings.forEach((w) => {
      const li = document.createElement('li');
      li.textContent = w.message;
      list.querySelector('ul').appendChild(li);
    });
  }
  fitDiagram(modeler.get('canvas'));
  // nothing selected: the properties panel shows the process itself

  const keyField = page.querySelector('.lz-key');
  let dirty = false;
  const refreshKey = () => { keyField.textContent = processId(modeler); };
  refreshKey();
  modeler.on('commandStack.changed', (event) => {
    refreshKey();
    if (event.trigger === 'clear') return; // a new import, not an edit
    if (!dirty) setStatus(page, msg.unsaved);
    dirty = true;
  });
  window.addEventListener('beforeunload', (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ''; }
  });

  async function saveXML() {
    const { xml: out } = await modeler.saveXML({ format: true });
    return out;
  }

  async function saveDraft() {
    const key = processId(modeler);
    const r = await request('PUT', urls.draftUrl.replace('__KEY__', encodeURIComponent(key)), { xml: await saveXML() });
    if (r.ok) {
      if (ctx.key !== key) {
        ctx.key = key;
        window.history.replaceState(null, '', urls.editUrl.replace('__KEY__', encodeURIComponent(key)));
      }
      dirty = false;
      page.querySelector('.lz-discard').hidden = false;
      setStatus(page, msg.saved, 'ok');
    } else {
      setStatus(page, errorText(r), 'error');
    }
    return r;
  }

  function errorText(r) {
    const e = (r.body && r.body.error) || {};
    const fields = Object.entries(e.fields || {}).map(([k, v]) => `${k}: ${v}`).join('; ');
    return [e.message || `HTTP ${r.status}`, fields].filter(Boolean).join(' — ');
  }

  async function validate() {
    const r = await request('POST', urls.validateUrl, { xml: await saveXML(), key: processId(modeler) });
    const problems = (r.body && r.body.problems) || [];
    showProblems(page, modeler, problems);
    if (r.ok && !problems.length) setStatus(page, msg.valid, 'ok');
    else if (problems.length) setStatus(page, msg.problems.replace('{n}', problems.length), 'error');
    else setStatus(page, errorText(r), 'error');
    return r;
  }

  async function deploy() {
    const key = processId(modeler);
    const r = await request('POST', urls.deployUrl.replace('__KEY__', encodeURIComponent(key)), { xml: await saveXML() });
    // a refused deploy is an error answer: its problems are in error.problems
    const problems = (r.body && (r.body.problems || (r.body.error && r.body.error.problems))) || [];
    showProblems(page, modeler, problems);
    if (r.ok) {
      ctx.key = key;
      window.history.replaceState(null, '', urls.editUrl.replace('__KEY__', encodeURIComponent(key)));
      dirty = false;
      const text = r.body.created ? msg.deployed : msg.unchanged;
      setStatus(page, text.replace('{version}', r.body.version), 'ok');
      showTranslations(r.body.translations || []);
    } else if (problems.length) {
      setStatus(page, msg.refused.replace('{n}', problems.length), 'error');
    } else {
      setStatus(page, errorText(r), 'error');
    }
    return r;
  }

  // what a Camunda / Flowable file said, and the lz: terms it was deployed with (bpmn/foreign.py)
  function showTranslations(items) {
    const box = page.querySelector('.lz-translations');
    if (!box) return; // a page without the list (an older template)
    const list = box.querySelector('ul');
    list.replaceChildren();
    box.hidden = !items.length;
    if (!items.length) return;
    box.querySelector('summary').textContent = msg.translated.replace('{n}', items.length);
    items.forEach((t) => {
      const li = document.createElement('li');
      li.dataset.element = t.element_id || '';
      const to = t.action === 'dropped' ? msg.dropped : t.to;
      li.textContent = `${t.element_id || ''}: ${t.from} → ${to}`;
      list.appendChild(li);
    });
  }

  async function discard() {
    // eslint-disable-next-line no-alert
    if (!window.confirm(msg.confirmDiscard)) return;
    const r = await request('DELETE', urls.draftUrl.replace('__KEY__', encodeURIComponent(ctx.key)));
    if (r.ok) {
      dirty = false;
      window.location.reload();
    } else {
      setStatus(page, errorText(r), 'error');
    }
  }

  async function download() {
    const blob = new Blob([await saveXML()], { type: 'application/xml' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${processId(modeler) || 'process'}.bpmn`;
    a.click();
    URL.revokeObjectURL(a.href);
  }

  const busy = (fn) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try { await fn(); } catch (e) { setStatus(page, String(e), 'error'); } finally { button.disabled = false; }
  };
  page.querySelector('.lz-save').addEventListener('click', busy(saveDraft));
  page.querySelector('.lz-validate').addEventListener('click', busy(validate));
  page.querySelector('.lz-deploy').addEventListener('click', busy(deploy));
  page.querySelector('.lz-download').addEventListener('click', busy(download));
  page.querySelector('.lz-discard').addEventListener('click', busy(discard));
  window.lzDesigner = { modeler, ctx, saveXML, saveDraft, validate, deploy };
  page.classList.add('lz-ready');
}

const page = document.querySelector('#lz-modeler');
if (page) {
  init(page).catch((e) => {
    const status = page.querySelector('.lz-status');
    if (status) { status.textContent = String(e); status.className = 'lz-status lz-status-error'; }
    window.lzInitError = String(e);
  });
}
window.LZDesigner = { createModeler, newDiagram };
