import { describe, expect, it } from 'vitest';
import { ConfigError, loadDevDbConfig } from '../../src/config/config.ts';

describe('the dev server configuration', () => {
  it('defaults to port 8080 and ./data/worker-dev.db', () => {
    expect(loadDevDbConfig({})).toEqual({ DEV_DB_PORT: 8080, DEV_DB_FILE: './data/worker-dev.db' });
    expect(loadDevDbConfig({ DEV_DB_PORT: '9090', DEV_DB_FILE: '/tmp/x.db' })).toEqual({
      DEV_DB_PORT: 9090,
      DEV_DB_FILE: '/tmp/x.db',
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadDevDbConfig({ DEV_DB_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadDevDbConfig({ DEV_DB_PORT: '70000' })).toThrow(/DEV_DB_PORT/);
  });
});
