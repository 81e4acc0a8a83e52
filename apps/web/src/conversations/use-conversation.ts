import { useReducer } from 'react';
import { conversationReducer, emptyConversation } from './conversation-state.js';
import { lastSeq } from './message-store.js';
import { useHistory } from './use-history.js';
import { useLiveEvents } from './use-live-events.js';
import { useMessageActions } from './use-message-actions.js';
import { useReadState } from './use-read-state.js';
import { useSender } from './use-sender.js';
import { useTyping } from './use-typing.js';

/** One conversation's live state: history, optimistic sends, edits, reactions, typing and reads. */
export function useConversation(conversationId: string) {
  const [{ messages: state, typing, readSeqs }, dispatch] = useReducer(conversationReducer, emptyConversation);
  const history = useHistory(conversationId, state.nextCursor, dispatch);
  useLiveEvents(conversationId, dispatch);
  useReadState(conversationId, lastSeq(state));
  const setTyping = useTyping(conversationId, typing, dispatch);
  const { send, retry } = useSender(conversationId, state.pending, dispatch);
  const { edit, remove, react } = useMessageActions(dispatch);
  return { state, typing, readSeqs, ...history, send, retry, edit, remove, react, setTyping };
}
