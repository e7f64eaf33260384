/** A mistake in how the command was called: one line naming the option, exit code 2. */
export class UsageError extends Error {}

/** A command that was called correctly but could not do its work (server down, no such row): exit code 1. */
export class CommandError extends Error {}
