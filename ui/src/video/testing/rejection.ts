// What a promise rejects with, checked to be a VideoSessionError (tests only).
import { expect } from "vitest";

import { VideoSessionError } from "../session";

export async function rejection(promise: Promise<unknown>): Promise<VideoSessionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VideoSessionError);
  return error as VideoSessionError;
}
