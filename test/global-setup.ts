import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
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
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Own folders per run: concurrent runs (and `sls offline`) must not share esbuild's work folder.
  const packageDir = `${PACKAGE_DIR}/${process.pid}`;
  const workFolder = `.esbuild-test-${process.pid}`;
  await run(resolve(root, 'node_modules/.bin/sls'), ['package', '--package', packageDir], {
    cwd: root,
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ESBUILD_WORK_FOLDER: workFolder,
    },
    timeout: 180_000,
  });
  await rm(resolve(root, workFolder), { recursive: true, force: true });
  project.provide(
    'packagedTemplatePath',
    resolve(root, packageDir, 'cloudformation-template-update-stack.json'),
  );
  return async () => {
    await rm(resolve(root, packageDir), { recursive: true, force: true });
  };
}
