import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config/config.ts';
import { ContentError } from '../content/catalog.ts';
import { isTimeZone } from '../domain/time-zone.ts';
import { jsonLogger } from '../entry/logger.ts';
import { buildNodeDeps, startNodeServer } from '../entry/node.ts';
import { createClient } from '../service/clients.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { tick } from '../service/scheduler.ts';
import { findStaff } from '../service/staff.ts';
import { migrate } from '../storage/migrate.ts';
import { nodeMigrations } from '../storage/migrations-node.ts';
import { openNodeDatabase } from '../storage/open-node.ts';
import { alertsCommand } from './alerts.ts';
import { playInTerminal } from './chat.ts';
import { contentCommand } from './content.ts';
import { measuresCommand } from './measures.ts';
import { sleepCommand } from './sleep.ts';
import { smsCommand } from './sms.ts';
import { auditCommand, staffCommand } from './staff.ts';
import { teamsCommand } from './teams.ts';
import { CommandError, UsageError } from './usage-error.ts';

const USAGE = `Usage: selvhjelp <command> [options]

Commands:
  serve                         run the HTTP server and the scheduler (PORT, HOST, DATABASE_URL)
  migrate                       apply database migrations and exit
  tick                          fire due timers and deliver the outbox once, then exit (for cron)
  chat [--flow ID] [--locale nb|en] [--start ISO-TIME] [--record FILE] [--therapist]
                                play a flow in the terminal on an in-memory database whose
                                clock starts at --start (default: now); --record writes what
                                was played as a golden conversation script; --therapist gives
                                the client a therapist, whose steps are typed as
                                ! therapist drafts|signs contract {json}
  client add [--course ID] [--locale nb|en] [--timezone ZONE] [--name NAME] [--therapist EMAIL] [--json]
                                create a client and print their access code
  staff add --email E --name N --role admin|therapist [--locale nb|en] [--password-stdin] [--json]
                                add a staff member; prints a one-time set-password link
                                (valid 72 h) unless a password comes on stdin
  staff list [--json]           staff accounts and their status
  staff disable EMAIL           disable an account (its sessions and tokens stop working)
  staff token EMAIL             a new personal API token for the staff JSON API (shown once)
  audit [--client ID] [--limit N] [--json]
                                who read which client's data, newest first
  alerts [--json]               list open safety alerts with their triggering text
  alerts ack ID --by NAME       acknowledge an alert (paused reminders for the client resume)
  measures schedule CLIENT_ID [--flow measures|screen|phq9|gad7] (--every 14d | --at ISO-TIME)
                                ask for questionnaires every N days, or once at a given time
  sleep windows [--json]        sleep-window proposals awaiting the therapist's approval
  sleep approve|reject ID --by NAME
                                decide a proposal; an approved window is sent to the client
  content export --course ID [--locale nb|en] [--out FILE]
                                write a course as a Markdown script for clinical review
  sms send --from +47… "text" [--url http://127.0.0.1:8787]
                                post a signed Twilio webhook to the running server (development)
  teams manifest --app-id ID --out FILE [--base-url URL] [--developer NAME] [--privacy-url URL]
                 [--terms-url URL] [--locale nb|en] [--version X.Y.Z]
                                write the Teams app package (the bot in personal scope, icons)
`;

/**
 * Where an admin command's data lives, printed on stderr so that a code made against one database and
 * a server running on another are easy to tell apart. A file path is made absolute; a remote URL shows
 * its scheme and host only (never a token or query).
 */
function describeDatabase(url: string): string {
  if (url === ':memory:') return 'an in-memory database';
  if (url.startsWith('file:')) return `file:${resolve(url.slice('file:'.length).replace(/\?.*$/, ''))}`;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'a remote database';
  }
}

function announceDatabase(config: Config): void {
  process.stderr.write(`selvhjelp: using database ${describeDatabase(config.DATABASE_URL)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = jsonLogger();
  const config = (): Config => loadConfig(process.env);
  /** Runs a command against the configured database and closes it afterwards. */
  const withDeps = async (command: (deps: ServiceDeps) => Promise<number>): Promise<number> => {
    const c = config();
    announceDatabase(c);
    const deps = await buildNodeDeps(c, log);
    try {
      return await command(deps);
    } finally {
      deps.db.close();
    }
  };
  switch (command) {
    case 'serve': {
      const server = await startNodeServer(config(), log);
      process.stdout.write(`selvhjelp is running at ${server.url}\nWeb chat: ${server.url}/chat\n`);
      const stop = async () => {
        await server.close();
        // Let the database's checkpoint thread close last (it removes the WAL); stop anyway after 2 s.
        setTimeout(() => process.exit(0), 2000).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1;
    }
    case 'migrate': {
      const c = config();
      announceDatabase(c);
      const db = await openNodeDatabase(c.DATABASE_URL, {
        authToken: c.DATABASE_AUTH_TOKEN,
        driver: c.DATABASE_DRIVER,
      });
      const applied = await migrate(db, nodeMigrations(), new Date());
      db.close();
      process.stdout.write(
        applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date.\n',
      );
      return 0;
    }
    case 'tick': {
      const c = config();
      announceDatabase(c);
      const deps = await buildNodeDeps(c, log);
      // Paced as one pass of `serve` is: what SMS_SEND_RATE allows in SCHEDULER_INTERVAL_MS.
      const result = await tick(deps, { windowMs: c.SCHEDULER_INTERVAL_MS });
      deps.db.close();
      process.stdout.write(
        `Fired ${result.fired} timer(s); started ${result.checkins} check-in(s); queued ${result.reminders} contact reminder(s) and ${result.quiet.reminded} quiet reminder(s); sent ${result.sent}, failed ${result.failed} message(s).\n`,
      );
      return 0;
    }
    case 'chat': {
      const { values } = parseArgs({
        args: rest,
        options: {
          flow: { type: 'string', default: 'intro' },
          locale: { type: 'string', default: 'nb' },
          start: { type: 'string' },
          record: { type: 'string' },
          therapist: { type: 'boolean', default: false },
        },
      });
      if (values.locale !== 'nb' && values.locale !== 'en') throw new UsageError('--locale must be nb or en');
      const start = values.start === undefined ? new Date() : new Date(values.start);
      if (Number.isNaN(start.getTime())) {
        throw new UsageError(
          `--start takes an ISO time such as 2026-06-10T10:00:00+02:00 (got "${values.start}")`,
        );
      }
      return playInTerminal({
        flow: values.flow,
        locale: values.locale,
        start,
        record: values.record,
        therapist: values.therapist,
        input: process.stdin,
        output: process.stdout,
      });
    }
    case 'client': {
      const [sub, ...args] = rest;
      if (sub !== 'add') throw new UsageError(`unknown command: client ${sub ?? ''}`.trim());
      const { values } = parseArgs({
        args,
        options: {
          course: { type: 'string' },
          locale: { type: 'string' },
          timezone: { type: 'string' },
          name: { type: 'string' },
          therapist: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      if (values.locale !== undefined && values.locale !== 'nb' && values.locale !== 'en') {
        throw new UsageError('--locale must be nb or en');
      }
      if (values.timezone !== undefined && !isTimeZone(values.timezone)) {
        throw new UsageError(
          `--timezone must be an IANA time zone such as Europe/Oslo (got "${values.timezone}")`,
        );
      }
      const c = config();
      announceDatabase(c);
      const deps = await buildNodeDeps(c, log);
      try {
        const therapist =
          values.therapist === undefined ? undefined : await findStaff(deps, values.therapist);
        if (values.therapist !== undefined && (!therapist || therapist.disabledAt)) {
          throw new CommandError(
            `no active staff member with ${values.therapist} (see "selvhjelp staff list")`,
          );
        }
        const outcome = await createClient(deps, {
          course: values.course,
          locale: values.locale,
          timeZone: values.timezone,
          displayName: values.name,
          therapistId: therapist?.id,
        });
        if (!outcome.ok) {
          if (outcome.error === 'unknown_therapist')
            throw new CommandError(`no active staff member ${values.therapist}`);
          const known = [...new Set(deps.flows.all().map((f) => f.id))].join(', ');
          throw new UsageError(`unknown course "${outcome.course}" (known: ${known})`);
        }
        process.stdout.write(
          values.json
            ? `${JSON.stringify({
                clientId: outcome.clientId,
                accessCode: outcome.accessCode,
                accessCodeExpiresAt: outcome.accessCodeExpiresAt,
                ...(therapist ? { therapist: therapist.email } : {}),
              })}\n`
            : `Client ${outcome.clientId} created in ${outcome.flowId}${therapist ? ` with ${therapist.email} as therapist` : ''}.\nAccess code: ${outcome.accessCode} (expires ${outcome.accessCodeExpiresAt} unless used)\n`,
        );
        return 0;
      } finally {
        deps.db.close();
      }
    }
    case 'alerts':
      return withDeps((deps) => alertsCommand(deps, rest));
    case 'measures':
      return withDeps((deps) => measuresCommand(deps, rest));
    case 'sms':
      return smsCommand(config(), rest);
    case 'teams':
      return teamsCommand(config(), rest);
    case 'content':
      return contentCommand(rest);
    case 'sleep':
      return withDeps((deps) => sleepCommand(deps, rest));
    case 'staff': {
      // The link must reach the server: PUBLIC_BASE_URL, else where `serve` listens with these settings.
      const c = config();
      const host = c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST;
      const publicBaseUrl = c.PUBLIC_BASE_URL?.replace(/\/$/, '') ?? `http://${host}:${c.PORT}`;
      return withDeps((deps) => staffCommand(deps, rest, { stdin: process.stdin, publicBaseUrl }));
    }
    case 'audit':
      return withDeps((deps) => auditCommand(deps, rest));
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    // Every failure is one line naming what was wrong; SELVHJELP_DEBUG=1 adds the stack for developers.
    const message = oneLine(error instanceof Error ? error.message : String(error));
    if (error instanceof ConfigError || error instanceof ContentError) {
      process.stderr.write(`${message}\n`);
      process.exitCode = 1;
    } else if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`selvhjelp: ${message} (see "selvhjelp help")\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`selvhjelp: ${error instanceof CommandError ? '' : 'failed: '}${message}\n`);
      process.exitCode = 1;
    }
    if (process.env.SELVHJELP_DEBUG && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
  },
);

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
