// The instance page: the diagram with its progress, the data as a read-only form, a confirmation
// before withdrawing. Uses window.LZ (frontend/src/worklist.js).
(function () {
  'use strict';

  const read = (id) => JSON.parse(document.getElementById(id).textContent);

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
