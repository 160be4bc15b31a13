// Every text message. Short: one or two sentences, the site's name so the person knows who writes.
export default {
  code: "{code} is your {siteName} confirmation code. It works for {minutes, plural, one {# minute} other {# minutes}}. Never share it with anyone.",
  registrationAttempt:
    "Someone tried to create a {siteName} account with this number, which already has one. If it was you, sign in: {signinLink}. If not, ignore this message.",
  identifierAdded: "{identifier} was added to your {siteName} account. If this wasn't you, sign in and change your password.",
  resetCode:
    "{code} is your {siteName} password reset code. It works for {minutes, plural, one {# minute} other {# minutes}}. If you didn't ask for it, ignore this message and never share the code.",
  passwordChanged: "Your {siteName} password was just changed. If this wasn't you, reset it now: {resetLink}",
  securityNotice: "{siteName}: {headline}. Not you? Review it now: {reviewLink}",
  accountClosed: "{headline}.",
  adminNotice: "{siteName}: {text}",
};
