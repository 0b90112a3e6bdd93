// SpiffWorkflow (and Camunda 7) write variable names, not element ids, into
// <bpmn:loopDataInputRef>/<bpmn:loopDataOutputRef> of multi-instance tasks. bpmn-moddle reads them as
// id references, cannot resolve them and drops them, so a plain open -> save loses the collection
// (INVENTORY.md, finding 1). Right after parsing, each such unresolved reference is replaced by a
// stand-in data input carrying the name as its id, which the XML writer puts back unchanged.
const VARIABLE_REFS = ['bpmn:loopDataInputRef', 'bpmn:loopDataOutputRef'];

function VariableRefs(eventBus, moddle) {
  eventBus.on('import.parse.complete', 2000, (event) => {
    const { elementsById, references, warnings } = event;
    if (!references) return;
    const kept = new Set();
    references.forEach((r) => {
      if (VARIABLE_REFS.includes(r.property) && !(elementsById || {})[r.id]) {
        r.element.set(r.property, moddle.create('bpmn:DataInput', { id: r.id }));
        kept.add(r);
      }
    });
    if (warnings && kept.size) {
      // the reference is kept now: drop the "unresolved reference" warnings about it
      for (let i = warnings.length - 1; i >= 0; i -= 1) {
        const w = warnings[i];
        if (VARIABLE_REFS.includes(w.property) && [...kept].some((r) => r.element === w.element && r.id === w.value)) {
          warnings.splice(i, 1);
        }
      }
    }
  });
}

VariableRefs.$inject = ['eventBus', 'moddle'];

export default { __init__: ['lzVariableRefs'], lzVariableRefs: ['type', VariableRefs] };
