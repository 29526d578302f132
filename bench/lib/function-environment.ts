/**
 * Each function's environment as serverless.yml declares it (`provider.environment`, then the
 * function's own), read the way local mode reads it: default params, and local placeholder
 * values for `!Ref` / `!GetAtt` (`local/wiring/template.ts`). A function that reads its
 * configuration at module load (the batch functions need `BATCH_TABLE_NAME`) can then be
 * measured as it would start.
 */
import { type Json, loadServerlessTemplate, resolveIntrinsics } from '../../local/wiring/template';

/** The account and region the placeholders are made for; nothing is called. */
const PLACEHOLDER_ACCOUNT = { region: 'us-east-1', accountId: '000000000000' };

const asEnvironment = (value: Json | undefined): Record<string, string> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, setting]) => setting !== null && typeof setting !== 'object')
      .map(([name, setting]) => [name, String(setting)]),
  );
};

/** Every function's environment by its key in serverless.yml. */
export const functionEnvironments = async (
  root: string,
): Promise<Record<string, Record<string, string>>> => {
  const template = await loadServerlessTemplate({ root });
  const provider = template.provider.environment ?? null;
  return Object.fromEntries(
    Object.entries(template.functions).map(([key, definition]) => [
      key,
      asEnvironment(
        resolveIntrinsics(
          { ...asEnvironment(provider), ...((definition.environment ?? {}) as object) } as Json,
          template,
          PLACEHOLDER_ACCOUNT,
        ),
      ),
    ]),
  );
};
