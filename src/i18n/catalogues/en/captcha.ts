// The security check inside a form: the picture, its audio version, another one, the answer field.
export default {
  legend: "Security check",
  why: "To keep accounts safe from automated guessing, please show you're a person.",
  imageAlt: "Security check picture: type the letters and digits it shows. If you can't read it, use Hear the challenge below for an audio version.",
  hear: "Hear the challenge",
  another: "Try another",
  answerLabel: "Type the characters in the picture, or the 7 digits you hear",
  answerHint: "Not case-sensitive. Spaces don't matter.",
  trouble: "Trouble with the security check?",
  audioLabel: "Security check audio",
  audioPlaying: "Playing 7 digits, between two beeps. Use “Play again” to hear them once more.",
  audioPress: "Press play to hear 7 digits, between two beeps.",
  audioFailed: "The audio could not be loaded. Choose “Try another” for a new security check.",
  audioAgain: "Play again",
};
