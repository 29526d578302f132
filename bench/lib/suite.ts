/** A benchmark suite: `npm run bench -- <name>` runs it; `npm run bench` runs them all. */
export interface BenchSuite {
  name: string;
  description: string;
  /** Runs only when named (`npm run bench -- <name>`): too long for `npm run bench`. */
  onlyWhenNamed?: boolean;
  /** Measures; returns the table printed to stdout and the figures saved as JSON. */
  run: () => Promise<SuiteResult>;
}

export interface SuiteResult {
  /** A Markdown table (and any notes), printed as it is. */
  table: string;
  /** Everything measured, written to `bench/results/<suite>.json`. */
  figures: unknown;
  /** Whether every target of the suite was met. */
  passed: boolean;
}
