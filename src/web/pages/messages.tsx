import { MAX_MESSAGE_LENGTH, type StaffMessageView } from '../../service/messages.ts';
import type { Translate } from '../context.ts';
import { channelLabel, formatDateTime } from '../format.ts';

export interface MessagesPartProps {
  t: Translate;
  locale: 'nb' | 'en';
  /** The time zone dates are shown in (the clinic's, as on the rest of the client page). */
  timeZone: string;
  clientId: string;
  /**
   * The client's messages, newest first (`readMessages` or `listMessages` in src/service/messages.ts).
   * A message from the client without `readAt` is shown as unread.
   */
  messages: StaffMessageView[];
}

/** The tag of each delivery of a message to the client, and whether it needs the therapist. */
const DELIVERY_TAG = {
  no_channel: { key: 'messages.no_channel', high: true },
  waiting: { key: 'messages.delivery_waiting', high: false },
  sent: { key: 'messages.delivery_sent', high: false },
  failed: { key: 'messages.delivery_failed', high: true },
} as const;

/** What a therapist does about a message that did not go out. */
const DELIVERY_NOTE = {
  no_channel: 'messages.no_channel_note',
  failed: 'messages.delivery_failed_note',
} as const;

/**
 * Messages between the therapist and the client on the client's page: a form to write to the client
 * (it goes to the channel they used last), then the messages in both directions, newest first, with
 * the unread ones from the client marked, and each of the therapist's with where it is (`delivery`):
 * waiting, sent, or, with what to do about it, never sent (no channel) or failed.
 */
export function MessagesPart({ t, locale, timeZone, clientId, messages }: MessagesPartProps) {
  const action = `/staff/clients/${encodeURIComponent(clientId)}/messages`;
  return (
    <div class="messages">
      <form method="post" action={action} class="stack">
        <label for="message-text">{t('messages.write')}</label>
        <textarea
          id="message-text"
          name="text"
          rows={3}
          minlength={1}
          maxlength={MAX_MESSAGE_LENGTH}
          required
        />
        <p class="muted">{t('messages.hint')}</p>
        <button type="submit">{t('messages.send')}</button>
      </form>
      {messages.length === 0 ? <p>{t('messages.none')}</p> : null}
      {messages.map((message) => {
        const unread = message.direction === 'in' && !message.readAt;
        const tag = message.delivery ? DELIVERY_TAG[message.delivery] : undefined;
        const note =
          message.delivery === 'no_channel' || message.delivery === 'failed'
            ? DELIVERY_NOTE[message.delivery]
            : undefined;
        return (
          <article class={`card message ${message.direction}`}>
            <p class="muted">
              <strong>
                {message.direction === 'in'
                  ? t('messages.from_client')
                  : t('messages.from_staff', { name: message.staff?.name ?? '–' })}
              </strong>{' '}
              –{' '}
              <time datetime={message.createdAt}>{formatDateTime(message.createdAt, locale, timeZone)}</time>{' '}
              {message.channel ? t('messages.via', { channel: channelLabel(t, message.channel) }) : null}
              {unread ? <span class="tag high"> {t('messages.unread')}</span> : null}
              {tag ? (
                <span class={tag.high ? 'tag high' : 'tag'} data-delivery={message.delivery}>
                  {' '}
                  {t(tag.key)}
                </span>
              ) : null}
            </p>
            <p class="client-text">{message.text}</p>
            {note ? <p class="notice info">{t(note)}</p> : null}
          </article>
        );
      })}
    </div>
  );
}
