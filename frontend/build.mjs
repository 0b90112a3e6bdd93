// Bundles every frontend/src/<name>.js into frontend/dist/<name>.js (+ <name>.css when it
// imports CSS), served by the app at /static/dist/. Run by `make assets` (npm ci && npm run build).
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const entryPoints = readdirSync(new URL('./src', import.meta.url))
  .filter((f) => f.endsWith('.js'))
  .map((f) => `src/${f}`);

await build({
  entryPoints,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2020'],
  outdir: 'dist',
  loader: { '.woff': 'file', '.woff2': 'file', '.eot': 'file', '.ttf': 'file', '.svg': 'file' },
  jsx: 'automatic',
  jsxImportSource: '@bpmn-io/properties-panel/preact',
  logLevel: 'warning',
});
console.log(`built ${entryPoints.join(', ')} into frontend/dist`);
