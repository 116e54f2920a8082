/** Every failure Tagifai reports on purpose, with a stable code a caller can branch on. */
export type ErrorCode =
  | "INVALID_PARAMS"
  | "INVALID_DATA"
  | "DATA_NOT_FOUND"
  | "DOWNLOAD_FAILED"
  | "CHECKSUM_MISMATCH"
  | "INVALID_INPUT"
  | "INVALID_ARTIFACTS"
  | "RUN_NOT_FOUND"
  | "INVALID_RUN_ID"
  | "EXPERIMENT_NOT_FOUND"
  | "MODEL_NOT_FOUND"
  | "SCHEMA_TOO_NEW"
  | "TRACKING_ERROR"
  | "ARTIFACT_STORE_ERROR"
  | "STUDY_NOT_FOUND"
  | "STUDY_ERROR"
  | "INVALID_MODEL_OUTPUT"
  | "SERVER_FAILED"
  | "NON_FINITE_LOSS"
  | "MODEL_REGISTERED"
  | "TESTS_FAILED"
  | "UNSUPPORTED_RUNTIME";

/** An expected, user-facing error: the message names the problem; `code` classifies it. */
export class TagifaiError extends Error {
  override readonly name = "TagifaiError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
