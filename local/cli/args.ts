/** A small command-line parser: positionals, `--flag value`, `--flag=value`, repeated flags. */

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

/** A command line that cannot be used; the message says which argument and why. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses argv. `booleans` lists flags that take no value (`--in-process`).
 * @throws UsageError for a flag that needs a value and has none.
 */
export function parseArgs(argv: string[], booleans: string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (eq >= 0) add(name, arg.slice(eq + 1));
    else if (booleans.includes(name)) add(name, 'true');
    else {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      add(name, value);
      i += 1;
    }
  }
  return { positionals, flags };
}

/** The last value of a flag, if given. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

/** A port number flag (0..65535), or the fallback. */
export function portFlag(args: ParsedArgs, name: string, fallback: number): number {
  const raw = flag(args, name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--${name} must be a port number, got '${raw}'`);
  }
  return port;
}

/** `Name=Value` pairs of a repeated flag (`--param Items=[1,2]`). */
export function pairsFlag(args: ParsedArgs, name: string): { Name: string; Value: string }[] {
  return (args.flags.get(name) ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${name} expects Name=Value, got '${pair}'`);
    return { Name: pair.slice(0, eq), Value: pair.slice(eq + 1) };
  });
}
