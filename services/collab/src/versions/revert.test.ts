import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { revertUpdate } from './revert.js';

/** A server-side doc never types its roots; clients do. Mirror that: edits go client → server. */
function pair() {
  const client = new Y.Doc();
  const server = new Y.Doc();
  client.on('update', (update: Uint8Array) => Y.applyUpdate(server, update));
  return { client, server };
}

describe('revertUpdate', () => {
  it('restores a version of an empty document onto an empty one as an update that changes nothing', () => {
    const empty = new Y.Doc();
    const update = revertUpdate(empty, Y.encodeStateAsUpdate(new Y.Doc()));
    Y.applyUpdate(empty, update);
    expect(empty.share.size).toBe(0);
    expect(Y.encodeStateVector(empty)).toEqual(Y.encodeStateVector(new Y.Doc()));
  });

  it('brings back text, map, array and xml content and drops roots created later', () => {
    const { client, server } = pair();
    client.getText('text').insert(0, 'hello world');
    client.getMap('meta').set('status', 'draft');
    client.getArray('list').push([1, 2, 3]);
    const fragment = client.getXmlFragment('prose');
    const paragraph = new Y.XmlElement('p');
    paragraph.insert(0, [new Y.XmlText('para')]);
    fragment.insert(0, [paragraph]);
    const version = Y.encodeStateAsUpdate(server);
    const expected = { text: 'hello world', meta: { status: 'draft' }, list: [1, 2, 3], prose: fragment.toString() };

    client.getText('text').delete(0, 6);
    client.getText('text').insert(0, 'bye ');
    client.getMap('meta').set('status', 'final');
    client.getMap('meta').set('extra', true);
    client.getArray('list').delete(0, 2);
    fragment.delete(0, 1);
    client.getMap('later').set('x', 1);

    Y.applyUpdate(client, revertUpdate(server, version));
    expect(client.getText('text').toString()).toBe(expected.text);
    expect(client.getMap('meta').toJSON()).toEqual(expected.meta);
    expect(client.getArray('list').toJSON()).toEqual(expected.list);
    expect(client.getXmlFragment('prose').toString()).toBe(expected.prose);
    expect(client.getMap('later').size).toBe(0);
  });

  it('is an ordinary update: a replica that missed it converges once it syncs', () => {
    const { client, server } = pair();
    client.getText('text').insert(0, 'v1');
    const version = Y.encodeStateAsUpdate(server);
    client.getText('text').insert(2, ' and more');
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(server));
    offline.getText('text').insert(0, '[offline] ');

    const revert = revertUpdate(server, version);
    Y.applyUpdate(server, revert);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(offline));
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(server));
    expect(server.getText('text').toString()).toBe('[offline] v1');
    expect(offline.getText('text').toString()).toBe(server.getText('text').toString());
  });
});
