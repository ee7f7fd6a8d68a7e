/** One JSON object per line on stdout: machine-readable, grep-able, bigint-safe. */
import { toJson } from "../lib/format";

export type LogFields = Record<string, unknown>;
export type Logger = (event: string, fields?: LogFields) => void;

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line + "\n")): Logger {
  return (event, fields = {}) => write(toJson({ ts: new Date().toISOString(), event, ...fields }));
}
