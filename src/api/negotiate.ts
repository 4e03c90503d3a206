import Negotiator from 'negotiator';

export type ListingFormat = 'json' | 'html';

/**
 * What a folder URL answers for an `Accept` header (RFC 9110 §12.5.1), via jshttp's negotiator (the
 * parser Express itself uses): HTML only when the client prefers `text/html` to `application/json`,
 * as browsers do; JSON for everything else, a missing header and `*\/*` included, so curl and
 * scripts get data. With `html` off (private mode, LISTING rules) JSON is the only offer.
 */
export function chooseListingFormat(accept: string | undefined, html: boolean): ListingFormat {
  if (!html || accept === undefined) return 'json';
  const [preferred] = new Negotiator({ headers: { accept } }).mediaTypes(['application/json', 'text/html']);
  return preferred === 'text/html' ? 'html' : 'json';
}
