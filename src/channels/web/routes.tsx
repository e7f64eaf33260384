import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { Locale } from '../../engine/types.ts';
import type { ServiceDeps } from '../../service/deps.ts';
import { handleInbound } from '../../service/handle-inbound.ts';
import type { RenderedReply } from '../../service/render.ts';
import { conversationSince } from '../../service/transcript.ts';
import { startWebConversation } from '../../service/web-starts.ts';
import { limitBody } from '../body-limit.ts';
import { apiError } from '../http-errors.ts';
import { isMediaType } from '../media-type.ts';
import { networkAddressOf } from '../network-address.ts';
import { chatScript } from './chat-script.ts';
import { ChatPage } from './page.tsx';
import { MAX_BODY_BYTES, MAX_TEXT_LENGTH, type WebReply, webMessageSchema, webPollSchema } from './schema.ts';

export const WEB_CHANNEL = 'web';

const toWebReply = (reply: RenderedReply): WebReply => ({
  text: reply.text,
  ...(reply.choices ? { choices: reply.choices } : {}),
  ...(reply.image ? { image: reply.image } : {}),
});

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0]!;
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}

/** The built-in web chat: the page, its script, and the JSON endpoints it talks to. */
export function webChatRoutes(deps: ServiceDeps, options: { embedOrigins?: readonly string[] } = {}) {
  // The chat may be framed only by the sites the clinic named (CHAT_EMBED_ORIGINS); by default by none.
  const embedders = options.embedOrigins?.length ? options.embedOrigins.join(' ') : "'none'";
  const pageLocale = (lang: string | undefined): Locale =>
    lang === 'nb' || lang === 'en' ? lang : deps.defaults.locale;

  return new Hono()
    .get('/chat', (c) => {
      c.header(
        'Content-Security-Policy',
        `default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors ${embedders}`,
      );
      if (!options.embedOrigins?.length) c.header('X-Frame-Options', 'DENY');
      c.header('Referrer-Policy', 'no-referrer');
      return c.html(
        <>
          {raw('<!DOCTYPE html>')}
          <ChatPage catalog={deps.catalog} locale={pageLocale(c.req.query('lang'))} />
        </>,
      );
    })
    .get('/chat/chat.js', (c) => {
      c.header('Content-Type', 'text/javascript; charset=utf-8');
      c.header('Cache-Control', 'no-cache');
      return c.body(chatScript);
    })
    .post('/channels/web/messages', limitBody(MAX_BODY_BYTES), async (c) => {
      if (!isMediaType(c.req.header('content-type'), 'application/json')) {
        throw apiError('unsupported_media_type', 'Send JSON with Content-Type: application/json.');
      }
      const raw = await c.req.json().catch(() => {
        throw apiError('invalid_json', 'The body is not valid JSON.');
      });
      const parsed = webMessageSchema.safeParse(raw);
      if (!parsed.success) {
        // A text over the limit names the limit, so the page can say so and keep the text to split.
        const tooLong = parsed.error.issues.some(
          (issue) => issue.code === 'too_big' && issue.path.length === 1 && issue.path[0] === 'text',
        );
        throw apiError(
          'invalid_request',
          firstIssue(parsed.error),
          undefined,
          tooLong ? { maxLength: MAX_TEXT_LENGTH } : undefined,
        );
      }
      const message = parsed.data;

      let conversationId = message.conversationId;
      const networkAddress = networkAddressOf(c);
      // A first message with the start is welcomed in its own answer, where a crisis reply comes first.
      const withMessage = message.text !== undefined || message.value !== undefined;
      let welcome = false;
      /** A retried first message: what its conversation had said before this request. */
      let resumed: { replies: WebReply[]; cursor: number } | undefined;
      if (conversationId === undefined) {
        const started = await startWebConversation(deps, {
          channel: WEB_CHANNEL,
          locale: message.locale,
          messageId: message.messageId,
          networkAddress,
          welcome: !withMessage,
          message: withMessage ? { text: message.text, value: message.value } : undefined,
        });
        if (started.kind === 'limited') {
          throw apiError('rate_limited', 'Too many new conversations from this network. Try again later.', {
            'Retry-After': String(started.retryAfterSeconds),
          });
        }
        conversationId = started.address.address;
        if (started.kind === 'resumed') {
          const said = (await conversationSince(deps, WEB_CHANNEL, conversationId, 0)) ?? [];
          const replies = said.flatMap((entry) => {
            const payload = entry.payload as { rendered?: RenderedReply };
            return entry.direction === 'out' && payload.rendered ? [toWebReply(payload.rendered)] : [];
          });
          resumed = { replies, cursor: said.at(-1)?.seq ?? 0 };
          // Its first attempt may have failed before the message's turn was written: the message is
          // handled below (one handled already is a duplicate, which changes nothing), with the welcome
          // if the conversation has said nothing yet.
          welcome = replies.length === 0;
          if (!withMessage) return c.json({ conversationId, ...resumed, duplicate: true });
        } else {
          if (!withMessage) {
            return c.json({
              conversationId,
              replies: started.replies.map(toWebReply),
              cursor: started.cursor,
            });
          }
          welcome = true;
        }
      }
      const outcome = await handleInbound(deps, {
        channel: WEB_CHANNEL,
        address: conversationId,
        // A message id is the page's own (any string): it names a message within its conversation only.
        providerId: message.messageId === undefined ? undefined : `${conversationId}/${message.messageId}`,
        content:
          message.value !== undefined
            ? { kind: 'button', value: message.value, text: message.text }
            : { kind: 'message', text: message.text ?? '' },
        locale: message.locale,
        origin: { networkAddress },
        welcome,
      });
      if (outcome.kind === 'unknown_address') throw apiError('not_found', 'Unknown conversationId.');
      if (outcome.kind === 'duplicate') {
        // The same first message again: what its conversation has said so far, as the first answer did.
        if (resumed) return c.json({ conversationId, ...resumed, duplicate: true });
        return c.json({ conversationId, replies: [], duplicate: true });
      }
      if (outcome.kind === 'limited') {
        // Not taken: the page keeps the message to send again. A conversation this request started is
        // named, so that the message goes to it then.
        throw apiError(
          'rate_limited',
          'Too many messages from this conversation or network. Try again later.',
          { 'Retry-After': String(outcome.retryAfterSeconds) },
          message.conversationId === undefined ? { conversationId } : undefined,
        );
      }
      return c.json({ conversationId, replies: outcome.replies.map(toWebReply), cursor: outcome.cursor });
    })
    .get('/channels/web/messages', async (c) => {
      const parsed = webPollSchema.safeParse({
        conversationId: c.req.query('conversationId'),
        after: c.req.query('after'),
      });
      if (!parsed.success) throw apiError('invalid_request', firstIssue(parsed.error));
      const { conversationId, after } = parsed.data;
      const result = await conversationSince(deps, WEB_CHANNEL, conversationId, after);
      if (!result) throw apiError('not_found', 'Unknown conversationId.');
      const messages = result.map((entry) => {
        const payload = entry.payload as { rendered?: RenderedReply };
        return {
          seq: entry.seq,
          direction: entry.direction,
          ...(entry.direction === 'out' && payload.rendered
            ? toWebReply(payload.rendered)
            : { text: entry.text }),
        };
      });
      const cursor = messages.length ? messages[messages.length - 1]!.seq : after;
      return c.json({ conversationId, messages, cursor });
    });
}
