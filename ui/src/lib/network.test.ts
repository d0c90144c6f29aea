import { describe, expect, it } from "vitest";

import { describeNumbers, gradeNetwork, numbersFromReport } from "./network";

describe("network preflight summary", () => {
  it("grades good, fair and poor from RTT, jitter and loss", () => {
    expect(gradeNetwork({ rttMs: 80, jitterMs: 10, packetLossPercent: 0 })).toBe("good");
    expect(gradeNetwork({ rttMs: 250, jitterMs: 10, packetLossPercent: 0 })).toBe("fair");
    expect(gradeNetwork({ rttMs: 80, jitterMs: 10, packetLossPercent: 2.5 })).toBe("fair");
    expect(gradeNetwork({ rttMs: 80, jitterMs: 75, packetLossPercent: 0 })).toBe("poor");
    expect(gradeNetwork({ rttMs: 500, jitterMs: 10, packetLossPercent: 0 })).toBe("poor");
  });

  it("reads twilio-video's report and shows the numbers", () => {
    const numbers = numbersFromReport({ stats: { rtt: { average: 42.26 }, jitter: { average: 3 }, packetLoss: { average: 0 } } });
    expect(describeNumbers(numbers)).toBe("Round trip 42.3 ms, jitter 3 ms, packet loss 0 %");
    expect(describeNumbers(numbersFromReport({}))).toBe("Round trip n/a, jitter n/a, packet loss n/a");
  });
});
