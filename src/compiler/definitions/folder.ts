import fs from 'node:fs';

/**
 * The names of the files in a project folder that end with `ext`, sorted, so
 * a build reads them in the same order on every machine; none when the
 * folder does not exist (a project need not have every folder).
 */
export function filesIn(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();
}
