import { ConfigError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads a required environment variable.
 * @throws ConfigError `Environment variable X is required` when it is unset or empty.
 */
export const requireEnv = (name: string, env: Env = process.env): string => {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(`Environment variable ${name} is required`);
  }
  return value;
};

/** Reads an optional environment variable, treating an empty value as unset. */
export const optionalEnv = (name: string, env: Env = process.env): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

/** The service name every log line and metric carries. */
export const serviceName = (env: Env = process.env): string =>
  optionalEnv('POWERTOOLS_SERVICE_NAME', env) ?? 'sagemaker-pipeline-lambdas';
