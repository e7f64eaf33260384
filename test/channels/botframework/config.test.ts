import { describe, expect, it } from 'vitest';
import { sdkAuthenticator } from '../../../src/channels/botframework/sdk-auth.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { channelsFromConfig } from '../../../src/entry/channels.ts';

const APP_ID = '5f0c8a52-7d4e-4a4b-9c1e-2b7e3d9f6a10';

describe('Bot Framework settings', () => {
  it('runs unauthenticated for the Emulator without an app id, but never in production', () => {
    const dev = channelsFromConfig(loadConfig({}));
    expect(dev.botframework?.auth.required).toBe(false);
    expect(dev.senders.botframework).toMatchObject({ mode: 'push' });
    const production = channelsFromConfig(loadConfig({ NODE_ENV: 'production' }));
    expect(production.botframework).toBeUndefined();
    expect(production.senders.botframework).toBeUndefined();
  });

  it('authenticates strictly with an app id, in production too', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: 'secret-value',
      MICROSOFT_APP_TENANT_ID: 'contoso.onmicrosoft.com',
    });
    expect(channelsFromConfig(config, { authenticator: sdkAuthenticator }).botframework?.auth.required).toBe(
      true,
    );
    // Without the SDK's authenticator (the Workers entry), an app id leaves the route off, never open.
    expect(channelsFromConfig(config).botframework).toBeUndefined();
    expect(config.BOTFRAMEWORK_AUTHORITY_URL).toBe('https://login.microsoftonline.com');
  });

  it('names the variable that is wrong, and never shows the password', () => {
    expect(() => loadConfig({ MICROSOFT_APP_ID: 'my-bot' })).toThrow(/MICROSOFT_APP_ID must be/);
    expect(() => loadConfig({ MICROSOFT_APP_ID: APP_ID })).toThrow(/MICROSOFT_APP_PASSWORD is required/);
    expect(() => loadConfig({ MICROSOFT_APP_PASSWORD: 'hunter2-hunter2' })).toThrow(
      /^Invalid configuration: MICROSOFT_APP_PASSWORD needs MICROSOFT_APP_ID$/,
    );
    expect(() => loadConfig({ MICROSOFT_APP_TENANT_ID: 'x' })).toThrow(/MICROSOFT_APP_TENANT_ID needs/);
    expect(() => loadConfig({ BOTFRAMEWORK_AUTHORITY_URL: 'ftp://x' })).toThrow(/BOTFRAMEWORK_AUTHORITY_URL/);
    expect(() => loadConfig({ BOTFRAMEWORK_TOKEN_URL: 'nope' })).toThrow(/BOTFRAMEWORK_TOKEN_URL/);
  });
});
