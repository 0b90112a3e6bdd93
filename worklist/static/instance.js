// The instance page: the diagram with its progress, the data as a read-only form, a confirmation
// before withdrawing. Uses window.LZ (frontend/src/worklist.js).
(function () {
  'use strict';

  const read = (id) => JSON.parse(document.getElementById(id).textContent);

  // On a phone the whole diagram would shrink its labels to a few pixels: never below READABLE
  // (labels of 12 units read at about 9 px), showing the current step (or the start); drag to move.
  const READABLE = 0.75;
  function readable(viewer, current) {
    const canvas = viewer.get('canvas');
    if (canvas.zoom() >= READABLE) return;
    const registry = viewer.get('elementRegistry');
    const focus = (current || []).map((id) => registry.get(id)).find(Boolean)
      || registry.filter((e) => e.type === 'bpmn:StartEvent')[0];
    canvas.zoom(READABLE);
    if (focus) {
      const vb = canvas.viewbox();
      canvas.viewbox({ x: focus.x + focus.width / 2 - vb.width / 2, y: focus.y + focus.height / 2 - vb.height / 2,
                       width: vb.width, height: vb.height });
    }
  }

  function zoomButtons(viewer) {
    const canvas = viewer.get('canvas');
    document.querySelectorAll('.diagram-zoom [data-zoom]').forEach((button) => {
      button.addEventListener('click', () => {
        const how = button.dataset.zoom;
        if (how === 'fit') canvas.zoom('fit-viewport', 'auto');
        else canvas.zoom(canvas.zoom() * (how === 'in' ? 1.25 : 0.8), 'auto');
      });
    });
  }

  const diagramEl = document.getElementById('diagram');
  if (diagramEl) {
    const d = read('instance-diagram');
    LZ.renderDiagram(diagramEl, d.xml, { completed: d.completed, current: d.current, taken: d.taken })
      .then((viewer) => {
        // As tall as the drawing needs at this width (a long flat process gets a low box).
        const canvas = viewer.get('canvas');
        const inner = canvas.viewbox().inner;
        if (inner.width > 0) {
          const wanted = Math.round((diagramEl.clientWidth - 24) * (inner.height / inner.width)) + 48;
          const max = window.innerWidth < 640 ? 300 : 480;
          diagramEl.style.height = `${Math.max(160, Math.min(max, wanted))}px`;
          canvas.resized();
          canvas.zoom('fit-viewport', 'auto');
        }
        readable(viewer, d.current);
        zoomButtons(viewer);
        diagramEl.classList.add('ready');
      })
      .catch((e) => { diagramEl.textContent = String(e); });
  }

  const dataEl = document.getElementById('instance-data');
  if (dataEl) {
    const f = read('instance-form');
    dataEl.textContent = '';
    LZ.renderForm(dataEl, f.schema, f.data || {}, { readOnly: true })
      .then(() => dataEl.classList.add('ready'))
      .catch((e) => { dataEl.textContent = String(e); });
  }

  document.querySelectorAll('form[data-confirm]').forEach((form) => {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
