// The password strength estimate over HTTP (`POST /api/v1/password-strength`): latency of sequential
// estimates over passwords that cost the unbounded estimator seconds, and `/healthz` while 20 run at once.
import { createKeepAliveAgent, quantile, timedRequest } from "./load.ts";

export interface StrengthFigures {
  samples: number;
  msP50: number;
  msP99: number;
  msMax: number;
  /** The first estimate after the server started: it starts the worker, which loads the English dictionaries. */
  firstMs: number;
  /** The slowest of the /healthz answers sent one after another while 20 long estimates were in flight. */
  healthMsMaxDuringEstimates: number;
}

/** Short symbol-heavy, look-alike, repetitive and long passwords. */
export const STRENGTH_CORPUS = [
  "Unusual-Pass-Phrase-991!",
  "Xk9#mP2$vL7@qR4!nB6&wT8*",
  "Correct-Horse-Battery-Staple-42",
  "Tr0ub4dor&3",
  "passwordpasswordpassword123",
  "1l1l1l1l1l1l1l1l1l1l1l1l1l1l1l1l",
  "@@@@4444333311110000$$$$||||!!!!",
  "p@55w0rd",
  "P@ssw0rd!",
  "1!1!1!1!1!1!1!1!",
  "$0m3th1ng-l33t-$p34k-w1th-l0ts",
  "qwertyuiopasdfgh",
  "4@8(6!3|7+1$0<2[",
  "|!1l|!1l|!1l|!1l",
  "The quick brown fox jumps over the lazy dog 1234567!",
  "a".repeat(128),
  "Xk9#mP2$vL7@qR4!nB6&wT8*".repeat(5),
];

export async function measurePasswordStrength(url: string, rounds = 6): Promise<StrengthFigures> {
  const agent = createKeepAliveAgent();
  const estimate = (password: string) => timedRequest(agent, url, "POST", "/api/v1/password-strength", { password, userInputs: ["someone@example.com"] });
  try {
    // The first estimate starts the worker and loads the dictionaries; it is reported on its own.
    const first = await estimate("warm-up password");
    if (first.status !== 200) throw new Error(`the strength estimate answered ${first.status}: ${first.body}`);
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const password of STRENGTH_CORPUS) {
        const answer = await estimate(`${password}${round === 0 ? "" : String(round)}`);
        if (answer.status !== 200) throw new Error(`the strength estimate answered ${answer.status}: ${answer.body}`);
        times.push(answer.ms);
      }
    }
    const concurrent = Array.from({ length: 20 }, (_, i) =>
      fetch(new URL("/api/v1/password-strength", url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password: `${STRENGTH_CORPUS[1]}${STRENGTH_CORPUS[0]}${i}`, userInputs: [] }),
      }).then((r) => r.arrayBuffer()),
    );
    const health = createKeepAliveAgent();
    let healthMax = 0;
    for (let i = 0; i < 10; i++) {
      const answer = await timedRequest(health, url, "GET", "/healthz");
      healthMax = Math.max(healthMax, answer.ms);
    }
    await Promise.all(concurrent);
    health.destroy();
    return {
      samples: times.length,
      msP50: quantile(times, 0.5),
      msP99: quantile(times, 0.99),
      msMax: Math.max(...times),
      firstMs: first.ms,
      healthMsMaxDuringEstimates: healthMax,
    };
  } finally {
    agent.destroy();
  }
}
