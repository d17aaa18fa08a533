// Browser tests run in the system Chromium (Debian package `chromium`), never a downloaded one.
require('tsx/cjs');
const path = require('node:path');
const { bundleBrowserTests } = require('./test/browser/bundle-tests.ts');
const { startOutboxServers } = require('./harness/stand-ins/outbox-servers.ts');
const { buildOutbox, writeOutbox } = require('./src/compiler/outbox.ts');

process.env.CHROME_BIN = process.env.CHROME_BIN || '/usr/bin/chromium';

module.exports = async (config) => {
  const [testBundle, outboxServers] = await Promise.all([bundleBrowserTests(path.join(__dirname, '.build/browser-tests.js')), startOutboxServers(), buildOutbox().then((code) => writeOutbox(code))]);
  // Stops the outbox tests' loopback servers when karma exits.
  const stopOutboxServers = ['factory', Object.assign((emitter) => emitter.on('exit', (done) => outboxServers.close().then(done, done)), { $inject: ['emitter'] })];
  config.set({
    frameworks: ['mocha', 'outbox-servers'],
    plugins: ['karma-mocha', 'karma-chrome-launcher', { 'framework:outbox-servers': stopOutboxServers }],
    files: [
      testBundle,
      { pattern: 'dist/browser/cht-fhir-outbox.js', included: false, watched: false },
      { pattern: 'extension-libs/*.js', included: false, watched: false },
      { pattern: 'forms/app/*.xml', included: false, watched: false },
    ],
    browsers: ['SystemChromiumHeadless'],
    customLaunchers: {
      SystemChromiumHeadless: {
        base: 'ChromeHeadless',
        flags: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      },
    },
    reporters: ['progress'],
    client: { mocha: { timeout: 20000 }, outbox: outboxServers.config },
    singleRun: true,
    browserNoActivityTimeout: 120000,
    captureTimeout: 60000,
    logLevel: config.LOG_WARN,
  });
};
