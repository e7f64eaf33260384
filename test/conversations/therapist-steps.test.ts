import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { playInTerminal } from '../../src/cli/chat.ts';
import { stepLine, stepOf } from '../../src/cli/player.ts';
import { tempDir } from '../support/harness.ts';
import { parseChat, playChatFile, scriptSteps } from './player.ts';

/*
 * The therapist's steps in a golden conversation (`! therapist drafts|signs contract {json}`): how a line
 * is read, what a refused step shows, and the terminal player, whose recording replays as a golden.
 */

const CONTRACT = '{"focus":"Lite energi","goals":["Gå tur tre ganger i uka"]}';

/** Plays a script written here as a `.chat` file, the way `playChatFile` plays a recording. */
async function playScript(script: string): Promise<string> {
  const dir = tempDir();
  try {
    const file = join(dir.path, 'script.chat');
    writeFileSync(file, script);
    return await playChatFile(file);
  } finally {
    dir.remove();
  }
}

describe('therapist steps', () => {
  it('reads each form and writes it back as it was written', () => {
    const lines = [
      `! therapist drafts contract ${CONTRACT}`,
      '! therapist signs contract',
      '! therapist signs contract {"contacts":{"mode":"video"}}',
    ];
    expect(lines.map(stepOf)).toEqual([
      {
        therapist: {
          action: 'drafts',
          fields: { focus: 'Lite energi', goals: ['Gå tur tre ganger i uka'] },
        },
      },
      { therapist: { action: 'signs' } },
      { therapist: { action: 'signs', fields: { contacts: { mode: 'video' } } } },
    ]);
    expect(lines.map((line) => stepLine(stepOf(line)!))).toEqual(lines);
  });

  it('refuses a therapist line it cannot read, rather than skipping it as output', () => {
    expect(() => stepOf('! therapist sign contract')).toThrow(/not understood/);
    expect(() => stepOf('! therapist drafts contract')).toThrow(/needs the fields/);
    expect(() => stepOf('! therapist signs contract {"paceDays":}')).toThrow(/not valid JSON/);
    expect(() => stepOf('! therapist signs contract {"a":1} trailing')).toThrow(/not understood/);
    expect(() => parseChat(`# x\nflow: depression\nlocale: nb\n\n< {code}\n\n! therapist signs\n`)).toThrow(
      /not understood/,
    );
    // Only a line that starts with "! " is a therapist step: replies and recorded lines never do.
    expect(stepOf('> ! therapist signs contract')).toBeUndefined();
  });

  it('keeps a golden with a therapist out of the pure-engine course scripts', () => {
    expect(() => scriptSteps('contract-nb')).toThrow(/cannot play a therapist step/);
  });

  it("shows what the service refused as the step's line, and the course still waits", async () => {
    const played = await playScript(
      [
        '# refusals',
        'flow: sleep',
        'locale: en',
        '',
        '< {code}',
        '',
        '! therapist signs contract',
        '',
        '! therapist signs contract {"paceDays":0}',
        '',
        '! therapist signs contract {"focus":"Sleep"}',
        '',
        '< hello',
        '',
      ].join('\n'),
    );
    const blocks = played.split('\n\n');
    expect(blocks.find((b) => b.startsWith('! therapist signs contract\n'))).toBe(
      '! therapist signs contract\n  therapist could not sign: nothing_to_sign\n  state not started (pending)',
    );
    expect(played).toMatch(
      /! therapist signs contract \{"paceDays":0\}\n {2}therapist could not draft: invalid \(fields\.paceDays: .+\)\n/,
    );
    // The draft is kept; signing it without goals is refused, and nothing reached the client.
    expect(played).toMatch(
      /! therapist signs contract \{"focus":"Sleep"\}\n {2}therapist could not sign: invalid \(fields\.goals: .+\)\n {2}contract v1 draft\n/,
    );
    expect(played).toContain(
      '< hello\n> Before the course starts, you and your therapist agree on how it will work.',
    );
  });

  it('shows the contract when the client links after the therapist signed it, by SMS', async () => {
    const played = await playScript(
      [
        '# before linking',
        'flow: stress',
        'locale: nb',
        'channel: sms',
        '',
        `! therapist signs contract ${CONTRACT}`,
        '',
        '< {code}',
        '',
      ].join('\n'),
    );
    // Nothing reaches the client yet: the step shows only what the therapist did.
    expect(played).toMatch(
      /\n\n! therapist signs contract .*\n {2}event contract\.sent \{"contractId":"[^"]+","version":1\}\n {2}contract v1 sent\n {2}state not started \(pending\)\n\n/,
    );
    expect(played).toMatch(
      /< \{code\}\n> \[sms normal\] Takk! Nå er du koblet til kurset ditt\.\n> \[sms normal\] Avtale om veiledet selvhjelp: .* Svar JA for å godta, eller ENDRE og hva du vil endre\.\n/,
    );
  });
});

describe('selvhjelp chat --therapist', () => {
  async function terminal(lines: string[], options: { therapist?: boolean; record?: string } = {}) {
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    const code = await playInTerminal({
      flow: 'depression',
      locale: 'nb',
      start: new Date('2026-11-23T10:00:00+01:00'),
      input: Readable.from(lines.map((line) => `${line}\n`)),
      output,
      ...options,
    });
    return { code, text };
  }

  it('plays therapist steps, and records a golden conversation that replays to the same file', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'recorded.chat');
      const { code, text } = await terminal(
        // Consent is a reply word or the button: a typed digit is asked again (readContractAnswer).
        [
          '! therapist signs contract {"focus":"Lite energi"}',
          `! therapist signs contract ${CONTRACT}`,
          'ja',
        ],
        { therapist: true, record: file },
      );
      expect(code).toBe(0);
      expect(text).toContain('therapist could not sign: invalid');
      expect(text).toContain('> Godtar du avtalen?\n    1) Jeg godtar  [contract.accept]');
      expect(text).toContain('> Takk! Avtalen er nå signert av deg og veilederen din.');
      const recorded = readFileSync(file, 'utf8');
      expect(recorded).toMatch(/^start: 2026-11-23T10:00\ntherapist: yes\n\n/m);
      expect(text).toContain(`[recorded 4 step(s) to ${file}`);
      expect(await playChatFile(file)).toBe(recorded);
    } finally {
      dir.remove();
    }
  });

  it('says how to start with a therapist, and what a therapist line looks like', async () => {
    const without = await terminal(['! therapist signs contract']);
    expect(without.text).toContain('Therapist steps need a client with a therapist: start with --therapist');
    const misspelt = await terminal(['! therapist sign contract'], { therapist: true });
    expect(misspelt.text).toContain('therapist step not understood: "! therapist sign contract"');
  });
});
