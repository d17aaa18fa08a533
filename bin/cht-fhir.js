#!/usr/bin/env node
// The cht-fhir command. Sources are TypeScript, run through tsx.
require('tsx/cjs');
require('../src/cli/main.ts');
