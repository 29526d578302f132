/** Defaults the command-line entry points (`npm start`, `npm run local`) share. */

/** Where every local server binds: this machine only. */
export const LOCAL_HOST = '127.0.0.1';

/** Port `npm start` serves the runtime on unless `--port` says otherwise. */
export const DEFAULT_RUNTIME_PORT = 3010;

/** Port `npm start` serves local S3 on, so the README's AWS CLI lines can name it. */
export const DEFAULT_S3_PORT = 3012;

/** The runtime a command that talks to a running `npm start` reaches without `--endpoint`. */
export const defaultEndpoint = (): string =>
  process.env.LOCAL_SAGEMAKER_ENDPOINT ?? `http://${LOCAL_HOST}:${DEFAULT_RUNTIME_PORT}`;
