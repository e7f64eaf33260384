import { parseArgs } from 'node:util';
import { z } from 'zod';
import { readAudit } from '../service/audit.ts';
import type { ServiceDeps } from '../service/deps.ts';
import { createStaff, disableStaff, issueApiToken, listStaffMembers } from '../service/staff.ts';
import { CommandError, UsageError } from './usage-error.ts';

/** Reads all of standard input (a password piped in, never an argument: arguments show in `ps`). */
async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const setPasswordUrl = (base: string, token: string) => `${base}/staff/set-password?token=${token}`;

/**
 * `selvhjelp staff add|list|disable|token`: the first admin comes from here; admins add the rest in
 * the workspace.
 */
export async function staffCommand(
  deps: ServiceDeps,
  args: string[],
  io: { stdin: NodeJS.ReadableStream; publicBaseUrl: string },
): Promise<number> {
  const [sub, ...rest] = args;
  const out = (text: string) => process.stdout.write(text);
  switch (sub) {
    case 'add': {
      const { values } = parseArgs({
        args: rest,
        options: {
          email: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          locale: { type: 'string' },
          'password-stdin': { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
      });
      if (!values.email || !z.email().safeParse(values.email.trim()).success) {
        throw new UsageError('staff add needs --email with a valid email address');
      }
      if (!values.name?.trim()) throw new UsageError('staff add needs --name NAME');
      if (values.role !== 'admin' && values.role !== 'therapist') {
        throw new UsageError('staff add needs --role admin or --role therapist');
      }
      if (values.locale !== undefined && values.locale !== 'nb' && values.locale !== 'en') {
        throw new UsageError('--locale must be nb or en');
      }
      const password = values['password-stdin'] ? await readStdin(io.stdin) : undefined;
      const outcome = await createStaff(deps, {
        email: values.email,
        name: values.name,
        role: values.role,
        locale: values.locale,
        password,
      });
      if (!outcome.ok) {
        if (outcome.error === 'email_taken')
          throw new CommandError(`a staff member with ${values.email} exists`);
        throw new UsageError(
          outcome.error === 'too_short'
            ? 'the password on stdin is shorter than 12 characters'
            : 'the password on stdin is longer than 256 characters',
        );
      }
      const link = outcome.setPasswordToken
        ? setPasswordUrl(io.publicBaseUrl, outcome.setPasswordToken)
        : undefined;
      if (values.json) {
        out(
          `${JSON.stringify({
            id: outcome.staff.id,
            email: outcome.staff.email,
            name: outcome.staff.name,
            role: outcome.staff.role,
            ...(link ? { setPasswordUrl: link, setPasswordExpiresAt: outcome.setPasswordExpiresAt } : {}),
          })}\n`,
        );
      } else {
        out(`Staff member ${outcome.staff.email} (${outcome.staff.role}) created.\n`);
        if (link) out(`Set-password link (valid 72 hours, once; shown only now):\n${link}\n`);
      }
      return 0;
    }
    case 'list': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } } });
      const staff = await listStaffMembers(deps);
      const rows = staff.map((s) => ({
        id: s.id,
        email: s.email,
        name: s.name,
        role: s.role,
        status: s.disabledAt ? 'disabled' : s.passwordHash ? 'active' : 'invited',
        createdAt: s.createdAt,
        ...(s.disabledAt ? { disabledAt: s.disabledAt } : {}),
      }));
      if (values.json) out(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0)
        out('No staff members yet. Add the first admin with "selvhjelp staff add".\n');
      else for (const r of rows) out(`${r.email}  ${r.name}  ${r.role}  ${r.status}\n`);
      return 0;
    }
    case 'disable': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('staff disable needs exactly one EMAIL');
      const staff = await disableStaff(deps, positionals[0]!);
      if (!staff) throw new CommandError(`no staff member with ${positionals[0]}`);
      out(`${staff.email} is disabled; their sessions and tokens no longer work.\n`);
      return 0;
    }
    case 'token': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('staff token needs exactly one EMAIL');
      const outcome = await issueApiToken(deps, positionals[0]!);
      if (!outcome.ok) {
        throw new CommandError(
          outcome.error === 'not_found'
            ? `no staff member with ${positionals[0]}`
            : `${positionals[0]} is disabled`,
        );
      }
      out(
        `Personal API token for ${outcome.staff.email} (shown only now; the previous token stops working):\n${outcome.token}\n`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown command: staff ${sub ?? ''}`.trim());
  }
}

/** `selvhjelp audit [--client ID] [--json]`: who read which client's data, newest first. */
export async function auditCommand(deps: ServiceDeps, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      client: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const limit = values.limit === undefined ? 200 : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) {
    throw new UsageError('--limit must be a whole number from 1 to 100000');
  }
  const entries = await readAudit(deps, { clientId: values.client, limit });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) process.stdout.write('No audit entries.\n');
  for (const e of entries) {
    process.stdout.write(
      `${e.at}  ${e.staffEmail}  ${e.via}  ${e.action}${e.clientId ? `  client ${e.clientId}` : ''}${e.detail ? `  ${e.detail}` : ''}\n`,
    );
  }
  return 0;
}
