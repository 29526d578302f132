/** What a Lambda step sends: the function named by the step's FunctionArn and the evaluated Arguments. */
export interface InvokeRequest {
  functionArn: string;
  payload: unknown;
  /** How long the step waits for the function before failing. */
  timeoutMs: number;
  /** Aborted when the step stops waiting (timeout), so an HTTP invoker can drop the request. */
  signal: AbortSignal;
}

/** A function's answer: its JSON result, or the error message that becomes the step's FailureReason. */
export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: string };

/** Runs the function behind a Lambda step (in-process or through the Lambda API). */
export interface LambdaInvoker {
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  /** One line for logs, e.g. "in-process (functions/)" or "Lambda API at http://127.0.0.1:3002". */
  readonly description: string;
}
