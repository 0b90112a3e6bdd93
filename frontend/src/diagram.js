// The process diagram (bpmn-js viewer) for the pages that show one: the instance page and the
// designer's version page. Adds window.LZ.renderDiagram beside what worklist.js puts there.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';

// The process diagram with progress: markers on completed and current elements.
async function renderDiagram(container, xml, progress = {}) {
  const viewer = new NavigatedViewer({ container });
  await viewer.importXML(xml);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const mark = (ids, cls) => (ids || []).forEach((id) => { if (registry.get(id)) canvas.addMarker(id, cls); });
  mark(progress.completed, 'lz-completed');
  mark(progress.taken, 'lz-taken');
  mark(progress.current, 'lz-current');
  canvas.zoom('fit-viewport');
  return viewer;
}

window.LZ = Object.assign(window.LZ || {}, { renderDiagram });
