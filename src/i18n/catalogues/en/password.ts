// Changing the password while signed in (/account/password).
export default {
  heading: "Change your password",
  currentLabel: "Current password",
  newLabel: "New password",
  newHint: "At least 8 characters. A few unrelated words make a strong password.",
  confirmLabel: "Type the new password again",
  signOutOthers: "Sign out other devices and apps",
  submit: "Change password",
  cancel: "Cancel",
  forgotten: "Forgotten your current password? {link}.",
  resetInstead: "Reset it instead",
};
