// The inbox's record filters (customer / contract / agent) as searchable pickers. A bundle of its own,
// a few KB, so the inbox does not load the form viewer of worklist.js.
//
// The server renders, for each filter, a <select name="customer"> holding only "all" and the chosen
// record, and a text box `customer_q` (without JavaScript: typed text is searched on submit and the
// select then offers the matches). Here the select is hidden and the text box becomes a combobox:
// typing asks GET /api/v1/pickers/<picker>?q= ({items: [{value, label}]}, the records the user may
// pick, as the server checks them), choosing one sets the select, so the form still submits
// customer=<id> and nothing else.
const DELAY = 200;

function picker(box) {
  const select = box.querySelector('select');
  const input = box.querySelector('input.picker-q');
  if (!select || !input) return;
  const key = box.dataset.picker;
  const list = document.createElement('ul');
  list.className = 'picker-list';
  list.id = `${select.id}-list`;
  list.setAttribute('role', 'listbox');
  list.hidden = true;
  input.after(list);
  box.classList.add('enhanced');
  input.removeAttribute('name'); // the text is not a filter: only the chosen id is submitted
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  const note = box.querySelector('.picker-note');
  if (note) note.remove();

  const chosenLabel = () => (select.value ? select.selectedOptions[0].textContent : '');
  input.value = chosenLabel();
  let items = [];
  let active = -1;
  let timer = null;
  let asked = 0;
  let stale = false; // typed since the list was shown: Enter must not choose from it

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function mark(i) {
    active = i;
    Array.from(list.children).forEach((li, n) => li.setAttribute('aria-selected', String(n === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
    }
  }

  function choose(item) {
    let opt = Array.from(select.options).find((o) => o.value === String(item.value));
    if (!opt) {
      opt = new Option(item.label, String(item.value));
      select.add(opt);
    }
    select.value = String(item.value);
    input.value = item.label;
    close();
  }

  function show(found) {
    items = found;
    stale = false;
    list.replaceChildren();
    if (!found.length) {
      const li = document.createElement('li');
      li.className = 'picker-empty muted';
      li.textContent = box.dataset.empty;
      list.append(li);
    }
    found.forEach((item, n) => {
      const li = document.createElement('li');
      li.id = `${list.id}-${n}`;
      li.setAttribute('role', 'option');
      li.dataset.value = String(item.value);
      li.textContent = item.label;
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    mark(found.length ? 0 : -1);
  }

  async function search() {
    const q = input.value.trim();
    const ticket = ++asked;
    const response = await fetch(`/api/v1/pickers/${encodeURIComponent(key)}?q=${encodeURIComponent(q)}`,
      { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (ticket !== asked || !response.ok) return; // a later keystroke asked again
    const body = await response.json();
    if (document.activeElement === input) show(body.items || []);
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY);
  }

  input.addEventListener('input', () => {
    stale = true; // the list shown answers the text before this keystroke
    if (!input.value.trim()) select.value = ''; // an emptied box means: all records
    later();
  });
  input.addEventListener('focus', () => {
    if (input.value === chosenLabel()) input.select();
    later();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) { search(); return; }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      mark(Math.max(0, Math.min(items.length - 1, active + step)));
    } else if (event.key === 'Enter' && !list.hidden && stale) {
      event.preventDefault(); // the text changed since this list: search now, choose nothing yet
      clearTimeout(timer);
      search();
    } else if (event.key === 'Enter' && !list.hidden && active >= 0) {
      event.preventDefault(); // choose, do not submit yet
      choose(items[active]);
    } else if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener('blur', () => {
    clearTimeout(timer);
    asked += 1; // an answer arriving now is not shown
    close();
    if (!input.value.trim()) select.value = '';
    input.value = chosenLabel(); // text that chose nothing does not stay as if it filtered
  });
  // pointerdown, not click: choosing happens before the text box loses the focus
  list.addEventListener('pointerdown', (event) => {
    const li = event.target.closest('li[role=option]');
    event.preventDefault();
    if (li) choose(items[Array.from(list.children).indexOf(li)]);
  });
}

document.querySelectorAll('.record-picker').forEach(picker);
