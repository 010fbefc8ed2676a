'use strict';
// Builds JsSIP for the browser from the npm package in interop/node_modules:
// one IIFE that defines the global JsSIP, as JsSIP's own dist file did.
//
//   node interop/browser/build.js [--minify] [OUTFILE]
//
// writes OUTFILE (default interop/browser/dist/jssip.js, which git ignores)
// and prints its size. driver.js calls bundle() at start-up and serves the
// result from memory, so the tests need no build step; the command is for
// looking at the bundle or serving it elsewhere.
const path = require('path');

const entry = path.join(__dirname, '..', 'node_modules', 'jssip', 'lib', 'JsSIP.js');

// bundle returns the bundle's text.
async function bundle({ minify = false } = {}) {
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    globalName: 'JsSIP',
    platform: 'browser',
    target: 'es2020',
    minify,
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

module.exports = { bundle, entry };

if (require.main === module) {
  const fs = require('fs');
  const args = process.argv.slice(2);
  const minify = args.includes('--minify');
  const out = args.find((a) => !a.startsWith('--')) || path.join(__dirname, 'dist', 'jssip.js');
  bundle({ minify })
    .then((text) => {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, text);
      console.log(`${out}: ${Buffer.byteLength(text)} bytes`);
    })
    .catch((err) => {
      console.error(err.message);
      process.exit(1);
    });
}
