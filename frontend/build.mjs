// Bundles every frontend/src/<name>.js into frontend/dist/<name>.js (+ <name>.css when it
// imports CSS), served by the app at /static/dist/. Run by `make assets` (npm ci && npm run build).
// Each asset is also written pre-compressed (<file>.br, <file>.gz) at the highest levels, once,
// here: the app serves the smallest one the browser accepts (web/assets.py), never compressing per
// request.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { libtextPlugin } from './libtext-plugin.mjs';

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
  plugins: [libtextPlugin], // form-js's and the properties panel's English texts, translated
  logLevel: 'warning',
});
const dist = new URL('./dist/', import.meta.url);
const compressible = /\.(js|css|svg|eot|ttf)$/; // not the source maps: rarely fetched, slow to compress
let before = 0;
let after = 0;
for (const name of readdirSync(dist)) {
  if (name.endsWith('.br') || name.endsWith('.gz')) {
    rmSync(new URL(name, dist)); // stale: rewritten below for what this build produced
  }
}
for (const name of readdirSync(dist)) {
  if (!compressible.test(name)) continue;
  const raw = readFileSync(new URL(name, dist));
  const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11,
                                                 [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
  writeFileSync(new URL(`${name}.br`, dist), br);
  writeFileSync(new URL(`${name}.gz`, dist), gzipSync(raw, { level: 9 }));
  before += raw.length;
  after += br.length;
}
console.log(`built ${entryPoints.join(', ')} into frontend/dist `
            + `(${Math.round(before / 1024)} KB, ${Math.round(after / 1024)} KB with brotli)`);
