/**
 * The schema this build expects: the number of its newest migration in src/storage/migrations (raise it
 * with each new one; test/worker/bundle.test.ts fails until it matches). A Worker compares it with the
 * database's newest applied migration, in one round trip, and answers 503 while the database is behind.
 * It does not apply migrations: `selvhjelp migrate` against the database is a deploy step (README), so
 * the Worker needs only this number, not the migrations' SQL, in its bundle.
 */
export const SCHEMA_VERSION = 22;
