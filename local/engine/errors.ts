/**
 * The base of every error of the local runtime. It lives in the engine, the innermost layer, so that
 * the engine's errors extend it while the engine imports nothing of `local/` outside `local/engine/`;
 * `local/errors.ts` re-exports it beside the operation errors. `name` is the class's name; `cause` is
 * carried.
 */
export class LocalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
