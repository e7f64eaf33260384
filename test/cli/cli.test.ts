import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { buildNodeDeps } from '../../src/entry/node.ts';
import { createClient } from '../../src/service/clients.ts';
import { silentLogger } from '../../src/service/deps.ts';
import { handleInbound } from '../../src/service/handle-inbound.ts';
import { playChatFile } from '../conversations/player.ts';
import { freePort, tempDir, testDatabaseEnv } from '../support/harness.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'selvhjelp.js');
/**
 * Each test starts the real command several times (about 1-3 s each on a quiet 2-core machine, several
 * times that while other suites run beside it), so each gets a generous limit rather than a flaky one.
 */
const PROCESS_TESTS_MS = 90_000;

function run(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...testDatabaseEnv(),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

describe('selvhjelp CLI', () => {
  it(
    'serves, and on SIGINT stops cleanly with the WAL copied back into the database file',
    async () => {
      const dir = tempDir();
      try {
        const port = await freePort();
        const child = spawn(process.execPath, [bin, 'serve'], {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            ...testDatabaseEnv(),
            PORT: String(port),
            DATABASE_URL: `file:${join(dir.path, 'serve.db')}`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d) => {
            if (String(d).includes('is running at')) resolve();
          });
          child.on('close', () => reject(new Error('serve stopped before it ran')));
        });
        const post = async (body: object) =>
          (await fetch(`http://127.0.0.1:${port}/channels/web/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }).then((r) => r.json())) as { conversationId: string };
        const { conversationId } = await post({ locale: 'en' });
        // Enough write transactions for the checkpoint thread to start.
        for (let i = 0; i < 40; i++) await post({ conversationId, text: `hello ${i}`, messageId: `m${i}` });
        child.kill('SIGINT');
        expect(await exited).toBe(0);
        expect(existsSync(join(dir.path, 'serve.db-wal'))).toBe(false);
        expect(existsSync(join(dir.path, 'serve.db'))).toBe(true);
      } finally {
        dir.remove();
      }
    },
    PROCESS_TESTS_MS,
  );

  it(
    'plays the intro in the terminal to the end, with /wait and /state',
    async () => {
      const input = [
        '/state',
        '/wait 1d',
        '2',
        '1',
        '3',
        '2',
        'nei',
        '1',
        '1',
        'Sove bedre',
        'kl 22',
        '',
      ].join('\n');
      // 20:30 Oslo time: a reminder due 24 h later falls inside the send window only because the player's
      // clock is fixed; the clock never comes from the machine running the test.
      const { code, stdout } = await run(
        ['chat', '--flow', 'intro', '--locale', 'nb', '--start', '2026-06-10T10:00:00+02:00'],
        { input },
      );
      expect(code).toBe(0);
      expect(stdout).toContain('Er det greit at jeg stiller deg noen spørsmål nå?');
      expect(stdout).toContain('[intro@1 {"ready":"waiting"} status=active]');
      expect(stdout).toMatch(/ {2}clock .*, 1 timer\(s\) fired\n> Hei igjen!/);
      expect(stdout).toContain('Fortell meg mer først');
      expect(stdout).toContain('Det var alt for denne gangen.');
      expect(stdout).toContain('[the flow is finished]');
    },
    PROCESS_TESTS_MS,
  );

  it(
    'records what was played as a golden script that replays to the same end',
    async () => {
      const dir = tempDir();
      try {
        const file = join(dir.path, 'recorded.chat');
        const input = ['/wait 1d', '2', '1', '3', '2', 'nei', '1', '1', 'Sove bedre', 'kl 22', ''].join('\n');
        const played = await run(
          [
            'chat',
            '--flow',
            'intro',
            '--locale',
            'nb',
            '--start',
            '2026-06-10T10:00:00+02:00',
            '--record',
            file,
          ],
          { input },
        );
        expect(played.code).toBe(0);
        expect(played.stdout).toContain(`[recorded 11 step(s) to ${file}`);
        const recorded = readFileSync(file, 'utf8');
        expect(recorded).toMatch(
          /^flow: intro\nlocale: nb\nstart: 2026-06-10T10:00\n\n {2}flow intro@1, starts /m,
        );
        expect(recorded).toContain('\n< {code}\n> Takk!');
        expect(recorded).toContain('\n~ wait 1d\n  clock 2026-06-11T08:00:00.000Z, 1 timer(s) fired\n');
        expect(recorded).toContain('Det var alt for denne gangen.');
        // The recording is a golden conversation as it stands: the golden player makes the same file.
        expect(await playChatFile(file)).toBe(recorded);
      } finally {
        dir.remove();
      }
    },
    PROCESS_TESTS_MS,
  );

  it(
    'plays in English and refuses an unknown flow',
    async () => {
      const english = await run(['chat', '--locale', 'en', '--start', '2026-01-05T09:00:00Z'], {
        input: '/quit\n',
      });
      expect(english.stdout).toContain('clock 2026-01-05T09:00:00.000Z');
      expect(english.stdout).toContain('Is it all right if I ask you a few questions now?');
      const unknown = await run(['chat', '--flow', 'nope']);
      expect(unknown.code).toBe(2);
      expect(unknown.stdout).toContain('Unknown flow "nope"');
    },
    PROCESS_TESTS_MS,
  );

  it(
    'migrates, adds a client with --json, and the code is unambiguous',
    async () => {
      const dir = tempDir();
      try {
        const env = { DATABASE_URL: `file:${join(dir.path, 'cli.db')}` };
        const migrated = await run(['migrate'], { env });
        const files = readdirSync(new URL('../../src/storage/migrations/', import.meta.url));
        const numbers = files.filter((f) => f.endsWith('.sql')).map((_, i) => i + 1);
        expect(migrated.stdout).toBe(`Applied migrations: ${numbers.join(', ')}\n`);
        expect((await run(['migrate'], { env })).stdout).toContain('Database is up to date.');
        const added = await run(['client', 'add', '--course', 'intro', '--locale', 'en', '--json'], { env });
        expect(added.code).toBe(0);
        const parsed = JSON.parse(added.stdout) as { clientId: string; accessCode: string };
        expect(parsed.accessCode).toMatch(/^[A-HJ-NP-Z2-9]{7}$/);
        expect(typeof parsed.clientId).toBe('string');
        const unknown = await run(['client', 'add', '--course', 'nope'], { env });
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain('unknown course "nope"');
        const ticked = await run(['tick'], { env });
        expect(ticked.stdout).toContain('Fired 0 timer(s)');
      } finally {
        dir.remove();
      }
    },
    PROCESS_TESTS_MS,
  );

  it('lists open alerts with their triggering text and acknowledges one against the database', async () => {
    const dir = tempDir();
    try {
      const env = { DATABASE_URL: `file:${join(dir.path, 'alerts.db')}` };
      const deps = await buildNodeDeps(loadConfig({ ...testDatabaseEnv(), ...env }), silentLogger);
      const created = await createClient(deps, { course: 'intro' });
      if (!created.ok) throw new Error();
      const send = (text: string) =>
        handleInbound(deps, {
          channel: 'terminal',
          address: 't',
          content: { kind: 'message', text },
          createAddress: true,
        });
      await send(created.accessCode);
      await send('Jeg orker ikke mer');
      deps.db.close();

      const listed = await run(['alerts', '--json'], { env });
      expect(listed.code).toBe(0);
      const alerts = JSON.parse(listed.stdout) as {
        id: string;
        triggerText: string;
        kind: string;
        clientId: string;
      }[];
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        triggerText: 'Jeg orker ikke mer',
        kind: 'concern_text',
        clientId: created.clientId,
      });
      const listing = (await run(['alerts'], { env })).stdout;
      expect(listing).toContain('message: "Jeg orker ikke mer"');
      expect(listing).toContain('answers: (none yet)');
      expect(listing).toContain('safety mode: waiting at ask_thoughts');
      // The therapist sees the client's actual answer to the direct question.
      const again = await buildNodeDeps(loadConfig({ ...testDatabaseEnv(), ...env }), silentLogger);
      await handleInbound(again, {
        channel: 'terminal',
        address: 't',
        content: { kind: 'message', text: 'vet ikke' },
      });
      again.db.close();
      const answered = (await run(['alerts'], { env })).stdout;
      expect(answered).toMatch(/answers: ask_thoughts -> unsure \(/);
      expect(answered).toContain('HIGH  concern_text (crisis)');
      expect(answered).toContain('safety mode: waiting at ask_danger');

      expect((await run(['alerts', 'ack', alerts[0]!.id], { env })).code).toBe(2);
      const acked = await run(['alerts', 'ack', alerts[0]!.id, '--by', 'Kari'], { env });
      expect(acked.code).toBe(0);
      expect(acked.stdout).toContain('acknowledged by Kari');
      expect((await run(['alerts', 'ack', alerts[0]!.id, '--by', 'Kari'], { env })).code).toBe(1);
      expect((await run(['alerts'], { env })).stdout).toBe('No open alerts.\n');
    } finally {
      dir.remove();
    }
  }, 60_000);

  it(
    'says on stderr which database an admin command opened',
    async () => {
      const dir = tempDir();
      try {
        const env = { DATABASE_URL: `file:${join(dir.path, 'which.db')}` };
        const added = await run(['client', 'add', '--json'], { env });
        expect(added.code).toBe(0);
        expect(added.stderr).toBe(`selvhjelp: using database file:${join(dir.path, 'which.db')}\n`);
        expect(JSON.parse(added.stdout)).toHaveProperty('accessCode');
        const listed = await run(['alerts'], { env });
        expect(listed.stderr).toContain(`file:${join(dir.path, 'which.db')}`);
      } finally {
        dir.remove();
      }
    },
    PROCESS_TESTS_MS,
  );

  it(
    'reports each wrong option or unreachable address in one line, with a non-zero exit code',
    async () => {
      const oneLine = (text: string) => {
        expect(text.trim().split('\n')).toHaveLength(1);
        expect(text).not.toMatch(/\n\s+at /);
      };
      const twilio = {
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'dev-token-123',
        TWILIO_FROM: '+4759440000',
        PUBLIC_BASE_URL: 'http://127.0.0.1:8787',
      };
      const unreachable = await run(
        ['sms', 'send', '--from', '+4791234567', 'hei', '--url', 'http://127.0.0.1:9'],
        {
          env: twilio,
        },
      );
      expect(unreachable.code).toBe(1);
      oneLine(unreachable.stderr);
      expect(unreachable.stderr).toContain('http://127.0.0.1:9/channels/sms/twilio');

      const unconfigured = await run([
        'sms',
        'send',
        '--from',
        '+4791234567',
        'hei',
        '--url',
        'http://127.0.0.1:9',
      ]);
      expect(unconfigured.code).not.toBe(0);
      oneLine(unconfigured.stderr);

      const badUrl = await run(['sms', 'send', '--from', '+4791234567', 'hei', '--url', 'nowhere'], {
        env: twilio,
      });
      expect(badUrl.code).toBe(2);
      oneLine(badUrl.stderr);
      expect(badUrl.stderr).toContain('--url');

      const dir = tempDir();
      try {
        const env = { DATABASE_URL: `file:${join(dir.path, 'errors.db')}` };
        const zone = await run(['client', 'add', '--timezone', 'Oslo'], { env });
        expect(zone.code).toBe(2);
        oneLine(zone.stderr);
        expect(zone.stderr).toContain('--timezone');
        expect(zone.stderr).not.toContain('DEFAULT_TIMEZONE');

        const start = await run(['chat', '--start', 'tomorrow']);
        expect(start.code).toBe(2);
        oneLine(start.stderr);
        expect(start.stderr).toContain('--start');

        const unknown = await run(['frobnicate']);
        expect(unknown.code).toBe(2);
        oneLine(unknown.stderr);
        expect(unknown.stderr).toContain('unknown command: frobnicate');

        const every = await run(['measures', 'schedule', 'c1', '--every', 'often'], { env });
        expect(every.code).toBe(2);
        oneLine(every.stderr.replace(/^selvhjelp: using database .*\n/, ''));
        expect(every.stderr).toContain('--every');
      } finally {
        dir.remove();
      }
    },
    PROCESS_TESTS_MS,
  );

  it(
    'stops start-up with one line naming a bad variable',
    async () => {
      const { code, stderr } = await run(['serve'], { env: { PORT: 'eighty' } });
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(/^Invalid configuration: PORT .*\(got "eighty"\)$/);
    },
    PROCESS_TESTS_MS,
  );
});
