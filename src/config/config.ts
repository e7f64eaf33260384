import { z } from 'zod';

const locale = z.enum(['nb', 'en']);

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

export const configSchema = z.object({
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8787)),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(file:|libsql:|https?:|wss?:|:memory:)/, 'must start with file:, libsql:, http(s): or ws(s):')
      .default('file:./data/selvhjelp.db'),
  ),
  DATABASE_AUTH_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
  PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  DEFAULT_LOCALE: z.preprocess(emptyAsUndefined, locale.default('nb')),
  DEFAULT_TIMEZONE: z.preprocess(
    emptyAsUndefined,
    z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Oslo').default('Europe/Oslo'),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.string().default('development')),
  SCHEDULER_INTERVAL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).default(5000)),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once. A bad value fails with one line naming the variable and the problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const variable = issue.path.join('.') || 'environment';
  const value = env[variable];
  const shown = value === undefined || /TOKEN|PASSWORD|SECRET/.test(variable) ? '' : ` (got "${value}")`;
  throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${shown}`);
}
