import path from 'node:path';

/** Where things live in this project, without loading any build tool. */
export const ROOT = path.resolve(__dirname, '../..');
export const BASE_SETTINGS = path.join(ROOT, 'app_settings/base_settings.json');
