'use strict';
/*
 * Preloaded into openhim-core (node -r, inherited by its cluster workers):
 * `require('ssl-root-cas/latest')` downloads Mozilla's CA list at start when
 * the package's generated file is missing, which needs the internet. Resolve
 * it to `ssl-root-cas`, the CA list the same package ships, instead.
 */
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === 'ssl-root-cas/latest' ? 'ssl-root-cas' : request, ...rest);
};
