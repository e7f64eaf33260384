import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8787,
      HOST: '127.0.0.1',
      DATABASE_URL: 'file:./data/selvhjelp.db',
      DATABASE_DRIVER: 'embedded',
      DEFAULT_LOCALE: 'nb',
      DEFAULT_TIMEZONE: 'Europe/Oslo',
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DEFAULT_LOCALE', 'sv'],
    ['DEFAULT_TIMEZONE', 'Oslo/Norway'],
    ['DATABASE_URL', 'postgres://x'],
    ['DATABASE_DRIVER', 'sqlite'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['CHAT_EMBED_ORIGINS', 'http://klinikk.no'],
    ['CHAT_EMBED_ORIGINS', 'https://klinikk.no/chat'],
    ['CHAT_EMBED_ORIGINS', 'https://klinikk.no,*'],
  ])('stops on a bad %s with one line naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    expect(message).not.toContain('\n');
  });

  it('reads the sites that may frame the chat as a list of https origins', () => {
    expect(loadConfig({ CHAT_EMBED_ORIGINS: 'https://klinikk.no, https://www.kommune.no' })).toMatchObject({
      CHAT_EMBED_ORIGINS: ['https://klinikk.no', 'https://www.kommune.no'],
    });
    expect(loadConfig({}).CHAT_EMBED_ORIGINS).toBeUndefined();
  });

  it('reads the clinic name for discreet SMS: short, one line, optional', () => {
    expect(loadConfig({ CLINIC_NAME: ' Rask psykisk helsehjelp ' }).CLINIC_NAME).toBe(
      'Rask psykisk helsehjelp',
    );
    expect(loadConfig({ CLINIC_NAME: '' }).CLINIC_NAME).toBeUndefined();
    expect(() => loadConfig({ CLINIC_NAME: 'x'.repeat(41) })).toThrow(/^Invalid configuration: CLINIC_NAME /);
    expect(() => loadConfig({ CLINIC_NAME: 'Klinikk\nto linjer' })).toThrow(
      /^Invalid configuration: CLINIC_NAME /,
    );
  });

  it('picks the database driver from DATABASE_URL unless DATABASE_DRIVER says otherwise', () => {
    const driver = (env: Record<string, string>) => loadConfig(env).DATABASE_DRIVER;
    expect(driver({ DATABASE_URL: 'file:/srv/x.db' })).toBe('embedded');
    expect(driver({ DATABASE_URL: ':memory:' })).toBe('embedded');
    expect(driver({ DATABASE_URL: 'libsql://db.example.turso.io' })).toBe('client');
    expect(driver({ DATABASE_URL: 'https://db.example.turso.io' })).toBe('client');
    expect(driver({ DATABASE_URL: 'file:/srv/x.db', DATABASE_DRIVER: 'client' })).toBe('client');
    expect(driver({ DATABASE_URL: ':memory:', DATABASE_DRIVER: 'client' })).toBe('client');
    expect(driver({ DATABASE_URL: 'libsql://db.example.turso.io', DATABASE_DRIVER: '' })).toBe('client');
  });

  it('refuses the embedded driver for a remote database, in one line naming DATABASE_DRIVER', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'libsql://db.example.turso.io', DATABASE_DRIVER: 'embedded' }),
    ).toThrow(
      new ConfigError(
        'Invalid configuration: DATABASE_DRIVER embedded opens a file: or :memory: DATABASE_URL; a remote one needs client (got "embedded")',
      ),
    );
  });

  it("refuses a contract default whose therapist's task would not come after the client's reminder", () => {
    expect(() => loadConfig({ CONTRACT_QUIET_REMINDER_DAYS: '14', CONTRACT_QUIET_TASK_DAYS: '14' })).toThrow(
      /CONTRACT_QUIET_TASK_DAYS must be more than CONTRACT_QUIET_REMINDER_DAYS/,
    );
    expect(loadConfig({ CONTRACT_QUIET_REMINDER_DAYS: '5', CONTRACT_QUIET_TASK_DAYS: '10' })).toBeDefined();
  });
});
