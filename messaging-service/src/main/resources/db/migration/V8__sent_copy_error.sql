-- An imap connection's sends are APPENDed to the server's Sent folder after SMTP took them; when that fails the mail
-- has gone out all the same, so the send succeeds and the reason is kept here (cleared by the next copy saved).
ALTER TABLE mail_accounts ADD COLUMN last_sent_copy_error text;
