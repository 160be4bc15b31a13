import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeWaitIn, messageForError } from "./errors.ts";

describe("messageForError", () => {
  it("says a pause in the reader's language, from the seconds or from the services' English wording", () => {
    assert.match(messageForError("SIGNIN_LOCKED", { wait: "3 minutes" }, "de"), /für 3\sMinuten gesperrt/);
    assert.match(messageForError("SIGNIN_LOCKED", undefined, "fr", 45), /pendant 45\ssecondes/);
    assert.match(messageForError("SECOND_FACTOR_LOCKED", { wait: "1 minute" }, "es"), /durante 1\sminuto/);
    assert.match(messageForError("SIGNIN_LOCKED", { wait: "2 minutes" }), /paused for 2 minutes\./);
    assert.equal(describeWaitIn("en", 61), "2 minutes");
  });
  it("fills identifier messages' example number and leaves a placeholder without a value as it is", () => {
    assert.match(messageForError("IDENTIFIER_PHONE_INVALID", undefined, "ar"), /\+44 7400 123456/);
    assert.match(messageForError("SIGNIN_LOCKED"), /paused for \{wait\}/);
  });
});
