import type { z } from '@hono/zod-openapi';
import { ApiError } from './api-schemas.ts';

/*
 * The pieces every staff API route declares the same way: the error body, a JSON response or request
 * body for the OpenAPI document, and the refusals every operation can answer with.
 */

export const problem = (code: string, message: string) => ({ error: { code, message } });

export const json = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const badRequest = json('The request is not valid: `error.message` says what.', ApiError);
export const unauthorized = json('Not signed in, or the token or session is no longer valid.', ApiError);
export const notFound = json('No such resource, or one the caller may not see (the same answer).', ApiError);
