// A file may bind a prefix the modeler's moddle extensions use (camunda, lz) to another namespace:
// MIWG C.1.0 declares xmlns:camunda="http://activiti.org/bpmn". moddle-xml then cannot write the
// file back ("no namespace uri given for prefix <ns0>"). Before parsing, such a prefix is renamed
// in the file's tags and attributes (camunda -> camunda_1); the namespace URIs, and so the meaning
// of every element and attribute, stay the same.
function PrefixGuard(eventBus, moddle) {
  eventBus.on('import.parse.start', 2000, (event) => {
    let { xml } = event;
    if (typeof xml !== 'string') return undefined;
    const ours = Object.values(moddle.registry.packageMap).filter((p) => p.prefix && p.uri);
    ours.forEach(({ prefix, uri }) => {
      const declared = new RegExp(`xmlns:${prefix}\\s*=\\s*["']([^"']*)["']`).exec(xml);
      if (!declared || declared[1] === uri) return;
      let other = `${prefix}_1`;
      for (let n = 2; xml.includes(`xmlns:${other}=`); n += 1) other = `${prefix}_${n}`;
      xml = xml
        .replace(new RegExp(`xmlns:${prefix}(\\s*=)`, 'g'), `xmlns:${other}$1`)
        .replace(new RegExp(`(</?)${prefix}:`, 'g'), `$1${other}:`)
        .replace(new RegExp(`(\\s)${prefix}:([\\w.-]+\\s*=)`, 'g'), `$1${other}:$2`);
    });
    return xml;
  });
}

PrefixGuard.$inject = ['eventBus', 'moddle'];

export default { __init__: ['lzPrefixGuard'], lzPrefixGuard: ['type', PrefixGuard] };
