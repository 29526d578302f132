/**
 * Builds the console's front end (`ui/`) with esbuild, in memory, the first time a page is asked
 * for, so no generated file is committed or written. One build per process, shared by runtimes.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
}

const UI = resolve(import.meta.dirname, 'ui');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** The console's files by name (`index.html`, `app.js`, `style.css`). */
export type ConsoleBundle = ReadonlyMap<string, ConsoleAsset>;

/** The front end cannot be built, e.g. esbuild (a devDependency) is not installed. */
export class ConsoleBuildError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'ConsoleBuildError';
  }
}

function typeOf(name: string): string {
  const extension = name.slice(name.lastIndexOf('.'));
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

async function build(): Promise<ConsoleBundle> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (cause) {
    throw new ConsoleBuildError(
      'the console needs esbuild (a devDependency): run npm ci to install it',
      { cause },
    );
  }
  const result = await esbuild.build({
    entryPoints: { app: resolve(UI, 'main.ts'), style: resolve(UI, 'styles.css') },
    bundle: true,
    write: false,
    outdir: resolve(UI, 'out'),
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    // Error classes name themselves after their class (LocalError); minifying must keep those names.
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets = new Map<string, ConsoleAsset>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    assets.set(name, { contentType: typeOf(name), body: Buffer.from(file.contents) });
  }
  assets.set('index.html', {
    contentType: typeOf('index.html'),
    body: await readFile(resolve(UI, 'index.html')),
  });
  return assets;
}

let built: Promise<ConsoleBundle> | undefined;

/** The built console; a failed build is tried again on the next call. */
export function consoleBundle(): Promise<ConsoleBundle> {
  if (!built) {
    built = build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
  }
  return built;
}
