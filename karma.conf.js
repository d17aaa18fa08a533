// Browser tests run in the system Chromium (Debian package `chromium`), never a downloaded one.
require('tsx/cjs');
const path = require('node:path');
const { bundleBrowserTests } = require('./test/browser/bundle-tests.ts');

process.env.CHROME_BIN = process.env.CHROME_BIN || '/usr/bin/chromium';

module.exports = async (config) => {
  const testBundle = await bundleBrowserTests(path.join(__dirname, '.build/browser-tests.js'));
  config.set({
    frameworks: ['mocha'],
    plugins: ['karma-mocha', 'karma-chrome-launcher'],
    files: [
      testBundle,
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
    client: { mocha: { timeout: 20000 } },
    singleRun: true,
    browserNoActivityTimeout: 120000,
    captureTimeout: 60000,
    logLevel: config.LOG_WARN,
  });
};
