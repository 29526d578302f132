import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const SOURCE_DIRS = ['functions', 'shared', 'local', 'scripts', 'bench', 'serverless'];
const DYNAMIC_CODE = /\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*['"`]/;

// Comments may name what they replace (`str()` + `eval()`), so only code is searched.
const COMMENT = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;
const withoutComments = (text: string): string => text.replace(COMMENT, '');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|cjs|mjs|js)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));

describe('source code', () => {
  it('never evaluates strings as code (no eval, no new Function)', () => {
    const files = SOURCE_DIRS.flatMap((dir) => {
      try {
        return sourceFiles(resolve(root, dir));
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(10);
    const offending = files
      .filter((file) => DYNAMIC_CODE.test(withoutComments(readFileSync(file, 'utf8'))))
      .map((file) => relative(root, file));
    expect(offending).toEqual([]);
  });
});
