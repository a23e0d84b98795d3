// Builds what a Herald node serves under /client/ (run by Maven in generate-resources, after `npm ci`):
//   herald.js          the client as one ES module, sockjs-client bundled in
//   react.js           the React bindings as an ES module; `react` stays an import (the page's own React)
//                      and ./herald.js is the module above, so both share one Herald class
//   herald.api.d.ts    the typings template io.herald.catalog.TypeScriptTypes fills with the catalog's types
//   node build.mjs <output dir>
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs <output dir>');
  process.exit(2);
}
await mkdir(out, { recursive: true });

const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2020', minify: true, legalComments: 'inline', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [join(here, 'herald.js')],
  outfile: join(out, 'herald.js'),
  // sockjs-client is CommonJS written for browserify, which gives modules a `global`
  define: { global: 'globalThis' },
});
await build({
  ...common,
  entryPoints: [join(here, 'react.js')],
  outfile: join(out, 'react.js'),
  external: ['react', './herald.js'],
});
await copyFile(join(here, 'herald.d.ts'), join(out, 'herald.api.d.ts'));
