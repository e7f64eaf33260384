import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../config/config.ts';
import { ContentError } from '../content/catalog.ts';
import { jsonLogger } from '../entry/logger.ts';
import { buildNodeDeps, startNodeServer } from '../entry/node.ts';
import { createClient } from '../service/clients.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { tick } from '../service/scheduler.ts';
import { migrate } from '../storage/migrate.ts';
import { nodeMigrations } from '../storage/migrations-node.ts';
import { openNodeDatabase } from '../storage/open-node.ts';
import { alertsCommand } from './alerts.ts';
import { playInTerminal } from './chat.ts';
import { contentCommand } from './content.ts';
import { measuresCommand } from './measures.ts';
import { sleepCommand } from './sleep.ts';
import { smsCommand } from './sms.ts';

const USAGE = `Usage: selvhjelp <command> [options]

Commands:
  serve                         run the HTTP server and the scheduler (PORT, HOST, DATABASE_URL)
  migrate                       apply database migrations and exit
  tick                          fire due timers and deliver the outbox once, then exit (for cron)
  chat [--flow ID] [--locale nb|en]
                                play a flow in the terminal on an in-memory database
  client add [--course ID] [--locale nb|en] [--timezone ZONE] [--name NAME] [--json]
                                create a client and print their access code
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
`;

import { UsageError } from './usage-error.ts';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const log = jsonLogger();
  const config = (): Config => loadConfig(process.env);
  /** Runs a command against the configured database and closes it afterwards. */
  const withDeps = async (command: (deps: ServiceDeps) => Promise<number>): Promise<number> => {
    const deps = await buildNodeDeps(config(), log);
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
      const db = await openNodeDatabase(c.DATABASE_URL, c.DATABASE_AUTH_TOKEN);
      const applied = await migrate(db, nodeMigrations(), new Date());
      db.close();
      process.stdout.write(
        applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date.\n',
      );
      return 0;
    }
    case 'tick': {
      const deps = await buildNodeDeps(config(), log);
      const result = await tick(deps);
      deps.db.close();
      process.stdout.write(
        `Fired ${result.fired} timer(s); started ${result.checkins} check-in(s); sent ${result.sent}, failed ${result.failed} message(s).\n`,
      );
      return 0;
    }
    case 'chat': {
      const { values } = parseArgs({
        args: rest,
        options: { flow: { type: 'string', default: 'intro' }, locale: { type: 'string', default: 'nb' } },
      });
      if (values.locale !== 'nb' && values.locale !== 'en') throw new UsageError('--locale must be nb or en');
      return playInTerminal({
        flow: values.flow,
        locale: values.locale,
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
          json: { type: 'boolean', default: false },
        },
      });
      if (values.locale !== undefined && values.locale !== 'nb' && values.locale !== 'en') {
        throw new UsageError('--locale must be nb or en');
      }
      const c = config();
      if (values.timezone !== undefined) loadConfig({ ...process.env, DEFAULT_TIMEZONE: values.timezone });
      const deps = await buildNodeDeps(c, log);
      const outcome = await createClient(deps, {
        course: values.course,
        locale: values.locale,
        timeZone: values.timezone,
        displayName: values.name,
      });
      deps.db.close();
      if (!outcome.ok) {
        const known = [...new Set(deps.flows.all().map((f) => f.id))].join(', ');
        throw new UsageError(`unknown course "${outcome.course}" (known: ${known})`);
      }
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ clientId: outcome.clientId, accessCode: outcome.accessCode })}\n`
          : `Client ${outcome.clientId} created in ${outcome.flowId}.\nAccess code: ${outcome.accessCode}\n`,
      );
      return 0;
    }
    case 'alerts':
      return withDeps((deps) => alertsCommand(deps, rest));
    case 'measures':
      return withDeps((deps) => measuresCommand(deps, rest));
    case 'sms':
      return smsCommand(config(), rest);
    case 'content':
      return contentCommand(rest);
    case 'sleep':
      return withDeps((deps) => sleepCommand(deps, rest));
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
    if (error instanceof ConfigError || error instanceof ContentError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    } else if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`selvhjelp: ${(error as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`selvhjelp: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
