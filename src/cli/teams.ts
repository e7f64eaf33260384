import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { zipSync } from 'fflate';
import type { Config } from '../config/config.ts';
import { catalog } from '../content/default.ts';
import type { Locale } from '../engine/types.ts';
import { UsageError } from './usage-error.ts';

/** The Teams app manifest version written; its schema is vendored in test/fixtures/teams for the test. */
export const MANIFEST_VERSION = '1.19';
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^\d+\.\d+\.\d+$/;
const icons = new URL('./teams-icons/', import.meta.url);

export interface ManifestOptions {
  appId: string;
  /** Where the service lives (https): the developer's website, and the default privacy and terms pages. */
  baseUrl: string;
  developer: string;
  privacyUrl?: string;
  termsUrl?: string;
  locale: Locale;
  version: string;
}

/**
 * The Teams app manifest: one bot, the registration's app id, in personal scope only (a client talks to
 * it alone; it is never added to a team or a group chat), with the texts in the chosen language.
 */
export function teamsManifest(options: ManifestOptions): Record<string, unknown> {
  const text = (key: string) => catalog.text(options.locale, key);
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    $schema: `https://developer.microsoft.com/en-us/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`,
    manifestVersion: MANIFEST_VERSION,
    version: options.version,
    id: options.appId,
    localizationInfo: { defaultLanguageTag: options.locale === 'nb' ? 'nb-no' : 'en-us' },
    developer: {
      name: options.developer,
      websiteUrl: base,
      privacyUrl: options.privacyUrl ?? base,
      termsOfUseUrl: options.termsUrl ?? base,
    },
    name: { short: 'selvhjelp', full: text('service.teams_name_full') },
    description: {
      short: text('service.teams_description_short'),
      full: text('service.teams_description_full'),
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#2F6F73',
    bots: [{ botId: options.appId, scopes: ['personal'], supportsFiles: false, isNotificationOnly: false }],
    permissions: ['identity'],
    validDomains: [new URL(base).host],
  };
}

/**
 * A zip archive of `files` (deflated, no folders), as the Teams app package format wants: manifest.json and
 * the two icons at the top level. Written by fflate, with every file dated 1980-01-01 00:00 local time (the
 * zip format's first day), so the same input gives the same bytes.
 */
export function zip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const mtime = new Date(1980, 0, 1);
  return zipSync(Object.fromEntries(files.map((f) => [f.name, [f.data, { mtime }]])), { level: 9 });
}

/** The Teams app package: manifest.json, color.png (192×192) and outline.png (32×32, white on clear). */
export function teamsPackage(options: ManifestOptions): Uint8Array {
  const manifest = `${JSON.stringify(teamsManifest(options), null, 2)}\n`;
  return zip([
    { name: 'manifest.json', data: Buffer.from(manifest, 'utf8') },
    { name: 'color.png', data: readFileSync(new URL('color.png', icons)) },
    { name: 'outline.png', data: readFileSync(new URL('outline.png', icons)) },
  ]);
}

/**
 * `selvhjelp teams manifest --app-id ID --out app.zip [--base-url URL] [--developer NAME] [--privacy-url URL]
 * [--terms-url URL] [--locale nb|en] [--version X.Y.Z]`: writes the package to upload in Teams.
 */
export async function teamsCommand(config: Config, args: string[]): Promise<number> {
  if (args[0] !== 'manifest') throw new UsageError(`unknown command: teams ${args[0] ?? ''}`.trim());
  const { values } = parseArgs({
    args: args.slice(1),
    options: {
      'app-id': { type: 'string' },
      out: { type: 'string' },
      'base-url': { type: 'string' },
      developer: { type: 'string', default: 'selvhjelp' },
      'privacy-url': { type: 'string' },
      'terms-url': { type: 'string' },
      locale: { type: 'string' },
      version: { type: 'string', default: '1.0.0' },
    },
  });
  const appId = values['app-id'];
  if (!appId || !GUID.test(appId)) {
    throw new UsageError("teams manifest needs --app-id with the bot registration's app id (a GUID)");
  }
  if (!values.out)
    throw new UsageError('teams manifest needs --out with the file to write, e.g. --out app.zip');
  const baseUrl = values['base-url'] ?? config.PUBLIC_BASE_URL;
  for (const [option, url] of [
    ['--base-url (or PUBLIC_BASE_URL)', baseUrl],
    ['--privacy-url', values['privacy-url']],
    ['--terms-url', values['terms-url']],
  ] as const) {
    if (option.startsWith('--base-url') && url === undefined) {
      throw new UsageError(
        "teams manifest needs --base-url (or PUBLIC_BASE_URL): the service's https address",
      );
    }
    if (url !== undefined && (!URL.canParse(url) || new URL(url).protocol !== 'https:')) {
      throw new UsageError(`${option} must be an https address (got "${url}")`);
    }
  }
  const locale = values.locale ?? config.DEFAULT_LOCALE;
  if (locale !== 'nb' && locale !== 'en') throw new UsageError('--locale must be nb or en');
  if (!SEMVER.test(values.version))
    throw new UsageError(`--version must be like 1.0.0 (got "${values.version}")`);
  if (values.developer.length > 32) throw new UsageError('--developer must be at most 32 characters');
  const bytes = teamsPackage({
    appId,
    baseUrl: baseUrl!,
    developer: values.developer,
    ...(values['privacy-url'] && { privacyUrl: values['privacy-url'] }),
    ...(values['terms-url'] && { termsUrl: values['terms-url'] }),
    locale,
    version: values.version,
  });
  writeFileSync(values.out, bytes);
  process.stdout.write(`Wrote the Teams app package ${values.out} (bot ${appId}, personal scope).\n`);
  return 0;
}
