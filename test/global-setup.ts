import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

/** Where the template tests read the packaged CloudFormation template. */
export const PACKAGE_DIR = '.serverless-test';

declare module 'vitest' {
  export interface ProvidedContext {
    packagedTemplatePath: string;
  }
}

/**
 * Packages the service once per test run, into its own directory so it never races
 * a developer's `sls package`, and hands the template's path to the tests.
 */
export default async function setup(project: TestProject): Promise<void> {
  await run(resolve(root, 'node_modules/.bin/sls'), ['package', '--package', PACKAGE_DIR], {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 180_000,
  });
  project.provide(
    'packagedTemplatePath',
    resolve(root, PACKAGE_DIR, 'cloudformation-template-update-stack.json'),
  );
}
