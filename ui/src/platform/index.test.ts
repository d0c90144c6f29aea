import { describe, expect, it } from "vitest";
import { toAppError } from "./index";

describe("toAppError", () => {
  it("keeps the service's own error as the core sent it, Janus's included", () => {
    const janus = { service: "janus", status: 0, code: 433, message: "Unauthorized (wrong admin_key)", more_info: null } as const;
    const thrown = { code: "service_credentials_rejected", message: "The Janus VideoRoom plugin refused the request", fields: [], service: janus };
    expect(toAppError(thrown)).toEqual(thrown);
  });

  it("fills what a rejection lacks, and turns anything else into an internal error", () => {
    expect(toAppError({ code: "not_found", message: "gone" })).toEqual({ code: "not_found", message: "gone", fields: [], service: null });
    expect(toAppError(new Error("boom"))).toEqual({
      code: "internal", message: "VisitDesk hit an internal error: boom", fields: [], service: null,
    });
  });
});
