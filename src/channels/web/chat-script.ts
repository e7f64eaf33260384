/**
 * The browser side of the web chat, served as /chat/chat.js. Plain ES2017 with no build step, so it works
 * in any phone browser. Every text the client or the service wrote is inserted with textContent.
 */
export const chatScript = `(() => {
  'use strict';
  const root = document.getElementById('chat');
  const log = document.getElementById('log');
  const form = document.getElementById('composer');
  const input = document.getElementById('message');
  const status = document.getElementById('status');
  const locale = root.dataset.locale;
  const storageKey = 'selvhjelp.conversation';
  let conversationId = null;
  let cursor = 0;
  let busy = false;
  let generation = 0;

  try { conversationId = localStorage.getItem(storageKey); } catch (e) { conversationId = null; }

  function newId() {
    return (self.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function disableOldChoices() {
    log.querySelectorAll('fieldset.choices').forEach((set) => { set.disabled = true; });
  }

  function addMessage(from, message) {
    const item = document.createElement('li');
    item.className = from === 'client' ? 'from-client' : 'from-service';
    const who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = (from === 'client' ? root.dataset.you : root.dataset.bot) + ': ';
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.appendChild(who);
    bubble.appendChild(document.createTextNode(message.text));
    item.appendChild(bubble);
    if (message.image) {
      const img = document.createElement('img');
      img.className = 'illustration';
      img.src = message.image;
      img.alt = '';
      item.appendChild(img);
    }
    if (message.choices && message.choices.length) {
      disableOldChoices();
      const set = document.createElement('fieldset');
      set.className = 'choices';
      const legend = document.createElement('legend');
      legend.className = 'visually-hidden';
      legend.textContent = root.dataset.choicesLabel;
      set.appendChild(legend);
      message.choices.forEach((choice) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = choice.label;
        button.addEventListener('click', () => {
          if (set.disabled) return;
          send({ text: choice.label, value: choice.value });
        });
        set.appendChild(button);
      });
      item.appendChild(set);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: 'end' });
    return item;
  }

  function showReplies(replies) {
    let lastChoices = null;
    replies.forEach((reply) => {
      const item = addMessage('service', reply);
      if (reply.choices && reply.choices.length) lastChoices = item;
    });
    if (lastChoices) lastChoices.querySelector('button').focus();
    else input.focus();
  }

  async function post(body) {
    const response = await fetch('/channels/web/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status === 404 && body.conversationId) return { restart: true };
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  }

  function remember(data) {
    conversationId = data.conversationId;
    try { localStorage.setItem(storageKey, conversationId); } catch (e) { /* private mode */ }
    if (typeof data.cursor === 'number') cursor = Math.max(cursor, data.cursor);
  }

  async function start() {
    const data = await post({ locale: locale });
    remember(data);
    showReplies(data.replies);
  }

  async function send(message) {
    if (busy) return;
    busy = true;
    generation++;
    status.textContent = root.dataset.sending;
    disableOldChoices();
    addMessage('client', { text: message.text });
    try {
      let data = await post(Object.assign({ conversationId: conversationId, locale: locale, messageId: newId() }, message));
      if (data.restart) {
        try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
        await start();
        data = await post(Object.assign({ conversationId: conversationId, locale: locale, messageId: newId() }, message));
      }
      remember(data);
      status.textContent = '';
      showReplies(data.replies);
    } catch (error) {
      status.textContent = root.dataset.error;
    } finally {
      busy = false;
    }
  }

  async function restore() {
    const response = await fetch('/channels/web/messages?conversationId=' + encodeURIComponent(conversationId) + '&after=0');
    if (!response.ok) return false;
    const data = await response.json();
    data.messages.forEach((m) => addMessage(m.direction === 'in' ? 'client' : 'service', m));
    cursor = data.cursor;
    return true;
  }

  async function poll() {
    if (!conversationId || busy) return;
    const seen = generation;
    try {
      const response = await fetch('/channels/web/messages?conversationId=' + encodeURIComponent(conversationId) + '&after=' + cursor);
      if (!response.ok || seen !== generation || busy) return;
      const data = await response.json();
      const incoming = data.messages.filter((m) => m.direction === 'out');
      cursor = Math.max(cursor, data.cursor);
      if (incoming.length) showReplies(incoming);
    } catch (error) { /* offline for a moment: try again on the next poll */ }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    send({ text: text });
  });

  (async () => {
    try {
      if (!conversationId || !(await restore())) await start();
    } catch (error) {
      status.textContent = root.dataset.error;
    }
    setInterval(poll, 4000);
  })();
})();
`;
