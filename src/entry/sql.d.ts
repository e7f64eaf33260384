// Wrangler's Text rule (wrangler.toml) imports .sql files as strings in the Workers bundle.
declare module '*.sql' {
  const sql: string;
  export default sql;
}
