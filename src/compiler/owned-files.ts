import fs from 'node:fs';
import path from 'node:path';
import { schemaFiles, schemaFileText } from './definitions/schema';

/**
 * Whole-file replace of a file the tool owns (write then rename: CHT never
 * uploads half a file). An unchanged file is left alone, mtime included.
 * Returns whether it was written.
 */
export function writeIfChanged(file: string, text: string): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return true;
}

/** The definitions' JSON Schemas in app_settings/fhir/schema/ (what editors read through `$schema`). */
export function writeSchemas(fhirDir: string): void {
  for (const [name, schema] of Object.entries(schemaFiles)) writeIfChanged(path.join(fhirDir, 'schema', name), schemaFileText(name, schema));
}
