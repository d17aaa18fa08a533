import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * `npx tsx tools/structure/longest-functions.ts [N] [dir]`: the N longest
 * functions under dir (default src/, tests left out), by lines from their
 * first to last line, nested functions counted inside their parent too.
 * The structure pass (#25) reads it before and after.
 */
const [most = '10', dir = 'src'] = process.argv.slice(2);

function files(d: string): string[] {
  return fs
    .readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : /\.ts$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name) ? [path.join(d, e.name)] : []));
}

function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText();
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

const rows: Array<{ lines: number; where: string }> = [];
for (const file of files(dir)) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      rows.push({ lines: end - start + 1, where: `${file}:${start + 1} ${nameOf(node)}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
for (const r of rows.sort((a, b) => b.lines - a.lines).slice(0, Number(most))) console.log(`${String(r.lines).padStart(4)}  ${r.where}`);
