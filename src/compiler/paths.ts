import path from 'node:path';

/** This package's own folder (its sources, for bundling); never a project's. Build-time only. */
export const PKG = path.resolve(__dirname, '../..');
