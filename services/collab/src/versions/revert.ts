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
    // Root types created after the version must be in scope too, or their content would survive.
    for (const name of current.share.keys()) scratch.get(name);
    const replay = Symbol('replay');
    const undo = new Y.UndoManager([...scratch.share.values()], { trackedOrigins: new Set([replay]), captureTimeout: Number.MAX_SAFE_INTEGER });
    const currentVector = Y.encodeStateVector(current);
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(current, Y.encodeStateVector(scratch)), replay);
    undo.undo();
    undo.destroy();
    return Y.encodeStateAsUpdate(scratch, currentVector);
  } finally {
    scratch.destroy();
  }
}
