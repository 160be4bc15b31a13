import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isAppError } from "../errors/app-error.ts";
import { cleanFeedbackComment, validateFeedback } from "./feedback.ts";

function refusal(run: () => unknown): { code: string; field: string | undefined } {
  try {
    run();
  } catch (error) {
    assert.ok(isAppError(error));
    return { code: error.code, field: error.field };
  }
  assert.fail("expected a refusal");
}

describe("validateFeedback", () => {
  test("accepts Yes alone and No with or without a reason and comment", () => {
    assert.deepEqual(validateFeedback({ helpful: true }), { helpful: true, reason: null, comment: null });
    assert.deepEqual(validateFeedback({ helpful: false, reason: "", comment: "   " }), { helpful: false, reason: null, comment: null });
    assert.deepEqual(validateFeedback({ helpful: false, reason: "didnt_answer", comment: " Why? " }), {
      helpful: false,
      reason: "didnt_answer",
      comment: "Why?",
    });
  });

  test("refuses an unknown reason, and any reason with Yes", () => {
    assert.deepEqual(
      refusal(() => validateFeedback({ helpful: false, reason: "boring" })),
      { code: "FEEDBACK_REASON_INVALID", field: "reason" },
    );
    assert.deepEqual(
      refusal(() => validateFeedback({ helpful: false, reason: "__proto__" })),
      { code: "FEEDBACK_REASON_INVALID", field: "reason" },
    );
    assert.deepEqual(
      refusal(() => validateFeedback({ helpful: true, reason: "confusing" })),
      { code: "FEEDBACK_REASON_INVALID", field: "reason" },
    );
  });

  test("allows 1,000 characters (code points) after clean-up and refuses 1,001", () => {
    assert.equal(validateFeedback({ helpful: false, comment: "😀".repeat(1000) }).comment?.length, 2000);
    assert.equal(validateFeedback({ helpful: false, comment: `  ${"a".repeat(1000)}\n\n` }).comment?.length, 1000);
    assert.deepEqual(
      refusal(() => validateFeedback({ helpful: false, comment: "a".repeat(1001) })),
      { code: "FEEDBACK_COMMENT_TOO_LONG", field: "comment" },
    );
  });
});

describe("cleanFeedbackComment", () => {
  test("keeps line breaks, turns tabs into spaces and removes other control characters and direction overrides", () => {
    assert.equal(cleanFeedbackComment("one\r\ntwo\rthree\n"), "one\ntwo\nthree");
    assert.equal(cleanFeedbackComment("a\tb"), "a b");
    assert.equal(cleanFeedbackComment("be\u0000ll\u0007 \u001b[31mred\u009b"), "bell [31mred");
    assert.equal(cleanFeedbackComment("abc\u202edcba\u2066x\u2069"), "abcdcbax");
    assert.equal(cleanFeedbackComment(" \u0000 \n "), null);
  });
});
