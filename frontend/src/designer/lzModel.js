// Reading and writing the `lz:` extension elements (DESIGN.md §2, bpmn/lz.py) on bpmn-js elements.
// One place for the names: the moddle descriptor is ./lz.json, the engine reads them in bpmn/lz.py.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export const APPROVAL_MODES = ['any', 'all', 'majority', 'ratio', 'sequential', 'claim', 'read'];
// the modes whose votes count the weights of lz:assignees weights= (票签)
export const WEIGHTED_MODES = ['majority', 'ratio'];
export const STRATEGIES = ['users', 'role', 'dept_head', 'dept_heads', 'supervisor', 'initiator', 'field', 'chosen'];
export const DEADLINE_ACTIONS = ['remind', 'approve', 'reject', 'escalate'];
export const FLOW_MODELS = ['fixed', 'predefined', 'free'];

// The business object carrying process-level settings: the process itself, or a pool's process.
export function processBo(element) {
  const bo = getBusinessObject(element);
  if (is(bo, 'bpmn:Participant')) return bo.get('processRef');
  if (is(bo, 'bpmn:Process')) return bo;
  return null;
}

export function extensions(bo, type) {
  const ext = bo && bo.get('extensionElements');
  return ((ext && ext.get('values')) || []).filter((v) => v.$instanceOf && v.$instanceOf(type));
}

export function extension(bo, type) {
  return extensions(bo, type)[0];
}

export function splitList(text) {
  return (text || '').split(/[,，]/).map((s) => s.trim()).filter(Boolean);
}

// Set attributes on the first `type` extension element of `bo` (created when missing). An attribute
// value of undefined/'' removes the attribute; `remove: true` removes the element itself.
export function setExtension(injector, element, bo, type, attrs, { remove = false } = {}) {
  const bpmnFactory = injector.get('bpmnFactory');
  const commandStack = injector.get('commandStack');
  const clean = {};
  Object.entries(attrs || {}).forEach(([k, v]) => { clean[k] = (v === '' || v === null) ? undefined : v; });
  const commands = [];
  let ext = bo.get('extensionElements');
  const existing = extension(bo, type);
  if (remove) {
    if (!existing) return;
    commands.push({ cmd: 'element.updateModdleProperties', context: {
      element, moddleElement: ext, properties: { values: ext.get('values').filter((v) => v !== existing) } } });
  } else if (existing) {
    commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement: existing, properties: clean } });
  } else {
    if (!ext) {
      ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      commands.push({ cmd: 'element.updateModdleProperties', context: {
        element, moddleElement: bo, properties: { extensionElements: ext } } });
    }
    const defined = {};
    Object.entries(clean).forEach(([k, v]) => { if (v !== undefined) defined[k] = v; });
    const created = bpmnFactory.create(type, defined);
    created.$parent = ext;
    commands.push({ cmd: 'element.updateModdleProperties', context: {
      element, moddleElement: ext, properties: { values: [...ext.get('values'), created] } } });
  }
  commandStack.execute('properties-panel.multi-command-executor', commands);
}

// Every data field of a form-js schema as {path, label}: schema paths as in forms/README.md
// (a group with a `path` and a dynamic list nest their fields: `lines`, `lines.amount`).
export function formFields(schema) {
  const out = [];
  const walk = (components, prefix) => (components || []).forEach((c) => {
    const label = c.label || c.text || c.key || c.path || '';
    if (c.type === 'dynamiclist' && c.path) {
      const path = prefix + c.path;
      out.push({ path, label: label || path });
      walk(c.components, `${path}.`);
    } else if (c.type === 'group') {
      walk(c.components, c.path ? `${prefix}${c.path}.` : prefix);
    } else if (c.key && !['text', 'html', 'image', 'spacer', 'separator', 'button', 'iframe', 'table',
      'documentPreview'].includes(c.type)) {
      out.push({ path: prefix + c.key, label: label || c.key });
    }
  });
  walk(schema && schema.components, '');
  return out;
}

// The permission of one field path given lz:fields: 'hidden' | 'editable' | 'readonly'.
// A listed path covers everything under it (forms/README.md).
export function fieldPermission(path, editable, hidden) {
  const covers = (list) => list.some((p) => path === p || path.startsWith(`${p}.`));
  if (covers(hidden)) return 'hidden';
  if (covers(editable)) return 'editable';
  return 'readonly';
}
