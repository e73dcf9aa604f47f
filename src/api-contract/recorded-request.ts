/**
 * The requests a run made with `--record-bodies` keeps (a sample): written to k6's log by the k6 shim
 * (k6-request-recorder.ts), one line each, read back by record-requests.ts for the static check. Pure and
 * free of Node and k6 imports: both sides share it.
 */

/** Marks a recorded request in k6's log: `msg="perfcell-request <base64 of the JSON>"`. */
export const RECORD_MARKER = 'perfcell-request';

/**
 * Requests recorded per request name and VU: a scenario sends the same shape each iteration (its values
 * change, not its fields), so a few per name show its body and query; more would only grow k6.log.
 */
export const RECORDED_PER_NAME = 3;

/** A body longer than this is cut (and said so): the static check then judges its query only. */
export const MAX_RECORDED_BODY_CHARS = 65_536;

export interface RecordedRequest {
  method: string;
  url: string;
  /** k6's name tag (the URL when the script gave none). */
  name: string;
  /** The transaction (k6 scenario) that sent it. */
  transaction: string;
  contentType?: string;
  /** The body as sent: text, or the fields of a form (k6 encodes an object as a form). */
  body?: string;
  form?: Record<string, string>;
  truncated?: boolean;
}
