// `npm run dev:db`: the local libSQL server (Hrana over HTTP) on ./data/worker-dev.db, for `npm run
// dev:worker` and the admin CLI. A development tool: never run it in production.
import { ConfigError, loadDevDbConfig } from '../config/config.ts';
import { startDevDb } from './server.ts';

try {
  const config = loadDevDbConfig(process.env);
  const server = await startDevDb({ path: config.DEV_DB_FILE, port: config.DEV_DB_PORT });
  process.stdout.write(
    `selvhjelp dev-db: ${config.DEV_DB_FILE} at ${server.url} (development only)\n` +
      `  DATABASE_URL=${server.url} npx selvhjelp migrate\n`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`selvhjelp dev-db: ${message}\n`);
  process.exit(1);
}
