/** Every benchmark suite, in the order `npm run bench` runs them. Add new suites here. */
import type { BenchSuite } from '../lib/suite';
import { batchesSuite } from './batches';
import { batches100kSuite } from './batches-100k';
import { bundlesSuite } from './bundles';
import { contractOverheadSuite } from './contract-overhead';
import { fanInSuite } from './fan-in';
import { fanOutThroughputSuite } from './fan-out-throughput';
import { localRuntimeSuite } from './local-runtime';

export const suites: BenchSuite[] = [
  bundlesSuite,
  contractOverheadSuite,
  fanOutThroughputSuite,
  localRuntimeSuite,
  batchesSuite,
  fanInSuite,
  batches100kSuite,
];

/** Names that select several suites at once. */
export const suiteAliases: Record<string, string[]> = {
  'lambda-steps': ['bundles', 'contract-overhead'],
  'fan-out': ['fan-out-throughput'],
  local: ['local-runtime'],
  // The batch benchmark and the fan-in wait: `npm run bench -- batches`.
  batches: ['batches', 'fan-in'],
};
