// Checks that src/direct-sockets.d.ts declares what src/direct-sockets.js really exports (run after tsc by
// TypeScriptDeclarationsTest): the same exported classes and functions, and per class the same public
// members, a `readonly` property for each getter and a method for each method. Internal members (named
// `_...`) are not declared. Prints the count of checks, or each difference and exits 1.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, '../../src');
let ts;
try {
  ts = createRequire(import.meta.url)('typescript');
} catch (e) {
  console.error(`typescript is not installed in web/bridge/js/node_modules: run .ci/setup (npm ci there) (${e.message})`);
  process.exit(2);
}
const file = path.join(src, 'direct-sockets.d.ts');
const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
const exported = (node) => node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

const declared = new Map(); // name -> { kind: 'class' | 'function', members: Map(name -> 'property' | 'method'), statics }
for (const node of source.statements) {
  if (!exported(node)) continue;
  if (ts.isFunctionDeclaration(node)) declared.set(node.name.text, { kind: 'function' });
  if (ts.isVariableStatement(node)) {
    for (const d of node.declarationList.declarations) declared.set(d.name.getText(), { kind: 'const' });
  }
  if (ts.isClassDeclaration(node)) {
    const members = new Map();
    const statics = new Map();
    for (const m of node.members) {
      if (ts.isConstructorDeclaration(m) || !m.name) continue;
      const isStatic = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
      let kind;
      if (ts.isMethodDeclaration(m)) kind = 'method';
      else if (ts.isGetAccessorDeclaration(m)) kind = 'getter';
      else if (ts.isPropertyDeclaration(m)) {
        kind = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword) ? 'getter' : 'property';
      } else kind = ts.SyntaxKind[m.kind];
      (isStatic ? statics : members).set(m.name.getText(), kind);
    }
    declared.set(node.name.text, { kind: 'class', members, statics });
  }
}

const runtime = await import(path.join(src, 'direct-sockets.js'));
const problems = [];
let checks = 0;
const check = (ok, what) => {
  checks++;
  if (!ok) problems.push(what);
};

function runtimeMembers(target) {
  const out = new Map();
  for (const name of Object.getOwnPropertyNames(target)) {
    if (['constructor', 'length', 'name', 'prototype'].includes(name) || name.startsWith('_')) continue;
    const d = Object.getOwnPropertyDescriptor(target, name);
    out.set(name, d.get ? (d.set ? 'property' : 'getter') : typeof d.value === 'function' ? 'method' : 'property');
  }
  return out;
}

function compare(where, have, want) {
  for (const [name, kind] of have) {
    check(want.has(name), `${where}${name} (${kind}) exists in the JavaScript but is not declared in direct-sockets.d.ts`);
    if (want.has(name)) check(want.get(name) === kind, `${where}${name} is a ${kind} in the JavaScript, declared as a ${want.get(name)}`);
  }
  for (const [name, kind] of want) {
    check(have.has(name), `${where}${name} (${kind}) is declared in direct-sockets.d.ts but the JavaScript has none`);
  }
}

for (const name of Object.keys(runtime)) {
  const value = runtime[name];
  const d = declared.get(name);
  check(d !== undefined, `export ${name} of direct-sockets.js is not declared in direct-sockets.d.ts`);
  if (d === undefined) continue;
  const isClass = typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));
  const kind = isClass ? 'class' : typeof value === 'function' ? 'function' : 'const';
  check(d.kind === kind, `export ${name} is a ${kind} in the JavaScript, declared as a ${d.kind}`);
  if (isClass && d.kind === 'class') {
    compare(`${name}.prototype.`, runtimeMembers(value.prototype), d.members);
    compare(`${name}.`, runtimeMembers(value), d.statics);
  }
}
for (const name of declared.keys()) {
  check(name in runtime, `${name} is declared in direct-sockets.d.ts but direct-sockets.js does not export it`);
}

for (const p of problems) console.error('MISMATCH ' + p);
console.log(`surface: ${[...declared.keys()].join(', ')}`);
console.log(`surface: ${checks} checks, ${problems.length} mismatches`);
process.exit(problems.length === 0 ? 0 : 1);
