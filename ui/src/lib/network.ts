// The provider's network preflight, summarised. The test itself is Twilio's
// `runPreflight` (twilio-video), loaded only when the provider asks for it.

/** The numbers a preflight report gives (ms, ms, %), as averages over the test. */
export type NetworkNumbers = { rttMs: number | null; jitterMs: number | null; packetLossPercent: number | null };

export type NetworkGrade = "good" | "fair" | "poor";

const LIMITS: Record<Exclude<NetworkGrade, "poor">, NetworkNumbers> = {
  good: { rttMs: 200, jitterMs: 30, packetLossPercent: 1 },
  fair: { rttMs: 400, jitterMs: 60, packetLossPercent: 3 },
};

function within(numbers: NetworkNumbers, limit: NetworkNumbers): boolean {
  return (
    (numbers.rttMs ?? 0) <= limit.rttMs! &&
    (numbers.jitterMs ?? 0) <= limit.jitterMs! &&
    (numbers.packetLossPercent ?? 0) <= limit.packetLossPercent!
  );
}

/** Good, fair or poor for a video visit, from round-trip time, jitter and packet loss. */
export function gradeNetwork(numbers: NetworkNumbers): NetworkGrade {
  if (within(numbers, LIMITS.good)) return "good";
  if (within(numbers, LIMITS.fair)) return "fair";
  return "poor";
}

export function describeNumbers(numbers: NetworkNumbers): string {
  const show = (value: number | null, unit: string) => (value === null ? "n/a" : `${Math.round(value * 10) / 10} ${unit}`);
  return `Round trip ${show(numbers.rttMs, "ms")}, jitter ${show(numbers.jitterMs, "ms")}, packet loss ${show(numbers.packetLossPercent, "%")}`;
}

export const GRADE_TEXT: Record<NetworkGrade, string> = {
  good: "Good: ready for video visits.",
  fair: "Fair: video may stutter; close other apps that use the network.",
  poor: "Poor: expect frozen video. Move closer to Wi-Fi or use a cable.",
};

/** The parts of twilio-video's PreflightTestReport this check reads. */
type PreflightReport = {
  stats?: {
    rtt?: { average?: number } | null;
    jitter?: { average?: number } | null;
    packetLoss?: { average?: number } | null;
  };
};

export function numbersFromReport(report: PreflightReport): NetworkNumbers {
  return {
    rttMs: report.stats?.rtt?.average ?? null,
    jitterMs: report.stats?.jitter?.average ?? null,
    packetLossPercent: report.stats?.packetLoss?.average ?? null,
  };
}

/** Runs Twilio's preflight with `token`; resolves with the numbers or rejects with its error. */
export async function runTwilioPreflight(token: string): Promise<NetworkNumbers> {
  const { runPreflight } = await import("twilio-video");
  return new Promise((resolve, reject) => {
    const test = runPreflight(token);
    test.on("completed", (report) => resolve(numbersFromReport(report)));
    test.on("failed", (error: Error) => reject(error));
  });
}
