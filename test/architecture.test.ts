import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const RULES_MARKER = '<!-- architecture-rules';
const CHECKED_FOLDERS = ['functions', 'shared', 'local', 'scripts', 'bench'];

interface Rule {
  folder: string;
  mayImport: string[];
}

/** The table that follows the rules marker in docs/architecture.md: `folder` | `entry`, `entry`. */
const parseRules = (markdown: string): Rule[] => {
  const start = markdown.indexOf(RULES_MARKER);
  if (start < 0) throw new Error(`docs/architecture.md has no ${RULES_MARKER} marker`);
  const rows = markdown
    .slice(start)
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
  const end = rows.findIndex((line) => !line.startsWith('|'));
  const table = end < 0 ? rows : rows.slice(0, end);
  return table.slice(2).map((line) => {
    const [folder = '', allowed = ''] = line.split('|').slice(1, 3);
    const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    const [name] = names(folder);
    if (!name) throw new Error(`architecture rule without a folder: ${line}`);
    return { folder: name, mayImport: names(allowed) };
  });
};

/** Whether repository path `path` is `entry`: a folder (`x/`), one file, or `*` for one file name. */
const matches = (entry: string, path: string): boolean => {
  if (entry.endsWith('/')) return path.startsWith(entry);
  const pattern = entry.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*');
  return new RegExp(`^${pattern}$`).test(path);
};

/** The rule of the longest folder or file that holds `file`. */
const ruleFor = (rules: Rule[], file: string): Rule | undefined =>
  rules
    .filter((rule) => matches(rule.folder, file))
    .sort((a, b) => b.folder.length - a.folder.length)[0];

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(?:[^;'"]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The files (repository paths) that `source`, the text of `file`, imports by a relative path. */
const relativeImports = (file: string, source: string): string[] =>
  [...source.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      return /\.[cm]?[jt]sx?$|\.json$/.test(target) ? target : `${target}.ts`;
    });

/** Each import of `file` that its rule does not allow, as `file -> target`. */
const violations = (rules: Rule[], file: string, source: string): string[] => {
  const rule = ruleFor(rules, file);
  if (!rule) return [`${file}: no rule in docs/architecture.md`];
  return relativeImports(file, source)
    .filter((target) => !rule.mayImport.some((entry) => matches(entry, target)))
    .map(
      (target) => `${file} -> ${target} (${rule.folder} may import ${rule.mayImport.join(', ')})`,
    );
};

const sourceFiles = (folder: string): string[] =>
  readdirSync(resolve(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts)$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .filter((file) => !file.includes('/node_modules/'));

const rules = parseRules(readFileSync(resolve(root, 'docs/architecture.md'), 'utf8'));

describe('docs/architecture.md import rules', () => {
  it('has a rule for every checked folder', () => {
    expect(rules.map((rule) => rule.folder)).toEqual(
      expect.arrayContaining(CHECKED_FOLDERS.map((folder) => `${folder}/`)),
    );
  });

  it('are kept by every file of functions/, shared/, local/, scripts/ and bench/', () => {
    const files = CHECKED_FOLDERS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(50);
    const broken = files.flatMap((file) =>
      violations(rules, file, readFileSync(resolve(root, file), 'utf8')),
    );
    expect(broken).toEqual([]);
  });

  it('catch shared/ importing a function, local/, scripts/ or bench/', () => {
    for (const target of [
      '../functions/concat/handler',
      '../local/errors',
      '../scripts/contracts-document',
      '../bench/run',
    ]) {
      expect(violations(rules, 'shared/errors.ts', `import { x } from '${target}';`)).toHaveLength(
        1,
      );
    }
    expect(violations(rules, 'shared/errors.ts', "import { x } from './limits';")).toEqual([]);
  });

  it('catch the transport-free runtime and the engine reaching outside their folders', () => {
    const planted = [
      ['local/runtime.ts', "import { toApiError } from './api/errors';"],
      ['local/pipelines.ts', "export { main } from './cli/local';"],
      ['local/engine/values.ts', "import { LocalError } from '../errors';"],
      ['local/engine/values.ts', "const m = await import('../invokers/catalog');"],
      ['functions/handler.ts', "import { startLocalRuntime } from '../local/index';"],
      ['shared/steps/concat.ts', "import type { FanOutPlan } from '../fan-out/request';"],
      ['local/console/ui/app.ts', "import { consoleRoutes } from '../routes';"],
    ] as const;
    for (const [file, source] of planted) {
      expect(violations(rules, file, source), `${file}: ${source}`).toHaveLength(1);
    }
    expect(
      violations(
        rules,
        'local/engine/interpreter.ts',
        "import type { X } from '../invokers/types';",
      ),
    ).toEqual([]);
    expect(violations(rules, 'local/index.ts', "import { x } from './api/server';")).toEqual([]);
  });

  it('name a file that no rule covers', () => {
    expect(violations(rules, 'elsewhere/x.ts', '')).toEqual([
      'elsewhere/x.ts: no rule in docs/architecture.md',
    ]);
  });

  it('parse a table of folders and entries', () => {
    const parsed = parseRules(
      [
        RULES_MARKER,
        '| Folder | May import |',
        '| --- | --- |',
        '| `a/` | `b/`, `c/*.ts` |',
        '',
        'after',
      ].join('\n'),
    );
    expect(parsed).toEqual([{ folder: 'a/', mayImport: ['b/', 'c/*.ts'] }]);
  });
});
