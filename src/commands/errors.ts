/**
 * The one error type that commands and queries throw for a request that
 * cannot be carried out. `key` selects the translated message shown to the
 * user (see web/i18n); `message` is the English text for logs and the CLI.
 */
export type CommandErrorCode = 'invalid' | 'not_found' | 'forbidden' | 'conflict' | 'invalid_transition' | 'locked' | 'unauthorized';

const HTTP_STATUS: Record<CommandErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  locked: 423,
};

export class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
    readonly key: string,
    readonly params: Record<string, string | number> = {},
    /** Form field the error belongs to, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export function notFound(what = 'complaint'): CommandError {
  return new CommandError('not_found', `${what} not found`, `error.not_found.${what}`);
}

export function invalid(field: string, message: string, key: string, params: Record<string, string | number> = {}): CommandError {
  return new CommandError('invalid', message, key, params, field);
}
