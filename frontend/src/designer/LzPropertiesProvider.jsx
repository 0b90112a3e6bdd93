// The Liuzhuan groups of the properties panel: approval mode, assignees, deadline, form, field
// permissions, CC (user tasks); start form (start events); conditions (sequence flows); process
// settings (the process). Everything is written as the `lz:` elements of DESIGN.md §2.
import {
  CheckboxEntry, Group, SelectEntry, TextAreaEntry, TextFieldEntry,
  isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import {
  APPROVAL_MODES, DEADLINE_ACTIONS, FLOW_MODELS, STRATEGIES, WEIGHTED_MODES,
  extension, extensions, fieldPermission, formFields, processBo, setExtension, splitList,
} from './lzModel';
import { t } from './i18n';

const LOW_PRIORITY = 400;

const MODE_LABELS = {
  any: 'any — first decision counts (或签)',
  all: 'all — everyone must approve (会签)',
  majority: 'majority — more than half (多数通过)',
  ratio: 'ratio — share of approvals (按比例)',
  sequential: 'sequential — one after another (依次审批)',
  claim: 'claim — one candidate claims it (认领)',
  read: 'read — everyone confirms they have read it (阅办)',
};
const STRATEGY_LABELS = {
  users: 'users — named users',
  role: 'role — everyone with a role',
  dept_head: "dept_head — head of the initiator's department (or of a department)",
  dept_heads: 'dept_heads — heads of several departments',
  supervisor: 'supervisor — supervisor chain (levels up)',
  initiator: 'initiator — the initiator',
  field: 'field — user names in a form field',
  chosen: 'chosen — picked by the initiator at start',
};
const FLOW_LABELS = {
  fixed: 'fixed — as drawn (固定)',
  predefined: 'predefined — initiator picks chosen assignees (预定)',
  free: 'free — initiator lays out the steps (自定)',
};

const PLACEHOLDERS = {
  dept_head: "empty: the initiator's department",
  supervisor: '1 = the direct supervisor',
  users: 'user names, comma separated',
  dept_heads: 'department names, comma separated',
  field: 'a form field holding user names',
};

// ------------------------------------------------------------ small hooks

function useLz(element, type) {
  const bo = getBusinessObject(element);
  const injector = useService('injector');
  return {
    bo,
    get: (attr) => { const ext = extension(bo, type); return ext ? ext.get(attr) : undefined; },
    set: (attrs, opts) => setExtension(injector, element, bo, type, attrs, opts),
  };
}

// The form a node shows: its own lz:form (bpmn/lz.py NodeConfig.form_key).
function formKeyOf(element) {
  const own = extension(getBusinessObject(element), 'lz:Form');
  return own ? own.get('key') : undefined;
}

// ------------------------------------------------------------ user task: approval

function ApprovalModeEntry({ element, id }) {
  const lz = useLz(element, 'lz:Approval');
  const getValue = () => lz.get('mode') || '';
  const setValue = (mode) => {
    if (!mode) return lz.set({}, { remove: true });
    const threshold = mode === 'ratio' ? (lz.get('threshold') || '0.6') : undefined;
    return lz.set({ mode, threshold });
  };
  const getOptions = () => [{ value: '', label: t('Handle task (one person, no vote)') },
    ...APPROVAL_MODES.map((m) => ({ value: m, label: t(MODE_LABELS[m]) }))];
  return <SelectEntry id={id} element={element} label={t('Approval mode')}
    getValue={getValue} setValue={setValue} getOptions={getOptions} />;
}

function ThresholdEntry({ element, id }) {
  const lz = useLz(element, 'lz:Approval');
  const debounce = useService('debounceInput');
  return <TextFieldEntry id={id} element={element} label={t('Threshold (0–1, e.g. 0.6)')} debounce={debounce}
    getValue={() => lz.get('threshold') || ''} setValue={(v) => lz.set({ threshold: v })} />;
}

function SkipEntry({ element, id, attr, label }) {
  const lz = useLz(element, 'lz:Approval');
  return <CheckboxEntry id={id} element={element} label={t(label)}
    getValue={() => ['true', '1', 'yes'].includes((lz.get(attr) || '').toLowerCase())}
    setValue={(v) => lz.set({ [attr]: v ? 'true' : undefined })} />;
}

// ------------------------------------------------------------ assignees and CC

function StrategyEntry({ element, id, type, label }) {
  const lz = useLz(element, type);
  const getValue = () => lz.get('strategy') || '';
  const setValue = (strategy) => {
    if (!strategy) return lz.set({}, { remove: true });
    const keep = lz.get('strategy') === strategy ? lz.get('value') : undefined;
    return lz.set({ strategy, value: keep || (strategy === 'supervisor' ? '1' : undefined) });
  };
  const getOptions = () => [{ value: '', label: t('None') },
    ...STRATEGIES.map((s) => ({ value: s, label: t(STRATEGY_LABELS[s]) }))];
  return <SelectEntry id={id} element={element} label={t(label)}
    getValue={getValue} setValue={setValue} getOptions={getOptions} />;
}

// The organisation's choices for a strategy (served by GET /designer/api/org-options).
function choicesFor(ctx, strategy, element) {
  const org = ctx.org || {};
  switch (strategy) {
    case 'users': return { many: true, options: org.users || [] };
    case 'role': return { many: false, options: org.roles || [] };
    case 'dept_head': return { many: false, options: org.departments || [] };
    case 'dept_heads': return { many: true, options: org.departments || [] };
    case 'supervisor': return { many: false, options: [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: `${n} ${t('levels up')}` })) };
    case 'field': {
      const schema = (ctx.forms || {})[ctx.startFormKey(element)] || {};
      return { many: true, options: formFields(schema).map((f) => ({ value: f.path, label: `${f.label} (${f.path})` })) };
    }
    default: return null;
  }
}

function ValueEntry({ element, id, type, label }) {
  const lz = useLz(element, type);
  const ctx = useService('lzContext');
  const debounce = useService('debounceInput');
  const strategy = lz.get('strategy');
  const choices = choicesFor(ctx, strategy, element);
  const value = lz.get('value') || '';
  const labels = choices ? splitList(value).map((v) => {
    const o = choices.options.find((c) => String(c.value) === v);
    return o ? o.label : v;
  }) : [];
  const pick = (event) => {
    const chosen = event.target.value;
    event.target.value = '';
    if (!chosen) return;
    const list = splitList(value);
    if (choices.many) {
      if (!list.includes(chosen)) lz.set({ value: [...list, chosen].join(',') });
    } else {
      lz.set({ value: chosen });
    }
  };
  return (
    <div class="lz-value-entry">
      <TextFieldEntry id={id} element={element} label={t(label)} debounce={debounce}
        description={labels.join('、')} placeholder={t(PLACEHOLDERS[strategy] || '')}
        getValue={() => value} setValue={(v) => lz.set({ value: v })} />
      {choices && (
        <div class="bio-properties-panel-entry lz-picker">
          <select id={`${id}-picker`} class="bio-properties-panel-input" aria-label={t(choices.many ? 'Add…' : 'Choose…')}
            onChange={pick}>
            <option value="">{t(choices.many ? 'Add…' : 'Choose…')}</option>
            {choices.options.map((o) => <option value={String(o.value)}>{o.label}</option>)}
          </select>
        </div>
      )}
    </div>
  );
}

// 票签: user:weight pairs on lz:assignees (majority and ratio count them; anyone else weighs 1)
function WeightsEntry({ element, id }) {
  const lz = useLz(element, 'lz:Assignees');
  const debounce = useService('debounceInput');
  return <TextFieldEntry id={id} element={element} label={t('Vote weights (e.g. zhaomin:3,qianli:1)')}
    debounce={debounce} description={t('Anyone not listed weighs 1.')}
    getValue={() => lz.get('weights') || ''} setValue={(v) => lz.set({ weights: v })} />;
}

// ------------------------------------------------------------ deadline

function DurationEntry({ element, id }) {
  const lz = useLz(element, 'lz:Deadline');
  const debounce = useService('debounceInput');
  return <TextFieldEntry id={id} element={element} label={t('Duration (ISO 8601, e.g. P2D, PT4H)')} debounce={debounce}
    getValue={() => lz.get('duration') || ''}
    setValue={(v) => (v ? lz.set({ duration: v, action: lz.get('action') || 'remind' }) : lz.set({}, { remove: true }))} />;
}

function DeadlineActionEntry({ element, id }) {
  const lz = useLz(element, 'lz:Deadline');
  return <SelectEntry id={id} element={element} label={t('When it passes')}
    getValue={() => lz.get('action') || 'remind'} setValue={(v) => lz.set({ action: v })}
    getOptions={() => DEADLINE_ACTIONS.map((a) => ({ value: a, label: t(a) }))} />;
}

// ------------------------------------------------------------ form and field permissions

function FormKeyEntry({ element, id, label }) {
  const lz = useLz(element, 'lz:Form');
  const ctx = useService('lzContext');
  const key = lz.get('key') || '';
  const keys = [...new Set([...(ctx.formKeys || []), ...Object.keys(ctx.forms || {}), ...(key ? [key] : [])])].sort();
  const url = key && ctx.formUrl ? ctx.formUrl(key) : null;
  return (
    <div>
      <SelectEntry id={id} element={element} label={t(label)}
        getValue={() => key} setValue={(v) => (v ? lz.set({ key: v }) : lz.set({}, { remove: true }))}
        getOptions={() => [{ value: '', label: t('no form') }, ...keys.map((k) => ({ value: k, label: k }))]} />
      {url && <div class="bio-properties-panel-entry"><a class="lz-form-link" href={url} target="_blank" rel="noopener">{t(ctx.forms[key] ? 'Edit this form' : 'Create this form')} ↗</a></div>}
    </div>
  );
}

function FieldPermissionEntry({ element, id, path, label }) {
  const lz = useLz(element, 'lz:Fields');
  const editable = splitList(lz.get('editable'));
  const hidden = splitList(lz.get('hidden'));
  const getValue = () => fieldPermission(path, editable, hidden);
  const setValue = (perm) => {
    const ed = editable.filter((p) => p !== path);
    const hi = hidden.filter((p) => p !== path);
    if (perm === 'editable') ed.push(path);
    if (perm === 'hidden') hi.push(path);
    if (!ed.length && !hi.length) return lz.set({}, { remove: true });
    return lz.set({ editable: ed.join(',') || undefined, hidden: hi.join(',') || undefined });
  };
  return <SelectEntry id={id} element={element} label={label}
    getValue={getValue} setValue={setValue}
    getOptions={() => [{ value: 'editable', label: t('editable') }, { value: 'readonly', label: t('read-only') },
      { value: 'hidden', label: t('hidden') }]} />;
}

function NoFormEntry() {
  return <div class="bio-properties-panel-entry lz-hint">{t('Choose a form first.')}</div>;
}

// ------------------------------------------------------------ sequence flow condition

function ConditionEntry({ element, id }) {
  const bo = getBusinessObject(element);
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const getValue = () => { const c = bo.get('conditionExpression'); return (c && c.get('body')) || ''; };
  const setValue = (v) => {
    const expr = v ? bpmnFactory.create('bpmn:FormalExpression', { body: v }) : undefined;
    modeling.updateProperties(element, { conditionExpression: expr });
  };
  return <TextAreaEntry id={id} element={element} label={t('Condition expression (Python, over the process data)')}
    debounce={debounce} getValue={getValue} setValue={setValue} rows={3} monospace />;
}

function ConditionHelperEntry({ element, id }) {
  const bo = getBusinessObject(element);
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const ctx = useService('lzContext');
  const elementRegistry = useService('elementRegistry');
  const fields = formFields((ctx.forms || {})[ctx.startFormKey(element)] || {})
    .filter((f) => !f.path.includes('.'))
    .map((f) => ({ value: f.path, label: `${f.label} (${f.path})` }));
  const outcomes = elementRegistry.filter((e) => is(e, 'bpmn:UserTask') && extension(getBusinessObject(e), 'lz:Approval'))
    .map((e) => ({ value: `${e.id}["outcome"] == "approved"`, label: `${e.businessObject.name || e.id}: ${t('approved')}` }));
  const insert = (event) => {
    const snippet = event.target.value;
    event.target.value = '';
    if (!snippet) return;
    const c = bo.get('conditionExpression');
    const current = (c && c.get('body')) || '';
    const body = current ? `${current} and ${snippet}` : snippet;
    modeling.updateProperties(element, { conditionExpression: bpmnFactory.create('bpmn:FormalExpression', { body }) });
  };
  return (
    <div class="bio-properties-panel-entry lz-picker">
      <select id={id} class="bio-properties-panel-input" aria-label={t('Insert a field or outcome…')} onChange={insert}>
        <option value="">{t('Insert a field or outcome…')}</option>
        {outcomes.map((o) => <option value={o.value}>{o.label}</option>)}
        {fields.map((o) => <option value={o.value}>{o.label}</option>)}
      </select>
    </div>
  );
}

// ------------------------------------------------------------ process

function ProcessAttrEntry({ element, id, attr, label, description }) {
  const bo = processBo(element);
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const get = () => { const e = extension(bo, 'lz:Process'); return (e && e.get(attr)) || ''; };
  const set = (v) => setExtension(injector, element, bo, 'lz:Process', { [attr]: v });
  if (attr === 'mode') {
    return <SelectEntry id={id} element={element} label={t(label)} getValue={() => get() || 'fixed'} setValue={set}
      getOptions={() => FLOW_MODELS.map((m) => ({ value: m, label: t(FLOW_LABELS[m]) }))} />;
  }
  return <TextFieldEntry id={id} element={element} label={t(label)} debounce={debounce} getValue={get} setValue={set}
    description={description && t(description)} />;
}

// ------------------------------------------------------------ groups

function entry(id, component, element, props = {}) {
  return { id, component, element, ...props, isEdited: props.isEdited || isSelectEntryEdited };
}

function userTaskGroups(element, ctx) {
  const bo = getBusinessObject(element);
  const groups = [];
  const approval = extension(bo, 'lz:Approval');
  if (is(element, 'bpmn:UserTask')) {
    const entries = [entry('lz-mode', ApprovalModeEntry, element)];
    if (approval && approval.get('mode') === 'ratio') {
      entries.push(entry('lz-threshold', ThresholdEntry, element, { isEdited: isTextFieldEntryEdited }));
    }
    if (approval) {
      entries.push(entry('lz-skip-initiator', SkipEntry, element, { attr: 'skipInitiator', isEdited: isCheckboxEntryEdited,
        label: 'Auto-approve when the approver is the initiator' }));
      entries.push(entry('lz-skip-repeated', SkipEntry, element, { attr: 'skipRepeated', isEdited: isCheckboxEntryEdited,
        label: 'Auto-approve when the approver already approved earlier' }));
    }
    groups.push({ id: 'lz-approval', label: t('Approval'), component: Group, entries });
  }
  const assignees = extension(bo, 'lz:Assignees');
  const aEntries = [entry('lz-strategy', StrategyEntry, element, { type: 'lz:Assignees', label: 'Strategy' })];
  if (assignees && !['initiator', 'chosen'].includes(assignees.get('strategy'))) {
    aEntries.push(entry('lz-value', ValueEntry, element, { type: 'lz:Assignees', label: 'Value', isEdited: isTextFieldEntryEdited }));
  }
  if (approval && WEIGHTED_MODES.includes(approval.get('mode'))) {
    aEntries.push(entry('lz-weights', WeightsEntry, element, { isEdited: isTextFieldEntryEdited }));
  }
  groups.push({ id: 'lz-assignees', label: t('Assignees'), component: Group, entries: aEntries });

  const dEntries = [entry('lz-deadline-duration', DurationEntry, element, { isEdited: isTextFieldEntryEdited })];
  if (extension(bo, 'lz:Deadline')) dEntries.push(entry('lz-deadline-action', DeadlineActionEntry, element));
  groups.push({ id: 'lz-deadline', label: t('Deadline'), component: Group, entries: dEntries });

  groups.push({ id: 'lz-form', label: t('Form'), component: Group,
    entries: [entry('lz-form-key', FormKeyEntry, element, { label: 'Form key' })] });

  // the engine shows a task the form its own lz:form names (none: no form at this step)
  const formKey = formKeyOf(element);
  const schema = formKey && (ctx.forms || {})[formKey];
  const fEntries = schema
    ? formFields(schema).map((f) => entry(`lz-field-${f.path}`, FieldPermissionEntry, element,
      { path: f.path, label: `${f.label} (${f.path})` }))
    : [{ id: 'lz-fields-none', component: NoFormEntry, element, isEdited: () => false }];
  groups.push({ id: 'lz-fields', label: t('Field permissions'), component: Group, entries: fEntries });

  const cc = extensions(bo, 'lz:Cc');
  const cEntries = [entry('lz-cc-strategy', StrategyEntry, element, { type: 'lz:Cc', label: 'CC strategy' })];
  if (cc.length && !['initiator', 'chosen'].includes(cc[0].get('strategy'))) {
    cEntries.push(entry('lz-cc-value', ValueEntry, element, { type: 'lz:Cc', label: 'CC value', isEdited: isTextFieldEntryEdited }));
  }
  groups.push({ id: 'lz-cc', label: t('Carbon copy'), component: Group, entries: cEntries });
  return groups;
}

export default function LzPropertiesProvider(propertiesPanel, lzContext) {
  this.getGroups = function getGroups(element) {
    return function addGroups(groups) {
      const lzGroups = [];
      if (is(element, 'bpmn:UserTask') || is(element, 'bpmn:ManualTask')) {
        lzGroups.push(...userTaskGroups(element, lzContext));
      } else if (is(element, 'bpmn:StartEvent')) {
        lzGroups.push({ id: 'lz-form', label: t('Start form'), component: Group,
          entries: [entry('lz-form-key', FormKeyEntry, element, { label: 'Form key' })] });
      } else if (is(element, 'bpmn:SequenceFlow')) {
        lzGroups.push({ id: 'lz-condition', label: t('Condition'), component: Group, entries: [
          entry('lz-condition-expression', ConditionEntry, element, { isEdited: isTextAreaEntryEdited }),
          { id: 'lz-condition-insert', component: ConditionHelperEntry, element, isEdited: () => false },
        ] });
      } else if (processBo(element)) {
        lzGroups.push({ id: 'lz-process', label: t('Process settings'), component: Group, entries: [
          entry('lz-process-mode', ProcessAttrEntry, element, { attr: 'mode', label: 'Flow model' }),
          entry('lz-process-category', ProcessAttrEntry, element, { attr: 'category', label: 'Category', isEdited: isTextFieldEntryEdited }),
          entry('lz-process-prefix', ProcessAttrEntry, element, { attr: 'prefix', label: 'Business key prefix', isEdited: isTextFieldEntryEdited }),
          entry('lz-process-name-en', ProcessAttrEntry, element, { attr: 'name_en', label: 'English name', isEdited: isTextFieldEntryEdited }),
          // 发起人权限 (bpmn/starters.py): empty = everyone may start the process
          entry('lz-process-starters', ProcessAttrEntry, element, { attr: 'starters', label: 'Who may start', isEdited: isTextFieldEntryEdited,
            description: 'Empty: everyone. E.g. role:hr, user:zhangsan, dept:销售部' }),
        ] });
      }
      // Liuzhuan's groups right after "General" (id, name), before documentation and the rest.
      const general = groups.findIndex((g) => g.id === 'general');
      groups.splice(general + 1, 0, ...lzGroups);
      return groups;
    };
  };
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

LzPropertiesProvider.$inject = ['propertiesPanel', 'lzContext'];
