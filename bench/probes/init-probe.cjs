// Runs in a fresh `node` process: times the require of one bundle, as Lambda's init does.
// Prints {"ms": <milliseconds>, "contract": <whether the handler carries a LambdaStep contract>}.
const { performance } = require('node:perf_hooks');

const bundle = process.argv[2];
const start = performance.now();
const loaded = require(bundle);
const ms = performance.now() - start;
const contract = typeof loaded.handler?.contract === 'object';
process.stdout.write(JSON.stringify({ ms, contract }));
