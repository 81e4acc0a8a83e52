import * as Y from 'yjs';

/**
 * The update that makes `current` show the content it had in `versionState` again, as new
 * changes on top of today's history (so every replica, online or not, converges on it).
 *
 * How: a scratch doc holding the version replays everything that happened since, with an
 * UndoManager tracking exactly that replay; undoing it yields the inverse changes, which we
 * encode relative to the current state. The scratch doc keeps deleted content (gc off) so the
 * undo can bring it back.
 */
export function revertUpdate(current: Y.Doc, versionState: Uint8Array): Uint8Array {
  const scratch = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(scratch, versionState);
    // The server never learns which type a root is (only clients call getText/getMap), and a
    // generic root reports no changes to an UndoManager. Give each root a concrete type: a map
    // when it holds keys, else an array, which replays and undoes any sequence content (text,
    // xml children) item by item. Roots created after the version are included, or their
    // content would survive the restore.
    for (const name of new Set([...scratch.share.keys(), ...current.share.keys()])) {
      const roots = [scratch.share.get(name), current.share.get(name)];
      const keyed = roots.some((t) => t !== undefined && t._start === null && t._map.size > 0);
      const type = scratch.share.get(name);
      if (type === undefined || type.constructor === Y.AbstractType) scratch.get(name, keyed ? Y.Map : Y.Array);
    }
    // A version of an empty document restored onto an empty one: nothing to undo (and an
    // UndoManager needs at least one type).
    if (scratch.share.size === 0) return Y.encodeStateAsUpdate(scratch);
    const replay = Symbol('replay');
    const undo = new Y.UndoManager([...scratch.share.values()], {
      trackedOrigins: new Set([replay]),
      captureTimeout: Number.MAX_SAFE_INTEGER,
    });
    const currentVector = Y.encodeStateVector(current);
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(current, Y.encodeStateVector(scratch)), replay);
    undo.undo();
    undo.destroy();
    return Y.encodeStateAsUpdate(scratch, currentVector);
  } finally {
    scratch.destroy();
  }
}
