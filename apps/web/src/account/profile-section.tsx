import type { MeResponse, Person } from '@flux/shared';
import { useRef, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { ApiError } from '../api/errors.js';
import { invalidate, useResource } from '../api/use-resource.js';
import { useAuth, useUser } from '../auth/auth-context.js';
import { Field, FormError } from '../components/field.js';
import { useForm } from '../components/use-form.js';
import { Avatar } from '../people/avatar.js';
import '../people/people.css';

/** What went wrong with a picture, in the words of this screen. */
function avatarProblem(error: unknown): string {
  if (error instanceof ApiError && error.code === 'unsupported_media_type')
    return 'That file is not an image we can read (JPEG, PNG, WebP, GIF or AVIF).';
  if (error instanceof ApiError && error.code === 'payload_too_large') return 'That picture is too large: 5 MB at most.';
  return (error as Error).message;
}

/** My name, email and avatar: the name edited in place, the avatar uploaded (the server crops and resizes it). */
export function ProfileSection() {
  const api = useApi();
  const user = useUser();
  const { setUser } = useAuth();
  const me = useResource<Person>(`/api/users/${user.id}`);
  const [saved, setSaved] = useState(false);
  const [avatarError, setAvatarError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  // What the last upload or removal answered wins over a load of /api/users/:id that started before it.
  const [changed, setChanged] = useState<{ avatarUrl: string | null } | null>(null);
  const avatarUrl = changed ? changed.avatarUrl : (me.data?.avatarUrl ?? null);
  const rename = useForm(
    (values) => api.patch<MeResponse>('/api/auth/me', { name: values.name?.trim() ?? '' }),
    ({ user: updated }) => {
      setUser(updated);
      setSaved(true);
    },
  );

  const changeAvatar = async (file: File | undefined) => {
    if (!file) return;
    setAvatarError(null);
    setUploading(true);
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      const person = await api.request<Person>('PUT', '/api/auth/me/avatar', { body: form });
      setChanged({ avatarUrl: person.avatarUrl });
      invalidate(`/api/users/${user.id}`);
    } catch (error) {
      setAvatarError(avatarProblem(error));
    } finally {
      setUploading(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };
  const removeAvatar = async () => {
    setAvatarError(null);
    try {
      const person = await api.delete<Person>('/api/auth/me/avatar');
      setChanged({ avatarUrl: person.avatarUrl });
      invalidate(`/api/users/${user.id}`);
    } catch (error) {
      setAvatarError((error as Error).message);
    }
  };

  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <div className="account-avatar">
        <Avatar name={user.name} avatarUrl={avatarUrl} size="large" />
        <div className="avatar-actions">
          <label className="button secondary small">
            {uploading ? 'Uploading…' : avatarUrl ? 'Change picture' : 'Upload a picture'}
            <input
              ref={fileInput}
              type="file"
              accept="image/png,image/jpeg,image/webp,image/gif,image/avif"
              className="visually-hidden"
              aria-label="Profile picture"
              onChange={(e) => changeAvatar(e.target.files?.[0])}
              disabled={uploading}
            />
          </label>
          {avatarUrl && (
            <button type="button" className="button secondary small" onClick={removeAvatar}>
              Remove picture
            </button>
          )}
        </div>
      </div>
      <FormError error={avatarError} />
      <form onSubmit={rename.onSubmit} noValidate onChange={() => setSaved(false)}>
        {saved && <p role="status">Name saved.</p>}
        <FormError error={rename.error} />
        <Field label="Name" name="name" defaultValue={user.name} autoComplete="name" required maxLength={100} error={rename.fields.name} />
        <button type="submit" className="button secondary" disabled={rename.busy}>
          Save name
        </button>
      </form>
      <dl className="profile">
        <dt>Email</dt>
        <dd>
          {user.email} {user.emailVerified ? <span className="pill ok">verified</span> : <span className="pill warn">not verified</span>}
        </dd>
        <dt>Member since</dt>
        <dd>{new Date(user.createdAt).toLocaleDateString()}</dd>
      </dl>
    </section>
  );
}
