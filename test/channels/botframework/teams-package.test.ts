import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { teamsManifest, teamsPackage } from '../../../src/cli/teams.ts';
import { tempDir } from '../../support/harness.ts';

const APP_ID = '5f0c8a52-7d4e-4a4b-9c1e-2b7e3d9f6a10';
const schemaFile = join(
  import.meta.dirname,
  '..',
  '..',
  'fixtures',
  'teams',
  'MicrosoftTeams.v1.19.schema.json',
);
const options = {
  appId: APP_ID,
  baseUrl: 'https://selvhjelp.clinic.example/',
  developer: 'Klinikken',
  locale: 'nb' as const,
  version: '1.0.0',
};

/** Reads a zip's entries through its central directory, checking each entry's CRC-32. */
function unzip(bytes: Uint8Array): Map<string, Buffer> {
  const buf = Buffer.from(bytes);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const size = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    const data = method === 8 ? inflateRawSync(raw) : raw;
    if (tableCrc32(data) >>> 0 !== crc) throw new Error(`CRC mismatch in ${name}`);
    files.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

/** CRC-32 by the table method, independent of the zlib.crc32 the package writer uses. */
function tableCrc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngSize(png: Buffer): { width: number; height: number; colorType: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png.readUInt8(25) };
}

function validator() {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  // The schema declares draft-04; it uses no keyword whose meaning changed since (no boolean
  // exclusiveMaximum, no `id` as a keyword), so Ajv's default draft reads it as written.
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

describe('the Teams app package', () => {
  it('holds a manifest valid against the published Teams schema, with the bot in personal scope', () => {
    const files = unzip(teamsPackage(options));
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    const validate = validator();
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest).toMatchObject({
      manifestVersion: '1.19',
      id: APP_ID,
      bots: [{ botId: APP_ID, scopes: ['personal'] }],
      icons: { color: 'color.png', outline: 'outline.png' },
      developer: { websiteUrl: 'https://selvhjelp.clinic.example' },
      validDomains: ['selvhjelp.clinic.example'],
      localizationInfo: { defaultLanguageTag: 'nb-no' },
    });
    expect(pngSize(files.get('color.png')!)).toMatchObject({ width: 192, height: 192 });
    // The outline icon: 32×32 with an alpha channel (white on transparent).
    expect(pngSize(files.get('outline.png')!)).toEqual({ width: 32, height: 32, colorType: 6 });
  });

  it('fails the schema when the manifest breaks it (the check can fail)', () => {
    const validate = validator();
    const manifest = teamsManifest(options);
    expect(validate({ ...manifest, id: 'not-a-guid' })).toBe(false);
    expect(validate({ ...manifest, bots: [{ botId: APP_ID, scopes: ['everywhere'] }] })).toBe(false);
    expect(validate({ ...manifest, name: { short: 'x'.repeat(31), full: 'x' } })).toBe(false);
  });

  it('writes the same bytes for the same input, in English too', () => {
    expect(Buffer.from(teamsPackage(options)).equals(Buffer.from(teamsPackage(options)))).toBe(true);
    const english = JSON.parse(
      unzip(teamsPackage({ ...options, locale: 'en' }))
        .get('manifest.json')!
        .toString(),
    );
    expect(english.localizationInfo.defaultLanguageTag).toBe('en-us');
    expect(validator()(english)).toBe(true);
  });

  it('is written by `selvhjelp teams manifest`, which names a wrong option and exits with 2', async () => {
    const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'selvhjelp.js');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const dir = tempDir();
    try {
      const out = join(dir.path, 'app.zip');
      const written = await promisify(execFile)(
        process.execPath,
        [bin, 'teams', 'manifest', '--app-id', APP_ID, '--out', out, '--base-url', 'https://bot.example.no'],
        { env },
      );
      expect(written.stdout).toContain(out);
      const manifest = JSON.parse(unzip(readFileSync(out)).get('manifest.json')!.toString('utf8'));
      expect(manifest.bots).toEqual([
        { botId: APP_ID, scopes: ['personal'], supportsFiles: false, isNotificationOnly: false },
      ]);
      const wrong = await promisify(execFile)(
        process.execPath,
        [bin, 'teams', 'manifest', '--app-id', 'my-bot', '--out', out],
        { env },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining('--app-id') });
    } finally {
      dir.remove();
    }
  }, 60_000);

  it.skipIf(spawnSync('unzip', ['-v']).error !== undefined)(
    'is a zip that Info-ZIP reads without errors',
    () => {
      const dir = tempDir();
      try {
        const file = join(dir.path, 'app.zip');
        writeFileSync(file, teamsPackage(options));
        expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/);
      } finally {
        dir.remove();
      }
    },
  );
});
