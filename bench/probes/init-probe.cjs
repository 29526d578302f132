// Runs in a fresh `node` process: times the require of one bundle, as Lambda's init does.
// Prints {"ms": <wall milliseconds>, "cpuMs": <CPU milliseconds of this process>,
// "contract": <whether the handler carries a LambdaStep contract>}.
const { performance } = require('node:perf_hooks');

const bundle = process.argv[2];
const cpuStart = process.cpuUsage();
const start = performance.now();
const loaded = require(bundle);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
const contract = typeof loaded.handler?.contract === 'object';
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, contract }));
