// Type-checks the typed example (typed/) with tsc's compiler API against typings generated from a hub's
// catalog, mapped to 'herald-client' as an app maps them (tsconfig "paths"), and once against the package's
// own typings (event types: any string). Run by HeraldJsIT; prints the errors per file as one JSON object.
//   node herald-types.mjs <generated herald.d.ts>
import ts from 'typescript';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const typed = join(dirname(fileURLToPath(import.meta.url)), 'typed');
const files = ['app.tsx', 'wrong-event.ts', 'wrong-event-react.tsx'].map((file) => join(typed, file));

function check(paths) {
  const options = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, jsx: ts.JsxEmit.ReactJSX, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    baseUrl: typed, paths,
  };
  const program = ts.createProgram(files, options);
  const errors = {};
  for (const file of files) {
    errors[relative(typed, file)] = ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
  }
  return errors;
}

const generated = process.argv[2];
console.log(JSON.stringify({
  typescript: ts.version,
  generated: check({ 'herald-client': [generated] }),
  package: check({}),
}));
