// Runs in a fresh `node` process, as one Lambda container would: loads a function bundle,
// sends it one event and prints {"statusCode", "body", "initMs", "handlerMs", "maxRssKb"}:
// the handler's answer, its time, and the process's peak resident memory (what Lambda's
// memory size limits). The environment (endpoints, table) comes from the parent.
// Usage: node submit-probe.cjs <bundle> <event.json>
const { readFileSync } = require('node:fs');
const { lambdaContext } = require('./lambda-context.cjs');

const [bundle, eventFile] = process.argv.slice(2);
const loadStart = performance.now();
const { handler } = require(bundle);
const initMs = performance.now() - loadStart;
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = lambdaContext(900_000);

const main = async () => {
  const start = performance.now();
  const result = await handler(event, context);
  const handlerMs = performance.now() - start;
  process.stdout.write(
    JSON.stringify({
      statusCode: result?.statusCode,
      body: result?.body,
      initMs,
      handlerMs,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
  process.exit(0);
};

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
