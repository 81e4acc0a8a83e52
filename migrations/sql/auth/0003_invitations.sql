-- Invitations become single-use links: the mailed token is stored only as its SHA-256, a
-- re-invite or resend replaces it (the older link stops working), and the accepting account is
-- recorded. Invitations from before this migration have no token; their invitee can still accept
-- them with a verified email, or an owner/admin resends one.
alter table auth.invitations
  add column token_hash  text,
  add column accepted_by uuid references auth.users (id) on delete set null,
  add column sent_at     timestamptz not null default now();
create unique index invitations_token_key on auth.invitations (token_hash);
