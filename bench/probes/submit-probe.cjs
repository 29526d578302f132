// Runs in a fresh `node` process, as one Lambda container would: loads a function bundle,
// sends it one event and prints {"statusCode", "body", "initMs", "handlerMs", "maxRssKb"}:
// the handler's answer, its time, and the process's peak resident memory (what Lambda's
// memory size limits). The environment (endpoints, table) comes from the parent.
// Usage: node submit-probe.cjs <bundle> <event.json>
const { readFileSync } = require('node:fs');

const [bundle, eventFile] = process.argv.slice(2);
const loadStart = performance.now();
const { handler } = require(bundle);
const initMs = performance.now() - loadStart;
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const noop = () => undefined;
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/bench',
  logStreamName: '2026/12/01/[$LATEST]bench',
  getRemainingTimeInMillis: () => 900_000,
  done: noop,
  fail: noop,
  succeed: noop,
};

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
