// The one error type of the app. Codes are stable (clients match on them);
// each maps to one HTTP status.

export const ERROR_STATUS = {
  invalid_input: 400,
  invalid_json: 400,
  weak_password: 400,
  sign_up_failed: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  wrong_password: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  generation_in_progress: 409,
  idempotency_mismatch: 422,
  not_resumable: 409,
  not_latest: 409,
  not_on_path: 409,
  not_assistant: 400,
  not_user: 400,
  unknown_model: 400,
  too_large: 413,
  unsupported_media_type: 415,
  unsupported_file: 415,
  too_many_generations: 429,
  rate_limited: 429,
  queue_full: 429,
  internal: 500,
  unavailable: 503,
  overloaded: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.headers = headers;
  }

  toBody() {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFound = (what = "resource") => new AppError("not_found", `${what} not found`);
