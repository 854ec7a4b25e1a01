// One Comunica for every query of a test session (tests/test_comunica.py), instead of one node
// process per query: starting node and loading Comunica's engine takes about a second, a query
// against the local server a few milliseconds.
//
// Each line on stdin is a JSON array of comunica-sparql's command-line arguments; each is run as the
// CLI runs it (node_modules/@comunica/query-sparql/bin/query.js: the same engine-default.js actor,
// its own argument handling, `actor.run({argv})`), and answered with one JSON line on stdout:
// {"code": 0 or 1, "stdout": "...", "stderr": "..."}, what the CLI would have printed and its exit
// status. `--invalidateCache` is added to every run, so that each query fetches its documents
// afresh, as a new CLI process would (the engine's HTTP cache would otherwise outlive the query).
// Queries are run one at a time, in the order they come.

'use strict';

const readline = require('node:readline');
const actor = require('@comunica/query-sparql/engine-default.js')();

function collect(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function run(argv) {
  try {
    const result = await actor.run({ argv: [...argv, '--invalidateCache'], env: process.env, stdin: process.stdin });
    if (result.stderr) {
      return { code: 1, stdout: '', stderr: await collect(result.stderr) };
    }
    return { code: 0, stdout: result.stdout ? await collect(result.stdout) : '', stderr: '' };
  } catch (error) {
    return { code: 1, stdout: '', stderr: error && error.stack ? error.stack : String(error) };
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    const answer = await run(JSON.parse(line));
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  });
});
