// The start pages: filtering the process list by name, and the start form (form-js viewer via
// window.LZ) submitted to POST /start/<key> (config.api). Server-side 422 messages come back in the
// user's language (translated by code on the server) and are shown at the fields; nothing is created.
(function () {
  'use strict';

  // ------------------------------------------------------------ /start: filter the list
  const filter = document.getElementById('start-filter');
  if (filter) {
    const apply = () => {
      const q = filter.value.trim().toLowerCase();
      let shown = 0;
      document.querySelectorAll('[data-group]').forEach((group) => {
        let inGroup = 0;
        group.querySelectorAll('li[data-name]').forEach((li) => {
          const hit = !q || li.dataset.name.includes(q);
          li.classList.toggle('hidden', !hit);
          if (hit) inGroup += 1;
        });
        group.classList.toggle('hidden', inGroup === 0);
        shown += inGroup;
      });
      document.getElementById('start-none').classList.toggle('hidden', shown > 0);
    };
    filter.addEventListener('input', apply);
    apply();
  }

  // ------------------------------------------------------------ /start/<key>: the form
  const configEl = document.getElementById('start-config');
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent);
  const texts = JSON.parse(document.getElementById('start-texts').textContent);
  const container = document.getElementById('start-form');
  const alertBox = document.getElementById('form-alert');
  const button = document.getElementById('start-submit');
  const pickerKeys = Object.keys(config.options || {});

  // "lines.1.amount" -> "金额 (2)": the field's label, and the row of a list it is in.
  function describe(path) {
    const parts = path.split('.');
    const key = parts[parts.length - 1];
    const comp = LZ.components(config.schema).find((c) => c.key === key || c.path === key);
    const row = parts.find((p) => /^\d+$/.test(p));
    const label = comp ? (comp.label || comp.dateLabel || key) : path;
    return row === undefined ? label : `${label} (${Number(row) + 1})`;
  }

  function showAlert(lines) {
    alertBox.textContent = '';
    lines.filter(Boolean).forEach((line, i) => {
      if (i) alertBox.appendChild(document.createElement('br'));
      alertBox.appendChild(document.createTextNode(line));
    });
    alertBox.classList.toggle('hidden', lines.length === 0);
    if (lines.length) alertBox.scrollIntoView({ block: 'nearest' });
  }

  function chosenValue() {
    const out = {};
    document.querySelectorAll('select[data-node]').forEach((sel) => {
      out[sel.dataset.node] = Array.from(sel.selectedOptions).map((o) => o.value);
    });
    return out;
  }

  function clearChosenErrors() {
    document.querySelectorAll('[data-chosen-error]').forEach((el) => { el.textContent = ''; });
  }

  // ------------------------------------------------------------ 自定 (free): the steps the initiator lays out
  const free = config.free;
  const stepList = document.getElementById('free-step-list');
  let steps = free ? (free.suggested || []).map(fromItem) : [];

  function fromItem(item) {
    return { name: item.name || '', mode: item.mode || 'any', threshold: item.threshold || '',
             kind: item.role ? 'role' : 'users', users: item.users || [], role: item.role || '' };
  }

  function toItem(step) {
    const item = { name: step.name.trim(), mode: step.mode };
    if (step.mode === 'ratio') item.threshold = step.threshold.trim();
    if (step.kind === 'role') item.role = step.role; else item.users = step.users;
    return item;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  function options(select, items, selected) {
    items.forEach((o) => {
      const opt = el('option', { value: o.value, text: o.label });
      if (selected.includes(o.value)) opt.selected = true;
      select.appendChild(opt);
    });
    return select;
  }

  function readSteps() {
    if (!stepList) return;
    stepList.querySelectorAll('li[data-step]').forEach((li) => {
      const step = steps[Number(li.dataset.step)];
      step.name = li.querySelector('.free-name').value;
      step.mode = li.querySelector('.free-mode').value;
      step.threshold = li.querySelector('.free-threshold').value;
      step.kind = li.querySelector('.free-kind').value;
      step.users = Array.from(li.querySelector('.free-users').selectedOptions).map((o) => o.value);
      step.role = li.querySelector('.free-role').value;
    });
  }

  function renderSteps() {
    stepList.textContent = '';
    steps.forEach((step, i) => {
      const modes = Object.entries(texts.modes).map(([value, label]) => ({ value, label }));
      const mode = options(el('select', { class: 'free-mode', 'aria-label': texts.how }), modes, [step.mode]);
      const threshold = el('input', { class: 'free-threshold', type: 'text', inputmode: 'decimal',
                                      placeholder: '0.6', 'aria-label': texts.share });
      threshold.value = step.threshold;
      const kind = options(el('select', { class: 'free-kind', 'aria-label': texts.who }),
                           [{ value: 'users', label: texts.people }, { value: 'role', label: texts.role }], [step.kind]);
      const users = options(el('select', { class: 'free-users', multiple: '', size: '4', 'aria-label': texts.people }),
                            config.users || [], step.users);
      const role = options(el('select', { class: 'free-role', 'aria-label': texts.role }),
                           [{ value: '', label: '—' }, ...(free.roles || [])], [step.role]);
      const name = el('input', { class: 'free-name', type: 'text', maxlength: '100', 'aria-label': texts.name,
                                 placeholder: texts.name });
      name.value = step.name;
      const sync = () => {
        threshold.classList.toggle('hidden', mode.value !== 'ratio');
        users.classList.toggle('hidden', kind.value !== 'users');
        role.classList.toggle('hidden', kind.value !== 'role');
      };
      mode.addEventListener('change', sync);
      kind.addEventListener('change', sync);
      const button = (label, cls, fn) => {
        const b = el('button', { type: 'button', class: cls, text: label, 'aria-label': `${label} ${i + 1}` });
        b.addEventListener('click', () => { readSteps(); fn(); renderSteps(); });
        return b;
      };
      const li = el('li', { 'data-step': String(i), class: 'free-step' }, [
        el('span', { class: 'free-step-no', text: `${texts.step} ${i + 1}` }), name, mode, threshold, kind, users, role,
        button('↑', 'free-up', () => { if (i > 0) [steps[i - 1], steps[i]] = [steps[i], steps[i - 1]]; }),
        button('↓', 'free-down', () => { if (i < steps.length - 1) [steps[i + 1], steps[i]] = [steps[i], steps[i + 1]]; }),
        button('✕', 'free-remove', () => { steps.splice(i, 1); }),
        el('small', { class: 'field-error', 'data-step-error': String(i) }),
      ]);
      li.querySelector('.free-up').title = texts.up;
      li.querySelector('.free-down').title = texts.down;
      li.querySelector('.free-remove').title = texts.remove;
      stepList.appendChild(li);
      sync();
    });
  }

  if (free) {
    document.getElementById('free-add').addEventListener('click', () => {
      readSteps();
      steps.push(fromItem({}));
      renderSteps();
      const last = stepList.querySelector('li[data-step]:last-child .free-name');
      if (last) last.focus();
    });
    const savedSelect = document.getElementById('free-saved');
    if (savedSelect) {
      savedSelect.addEventListener('change', () => {
        const saved = free.saved[Number(savedSelect.value)];
        if (saved) { steps = saved.items.map(fromItem); renderSteps(); }
      });
    }
    renderSteps();
  }

  function clearStepErrors() {
    document.querySelectorAll('[data-step-error], [data-free-error]').forEach((e) => { e.textContent = ''; });
  }

  // "steps.1.users" -> the message under step 2; "steps" -> under the list. Returns what found no place.
  function showStepError(path, text) {
    const m = path.match(/^steps(?:\.(\d+))?/);
    if (!m || !free) return false;
    const target = m[1] === undefined ? document.getElementById('free-error')
      : document.querySelector(`[data-step-error="${m[1]}"]`);
    if (!target) return false;
    target.textContent = target.textContent ? `${target.textContent} ${text}` : text;
    return true;
  }

  // ------------------------------------------------------------ 预定 (predefined): my common approvers
  const approversSelect = document.getElementById('approvers-saved');
  if (approversSelect) {
    approversSelect.addEventListener('change', () => {
      const saved = (config.saved_approvers || [])[Number(approversSelect.value)];
      if (!saved) return;
      document.querySelectorAll('select[data-node]').forEach((sel) => {
        const names = saved.items[sel.dataset.node] || [];
        Array.from(sel.options).forEach((o) => { o.selected = names.includes(o.value); });
      });
    });
  }

  // The lists to save once the request is in: [{kind, name, items}]; null when a name is missing.
  function listsToSave(body) {
    const out = [];
    const wanted = [['free-save', 'free-save-name', 'steps', body.steps],
                    ['approvers-save', 'approvers-save-name', 'approvers', body.chosen]];
    for (const [box, field, kind, items] of wanted) {
      const check = document.getElementById(box);
      if (!check || !check.checked) continue;
      const name = document.getElementById(field).value.trim();
      if (!name) return null;
      out.push({ kind, name, items });
    }
    return out;
  }

  async function main() {
    container.textContent = '';
    const form = await LZ.renderForm(container, config.schema, { ...(config.prefill || {}), ...config.options });
    container.removeAttribute('aria-busy');
    button.disabled = false;

    button.addEventListener('click', async () => {
      showAlert([]);
      clearChosenErrors();
      clearStepErrors();
      readSteps();
      const result = form.submit();
      const chosen = config.chosen.length ? chosenValue() : undefined;
      let missingChosen = false;
      (config.chosen || []).forEach((node) => {
        if (!chosen[node.node_id].length) {
          document.querySelector(`[data-chosen-error="${node.node_id}"]`).textContent = texts.choose;
          missingChosen = true;
        }
      });
      if (Object.keys(result.errors || {}).length || missingChosen) {
        showAlert([texts.fix]);
        return;
      }
      const data = { ...result.data };
      pickerKeys.forEach((k) => { delete data[k]; });
      button.disabled = true;
      button.textContent = texts.sending;
      const body = { process: config.process, data };
      if (chosen) body.chosen = chosen;
      if (config.resubmitted_from) body.resubmitted_from = config.resubmitted_from;
      if (free) body.steps = steps.map(toItem);
      const saving = listsToSave(body);
      if (saving === null) {
        button.disabled = false;
        button.textContent = button.dataset.label;
        showAlert([texts.saveName]);
        return;
      }
      let response;
      try {
        response = await LZ.api('POST', config.api, body);
      } catch (e) {
        response = { ok: false, status: 0, body: null };
      }
      if (response.ok && response.body && response.body.id) {
        let saved = true;
        for (const list of saving) {
          try {
            saved = (await LZ.api('POST', config.lists_api, list)).ok && saved;
          } catch (e) {
            saved = false;
          }
        }
        const target = `${config.instance_url}/${response.body.id}`;
        if (!saved) {
          showAlert([texts.saveFailed]);
          window.setTimeout(() => window.location.assign(target), 2500);
          return;
        }
        window.location.assign(target);
        return;
      }
      button.disabled = false;
      button.textContent = button.dataset.label;
      const error = (response.body && response.body.error) || {};
      const fields = {};
      const rest = [];
      Object.entries(error.fields || {}).forEach(([path, message]) => {
        const text = String(message);
        if (path.startsWith('data.')) fields[path.slice(5)] = text;
        else if (path.startsWith('steps') && showStepError(path, text)) { /* shown at its step */ }
        else if (path.startsWith('chosen.')) {
          const el = document.querySelector(`[data-chosen-error="${path.slice(7)}"]`);
          if (el) el.textContent = text; else rest.push(text);
        } else rest.push(text);
      });
      const unplaced = LZ.showErrors(form, config.schema, fields);
      Object.entries(unplaced).forEach(([path, m]) => rest.push(`${describe(path)}: ${m}`));
      if (response.status === 422) {
        showAlert([texts.fix, ...rest]);
        const first = container.querySelector('.fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors select');
        if (first) first.focus();
      } else {
        showAlert([error.message || texts.failed]);
      }
    });
  }

  button.dataset.label = button.textContent;
  main().catch((e) => {
    showAlert([texts.failed, String(e)]);
  });
})();
