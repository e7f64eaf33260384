import { Hono } from 'hono';
import {
  conversationReference,
  rememberConversationReference,
} from '../../service/conversation-references.ts';
import type { ServiceDeps } from '../../service/deps.ts';
import { handleInbound, welcomeAddress } from '../../service/handle-inbound.ts';
import { limitBody } from '../body-limit.ts';
import { apiError } from '../http-errors.ts';
import { isMediaType } from '../media-type.ts';
import { parseActivity } from './activity.ts';
import { type ActivityAuthenticator, plainServiceUrl, sameServiceUrl } from './auth.ts';
import { BOTFRAMEWORK_CHANNEL, providerIdOf } from './sender.ts';

export interface BotFrameworkRouteSettings {
  auth: ActivityAuthenticator;
}

/**
 * What an activity may weigh: a text of up to MAX_TEXT_LENGTH (60 000) UTF-16 units is at most 180 000
 * bytes of UTF-8 (3 bytes a unit at most), and Teams adds channel data, entities and the tenant around it.
 */
const MAX_ACTIVITY_BYTES = 256 * 1024;

/** The stored reference of an address, for the sender: read through the service like every other row. */
export function storedReference(deps: ServiceDeps) {
  return (address: string) => conversationReference(deps, BOTFRAMEWORK_CHANNEL, address);
}

/**
 * `POST /api/messages`, the Bot Framework messaging endpoint. The token is checked before the body is
 * read (with an app id; the Emulator sends none), anything but `application/json` is a 415, then the
 * activity is parsed, and its serviceUrl must be
 * the one the token was issued for. A message or a pressed button goes through the one door
 * (`handleInbound`); the bot being added to a conversation gets the welcome. Replies are not in the
 * response: they go out through the outbox to the conversation's Bot Connector, like proactive messages.
 */
export function botFrameworkRoutes(
  deps: ServiceDeps,
  settings: BotFrameworkRouteSettings | undefined,
  onActivity: () => void,
) {
  return new Hono().post('/api/messages', limitBody(MAX_ACTIVITY_BYTES), async (c) => {
    if (!settings) throw apiError('not_found', 'The Bot Framework channel is not configured.');
    const auth = await settings.auth.verify(c.req.header('Authorization'));
    if (!auth.ok) throw apiError('unauthorized', 'Missing or invalid Bot Framework token.');
    if (!isMediaType(c.req.header('content-type'), 'application/json')) {
      throw apiError(
        'unsupported_media_type',
        'Send the activity as JSON with Content-Type: application/json.',
      );
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw apiError('invalid_json', 'The body must be a JSON activity.');
    }
    const activity = parseActivity(body);
    if (activity.kind === 'invalid') {
      throw apiError('invalid_request', `Not a Bot Framework activity: ${activity.detail}.`);
    }
    const serviceUrl = activity.kind === 'ignored' ? activity.serviceUrl : activity.reference.serviceUrl;
    if (settings.auth.required && !sameServiceUrl(auth.serviceUrlClaim, serviceUrl)) {
      throw apiError('unauthorized', 'The token was not issued for the activity’s serviceUrl.');
    }
    // Without a token (the Emulator) the serviceUrl is still stored and replied to only in its plain form.
    if (!plainServiceUrl(serviceUrl)) {
      throw apiError(
        'invalid_request',
        'Not a Bot Framework activity: serviceUrl is not a plain http(s) URL.',
      );
    }
    if (activity.kind === 'ignored') return c.body(null, 200);

    await rememberConversationReference(deps, {
      channel: BOTFRAMEWORK_CHANNEL,
      address: activity.address,
      reference: activity.reference,
    });
    if (activity.kind === 'bot_added') {
      await welcomeAddress(deps, BOTFRAMEWORK_CHANNEL, activity.address, activity.locale);
    } else {
      await handleInbound(deps, {
        channel: BOTFRAMEWORK_CHANNEL,
        address: activity.address,
        providerId: providerIdOf(activity.address, activity.activityId),
        content: activity.content,
        createAddress: true,
        ...(activity.locale ? { locale: activity.locale } : {}),
      });
    }
    onActivity();
    return c.body(null, 200);
  });
}
