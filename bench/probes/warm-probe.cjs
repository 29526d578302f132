// Runs in a fresh `node` process: the warm cost of a LambdaStep's full handler (middy,
// Logger context, input validation, output checks) against calling its `run` directly.
// Usage: node warm-probe.cjs <bundle> <event.json> <invocations> <warmup>
// Prints {"handlerNs": [...], "runNs": [...]} with one duration per invocation.
const { readFileSync } = require('node:fs');
const { lambdaContext, noop } = require('./lambda-context.cjs');

const [bundle, eventFile, invocationsText, warmupText] = process.argv.slice(2);
const invocations = Number(invocationsText);
const warmup = Number(warmupText);
const { handler } = require(bundle);
const { contract } = handler;
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
// Standard Schema's validate: the bundle carries its schema library, the probe needs none.
const parsed = contract.eventSchema['~standard'].validate(event);
if (parsed.issues) throw new Error(`${eventFile} does not satisfy the step's input schema`);
const input = parsed.value;
const context = lambdaContext(600_000);
const runContext = {
  logger: { debug: noop, info: noop, warn: noop, error: noop, appendKeys: noop },
  context,
};

const main = async () => {
  // Both paths must agree, or the comparison means nothing.
  const viaHandler = JSON.stringify(await handler(event, context));
  const viaRun = JSON.stringify(await contract.run(input, runContext));
  if (viaHandler !== viaRun)
    throw new Error(`handler and run disagree: ${viaHandler} vs ${viaRun}`);

  const handlerNs = new Float64Array(invocations);
  const runNs = new Float64Array(invocations);
  // Alternate the two so both see the same JIT and GC state.
  for (let i = -warmup; i < invocations; i++) {
    const t0 = process.hrtime.bigint();
    await handler(event, context);
    const t1 = process.hrtime.bigint();
    await contract.run(input, runContext);
    const t2 = process.hrtime.bigint();
    if (i >= 0) {
      handlerNs[i] = Number(t1 - t0);
      runNs[i] = Number(t2 - t1);
    }
  }
  process.stdout.write(JSON.stringify({ handlerNs: [...handlerNs], runNs: [...runNs] }));
};

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
