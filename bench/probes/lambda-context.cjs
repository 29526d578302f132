// The Lambda context a probe hands its handler: what one container's invocation would see.
const noop = () => undefined;

/** @param {number} remainingMs what `getRemainingTimeInMillis` answers */
const lambdaContext = (remainingMs) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/bench',
  logStreamName: '2026/12/01/[$LATEST]bench',
  getRemainingTimeInMillis: () => remainingMs,
  done: noop,
  fail: noop,
  succeed: noop,
});

module.exports = { lambdaContext, noop };
