import fs from 'node:fs';
import path from 'node:path';
import { compileDefinitions } from '../compiler/definitions/compile';
import { formCoverage, type FormCoverage } from '../compiler/definitions/coverage';
import { projectAt } from '../compiler/definitions/project';
import { parseXForm } from '../compiler/definitions/xform';
import { filesIn } from '../compiler/definitions/folder';

/** `cht-fhir coverage`: every XForm of forms/app, mapped or not. */
export function coverage(root: string): FormCoverage[] {
  const project = projectAt(root);
  const compiled = compileDefinitions(project.root);
  const dir = path.join(project.root, 'forms/app');
  const files = filesIn(dir, '.xml');
  return files.map((f) => {
    const form = path.basename(f, '.xml');
    const xform = compiled.xforms[form] ?? parseXForm(fs.readFileSync(path.join(dir, f), 'utf8'), `forms/app/${f}`);
    return formCoverage(xform, compiled.model.forms[form]);
  });
}

export function formatCoverage(report: FormCoverage[]): string[] {
  const lines: string[] = [];
  for (const c of report) {
    const total = c.toResources.length + c.onlyInResponse.length + c.nowhere.length;
    lines.push(`${c.form}${c.mapped ? '' : '  (not mapped: CHT pushes nothing for it; cht-fhir init adds a draft)'}`);
    lines.push(`  to resources            ${c.toResources.length}/${total}  ${c.toResources.join(', ')}`);
    lines.push(`  only in the response    ${c.onlyInResponse.length}/${total}  ${c.onlyInResponse.join(', ')}`);
    lines.push(`  in no output            ${c.nowhere.length}/${total}  ${c.nowhere.join(', ')}`);
  }
  return lines;
}
