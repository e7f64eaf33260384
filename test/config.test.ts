import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8787,
      HOST: '127.0.0.1',
      DATABASE_URL: 'file:./data/selvhjelp.db',
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
    ['PUBLIC_BASE_URL', 'not a url'],
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
});
