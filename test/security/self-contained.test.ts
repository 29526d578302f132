import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

/** Files that code, configuration or scripts are read from; prose (Markdown) only shows examples. */
const CODE_FILE = /\.(ts|mts|cts|js|cjs|mjs|json|ya?ml|sh)$/;
/** A path literal relative to somewhere: `./x`, `../x`, up to a quote, space, `${` or bracket. */
const RELATIVE_PATH = /(?<![\w.$/@-])\.\.?\/[^\s'"`;,(){}$<>|\\]*/g;
/** The public fixtures once lived in a `shared/fixtures` beside the checkout; now in test/fixtures. */
const FIXTURES_OUTSIDE = /shared\/fixtures/;
/** A path through a folder named `shared`: the repository's own, or the one beside the checkout. */
const THROUGH_SHARED = /(^|\/)shared(\/|$)/;
/** This file holds planted examples of what it forbids, to prove the detector finds them. */
const SELF = relative(root, import.meta.filename);
const RESOLVABLE = ['', '.ts', '.js', '.cjs', '.json', `${sep}index.ts`];

const inside = (path: string, base: string): boolean => {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
};
const exists = (path: string): boolean => RESOLVABLE.some((ext) => existsSync(`${path}${ext}`));

interface OutsideRead {
  file: string;
  line: number;
  literal: string;
  why: string;
}

/**
 * Every path literal of one file that reads outside the repository at `repoRoot`: relative paths
 * are resolved against the file's folder (imports, `new URL(x, import.meta.url)`); a path through
 * a `shared` folder that does not exist there is also resolved against the repository root, the
 * working directory of npm scripts and tests.
 */
function outsideReads(repoRoot: string, file: string, text: string): OutsideRead[] {
  const found: OutsideRead[] = [];
  const fileDir = dirname(resolve(repoRoot, file));
  text.split('\n').forEach((content, index) => {
    for (const match of content.matchAll(RELATIVE_PATH)) {
      const literal = match[0];
      const fromFile = resolve(fileDir, literal);
      const fromRoot = resolve(repoRoot, literal);
      let why: string | undefined;
      if (!inside(fromFile, repoRoot)) why = `resolves to ${fromFile}, outside the repository`;
      else if (FIXTURES_OUTSIDE.test(literal) && !(inside(fromRoot, repoRoot) && exists(fromFile)))
        why = 'names shared/fixtures, which is not in the repository (use test/fixtures)';
      else if (THROUGH_SHARED.test(literal) && !exists(fromFile) && !inside(fromRoot, repoRoot))
        why = `is not beside the file, and from the repository root resolves to ${fromRoot}`;
      if (why) found.push({ file, line: index + 1, literal, why });
    }
  });
  return found;
}

function projectFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z'],
    { cwd: root, encoding: 'utf8' },
  );
  return listed
    .split('\0')
    .filter((file) => file !== '' && file !== SELF && existsSync(resolve(root, file)))
    .filter(
      (file) => CODE_FILE.test(file) || readFileSync(resolve(root, file), 'utf8').startsWith('#!'),
    );
}

describe('the detector of reads outside the repository', () => {
  const reads = (file: string, text: string) =>
    outsideReads(root, file, text).map((r) => r.literal);

  it('finds a fixture read from a sibling shared/ folder, relative to the working directory', () => {
    expect(
      reads(
        'test/local/engine/definition.test.ts',
        "const text = readFileSync('../shared/fixtures/sagemaker/GeoSpatialPipeline.json', 'utf8');",
      ),
    ).toEqual(['../shared/fixtures/sagemaker/GeoSpatialPipeline.json']);
  });

  it('finds a path that climbs out of the repository from its own file', () => {
    expect(
      reads(
        'local/api/generate-model.ts',
        "new URL('../../../shared/fixtures/sagemaker/pipelines-api-model.json', import.meta.url)",
      ),
    ).toEqual(['../../../shared/fixtures/sagemaker/pipelines-api-model.json']);
    expect(reads('package.json', '"pretest": "cp ../shared/x.json test/"')).toEqual([
      '../shared/x.json',
    ]);
    expect(reads('bench/run.ts', `const data = \`../../data/\${name}.json\`;`)).toEqual([
      '../../data/',
    ]);
  });

  it("lets the repository's own shared/ folder be imported", () => {
    expect(
      reads('functions/concat/handler.ts', "import { x } from '../../shared/errors';"),
    ).toEqual([]);
    expect(reads('local/index.ts', "export * from '../shared/errors';")).toEqual([]);
    expect(reads('test/local/x.test.ts', "resolve(import.meta.dirname, '../..')")).toEqual([]);
    expect(
      reads('test/local/console/ui/x.test.ts', "resolve(import.meta.dirname, '../../../..')"),
    ).toEqual([]);
  });
});

describe('the project', () => {
  it('reads nothing outside the repository (no ../shared beside the checkout)', () => {
    const files = projectFiles();
    expect(files).toContain('local/api/generate-model.ts');
    expect(files).toContain('.ci/run');
    const found = files.flatMap((file) =>
      outsideReads(root, file, readFileSync(resolve(root, file), 'utf8')).map(
        (read) => `${read.file}:${read.line} '${read.literal}' ${read.why}`,
      ),
    );
    expect(found).toEqual([]);
  });

  it('has the public SageMaker fixtures it tests against, with their source and licence', () => {
    const dir = resolve(root, 'test/fixtures/sagemaker');
    const readme = readFileSync(resolve(dir, 'README.md'), 'utf8');
    for (const name of ['GeoSpatialPipeline.json', 'pipelines-api-model.json']) {
      expect(JSON.parse(readFileSync(resolve(dir, name), 'utf8'))).toBeTypeOf('object');
      expect(readme).toContain(`\`${name}\``);
    }
    expect(readme).toMatch(/Apache-2\.0/);
    expect(readFileSync(resolve(dir, 'LICENSE-2.0.txt'), 'utf8')).toContain(
      'Apache License\n                           Version 2.0, January 2004',
    );
  });
});
