import { useEffect, useState } from 'react';
import { useMessaging } from './messaging-context.js';

/** Shown when the browser is offline or the live connection dropped after it had worked. */
export function ConnectionBanner() {
  const { connected, wasConnected } = useMessaging();
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  if (online && (connected || !wasConnected)) return null;
  return (
    <div className="banner warning" role="status">
      {online
        ? 'Reconnecting… Messages you send will go out when the connection is back.'
        : 'You are offline. Changes will sync when you reconnect.'}
    </div>
  );
}
