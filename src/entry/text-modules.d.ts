// Wrangler's Text rules (wrangler.toml) import these files as strings in the Workers bundle.
declare module '*.svg' {
  const svg: string;
  export default svg;
}
