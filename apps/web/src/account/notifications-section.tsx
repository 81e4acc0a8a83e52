import type { NotificationPreferences } from '@flux/shared';
import { useState } from 'react';
import { useApi } from '../api/api-context.js';
import { useResource } from '../api/use-resource.js';
import { FormError } from '../components/field.js';

/** What notifies me in the app, and whether unread ones are mailed in a daily digest. Saved on each change. */
export function NotificationsSection() {
  const api = useApi();
  const preferences = useResource<NotificationPreferences>('/api/notifications/preferences');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = async (change: Partial<NotificationPreferences>) => {
    setError(null);
    setSaved(false);
    // Shown at once (the control follows the click); the server's answer, or a reload on failure, settles it.
    preferences.mutate((current) => current && { ...current, ...change });
    try {
      const next = await api.patch<NotificationPreferences>('/api/notifications/preferences', change);
      preferences.mutate(() => next);
      setSaved(true);
    } catch (caught) {
      setError((caught as Error).message);
      preferences.reload();
    }
  };
  const value = preferences.data;
  return (
    <section className="card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">Notifications</h2>
      <FormError error={error ?? preferences.error?.message} />
      {value && (
        <div className="preferences-list">
          <label>
            <input type="checkbox" checked={value.mentions} onChange={(e) => save({ mentions: e.target.checked })} />
            When someone @mentions me
          </label>
          <label>
            <input type="checkbox" checked={value.directMessages} onChange={(e) => save({ directMessages: e.target.checked })} />
            For direct messages
          </label>
          <div className="field">
            <label htmlFor="email-digest">Email digest of unread notifications</label>
            <select
              id="email-digest"
              value={value.emailDigest}
              onChange={(e) => save({ emailDigest: e.target.value as NotificationPreferences['emailDigest'] })}
            >
              <option value="off">Off</option>
              <option value="daily">Daily</option>
            </select>
          </div>
        </div>
      )}
      {saved && (
        <p role="status" className="muted small">
          Preferences saved.
        </p>
      )}
    </section>
  );
}
