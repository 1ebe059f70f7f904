/** What can go wrong with an exchange batch, each mapped to one HTTP status by the API and one line by the CLI. */

/** One problem of one item: `path` is `items.3.date` (or `<resource>.3.date` in a bundle). */
export interface ItemError {
  index: number;
  path: string;
  message: string;
  /** Only in a bundle: the section the item belongs to. */
  resource?: string;
}

/** At most this many item errors are returned; the message says how many there were. */
export const MAX_REPORTED_ERRORS = 1000;

/** The batch is invalid (422): nothing was applied. */
export class ExchangeInputError extends Error {
  constructor(
    message: string,
    readonly errors: ItemError[],
  ) {
    super(message);
  }

  static of(errors: ItemError[], what = "items"): ExchangeInputError {
    const shown = errors.slice(0, MAX_REPORTED_ERRORS);
    const more = errors.length > shown.length ? ` (the first ${shown.length} are listed)` : "";
    const noun = errors.length === 1 ? "error" : "errors";
    return new ExchangeInputError(`The batch has ${errors.length} ${noun} in its ${what}${more}; nothing was applied`, shown);
  }
}

/** The batch is larger than the limits allow (413): nothing was applied. */
export class ExchangeTooLargeError extends Error {}

/**
 * MongoDB failed during the import (503): some of the batch may have been written. Re-sending the
 * same batch is safe and completes it.
 */
export class ExchangeUnavailableError extends Error {
  /**
   * `detail` is for the log only: a driver's message can name hosts, ports or values, so the caller
   * sees it only when `shown` (our own words, like "concurrent imports kept changing...").
   */
  constructor(
    readonly detail: string,
    options: { shown?: boolean } = {},
  ) {
    super(`The database failed while applying the batch${options.shown ? ` (${detail})` : ""}; nothing or part of the batch was applied; the batch is idempotent, send it again`);
  }
}
