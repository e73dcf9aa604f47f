#!/usr/bin/env node
// Prints the largest functions of src/ (and sut/ with --sut) by line count, to follow their size across a
// refactoring: `node scripts/function-sizes.mjs [root] [--top N] [--sut]`. Uses the TypeScript parser.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
const root = resolve(args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? '.');
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 15;
const folders = ['src', ...(args.includes('--sut') ? ['sut'] : [])];

function walk(dir, out) {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const rows = [];
for (const file of folders.flatMap((f) => walk(join(root, f), []))) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node, owner) => {
    let name;
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) name = node.name?.getText(source);
    else if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) name = node.parent.name.getText(source);
    if (name && node.body) {
      const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      rows.push({ where: `${relative(root, file)} ${owner ? owner + '.' : ''}${name}`, lines });
    }
    ts.forEachChild(node, (child) => visit(child, ts.isClassDeclaration(node) ? node.name?.getText(source) : owner));
  };
  visit(source, undefined);
}
rows.sort((a, b) => b.lines - a.lines);
for (const r of rows.slice(0, top)) console.log(`${String(r.lines).padStart(4)}  ${r.where}`);
