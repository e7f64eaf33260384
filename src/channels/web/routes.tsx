import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { Locale } from '../../engine/types.ts';
import type { ServiceDeps } from '../../service/deps.ts';
import { handleInbound, startConversation } from '../../service/handle-inbound.ts';
import type { RenderedReply } from '../../service/render.ts';
import { conversationSince } from '../../service/transcript.ts';
import { limitBody } from '../body-limit.ts';
import { apiError } from '../http-errors.ts';
import { networkAddressOf } from '../network-address.ts';
import { chatScript } from './chat-script.ts';
import { ChatPage } from './page.tsx';
import { type WebReply, webMessageSchema, webPollSchema } from './schema.ts';

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
export function webChatRoutes(deps: ServiceDeps) {
  const pageLocale = (lang: string | undefined): Locale =>
    lang === 'nb' || lang === 'en' ? lang : deps.defaults.locale;

  return new Hono()
    .get('/chat', (c) => {
      c.header(
        'Content-Security-Policy',
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      );
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
    .post('/channels/web/messages', limitBody(), async (c) => {
      if (!(c.req.header('content-type') ?? '').includes('application/json')) {
        throw apiError('unsupported_media_type', 'Send JSON with Content-Type: application/json.');
      }
      const raw = await c.req.json().catch(() => {
        throw apiError('invalid_json', 'The body is not valid JSON.');
      });
      const parsed = webMessageSchema.safeParse(raw);
      if (!parsed.success) throw apiError('invalid_request', firstIssue(parsed.error));
      const message = parsed.data;

      let conversationId = message.conversationId;
      const replies: WebReply[] = [];
      let cursor = 0;
      if (conversationId === undefined) {
        const started = await startConversation(deps, WEB_CHANNEL, message.locale);
        conversationId = started.address.address;
        replies.push(...started.replies.map(toWebReply));
        cursor = started.cursor;
        if (message.text === undefined && message.value === undefined) {
          return c.json({ conversationId, replies, cursor });
        }
      }
      const outcome = await handleInbound(deps, {
        channel: WEB_CHANNEL,
        address: conversationId,
        providerId: message.messageId,
        content:
          message.value !== undefined
            ? { kind: 'button', value: message.value, text: message.text }
            : { kind: 'message', text: message.text ?? '' },
        locale: message.locale,
        origin: { networkAddress: networkAddressOf(c) },
      });
      if (outcome.kind === 'unknown_address') throw apiError('not_found', 'Unknown conversationId.');
      if (outcome.kind === 'duplicate') return c.json({ conversationId, replies: [], duplicate: true });
      replies.push(...outcome.replies.map(toWebReply));
      return c.json({ conversationId, replies, cursor: outcome.cursor });
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
