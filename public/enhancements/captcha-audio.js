// Hear the challenge: the security check's audio link becomes a player that starts on the first press
// (never on its own) and can be replayed.

import { pageText } from "./texts.js";

export function enhanceCaptchaAudio() {
  for (const link of document.querySelectorAll("a[data-captcha-audio]")) {
    link.addEventListener("click", (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
        return; // let "open in new tab" and friends work as usual
      }
      event.preventDefault();

      const player = document.createElement("div");
      player.className = "captcha-audio-player";

      const note = document.createElement("p");
      note.className = "captcha-audio-note";
      note.id = `captcha-audio-note-${Math.random().toString(36).slice(2, 10)}`;
      note.textContent = pageText("captcha.audioPlaying", "Playing 7 digits, between two beeps. Use “Play again” to hear them once more.");

      const audio = document.createElement("audio");
      audio.className = "captcha-audio";
      audio.controls = true;
      audio.preload = "auto";
      audio.setAttribute("aria-label", pageText("captcha.audioLabel", "Security check audio"));
      audio.setAttribute("aria-describedby", note.id);
      audio.src = link.href;
      audio.addEventListener("error", () => {
        note.textContent = pageText("captcha.audioFailed", "The audio could not be loaded. Choose “Try another” for a new security check.");
      });

      const again = document.createElement("button");
      again.type = "button";
      again.className = "link-button captcha-audio-again";
      again.textContent = pageText("captcha.audioAgain", "Play again");
      again.addEventListener("click", () => {
        audio.currentTime = 0;
        audio.play().catch(() => {});
      });

      player.append(note, audio, again);

      // Put the player after the row of controls (so "Try another" stays where it was) and drop the link.
      const controls = link.closest(".captcha-controls");
      if (controls) {
        controls.after(player);
        link.remove();
      } else {
        link.replaceWith(player);
      }

      // The press that asked for the audio is the permission to play it: start at once. Should the browser
      // still refuse, the player's own play button is there.
      audio.play().catch(() => {
        note.textContent = pageText("captcha.audioPress", "Press play to hear 7 digits, between two beeps.");
      });
      audio.focus();
      if (document.activeElement !== audio) {
        note.setAttribute("tabindex", "-1");
        note.focus();
      }
    });
  }
}
