/** How full a data store is, in words. Pure functions, tested with Vitest. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Bytes for people: "0 B", "512 B", "1.5 KiB", "10 MiB" (binary units, one decimal below 10). */
export function bytesText(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
  return `${shown} ${UNITS[unit]}`;
}

/** The share of a limit used: "0%", "<1%", "37%", "100%". */
export function percentText(used: number, limit: number): string {
  if (limit <= 0) return "100%";
  const share = (used / limit) * 100;
  if (used > 0 && share < 1) return "<1%";
  return `${Math.min(100, Math.round(share))}%`;
}

/** "45 B of 10 MiB used (<1%)". */
export function bytesUsageText(used: number, limit: number): string {
  return `${bytesText(used)} of ${bytesText(limit)} used (${percentText(used, limit)})`;
}

/** "2 of 10,000 records". */
export function recordsUsageText(count: number, limit: number, locale?: string): string {
  const format = new Intl.NumberFormat(locale);
  return `${format.format(count)} of ${format.format(limit)} ${limit === 1 ? "record" : "records"}`;
}
