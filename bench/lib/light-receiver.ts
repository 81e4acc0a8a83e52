// A receive-only Socket.IO client for the fan-out audience: the Engine.IO/Socket.IO v4 text
// protocol over a bare `ws` socket, answering pings and reading each event's clientId with one
// regular expression instead of a full decode. A hundred socket.io-client instances decoding
// 20,000 events a second would load the bench process more than the servers it measures.
import WebSocket from 'ws';

const CLIENT_ID = /"clientId":"([^"]+)"/;

export interface LightReceiver {
  /** Called with the clientId of every `message:new` that arrives. */
  onMessage(listener: (clientId: string) => void): void;
  close(): void;
}

/** Connects to the Socket.IO server at `url` with the handshake `auth`; resolves once the namespace is joined. */
export function lightReceiver(url: string, auth: Record<string, unknown>): Promise<LightReceiver> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const listeners: Array<(clientId: string) => void> = [];
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', () => reject(new Error('closed before connecting')));
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text === '2') return ws.send('3'); // Engine.IO ping → pong
      if (text.startsWith('0')) return ws.send(`40${JSON.stringify(auth)}`); // open → join the namespace
      if (text.startsWith('40')) {
        return resolve({
          onMessage: (listener) => listeners.push(listener),
          close: () => ws.close(),
        });
      }
      if (text.startsWith('44')) return reject(new Error(`connect refused: ${text.slice(2)}`));
      if (text.startsWith('42["message:new"')) {
        const clientId = CLIENT_ID.exec(text)?.[1];
        if (clientId) for (const listener of listeners) listener(clientId);
      }
    });
  });
}
