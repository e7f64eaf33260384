import { z } from 'zod';
import { parseClinicHours } from '../domain/clinic-hours.ts';
import { isTimeZone } from '../domain/time-zone.ts';

const locale = z.enum(['nb', 'en']);

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

export const configSchema = z
  .object({
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8787)),
    HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(
          /^(file:|libsql:|https?:|wss?:|:memory:)/,
          'must start with file:, libsql:, http(s): or ws(s):',
        )
        .default('file:./data/selvhjelp.db'),
    ),
    DATABASE_AUTH_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** The project's embedded driver or `@libsql/client`; the default is set from DATABASE_URL below. */
    DATABASE_DRIVER: z.preprocess(
      emptyAsUndefined,
      z.enum(['embedded', 'client'], { error: 'must be embedded or client' }).optional(),
    ),
    PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    DEFAULT_LOCALE: z.preprocess(emptyAsUndefined, locale.default('nb')),
    DEFAULT_TIMEZONE: z.preprocess(
      emptyAsUndefined,
      z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Oslo').default('Europe/Oslo'),
    ),
    NODE_ENV: z.preprocess(emptyAsUndefined, z.string().default('development')),
    SCHEDULER_INTERVAL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).default(5000)),
    /** SMS per second from the sender number (TWILIO_FROM): the outbox sends normal messages no faster. */
    SMS_SEND_RATE: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(10_000).default(10)),
    TWILIO_ACCOUNT_SID: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
        .optional(),
    ),
    TWILIO_AUTH_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(8).optional()),
    TWILIO_FROM: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\+[1-9]\d{6,14}$|^MG[0-9a-fA-F]{32}$/, 'must be an E.164 number such as +4712345678')
        .optional(),
    ),
    TWILIO_API_BASE_URL: z.preprocess(
      emptyAsUndefined,
      z.url({ protocol: /^https?$/ }).default('https://api.twilio.com'),
    ),
    SMS_DEFAULT_REGION: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as NO')
        .default('NO'),
    ),
    /** Default SMS check-in cadence in days (0 turns it off): PHQ-2 + GAD-2, and the full PHQ-9 + GAD-7. */
    SMS_CHECKIN_SCREEN_DAYS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(0).max(365).default(7),
    ),
    SMS_CHECKIN_FULL_DAYS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(0).max(365).default(14),
    ),
    /** Days an access code stays valid while nobody has typed it (a used code links one conversation). */
    ACCESS_CODE_TTL_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(365).default(30)),
    /** New web conversations one network address (IPv4, or IPv6 /64) may start per 10 minutes. */
    WEB_START_LIMIT: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(1).max(1_000_000).default(30),
    ),
    /** Messages one conversation (a web chat, a phone number, a Bot Framework chat) may send per 10 minutes. */
    MESSAGE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(120)),
    /** Web chat messages one network address (IPv4, or IPv6 /64) may send per 10 minutes, over all its chats. */
    NETWORK_MESSAGE_LIMIT: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(1).max(1_000_000).default(600),
    ),
    /** Web conversations nobody linked with an access code are deleted this many days after their last message. */
    UNLINKED_RETENTION_DAYS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(1).max(365).default(7),
    ),
    /** The clinic's defaults for a new guidance contract (CLINICAL.md §5-6); a therapist changes each draft. */
    CONTRACT_PACE_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(28).default(7)),
    CONTRACT_CONTACTS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(20).default(6)),
    CONTRACT_CONTACT_MINUTES: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(5).max(120).default(20),
    ),
    CONTRACT_CONTACT_MODE: z.preprocess(
      emptyAsUndefined,
      z
        .enum(['phone', 'video', 'in_person', 'chat'], { error: 'must be phone, video, in_person or chat' })
        .default('phone'),
    ),
    CONTRACT_CONTACT_EVERY_DAYS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(1).max(60).default(14),
    ),
    CONTRACT_QUIET_REMINDER_DAYS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(1).max(60).default(7),
    ),
    CONTRACT_QUIET_TASK_DAYS: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(1).max(60).default(14),
    ),
    /** The bot's Microsoft app registration: turns on strict authentication of POST /api/messages. */
    MICROSOFT_APP_ID: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(GUID, "must be the app registration's id, a GUID such as 00000000-0000-0000-0000-000000000000")
        .optional(),
    ),
    MICROSOFT_APP_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
    /** A single-tenant registration's tenant (a GUID or a domain); unset, the bot is multi-tenant. */
    MICROSOFT_APP_TENANT_ID: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[0-9a-zA-Z][0-9a-zA-Z.-]{0,253}$/, 'must be a tenant id (GUID) or domain')
        .optional(),
    ),
    /** Entra authority: signing keys of Entra-issued tokens are at {authority}/{tenant}/discovery/v2.0/keys. */
    BOTFRAMEWORK_AUTHORITY_URL: z.preprocess(
      emptyAsUndefined,
      z.url({ protocol: /^https?$/ }).default('https://login.microsoftonline.com'),
    ),
    /** The token endpoint for the bot's own token; by default {authority}/{tenant}/oauth2/v2.0/token. */
    BOTFRAMEWORK_TOKEN_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    /**
     * Workers: the most subrequests (database round trips and provider calls) one request or cron run
     * may make; the cron pass stops its work before it. The Paid plan allows 1000, the Free plan 50.
     */
    WORKER_SUBREQUEST_BUDGET: z.preprocess(
      emptyAsUndefined,
      z.coerce.number().int().min(20).max(1_000_000).default(900),
    ),
    /** The clinic's duty phone: a content-free SMS tells it of every new alert (needs Twilio settings). */
    ALERT_SMS_TO: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +4712345678')
        .optional(),
    ),
    /**
     * Sites that may show the web chat in a frame, as origins separated by commas
     * ("https://www.klinikk.no,https://kommune.no"). None by default: the chat cannot be framed.
     */
    CHAT_EMBED_ORIGINS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((value, ctx) => {
          const origins = value
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== '');
          for (const origin of origins) {
            let url: URL | undefined;
            try {
              url = new URL(origin);
            } catch {}
            if (url?.protocol !== 'https:' || url.origin !== origin) {
              ctx.addIssue({
                code: 'custom',
                message: `"${origin}" is not an https origin such as https://klinikk.no`,
              });
              return z.NEVER;
            }
          }
          return origins;
        })
        .optional(),
    ),
    /** The bearer token that reads GET /metrics; without it the route answers 404. */
    METRICS_TOKEN: z.preprocess(
      emptyAsUndefined,
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    /** How to reach the clinic, for the SMS HELP reply (e.g. "Rask psykisk helsehjelp, tlf 12 34 56 78"). */
    CLINIC_CONTACT: z.preprocess(emptyAsUndefined, z.string().max(200).optional()),
    /** The clinic's name in the neutral line of a discreet SMS ("Du har en ny melding fra {name}."): kept short. */
    CLINIC_NAME: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .max(40, 'must be at most 40 characters (it opens every discreet SMS)')
        .regex(/^[^\r\n]*$/, 'must be one line')
        .optional(),
    ),
    /** When a person reads messages, e.g. "Mon-Fri 08:00-15:30": automatic crisis replies say so. */
    CLINIC_HOURS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((value, ctx) => {
          const parsed = parseClinicHours(value);
          if (parsed.ok) return parsed.value;
          ctx.addIssue({ code: 'custom', message: `must be like "Mon-Fri 08:00-15:30": ${parsed.error}` });
          return z.NEVER;
        })
        .optional(),
    ),
  })
  .superRefine((config, ctx) => {
    const twilio = [config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, config.TWILIO_FROM];
    if (twilio.some((v) => v !== undefined) && twilio.some((v) => v === undefined)) {
      const missing = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const).find(
        (k) => config[k] === undefined,
      )!;
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'is required when the other TWILIO_ variables are set',
      });
    }
    if (config.TWILIO_AUTH_TOKEN !== undefined && config.PUBLIC_BASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_BASE_URL'],
        message: 'is required for SMS: Twilio signs webhooks over it',
      });
    }
    if (config.CONTRACT_QUIET_TASK_DAYS <= config.CONTRACT_QUIET_REMINDER_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['CONTRACT_QUIET_TASK_DAYS'],
        message: 'must be more than CONTRACT_QUIET_REMINDER_DAYS: the task comes after the reminder',
      });
    }
    if (config.MICROSOFT_APP_ID === undefined) {
      const stray = (['MICROSOFT_APP_PASSWORD', 'MICROSOFT_APP_TENANT_ID'] as const).find(
        (k) => config[k] !== undefined,
      );
      if (stray) ctx.addIssue({ code: 'custom', path: [stray], message: 'needs MICROSOFT_APP_ID' });
    } else if (config.MICROSOFT_APP_PASSWORD === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['MICROSOFT_APP_PASSWORD'],
        message: 'is required with MICROSOFT_APP_ID: the bot signs its replies with a token',
      });
    }
    if (config.DATABASE_DRIVER === 'embedded' && !isLocalDatabase(config.DATABASE_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_DRIVER'],
        message: 'embedded opens a file: or :memory: DATABASE_URL; a remote one needs client',
      });
    }
  })
  .transform((config) => ({
    ...config,
    DATABASE_DRIVER: config.DATABASE_DRIVER ?? (isLocalDatabase(config.DATABASE_URL) ? 'embedded' : 'client'),
  }));

/** A database in this process (a file, or memory) rather than on a libSQL server. */
function isLocalDatabase(url: string): boolean {
  return url.startsWith('file:') || url.startsWith(':memory:');
}

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

/** `npm run dev:db`, the local libSQL server for development and tests (src/devdb), never production. */
export const devDbConfigSchema = z.object({
  DEV_DB_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(8080)),
  DEV_DB_FILE: z.preprocess(emptyAsUndefined, z.string().min(1).default('./data/worker-dev.db')),
});

export type DevDbConfig = z.infer<typeof devDbConfigSchema>;

/** Parses the dev server's variables; a bad value fails with one line naming the variable. */
export function loadDevDbConfig(env: Record<string, string | undefined>): DevDbConfig {
  const parsed = devDbConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const variable = issue.path.join('.') || 'environment';
  throw new ConfigError(`Invalid configuration: ${variable} ${issue.message} (got "${env[variable]}")`);
}
