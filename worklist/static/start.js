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

  async function main() {
    container.textContent = '';
    const form = await LZ.renderForm(container, config.schema, { ...(config.prefill || {}), ...config.options });
    container.removeAttribute('aria-busy');
    button.disabled = false;

    button.addEventListener('click', async () => {
      showAlert([]);
      clearChosenErrors();
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
      let response;
      try {
        response = await LZ.api('POST', config.api, body);
      } catch (e) {
        response = { ok: false, status: 0, body: null };
      }
      if (response.ok && response.body && response.body.id) {
        window.location.assign(`${config.instance_url}/${response.body.id}`);
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
