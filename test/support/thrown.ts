/** Runs `run` and returns what it throws, which must be an `errorClass`; fails if it returns. */
export const thrownBy = <E extends Error>(
  run: () => unknown,
  errorClass: abstract new (...args: never[]) => E,
): E => {
  try {
    run();
  } catch (error) {
    if (error instanceof errorClass) return error;
    throw error;
  }
  throw new Error(`expected ${errorClass.name}, but nothing was thrown`);
};
