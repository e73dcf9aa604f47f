/**
 * Failed request → error kind, from k6's status, error_code and error tags
 * (k6 error codes: 1050 request timeout, 121x dial errors, 1212 refused, 1220 reset, …).
 */
import type { ErrorKind } from './types.js';

export function classifyError(status: string, errorCode: string, error: string): ErrorKind {
  const code = Number(errorCode);
  if (code === 1050 || code === 1211 || code === 1201 || /timeout|deadline exceeded/i.test(error)) return 'timeout';
  if (code === 1212 || /connection refused/i.test(error)) return 'connection-refused';
  if (code === 1220 || /reset by peer|connection reset|broken pipe|EOF/i.test(error)) return 'connection-reset';
  const s = Number(status);
  if (s >= 500 && s < 600) return '5xx';
  if (s >= 400 && s < 500) return '4xx';
  if (code >= 1000 && code < 1300) return 'network';
  return 'other';
}
