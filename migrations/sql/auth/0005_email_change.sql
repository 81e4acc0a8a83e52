-- Changing the email of a signed-in account: the link mailed to the new address is an email token
-- of its own purpose that carries the address, which becomes the account's only when the link is opened.
alter table auth.email_tokens drop constraint email_tokens_purpose_check;
alter table auth.email_tokens
  add constraint email_tokens_purpose_check check (purpose in ('verify_email', 'reset_password', 'change_email'));
alter table auth.email_tokens add column new_email text;
alter table auth.email_tokens
  add constraint email_tokens_new_email_check check ((purpose = 'change_email') = (new_email is not null));
