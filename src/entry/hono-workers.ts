/**
 * `hono` for the Workers bundle only (wrangler.toml `[alias]`): the same `Hono` with Hono's own
 * PatternRouter (its `hono/tiny` preset) instead of the default SmartRouter, which carries two routers
 * (RegExpRouter and TrieRouter) and picks one at the first request: 2.5 KiB gzip of the bundle. Routes,
 * middleware and sub-apps are the same; PatternRouter tries each route's regular expression in turn, a
 * few microseconds for this app's routes. Node keeps the default. Only `Hono` is needed: nothing in the
 * bundle imports a value but `Hono` from 'hono' (a new one would fail the build, not pass unnoticed).
 */
export { Hono } from 'hono/tiny';
